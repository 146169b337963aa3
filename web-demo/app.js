// The patient's micro-needling pre-consultation form.
//
// Every decision comes from the WebAssembly engine (/wasm/index.js): which questions show, whether an
// answer is valid, progress, the screening outcome and its dates, whether consent may be given, the
// consent record and its digest. This file only renders what the engine returns and turns form
// controls into answers. The only date code here: today's ISO date from the local clock (or
// ?today=YYYY-MM-DD, for tests and demos) and formatting a date for display.
//
// Answers live in memory only: no storage, no network. They leave the page only when the patient
// downloads the consent record.

import { sendPanel } from './send.js';

const PACK_URL = '/protocols/microneedling/protocol.json';
const ENGINE_URL = '/wasm/index.js';
const LOCALE = 'en-GB';

const state = {
  engine: null, // the ES module
  protocol: null, // engine Protocol
  pack: null, // the pack document (for pages, consent sections and texts)
  items: [], // item definitions in questionnaire order
  today: '',
  answers: {}, // item id → answer (absent = unanswered)
  pageIndex: -1, // -1 = welcome
  showMissing: false, // after "Next" was pressed on the current page
  touched: new Set(), // item ids whose issues are shown (after a change event)
  formState: null,
  result: null,
  informationShownAt: null,
  record: null,
  recordUrl: null,
  signatureName: '',
  acknowledged: new Set(),
};

// ---------------------------------------------------------------- small helpers

/** Text from the pack: a plain string or {locale: string}. */
function txt(value) {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  return value[LOCALE] ?? Object.values(value)[0] ?? '';
}

/** Create an element: h('p', {class: 'x'}, 'text', child, ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Pack text as paragraphs (blank lines separate paragraphs). */
function paragraphs(text, attrs = {}) {
  return txt(text)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => h('p', attrs, p));
}

/** Today's ISO date: ?today=YYYY-MM-DD, else the local clock. */
function todayIso() {
  const param = new URLSearchParams(location.search).get('today');
  if (param && /^\d{4}-\d{2}-\d{2}$/.test(param)) return param;
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** An ISO date-time for the consent record; with ?today= the date part is that day. */
function nowIso() {
  const iso = new Date().toISOString().slice(0, 19) + 'Z';
  return new URLSearchParams(location.search).has('today') ? `${state.today}${iso.slice(10)}` : iso;
}

/** "2027-02-25" → "25 February 2027". */
function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

function formatDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' })
    .format(new Date(iso)) + ' UTC';
}

function announce(message) {
  const live = document.getElementById('announcer');
  live.textContent = '';
  // A new text node after clearing makes screen readers announce repeated messages too.
  requestAnimationFrame(() => { live.textContent = message; });
}

function view() {
  return document.getElementById('view');
}

/** Replace the view and move focus to its heading (announced by screen readers). */
function show(...children) {
  const root = view();
  root.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
  root.setAttribute('aria-busy', 'false');
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  window.scrollTo(0, 0);
}

function button(label, onclick, { kind = 'primary', type = 'button', ...rest } = {}) {
  return h('button', { type, class: `button button-${kind}`, onclick, ...rest }, label);
}

// ---------------------------------------------------------------- engine calls

function form() {
  state.formState = state.protocol.form(state.answers, { today: state.today });
  return state.formState;
}

function screen() {
  state.result = state.protocol.screen(state.answers, { today: state.today });
  return state.result;
}

function errorText(error) {
  const diagnostics = error?.diagnostics ?? (error?.diagnostic ? [error.diagnostic] : []);
  if (diagnostics.length) return diagnostics.map((d) => d.message || d.code).join(' ');
  return error?.message ?? String(error);
}

// ---------------------------------------------------------------- pages

function pages() {
  return state.pack.pages ?? [];
}

function pageItems(pageId) {
  return state.items.filter((item) => item.page === pageId);
}

/** Pages with at least one question the engine currently shows. */
function visiblePageIndexes() {
  const visible = new Set(state.formState.visible);
  return pages()
    .map((page, index) => ({ page, index }))
    .filter(({ page }) => pageItems(page.id).some((item) => visible.has(item.id) && item.type !== 'display'))
    .map(({ index }) => index);
}

// ---------------------------------------------------------------- welcome

