// "Send to the clinic": offered only when the page is served by the clinic's back office
// (python -m prescreen.clinic serve). Served as plain static files (web-demo/serve.mjs) the page
// keeps its download-only behaviour and this module adds nothing.
//
// Detection asks the page's own address again with HEAD (no answers in it) and looks for the
// back office's X-Prescreen-Clinic header, which names the submissions API. Answers leave the
// browser only when the patient presses the button, after a plain statement of what is sent and to
// whom. A send that fails on the way is tried again with the same submission key, so the clinic
// stores it once.
import { clinicName } from './clinic.js';

const RETRIES = 3;

let detected = null;

/** The submissions API path when served by the back office, else null (asked once per page load). */
export function clinicApi() {
  if (!detected) {
    detected = fetch(location.pathname, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' })
      .then((response) => response.headers.get('X-Prescreen-Clinic'))
      .catch(() => null);
    detected.then((api) => {
      if (!api) return;
      const footer = document.querySelector('.site-footer p');
      if (footer) {
        footer.textContent = 'Your answers stay on this device until you choose "Send to the clinic". Nothing is sent to anyone else.';
      }
    });
  }
  return detected;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child != null) node.append(child);
  return node;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function post(api, body) {
  let last;
  for (let attempt = 0; attempt < RETRIES; attempt += 1) {
    try {
      const response = await fetch(api, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      const reply = await response.json().catch(() => null);
      if (response.ok) return reply;
      // 4xx: the clinic refused this submission; sending it again would not help.
      if (response.status < 500 && response.status !== 429) {
        throw Object.assign(new Error(reply?.error?.message ?? `refused (${response.status})`), { final: true });
      }
      last = new Error(reply?.error?.message ?? `the clinic's server answered ${response.status}`);
    } catch (error) {
      if (error.final) throw error;
      last = error;
    }
    await new Promise((resolve) => { setTimeout(resolve, 500 * (attempt + 1)); });
  }
  throw last;
}

/**
 * A "Send to the clinic" section (empty unless the back office serves the page).
 * `what`: {answers, today, packDigest, browserResult, consentRecord?, clinic?}.
 */
export function sendPanel(what) {
  const panel = el('section', { class: 'send-panel no-print', id: 'send-panel', 'aria-labelledby': 'send-heading', hidden: true });
  clinicApi().then((api) => {
    if (!api) return;
    const key = newKey(); // one key per panel: every retry of this send is the same submission
    const status = el('p', { id: 'send-status', role: 'status', 'aria-live': 'polite' });
    const sent = [
      'your answers to these questions',
      'the result shown on this page',
      what.consentRecord ? 'your signed consent record' : null,
    ].filter(Boolean);
    const button = el('button', {
      type: 'button', class: 'button button-primary', id: 'send-to-clinic',
      onclick: async () => {
        button.disabled = true;
        status.textContent = 'Sending…';
        try {
          const reply = await post(api, {
            submission_key: key, pack_digest: what.packDigest, answers: what.answers, today: what.today,
            browser_result: what.browserResult, consent_record: what.consentRecord ?? null,
          });
          status.replaceChildren(el('strong', {}, 'Sent. '),
            `The clinic has received it. Your reference: `, el('code', { id: 'send-reference' }, reply.submission_id), '.');
          if (reply.sealed_record) {
            const url = URL.createObjectURL(new Blob([JSON.stringify(reply.sealed_record, null, 2) + '\n'], { type: 'application/json' }));
            panel.append(el('p', {}, el('a', {
              class: 'button button-secondary', id: 'download-sealed', href: url,
              download: `consent-${reply.submission_id}-sealed.json`,
            }, 'Download the record the clinic sealed (JSON)')));
          }
          button.hidden = true;
          // The summary's "Nothing has been sent anywhere" is no longer true.
          document.querySelector('#summary .lead')?.replaceChildren(
            'Sent to the clinic. You can still download your record or print this page, and bring it to your consultation.');
        } catch (error) {
          button.disabled = false;
          status.replaceChildren(el('strong', {}, 'Not sent. '), String(error.message ?? error),
            ' You can try again, or download your record and bring it with you.');
        }
      },
    }, 'Send to the clinic');
    panel.append(
      el('h2', { id: 'send-heading' }, 'Send to the clinic'),
      el('p', {}, `If you press "Send to the clinic", ${sent.join(', ').replace(/, ([^,]*)$/, ' and $1')} will be sent to `,
        what.clinic ? `${what.clinic} (${clinicName()})` : clinicName(),
        ` through its own server at ${location.host}. Only the clinic's practitioners read it, before your consultation. Nothing is sent unless you press the button.`),
      el('div', { class: 'actions' }, button),
      status);
    panel.hidden = false;
  });
  return panel;
}
