// "Send to the clinic": loaded by app.js only when the page is served by the clinic's back office
// (python -m prescreen.clinic serve; detected by clinic-api.js). Served as plain static files
// (web-demo/serve.mjs) the page keeps its download-only behaviour and never loads this module.
//
// Answers leave the browser only when the patient presses the button, after a plain statement of what is sent and to
// whom, with the name and phone number the clinic needs to call back. A send that fails on the way
// is tried again with the same submission key, so the clinic stores it once; the key is the draft's
// (app.js keeps it), so sending from the result page and again after reading is one submission too. Once sent, the page
// asks the back office for the follow-up dates of the course (POST /api/follow-ups with the same
// key, which only this page holds) and offers them in words with a calendar file; before the first
// session there are none yet, and the patient can ask again.
//
// Every text is the page's wording in the patient's language (text/<locale>.json, words.js); the
// server's own error messages are for the clinic's staff (English) and go to the console only.
import { clinicName } from './clinic.js';
import { dateInWords, dateTimeInWords } from './dates.js';
import { h } from './dom.js';
import { pageLocale, say, sayList, sayParts } from './words.js';

const RETRIES = 3;

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Why a send failed, for the patient: the server refused it (4xx), or could not be reached. */
class SendFailure extends Error {
  constructor(kind, detail, code = null) {
    super(detail);
    this.kind = kind; // 'refused' | 'network'
    this.code = code; // the server's stable error code, when it gave one
  }
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
        throw new SendFailure('refused', reply?.error?.message ?? `refused (${response.status})`, reply?.error?.code ?? null);
      }
      last = new SendFailure('network', reply?.error?.message ?? `the clinic's server answered ${response.status}`);
    } catch (error) {
      if (error.kind === 'refused') throw error;
      last = error instanceof SendFailure ? error : new SendFailure('network', String(error?.message ?? error));
    }
    await new Promise((resolve) => { setTimeout(resolve, 500 * (attempt + 1)); });
  }
  throw last;
}

/** The follow-up dates for a sent submission: {submission_id, last_session, follow_ups, calendar}. */
async function askFollowUps(api, key) {
  let response;
  try {
    response = await fetch(api.replace(/submissions$/, 'follow-ups'), {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ submission_key: key }),
    });
  } catch (error) {
    throw new SendFailure('network', String(error?.message ?? error));
  }
  const reply = await response.json().catch(() => null);
  if (!response.ok) throw new SendFailure('refused', reply?.error?.message ?? `the clinic's server answered ${response.status}`);
  return reply;
}

/** The patient's sentence for a failure; the server's own message goes to the console for staff. */
function failureText(error) {
  console.warn('send to the clinic:', error?.message ?? error);
  // An earlier send of this draft did arrive (its reply was lost) and the details differ now:
  // sending again cannot help, the clinic already has the form.
  if (error?.code === 'submission_key_reused') return say('send_failed_already_sent');
  return say(error?.kind === 'refused' ? 'send_failed_refused' : 'send_failed_network');
}

const inWords = (iso) => dateInWords(iso, pageLocale());