function renderWelcome() {
  state.pageIndex = -1;
  show(
    h('h1', {}, 'Micro-needling: before your consultation'),
    h('p', { class: 'lead' },
      'A few questions about your health and skin, so that we can check micro-needling is right for you before you come in.'),
    h('p', {}, 'It takes a few minutes. You can go back and change any answer before you see the result.'),
    h('h2', {}, 'What happens'),
    h('ol', { class: 'steps' },
      h('li', {}, 'Answer the questions.'),
      h('li', {}, 'See what your answers mean for treatment.'),
      h('li', {}, 'If treatment is possible, read the consent information and sign it if you wish.'),
      h('li', {}, 'Download or print your summary and bring it to your consultation.')),
    h('section', { class: 'notice', 'aria-labelledby': 'privacy-heading' },
      h('h2', { id: 'privacy-heading' }, 'Your privacy'),
      h('p', {}, 'Your answers stay on this device. This page does not send them to the clinic or anyone else, and does not store them: closing the page deletes them.'),
      h('p', {}, 'At the end you can download your consent record or print a summary. You choose whether to share it with us.'),
      h('p', {}, 'Some questions are about your health. If you would rather not answer them here, call your clinic and a practitioner will go through them with you.')),
    h('div', { class: 'actions' }, button('Start', startQuestions)),
  );
}

function startQuestions() {
  form();
  const indexes = visiblePageIndexes();
  if (!indexes.length) return renderResult();
  goToPage(indexes[0]);
}

// ---------------------------------------------------------------- questionnaire

function goToPage(index) {
  state.pageIndex = index;
  state.showMissing = false;
  renderPage();
}

function inputId(item, suffix = '') {
  return `in-${item.id}${suffix === '' ? '' : `-${suffix}`}`;
}

function renderItem(item) {
  const id = item.id;
  const answer = state.answers[id];
  const question = txt(item.text);
  const helpId = item.help ? `help-${id}` : null;
  const errorId = `error-${id}`;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ');
  const optional = item.required || /optional/i.test(question) ? null : h('span', { class: 'optional' }, ' (optional)');
  const help = item.help ? h('div', { class: 'hint', id: helpId }, paragraphs(item.help)) : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const container = (...children) => h('div', { class: 'question', id: `q-${id}`, dataset: { item: id, type: item.type } }, ...children);

  const choiceGroup = (options, inputType) => h('fieldset', { 'aria-describedby': describedBy },
    h('legend', {}, question, optional), help, error,
    h('div', { class: `options${options.length === 2 && item.type === 'boolean' ? ' options-inline' : ''}` },
      options.map((option, i) => {
        const optionHelpId = option.help ? `help-${id}-${i}` : null;
        const checked = item.type === 'multi-choice'
          ? Array.isArray(answer) && answer.includes(option.value)
          : answer === option.value;
        return h('div', { class: 'option' },
          h('input', {
            type: inputType, name: id, id: inputId(item, i), value: String(option.value), checked,
            'aria-describedby': optionHelpId,
          }),
          h('label', { for: inputId(item, i) }, txt(option.label)),
          option.help ? h('p', { class: 'hint option-hint', id: optionHelpId }, txt(option.help)) : null);
      })));

  switch (item.type) {
    case 'display':
      return container(h('div', { class: 'display-text' }, paragraphs(item.text)), help);
    case 'boolean':
      return container(choiceGroup([{ value: true, label: 'Yes' }, { value: false, label: 'No' }], 'radio'));
    case 'choice':
      return container(choiceGroup(item.options ?? [], 'radio'));
    case 'multi-choice':
      return container(choiceGroup(item.options ?? [], 'checkbox'));
    default: {
      const common = { name: id, id: inputId(item), 'aria-describedby': describedBy };
      let control;
      if (item.type === 'date') {
        control = h('input', {
          ...common, type: 'date', value: typeof answer === 'string' ? answer : '',
          // Hints for the browser's date picker; the engine still checks every date.
          max: item.not_future ? state.today : null, min: item.min_date ?? null,
          autocomplete: /birth/.test(id) ? 'bday' : 'off',
        });
      } else if (item.type === 'integer' || item.type === 'decimal') {
        control = h('input', {
          ...common, type: 'text', inputmode: item.type === 'integer' ? 'numeric' : 'decimal',
          value: answer == null ? '' : String(answer), autocomplete: 'off', class: 'input-short',
        });
      } else if ((item.max_length ?? 0) > 200) {
        control = h('textarea', { ...common, rows: 4, maxlength: item.max_length });
        control.value = typeof answer === 'string' ? answer : '';
      } else {
        control = h('input', {
          ...common, type: 'text', value: typeof answer === 'string' ? answer : '',
          maxlength: item.max_length ?? null, autocomplete: 'off',
        });
      }
      const bounds = item.type === 'integer' || item.type === 'decimal'
        ? [item.min != null ? `from ${item.min}` : null, item.max != null ? `to ${item.max}` : null].filter(Boolean).join(' ')
        : '';
      return container(
        h('label', { for: inputId(item), class: 'question-label' }, question, optional),
        help,
        bounds ? h('p', { class: 'hint' }, `A number ${bounds}.`) : null,
        error,
        control);
    }
  }
}

