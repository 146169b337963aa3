// "Send to the clinic": offered only when the page is served by the clinic's back office
// (python -m prescreen.clinic serve). Served as plain static files (web-demo/serve.mjs) the page
// keeps its download-only behaviour and this module adds nothing.
//
// Detection asks the page's own address again with HEAD (no answers in it) and looks for the
// back office's X-Prescreen-Clinic header, which names the submissions API. Answers leave the
// browser only when the patient presses the button, after a plain statement of what is sent and to
// whom. A send that fails on the way is tried again with the same submission key, so the clinic
// stores it once. Once sent, the page asks the back office for the follow-up dates of the course
// (POST /api/follow-ups with the same key, which only this page holds) and offers them in words with
// a calendar file; before the first session there are none yet, and the patient can ask again.
import { clinicName } from './clinic.js';
import { dateInWords } from './dates.js';
import { pageLocale } from './words.js';

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

/** The follow-up dates for a sent submission: {submission_id, last_session, follow_ups, calendar}. */
async function askFollowUps(api, key) {
  const response = await fetch(api.replace(/submissions$/, 'follow-ups'), {
    method: 'POST', credentials: 'same-origin', cache: 'no-store',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ submission_key: key }),
  });
  const reply = await response.json().catch(() => null);
  if (!response.ok) throw new Error(reply?.error?.message ?? `the clinic's server answered ${response.status}`);
  return reply;
}

/** "Your follow-up sessions": the dates in words and a calendar file, or why there are none yet. */
function followUpsPanel(api, key) {
  const box = el('div', { id: 'follow-ups', 'aria-live': 'polite' });
  const again = el('button', { type: 'button', class: 'button button-secondary', id: 'follow-ups-check', onclick: () => show() },
    'Show my follow-up dates');
  let calendarUrl = null;
  async function show() {
    again.disabled = true;
    try {
      const reply = await askFollowUps(api, key);
      if (calendarUrl) URL.revokeObjectURL(calendarUrl);
      calendarUrl = null;
      if (!reply.last_session) {
        box.replaceChildren(el('p', {}, 'Your follow-up dates are set at your first session. Afterwards, open this page again and press "Show my follow-up dates".'), el('p', {}, again));
      } else if (!reply.follow_ups.length) {
        box.replaceChildren(el('p', {}, `Your last session was on ${dateInWords(reply.last_session, pageLocale())}. No further sessions are planned in your course.`));
      } else {
        calendarUrl = URL.createObjectURL(new Blob([reply.calendar], { type: 'text/calendar' }));
        box.replaceChildren(
          el('p', {}, `After your session on ${dateInWords(reply.last_session, pageLocale())}, your next sessions are:`),
          el('ul', { id: 'follow-up-dates' }, reply.follow_ups.map((day) => el('li', {}, el('time', { datetime: day }, dateInWords(day, pageLocale()))))),
          el('p', { class: 'no-print' }, el('a', {
            class: 'button button-secondary', id: 'follow-ups-calendar', href: calendarUrl, download: `follow-ups-${reply.submission_id}.ics`,
          }, 'Add these dates to my calendar (.ics)')),
          el('p', {}, 'Please call the clinic to confirm the time of each session.'));
      }
    } catch (error) {
      box.replaceChildren(el('p', {}, el('strong', {}, 'Could not get your follow-up dates. '), String(error.message ?? error)), el('p', {}, again));
    } finally {
      again.disabled = false;
    }
  }
  show();
  return el('section', { id: 'follow-ups-panel', 'aria-labelledby': 'follow-ups-heading' },
    el('h3', { id: 'follow-ups-heading' }, 'Your follow-up sessions'), box);
}

/**
 * A "Send to the clinic" section (empty unless the back office serves the page).
 * `what`: {answers, today, packDigest, browserResult, informationRecord?, clinic?}. The consent itself
 * is signed at the consultation, on the clinic's tablet (the back office's consultation page).
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
      what.informationRecord ? 'the record that you have read the consent information' : null,
    ].filter(Boolean);
    const button = el('button', {
      type: 'button', class: 'button button-primary', id: 'send-to-clinic',
      onclick: async () => {
        button.disabled = true;
        status.textContent = 'Sending…';
        try {
          const reply = await post(api, {
            submission_key: key, pack_digest: what.packDigest, answers: what.answers, today: what.today,
            browser_result: what.browserResult, information_record: what.informationRecord ?? null, locale: pageLocale(),
          });
          status.replaceChildren(el('strong', {}, 'Sent. '),
            `The clinic has received it. Your reference: `, el('code', { id: 'send-reference' }, reply.submission_id), '.');
          button.hidden = true;
          panel.append(followUpsPanel(api, key));
          // The summary's "Nothing has been sent anywhere" is no longer true.
          document.querySelector('#summary .lead')?.replaceChildren(
            'Sent to the clinic. You can still save your record or print this page. You sign the consent at your consultation.');
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