/** "Your follow-up sessions": the dates in words and a calendar file, or why there are none yet. */
function followUpsPanel(api, key) {
  const box = h('div', { id: 'follow-ups', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'button button-secondary', id: 'follow-ups-check', onclick: () => show() },
    say('follow_ups_show'));
  let calendarUrl = null;
  async function show() {
    again.disabled = true;
    try {
      const reply = await askFollowUps(api, key);
      if (calendarUrl) URL.revokeObjectURL(calendarUrl);
      calendarUrl = null;
      if (!reply.last_session) {
        box.replaceChildren(h('p', {}, say('follow_ups_none_yet', { button: say('follow_ups_show') })), h('p', { class: 'no-print' }, again));
      } else if (!reply.follow_ups.length) {
        box.replaceChildren(h('p', {}, say('follow_ups_finished', { date: inWords(reply.last_session) })));
      } else {
        calendarUrl = URL.createObjectURL(new Blob([reply.calendar], { type: 'text/calendar' }));
        box.replaceChildren(
          h('p', {}, say('follow_ups_next', { date: inWords(reply.last_session) })),
          h('ul', { id: 'follow-up-dates' }, reply.follow_ups.map((day) => h('li', {}, h('time', { datetime: day }, inWords(day))))),
          h('p', { class: 'no-print' }, h('a', {
            class: 'button button-secondary', id: 'follow-ups-calendar', href: calendarUrl, download: `follow-ups-${reply.submission_id}.ics`,
          }, say('follow_ups_calendar'))),
          h('p', {}, say('follow_ups_confirm')));
      }
    } catch (error) {
      box.replaceChildren(h('p', {}, h('strong', {}, say('follow_ups_failed')), ' ', failureText(error)), h('p', { class: 'no-print' }, again));
    } finally {
      again.disabled = false;
    }
  }
  show();
  return h('section', { id: 'follow-ups-panel', 'aria-labelledby': 'follow-ups-heading' },
    h('h3', { id: 'follow-ups-heading' }, say('follow_ups_heading')), box);
}

/** One contact field: label, hint, error, input (the browser's autofill names it). */
function contactField(id, { type = 'text', autocomplete, required = false, hint = null } = {}) {
  const describedBy = [hint ? `hint-${id}` : null, `error-${id}`].filter(Boolean).join(' ');
  return h('div', { class: 'question', id: `q-${id}` },
    h('label', { for: `in-${id}`, class: 'question-label' }, say(id), required ? null : h('span', { class: 'optional' }, ` ${say('optional')}`)),
    hint ? h('p', { class: 'hint', id: `hint-${id}` }, say(hint)) : null,
    h('p', { class: 'field-error', id: `error-${id}`, hidden: true }),
    h('input', {
      type, id: `in-${id}`, name: id, autocomplete, 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null,
      inputmode: type === 'tel' ? 'tel' : null, dir: type === 'text' ? null : 'ltr', spellcheck: type === 'text' ? null : 'false',
    }));
}