/** The answer the page's controls hold for one item (null = unanswered). */
function readAnswer(root, item) {
  const named = [...root.querySelectorAll(`[name="${CSS.escape(item.id)}"]`)];
  switch (item.type) {
    case 'boolean': {
      const checked = named.find((el) => el.checked);
      return checked ? checked.value === 'true' : null;
    }
    case 'choice': {
      const checked = named.find((el) => el.checked);
      return checked ? checked.value : null;
    }
    case 'multi-choice': {
      const values = named.filter((el) => el.checked).map((el) => el.value);
      return values.length ? values : null;
    }
    case 'integer':
    case 'decimal': {
      const text = (named[0]?.value ?? '').trim();
      if (!text) return null;
      // A well-formed number becomes a number; anything else goes to the engine as typed, which
      // reports it as an issue.
      return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : text;
    }
    case 'display':
      return null;
    default: {
      const value = named[0]?.value ?? '';
      return value.trim() === '' ? null : value;
    }
  }
}

function setAnswer(id, value) {
  if (value == null) delete state.answers[id];
  else state.answers[id] = value;
}

/** Problems the page shows for its visible items: engine issues and (after Next) missing answers. */
function pageProblems(pageId) {
  const fs = state.formState;
  const visible = new Set(fs.visible);
  const missing = new Set(fs.missing_required);
  const problems = [];
  for (const item of pageItems(pageId)) {
    if (!visible.has(item.id)) continue;
    const issues = fs.issues.filter((issue) => issue.item === item.id);
    if (issues.length && (state.touched.has(item.id) || state.showMissing)) {
      problems.push({ item, message: issues.map((issue) => issue.message).join(' ') });
    } else if (missing.has(item.id) && state.showMissing) {
      problems.push({ item, message: missingMessage(item) });
    }
  }
  return problems;
}

function missingMessage(item) {
  switch (item.type) {
    case 'boolean':
      return 'Please answer yes or no.';
    case 'choice':
      return 'Please choose one answer.';
    case 'multi-choice':
      return 'Please tick at least one answer.';
    case 'date':
      return 'Please enter a date.';
    default:
      return 'Please answer this question.';
  }
}

function renderPage() {
  const page = pages()[state.pageIndex];
  const items = pageItems(page.id);
  const indexes = visiblePageIndexes();
  const position = indexes.indexOf(state.pageIndex);
  const isLast = position === indexes.length - 1;

  const progress = h('div', { class: 'progress' },
    h('p', { id: 'progress-label', class: 'progress-label' }),
    h('progress', { id: 'progress-bar', max: 100, value: 0, 'aria-labelledby': 'progress-label' }));
  const summary = h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true });
  const formEl = h('form', {
    id: 'page-form', novalidate: true, 'aria-labelledby': 'page-title',
    onsubmit: (e) => { e.preventDefault(); next(); },
  },
  items.map(renderItem),
  h('div', { class: 'actions' },
    button(isLast ? 'See my result' : 'Next', null, { type: 'submit' }),
    button('Back', back, { kind: 'secondary' })));

  formEl.addEventListener('input', (e) => onControl(e, false));
  formEl.addEventListener('change', (e) => onControl(e, true));

  show(
    progress,
    h('h1', { id: 'page-title' }, txt(page.title)),
    page.description ? h('div', { class: 'page-description' }, paragraphs(page.description)) : null,
    summary,
    formEl,
  );
  refreshPage();
}

function onControl(event, committed) {
  const name = event.target.name;
  const item = state.items.find((candidate) => candidate.id === name);
  if (!item) return;
  setAnswer(item.id, readAnswer(document.getElementById('page-form'), item));
  if (committed) state.touched.add(item.id);
  form();
  const before = document.getElementById(`error-${item.id}`)?.textContent ?? '';
  refreshPage();
  const after = document.getElementById(`error-${item.id}`);
  // Announce a new message once the patient has finished with the field, not on every keystroke.
  if (committed && after && !after.hidden && after.textContent !== before) announce(`${txt(item.text)}: ${after.textContent}`);
}

