// Is the page served by the clinic's back office (python -m prescreen.clinic serve)? Asks the page's
// own address again with HEAD (no answers in it) and reads the back office's X-Prescreen-Clinic
// header, which names the submissions API. Kept apart from send.js so that the page loads
// "Send to the clinic" (send.js) only when there is a clinic to send to: served as plain static files
// it never does, and the page stays that much lighter.

let detected = null;

/** The submissions API path when served by the back office, else null (asked once per page load). */
export function clinicApi() {
  if (!detected) {
    detected = fetch(location.pathname, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' })
      .then((response) => response.headers.get('X-Prescreen-Clinic'))
      .catch(() => null);
  }
  return detected;
}