function showFieldError(id, message) {
  const error = document.getElementById(`error-${id}`);
  const input = document.getElementById(`in-${id}`);
  error.hidden = !message;
  error.replaceChildren(...(message ? [h('span', { class: 'visually-hidden' }, say('error_prefix')), message] : []));
  document.getElementById(`q-${id}`).classList.toggle('has-error', Boolean(message));
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** The receipt: the clinic's reference and when it was received, kept on the printout too. */
function receipt(reply) {
  const reference = h('code', { id: 'send-reference', dir: 'ltr' }, reply.submission_id);
  const at = reply.receipt?.received_at;
  return h('div', { class: 'notice', id: 'send-receipt' },
    h('p', {}, h('strong', {}, say('send_done_title')), ' ', sayParts('send_done', { reference })),
    at ? h('p', {}, say('send_received_at', { when: dateTimeInWords(at, pageLocale()) })) : null);
}

/** What the panel shows once sent: the receipt, the follow-up dates, and (when the patient read the
 * consent information after sending) that the clinic does not have the record of reading. */
function showSent(panel, api, heading, sent, what) {
  heading.textContent = say('send_done_heading');
  panel.classList.remove('no-print');
  panel.append(receipt(sent.reply));
  if (what.informationRecord && !sent.information) panel.append(h('p', { id: 'send-before-reading' }, say('send_sent_before_reading')));
  panel.append(followUpsPanel(api, sent.key));
  // The summary's "Nothing has been sent anywhere" is no longer true.
  document.querySelector('#summary .lead')?.replaceChildren(say('send_summary_lead'));
}

/**
 * Fill app.js's (hidden) "Send to the clinic" section `panel` for the submissions API `api`, and show it.
 * `what`: {answers, today, packDigest, browserResult, informationRecord?, clinic?, readNext?}. The
 * consent itself is signed at the consultation, on the clinic's tablet (the back office's consultation page).
 *
 * `submission` is the draft's one submission: {key, sent}, kept by app.js for the whole draft (and in a
 * saved draft), so that every panel and every retry sends under the same key and the clinic stores it
 * once. Once sent, every later panel shows the receipt instead of the form (the result page, then the
 * page after reading: one submission); answers changed after sending are a new submission, with a new key.
 */
export function fillSendPanel(panel, api, what, submission) {
  const heading = h('h2', { id: 'send-heading' }, say('send_heading'));
  const answersText = JSON.stringify(what.answers);
  if (submission.sent && submission.sent.answers === answersText) {
    showSent(panel, api, heading, submission.sent, what);
    panel.prepend(heading);
    panel.hidden = false;
    return;
  }
  if (submission.sent || !submission.key) Object.assign(submission, { key: newKey(), sent: null });
  const key = submission.key;
  const status = h('p', { id: 'send-status', role: 'status', 'aria-live': 'polite', class: 'no-print' });
  const items = sayList([
    say('send_item_answers'),
    say('send_item_result'),
    what.informationRecord ? say('send_item_information') : null,
    say('send_item_contact'),
  ].filter(Boolean));
  const to = what.clinic ? `${what.clinic} (${clinicName()})` : clinicName();
  const sendButton = h('button', { type: 'submit', class: 'button button-primary', id: 'send-to-clinic' }, say('send_button'));
  const formEl = h('form', { id: 'send-form', class: 'no-print', novalidate: true, 'aria-labelledby': 'send-heading' },
    h('fieldset', {},
      h('legend', {}, say('send_contact_legend')),
      contactField('send_name', { autocomplete: 'name', required: true }),
      contactField('send_phone', { type: 'tel', autocomplete: 'tel', required: true, hint: 'send_phone_hint' }),
      contactField('send_email', { type: 'email', autocomplete: 'email' })),
    h('div', { class: 'actions' }, sendButton));
  const host = h('bdi', { dir: 'ltr' }, location.host);
  const statement = h('p', { id: 'send-statement' }, sayParts('send_statement', { button: say('send_button'), items, clinic: to, host }));
  const value = (id) => formEl.querySelector(`[name="${id}"]`).value.trim();

  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    // The clinic needs a name and a number to call back; the rest is the engine's and the server's to check.
    const missing = [['send_name', 'send_missing_name'], ['send_phone', 'send_missing_phone']].filter(([id]) => !value(id));
    for (const id of ['send_name', 'send_phone']) showFieldError(id, '');
    if (missing.length) {
      for (const [id, message] of missing) showFieldError(id, say(message));
      status.textContent = missing.map(([, message]) => say(message)).join('. ');
      document.getElementById(`in-${missing[0][0]}`).focus();
      return;
    }
    sendButton.disabled = true;
    status.textContent = say('send_sending');
    const contact = { name: value('send_name'), phone: value('send_phone') };
    if (value('send_email')) contact.email = value('send_email');
    try {
      const reply = await post(api, {
        submission_key: key, pack_digest: what.packDigest, answers: what.answers, today: what.today,
        browser_result: what.browserResult, information_record: what.informationRecord ?? null, locale: pageLocale(), contact,
      });
      // The receipt replaces the form and the statement of what would be sent; the status line
      // only announces it. From now on the printout keeps the receipt.
      status.textContent = say('send_done_title');
      status.classList.add('visually-hidden');
      submission.sent = { key, reply, answers: answersText, information: Boolean(what.informationRecord) };
      formEl.remove();
      statement.remove();
      hint?.remove();
      showSent(panel, api, heading, submission.sent, what);
    } catch (error) {
      sendButton.disabled = false;
      const again = error?.code === 'submission_key_reused' ? [] : [' ', say('send_try_again')];
      status.replaceChildren(h('strong', {}, say('send_failed_title')), ' ', failureText(error), ...again);
    }
  });

  // Before reading the consent information: sending after it sends the record of reading too.
  const hint = what.readNext ? h('p', { class: 'hint', id: 'send-after-reading' }, say('send_after_reading_hint')) : null;
  panel.append(...[heading, statement, hint, formEl, status].filter(Boolean));
  panel.hidden = false;
}