/** Update visibility, progress and error messages from the latest form() state. */
function refreshPage() {
  const page = pages()[state.pageIndex];
  const fs = state.formState;
  const visible = new Set(fs.visible);
  for (const item of pageItems(page.id)) {
    const el = document.getElementById(`q-${item.id}`);
    if (el) el.hidden = !visible.has(item.id);
  }

  const indexes = visiblePageIndexes();
  const position = Math.max(0, indexes.indexOf(state.pageIndex));
  const percent = fs.progress?.percent ?? 0;
  document.getElementById('progress-label').textContent =
    `Page ${position + 1} of ${indexes.length} · ${percent}% of required questions answered`;
  document.getElementById('progress-bar').value = percent;
  const submit = document.querySelector('#page-form button[type="submit"]');
  if (submit) submit.textContent = position === indexes.length - 1 ? 'See my result' : 'Next';

  const problems = pageProblems(page.id);
  const byItem = new Map(problems.map((problem) => [problem.item.id, problem.message]));
  for (const item of pageItems(page.id)) {
    const error = document.getElementById(`error-${item.id}`);
    if (!error) continue;
    const message = byItem.get(item.id);
    error.hidden = !message;
    error.textContent = message ? `Error: ${message}` : '';
    const container = document.getElementById(`q-${item.id}`);
    container.classList.toggle('has-error', Boolean(message));
    for (const control of container.querySelectorAll('input, textarea')) {
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
  }

  const summary = document.getElementById('error-summary');
  if (state.showMissing && problems.length) {
    summary.replaceChildren(
      h('h2', {}, problems.length === 1 ? 'There is a problem' : `There are ${problems.length} problems`),
      h('ul', {}, problems.map((problem) => h('li', {},
        h('a', {
          href: `#q-${problem.item.id}`,
          onclick: (e) => { e.preventDefault(); focusItem(problem.item.id); },
        }, `${txt(problem.item.text)} – ${problem.message}`)))));
    summary.hidden = false;
  } else {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

function focusItem(id) {
  const container = document.getElementById(`q-${id}`);
  const control = container?.querySelector('input:checked, input, textarea');
  control?.focus();
  container?.scrollIntoView({ block: 'center' });
}

function next() {
  form();
  const page = pages()[state.pageIndex];
  state.showMissing = true;
  const problems = pageProblems(page.id);
  if (problems.length) {
    refreshPage();
    const summary = document.getElementById('error-summary');
    summary.focus();
    announce(`${problems.length === 1 ? 'There is a problem' : `There are ${problems.length} problems`} on this page.`);
    return;
  }
  const following = visiblePageIndexes().find((index) => index > state.pageIndex);
  if (following == null) renderResult();
  else goToPage(following);
}

function back() {
  form();
  const previous = visiblePageIndexes().filter((index) => index < state.pageIndex).pop();
  if (previous == null) renderWelcome();
  else goToPage(previous);
}

// ---------------------------------------------------------------- result

const HEADLINES = {
  eligible: 'Micro-needling looks suitable for you',
  eligible_with_precautions: 'Micro-needling looks suitable, with some precautions',
  refer: 'Please talk to our practitioner first',
  deferred: 'Not yet: micro-needling needs to wait',
  not_eligible: 'Micro-needling is not suitable for you',
  incomplete: 'We need a few more answers',
};

function consentSections(kind) {
  return (state.pack.consent?.sections ?? []).filter((section) => section.kind === kind);
}

function renderResult() {
  let result;
  try {
    result = screen();
  } catch (error) {
    return renderFatal('We could not check your answers.', error);
  }
  const outcome = result.outcome;
  const deferUntil = result.defer_until ?? '';
  const findings = result.findings ?? [];
  const main = findings.filter((finding) => finding.outcome === outcome);
  const other = findings.filter((finding) => finding.outcome !== outcome);
  // One entry per distinct message; a dated deferral also shows its own date (the pack's message says
  // "this reason clears on the date shown").
  const messages = (list) => {
    const byText = new Map();
    for (const finding of list) {
      const text = txt(finding.message);
      if (!text) continue;
      const dates = byText.get(text) ?? [];
      if (finding.defer_until) dates.push(finding.defer_until);
      byText.set(text, dates);
    }
    return [...byText.entries()];
  };
  const findingItem = ([message, dates]) => h('li', {}, paragraphs(message),
    dates.length ? h('p', { class: 'finding-date' }, 'Clears on: ', h('strong', {}, formatDate(dates.sort().at(-1)))) : []);

  const body = [];
  switch (outcome) {
    case 'eligible':
      body.push(h('p', { class: 'lead' }, 'Based on your answers, nothing we asked about stands in the way of micro-needling.'));
      break;
    case 'eligible_with_precautions':
      body.push(h('p', { class: 'lead' }, 'Based on your answers, micro-needling looks possible, but your practitioner will take some extra care:'));
      break;
    case 'refer':
      body.push(h('p', { class: 'lead' }, 'Some of your answers need a conversation with one of our practitioners before you book. This does not mean you cannot have treatment.'));
      break;
    case 'deferred':
      body.push(deferUntil
        ? h('p', { class: 'lead defer-date' }, 'The earliest date you could have treatment is ', h('strong', { id: 'defer-until' }, formatDate(deferUntil)), '.')
        : h('p', { class: 'lead defer-date' }, 'There is no single date yet: each reason below says when it clears or what has to happen first.'));
      break;
    case 'not_eligible':
      body.push(h('p', { class: 'lead' }, 'We are sorry: based on your answers, we cannot offer you micro-needling.'));
      break;
    default:
      body.push(h('p', { class: 'lead' }, 'Some questions still need an answer before we can tell you anything.'));
  }

  if (outcome !== 'eligible' && outcome !== 'incomplete' && main.length) {
    body.push(
      h('h2', {}, outcome === 'eligible_with_precautions' ? 'What your practitioner will look at' : 'Why'),
      h('ul', { class: 'findings' }, messages(main).map(findingItem)));
  }
  if (other.length) {
    body.push(h('h2', {}, 'Also worth knowing'),
      h('ul', { class: 'findings' }, messages(other).map(findingItem)));
  }
  if (outcome === 'incomplete') {
    const missing = new Set(result.missing_required ?? []);
    const list = state.items.filter((item) => missing.has(item.id));
    if (list.length) body.push(h('ul', {}, list.map((item) => h('li', {}, txt(item.text)))));
  }
  if (outcome === 'not_eligible') {
    const alternatives = consentSections('alternatives');
    body.push(h('h2', {}, 'What else may help'),
      alternatives.length
        ? alternatives.map((section) => h('div', {}, paragraphs(section.text)))
        : h('p', {}, 'Other treatments may suit your skin. Our practitioners are happy to talk them through with you.'),
      h('p', {}, 'You are welcome to book a free conversation with a practitioner at any of our clinics.'));
  }
  if (outcome === 'refer') {
    body.push(h('h2', {}, 'What to do next'),
      h('p', {}, 'Please call your chosen clinic and ask to speak to a practitioner. Mention that you filled in the micro-needling questions.'));
  }
  if (outcome === 'deferred') {
    body.push(h('h2', {}, 'What to do next'),
      h('p', {}, 'Nothing else is needed today. When the waiting time is over, fill in this form again so that we can check your answers then.'));
  }

  const actions = [];
  if (result.consent_permitted) {
    actions.push(button('Continue to consent', renderConsent));
  }
  actions.push(button('Change my answers', () => {
    form();
    const indexes = visiblePageIndexes();
    if (outcome === 'incomplete') {
      const missing = new Set(result.missing_required ?? []);
      const first = indexes.find((index) => pageItems(pages()[index].id).some((item) => missing.has(item.id)));
      if (first != null) return goToPage(first);
    }
    if (indexes.length) goToPage(indexes[indexes.length - 1]);
    else renderWelcome();
  }, { kind: 'secondary' }));

  show(h('section', {
    id: 'result', class: `result result-${outcome}`,
    'data-outcome': outcome, 'data-defer-until': deferUntil, 'aria-labelledby': 'result-title',
  },
  h('h1', { id: 'result-title' }, HEADLINES[outcome] ?? 'Your result'),
  body,
  h('aside', { class: 'notice notice-clinical', 'aria-label': 'Important' },
    h('p', {}, h('strong', {}, 'This is not a medical clearance. '),
      'It is a first check of your answers. Your practitioner will go through them with you and look at your skin before deciding, together with you, whether to treat.')),
  h('div', { class: 'actions' }, actions),
  sendPanel({ answers: state.answers, today: state.today, packDigest: state.protocol.digest, browserResult: result, clinic: clinicName() })));
}

// ---------------------------------------------------------------- consent

function renderConsent() {
  const result = state.result;
  if (!result?.consent_permitted) return renderResult();
  const consent = state.pack.consent ?? {};
  if (!state.informationShownAt) state.informationShownAt = nowIso();
  const acknowledgements = consent.acknowledgements ?? [];
  const cooling = coolingOff();

  const ackFieldset = h('fieldset', { class: 'question', id: 'q-acknowledged', 'aria-describedby': 'error-acknowledged' },
    h('legend', {}, 'Please confirm each statement'),
    h('p', { class: 'field-error', id: 'error-acknowledged', hidden: true }),
    h('div', { class: 'options' }, acknowledgements.map((ack, i) => h('div', { class: 'option' },
      h('input', {
        type: 'checkbox', name: 'acknowledged', value: ack.id, id: `ack-${i}`,
        checked: state.acknowledged.has(ack.id),
        onchange: (e) => { e.target.checked ? state.acknowledged.add(ack.id) : state.acknowledged.delete(ack.id); },
      }),
      h('label', { for: `ack-${i}` }, txt(ack.text), ack.required === false ? h('span', { class: 'optional' }, ' (optional)') : null)))));

  const signature = h('div', { class: 'question', id: 'q-signature_name' },
    h('label', { for: 'in-signature_name', class: 'question-label' }, 'Type your full name to sign'),
    h('p', { class: 'hint', id: 'help-signature_name' }, 'Typing your name here counts as your signature.'),
    h('p', { class: 'field-error', id: 'error-signature_name', hidden: true }),
    h('input', {
      type: 'text', id: 'in-signature_name', name: 'signature_name', autocomplete: 'name',
      value: state.signatureName, 'aria-describedby': 'help-signature_name error-signature_name',
      oninput: (e) => { state.signatureName = e.target.value; },
    }),
    h('p', { class: 'sign-date' }, 'Date: ', h('strong', {}, formatDate(state.today))));

  const coolingNotice = h('aside', { class: 'notice', 'aria-labelledby': 'cooling-heading' },
    h('h2', { id: 'cooling-heading' }, 'Time to think it over'),
    cooling && cooling.amount > 0
      ? h('p', {}, `You have at least ${duration(cooling.amount, cooling.unit)} after signing to think it over before any treatment. Your summary will show the earliest treatment date.`)
      : null,
    h('p', {}, 'You can change your mind at any time, before or after signing, and you do not have to sign today.'));

  show(
    h('h1', {}, txt(consent.title) || 'Consent to treatment'),
    h('p', { class: 'lead' }, 'Please read each part carefully. Ask us about anything that is unclear before you sign.'),
    h('p', { class: 'hint' }, `Consent document version ${consent.version ?? ''}`),
    (consent.sections ?? []).map((section) => h('section', { class: 'consent-section', 'aria-labelledby': `section-${section.id}` },
      h('h2', { id: `section-${section.id}` }, txt(section.title)),
      paragraphs(section.text))),
    coolingNotice,
    h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true }),
    h('form', { id: 'consent-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); sign(); } },
      ackFieldset,
      signature,
      h('div', { class: 'actions' },
        button('Sign consent', null, { type: 'submit' }),
        button('Back to my result', renderResult, { kind: 'secondary' }))),
  );
}

/** The effective cooling-off period from the engine's parameters: {amount, unit} or null. */
function coolingOff() {
  const name = state.pack.consent?.cooling_off;
  if (!name) return null;
  const parameter = state.protocol.parameters?.[name] ?? state.pack.parameters?.[name];
  if (!parameter) return null;
  const amount = typeof parameter === 'object' ? (parameter.value ?? parameter.default) : parameter;
  return Number.isInteger(amount) ? { amount, unit: parameter.unit ?? 'days' } : null;
}

/** "1 day", "14 days", "6 months". */
function duration(amount, unit = 'days') {
  const singular = String(unit).replace(/s$/, '');
  return `${amount} ${amount === 1 ? singular : `${singular}s`}`;
}

function setFieldError(id, message) {
  const error = document.getElementById(`error-${id}`);
  const container = document.getElementById(`q-${id}`);
  error.hidden = !message;
  error.textContent = message ? `Error: ${message}` : '';
  container.classList.toggle('has-error', Boolean(message));
  for (const control of container.querySelectorAll('input')) {
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
}

function showSummaryErrors(problems) {
  const summary = document.getElementById('error-summary');
  summary.replaceChildren(
    h('h2', {}, problems.length === 1 ? 'There is a problem' : `There are ${problems.length} problems`),
    h('ul', {}, problems.map((problem) => h('li', {}, problem.target
      ? h('a', {
        href: `#q-${problem.target}`,
        onclick: (e) => { e.preventDefault(); focusItem(problem.target); },
      }, problem.message)
      : problem.message))));
  summary.hidden = false;
  summary.focus();
  announce(`${problems.length === 1 ? 'There is a problem' : `There are ${problems.length} problems`}: ${problems.map((p) => p.message).join(' ')}`);
}

function sign() {
  const consent = state.pack.consent ?? {};
  const formEl = document.getElementById('consent-form');
  state.acknowledged = new Set([...formEl.querySelectorAll('input[name="acknowledged"]:checked')].map((el) => el.value));
  state.signatureName = formEl.querySelector('#in-signature_name').value;

  // Completeness of the signature form (what the pack marks required); the engine checks it again.
  const problems = [];
  const unticked = (consent.acknowledgements ?? []).filter((ack) => ack.required !== false && !state.acknowledged.has(ack.id));
  setFieldError('acknowledged', unticked.length ? 'Please tick every statement to confirm you have read and understood it.' : '');
  if (unticked.length) problems.push({ target: 'acknowledged', message: `Please tick every statement (${unticked.length} not ticked yet).` });
  const name = state.signatureName.trim();
  setFieldError('signature_name', name ? '' : 'Please type your full name.');
  if (!name) problems.push({ target: 'signature_name', message: 'Please type your full name to sign.' });
  if (problems.length) return showSummaryErrors(problems);

  let record;
  try {
    record = state.protocol.consent(state.answers, {
      acknowledged: [...state.acknowledged],
      signature: { name, role: 'patient' },
      signedAt: nowIso(),
      informationShownAt: state.informationShownAt,
      today: state.today,
    });
  } catch (error) {
    return showSummaryErrors([{ message: `The consent could not be recorded: ${errorText(error)}` }]);
  }
  const check = state.engine.verifyConsent(record);
  if (!check.valid) {
    return showSummaryErrors(check.problems.map((problem) => ({ message: problem.message || problem.code })));
  }
  state.record = record;
  if (state.recordUrl) URL.revokeObjectURL(state.recordUrl);
  state.recordUrl = URL.createObjectURL(new Blob([JSON.stringify(record, null, 2) + '\n'], { type: 'application/json' }));
  renderSummary();
}

// ---------------------------------------------------------------- summary

const PHASES = {
  day_0: 'On the day of treatment',
  hours_24_48: 'The first 24 to 48 hours',
  first_week: 'The first week',
  sun: 'Sun protection',
  restart_actives: 'Going back to your usual skincare',
  warning_signs: 'When to contact us straight away',
};

function phaseTitle(phase) {
  if (PHASES[phase]) return PHASES[phase];
  const words = String(phase).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of the clinic the patient chose, if the pack asks (item `clinic`). */
function clinicName() {
  const item = state.items.find((candidate) => candidate.id === 'clinic');
  const option = item?.options?.find((candidate) => candidate.value === state.answers.clinic);
  return option ? txt(option.label) : '';
}

/** " (after 1 day to think it over)" from the record's cooling-off entry. */
function coolingText(entry) {
  const amount = entry.amount ?? entry.days;
  if (!Number.isInteger(amount) || amount === 0) return '';
  return ` (after ${duration(amount, entry.unit ?? 'days')} to think it over)`;
}

function renderSummary() {
  const record = state.record;
  const result = state.result;
  const aftercare = result.aftercare ?? [];
  const byPhase = new Map();
  for (const instruction of aftercare) {
    if (!byPhase.has(instruction.phase)) byPhase.set(instruction.phase, []);
    byPhase.get(instruction.phase).push(instruction);
  }
  const course = result.course;
  const fileName = `consent-${record.protocol?.id ?? 'record'}-${state.today}.json`;
  const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  const clinic = clinicName();

  show(
    h('section', { id: 'summary', class: 'summary', 'data-outcome': result.outcome, 'data-defer-until': result.defer_until ?? '' },
      h('p', { class: 'print-only' }, 'Fairfield Skin Clinic · micro-needling pre-consultation summary'),
      h('h1', {}, 'Thank you. Your consent is recorded on this device'),
      h('p', { class: 'lead' }, 'Nothing has been sent anywhere. Download your consent record or print this page, and bring it to your consultation',
        clinic ? ` at ${clinic}` : '', '.'),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'button button-primary', id: 'download-record', href: state.recordUrl, download: fileName }, 'Download consent record (JSON)'),
        button('Print this page', () => window.print(), { kind: 'secondary', id: 'print-summary' })),
      sendPanel({ answers: state.answers, today: state.today, packDigest: state.protocol.digest, browserResult: result, consentRecord: record, clinic }),
      h('h2', {}, 'Your consent'),
      h('dl', { class: 'record' },
        row('Signed by', record.signer?.name ?? ''),
        row('Signed', formatDateTime(record.signed_at)),
        row('Result of the questions', HEADLINES[result.outcome] ?? result.outcome),
        row('Consent document', `${txt(state.pack.consent?.title) || 'Consent'}, version ${record.document?.version ?? ''}`),
        record.cooling_off?.treatment_not_before
          ? row('Earliest treatment date', formatDate(record.cooling_off.treatment_not_before),
            coolingText(record.cooling_off))
          : [],
        record.valid_until ? row('Consent valid until', formatDate(record.valid_until)) : [],
        clinic ? row('Clinic', clinic) : [],
        row('Questionnaire', `${record.protocol?.id ?? ''} version ${record.protocol?.version ?? ''}`),
        row('Record fingerprint', h('code', { class: 'digest' }, record.digest ?? ''))),
      h('p', { class: 'hint' }, 'The fingerprint lets the clinic check that the record has not been changed.'),
      course ? [
        h('h2', {}, 'Your course plan (preview)'),
        h('p', {}, `${course.sessions} ${course.sessions === 1 ? 'session' : 'sessions'}, about ${course.interval_weeks} weeks apart.`),
        paragraphs(course.text),
        course.follow_up ? [h('h3', {}, 'Follow-up'), paragraphs(course.follow_up.text)] : null,
      ] : null,
      aftercare.length ? [
        h('h2', {}, 'Looking after your skin afterwards'),
        [...byPhase].map(([phase, list]) => h('section', { class: 'aftercare-phase', 'aria-labelledby': `phase-${phase}` },
          h('h3', { id: `phase-${phase}` }, phaseTitle(phase)),
          h('ul', {}, list.map((instruction) => h('li', {}, txt(instruction.text)))))),
      ] : null,
      h('aside', { class: 'notice notice-clinical', 'aria-label': 'Important' },
        h('p', {}, h('strong', {}, 'This is not a medical clearance. '),
          'Your practitioner will confirm your plan and aftercare at your consultation. You can withdraw your consent at any time.')),
      h('div', { class: 'actions no-print' },
        button('Start again', startAgain, { kind: 'secondary' }))),
  );
}

function startAgain() {
  if (state.recordUrl) URL.revokeObjectURL(state.recordUrl);
  Object.assign(state, {
    answers: {}, pageIndex: -1, showMissing: false, touched: new Set(), result: null, record: null, recordUrl: null,
    informationShownAt: null, signatureName: '', acknowledged: new Set(),
  });
  form();
  renderWelcome();
}

// ---------------------------------------------------------------- start

function renderFatal(message, error) {
  console.error(error);
  show(
    h('h1', {}, 'Sorry, something went wrong'),
    h('p', { role: 'alert' }, message),
    error ? h('p', { class: 'hint' }, errorText(error)) : null,
    h('p', {}, 'Please call your clinic and we will go through the questions with you.'));
}

async function main() {
  state.today = todayIso();
  try {
    state.engine = await import(ENGINE_URL);
    const response = await fetch(PACK_URL, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`The questionnaire could not be loaded (${response.status}).`);
    const packText = await response.text();
    state.pack = JSON.parse(packText);
    state.protocol = await state.engine.loadProtocol(packText);
    state.items = Array.isArray(state.protocol.items) ? state.protocol.items : state.pack.items;
    form();
  } catch (error) {
    return renderFatal('The questionnaire could not be loaded.', error);
  }
  document.documentElement.dataset.ready = 'true';
  renderWelcome();
}

main();
