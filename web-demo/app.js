// The patient's micro-needling pre-consultation form.
//
// Every decision comes from the WebAssembly engine (/wasm/index.js): which questions show, their
// texts in the patient's locale (texts(), fetched once), whether an answer is valid, the screening outcome and
// its dates, whether consent may be given, the record that the consent document was read (the
// consent itself is signed at the consultation, in the back office). The clinic's details come from
// protocols/clinic.json (clinic.js), the page's own wording from text/<locale>.json (words.js). This
// file renders what they return and turns form controls into answers.
//
// Answers live in memory only: no storage, no network. They leave the page only when the patient
// downloads or prints them, or presses "Send to the clinic" (send.js, when the back office serves it).

import { clinicApi } from './clinic-api.js';
import { button, h, paragraphs } from './dom.js';
import { PARTS, dateInWords, dateParts, dateTimeInWords, readDateFields } from './dates.js';
import { callUs, clinicFooter, clinicName, contactPanel, loadClinic, urgentAdvice, branch } from './clinic.js';
import { loadWords, pageLocale, say, sayCount } from './words.js';
import { calendarLink } from './keepsake.js';
import { deleteDraft, saveDraft, savedDraft, unseal } from './draft.js';

const PACK_URL = '/protocols/microneedling/protocol.json';
const ENGINE_URL = '/wasm/index.js';
const DEFAULT_LOCALE = 'en-GB';
// The patient's language: ?lang=ar (the welcome page's language links), else the pack's own. Only
// that locale's translation and page wording are loaded (docs/languages.md).
let LOCALE = DEFAULT_LOCALE;

const state = {
  engine: null, // the ES module
  protocol: null, // engine Protocol
  items: [], // item definitions in questionnaire order (types, pages, bounds)
  pageIds: [], // the pack's page ids, in order
  today: '',
  answers: {}, // item id → answer (absent = unanswered)
  datePartial: {}, // date item id → problem with its fields (half typed), shown on Next
  step: { view: 'welcome' }, // what is shown: welcome | page (index) | check | result | consent | summary
  returnToCheck: false, // a Change link was followed: Next goes back to "Check your answers"
  showMissing: false, // after "Next" was pressed on the current page
  touched: new Set(), // item ids whose issues are shown (after a change event)
  formState: null,
  result: null,
  informationShownAt: null, // when the consent document was first shown (ISO date-time)
  information: null, // the engine's record that it was shown and read (before the visit)
  recordUrl: null,
  acknowledged: new Set(), // the pre_visit statements ticked
  openSections: new Set(), // consent sections the patient has open (kept between steps)
  savedAnswers: null, // the answers as last saved on the device (JSON), for the warning before leaving
  changed: new Set(), // item ids whose question changed since a resumed draft was saved
  // The draft's one submission to the clinic (send.js): its key, made once, and the receipt once sent.
  // Every send panel of this draft uses it, so the clinic stores one submission however often it is sent.
  submission: { key: null, sent: null },
};

// ---------------------------------------------------------------- small helpers

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

const inWords = (iso) => dateInWords(iso, pageLocale());

function announce(message) {
  const live = document.getElementById('announcer');
  live.textContent = '';
  // A new text node after clearing makes screen readers announce repeated messages too.
  if (message) requestAnimationFrame(() => { live.textContent = message; });
}

function view() {
  return document.getElementById('view');
}

/** The tab's title names the step (and starts "Error:" while the step shows errors). */
function setTitle(step, hasErrors = false) {
  document.title = `${hasErrors ? say('title_error_prefix') : ''}${step} – ${clinicName()}`;
}

/** Replace the view, clear the live region, name the step and move focus to its heading. */
function show(title, ...children) {
  const root = view();
  announce('');
  root.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
  root.setAttribute('aria-busy', 'false');
  setTitle(title);
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  window.scrollTo(0, 0);
}

// ---------------------------------------------------------------- engine calls

// The wording comes once, in the patient's locale; each answer then asks only for the questionnaire
// state (what is visible, missing, in error), which is all that changes between keystrokes.
function texts() {
  state.texts ??= state.protocol.texts({ locale: LOCALE });
  return state.texts;
}

function form() {
  state.formState = state.protocol.form(state.answers, { today: state.today, locale: LOCALE, texts: false });
  return state.formState;
}

function screen() {
  state.result = state.protocol.screen(state.answers, { today: state.today, locale: LOCALE });
  return state.result;
}

function errorText(error) {
  const diagnostics = error?.diagnostics ?? (error?.diagnostic ? [error.diagnostic] : []);
  if (diagnostics.length) return diagnostics.map((d) => d.message || d.code).join(' ');
  return error?.message ?? String(error);
}

/** The engine's texts for an item (visible items only) and for a page. */
function itemText(id) {
  return state.formState.visible.includes(id) ? texts().items[id] ?? null : null;
}
function pageText(index) {
  return texts().pages[state.pageIds[index]] ?? { title: '' };
}

// ---------------------------------------------------------------- steps and history

// One history entry per step, so the browser's Back and Forward move between steps. A step the
// answers no longer reach (a page with nothing visible) falls back on the nearest one that is.
function go(step, { push = true } = {}) {
  state.step = step;
  if (push) history.pushState(step, '');
  else history.replaceState(step, '');
  render();
}

function render() {
  const step = state.step;
  form();
  renderChrome();
  switch (step.view) {
    case 'page': {
      const indexes = visiblePageIndexes();
      if (!indexes.length) return renderCheck();
      state.showMissing = false;
      return renderPage(indexes.includes(step.page) ? step.page : indexes.find((i) => i > step.page) ?? indexes.at(-1));
    }
    case 'check': return renderCheck();
    case 'save': return renderSave();
    case 'result': return renderResult();
    case 'information': return state.result?.consent_permitted ? renderInformation() : renderResult();
    case 'summary': return state.information ? renderSummary() : renderResult();
    default: return renderWelcome();
  }
}

window.addEventListener('popstate', (event) => {
  if (event.state?.view) {
    state.step = event.state;
    render();
  }
});

// Unsaved answers: the browser asks before the tab is closed or reloaded.
window.addEventListener('beforeunload', (event) => {
  if (Object.keys(state.answers).length && JSON.stringify(state.answers) !== state.savedAnswers) {
    event.preventDefault();
    event.returnValue = '';
  }
});

// ---------------------------------------------------------------- pages

function pageItems(index) {
  return state.items.filter((item) => item.page === state.pageIds[index]);
}

/** Pages with at least one question the engine currently shows. */
function visiblePageIndexes() {
  const visible = new Set(state.formState.visible);
  return state.pageIds
    .map((_, index) => index)
    .filter((index) => pageItems(index).some((item) => visible.has(item.id) && item.type !== 'display'));
}

// ---------------------------------------------------------------- welcome

/** A locale's own name for itself ("العربية", "polski"), from the browser's Intl data. */
function languageName(tag) {
  try {
    return new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** Links to this page in each language the pack has a translation for (the page reloads in it). */
function languageChoice() {
  const locales = [DEFAULT_LOCALE, ...Object.keys(state.protocol.document.translations ?? {}).filter((key) => !key.startsWith('$'))];
  if (locales.length < 2) return null;
  const link = (tag) => {
    const url = new URL(location.href);
    url.searchParams.set('lang', tag);
    url.hash = '';
    const current = tag === LOCALE;
    return h('li', {}, h('a', { href: `${url.pathname}${url.search}`, lang: tag, hreflang: tag, dir: textDirection(tag),
      'aria-current': current ? 'true' : null, class: current ? 'language-current' : null }, languageName(tag)));
  };
  return h('nav', { class: 'languages', id: 'languages', 'aria-labelledby': 'languages-heading' },
    h('h2', { id: 'languages-heading' }, say('language_heading'),
      LOCALE === DEFAULT_LOCALE ? null : [' · ', h('span', { lang: 'en-GB', dir: 'ltr' }, 'Language')]),
    h('ul', {}, locales.map(link)));
}

/** "This translation has not been checked by a clinician", in the patient's language and in English. */
function reviewNotice() {
  const review = texts().review;
  if (!review || review.reviewed) return null;
  return h('div', { class: 'notice notice-warning', id: 'translation-notice', role: 'note' },
    h('p', {}, say('translation_unreviewed')),
    h('p', { lang: 'en-GB', dir: 'ltr' }, say('translation_unreviewed_en')));
}

function renderWelcome() {
  const formEl = h('form', {
    id: 'welcome-form', class: 'step-form', novalidate: true,
    onsubmit: (e) => { e.preventDefault(); startQuestions(); },
  }, h('div', { class: 'actions' }, button(say('start'), null, { type: 'submit' })));
  show(say('welcome_title'),
    h('h1', {}, say('welcome_title')),
    languageChoice(),
    reviewNotice(),
    h('p', { class: 'lead' }, say('welcome_lead')),
    h('p', {}, say('welcome_time')),
    h('h2', {}, say('welcome_steps_heading')),
    h('ol', { class: 'steps' },
      h('li', {}, say('welcome_step_answer')),
      h('li', {}, say('welcome_step_check')),
      h('li', {}, say('welcome_step_result')),
      h('li', {}, say('welcome_step_keep'))),
    h('section', { class: 'notice', 'aria-labelledby': 'privacy-heading' },
      h('h2', { id: 'privacy-heading' }, say('privacy_heading')),
      h('p', {}, say('privacy_device')),
      h('p', {}, say('privacy_share')),
      h('p', {}, say('privacy_phone'), ' ', callUs(state.answers.clinic))),
    resumeSection(),
    formEl);
}

// ---------------------------------------------------------------- save and come back later

function draftOfNow() {
  const questions = {};
  for (const id of Object.keys(state.answers)) if (itemText(id)) questions[id] = itemText(id).text;
  return {
    pack: { id: state.protocol.id, version: state.protocol.version, digest: state.protocol.digest },
    saved_at: nowIso(), answers: state.answers, questions, submission: state.submission,
  };
}

function passphraseField(id, autocomplete) {
  return h('div', { class: 'question', id: `q-${id}` },
    h('label', { for: `in-${id}`, class: 'question-label' }, say('passphrase_label')),
    h('p', { class: 'hint', id: `hint-${id}` }, say('passphrase_hint')),
    h('p', { class: 'field-error', id: `error-${id}`, hidden: true }),
    h('input', { type: 'password', id: `in-${id}`, name: id, autocomplete, 'aria-describedby': `hint-${id} error-${id}` }));
}

function renderSave() {
  state.step = { view: 'save' };
  const formEl = h('form', {
    id: 'save-form', class: 'step-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const passphrase = document.getElementById('in-passphrase').value;
      if (passphrase.length < 8) {
        setFieldError('passphrase', say('passphrase_short'));
        return showSummaryErrors([{ target: 'passphrase', message: say('passphrase_short') }], say('save_title'));
      }
      await saveDraft(passphrase, draftOfNow());
      state.savedAnswers = JSON.stringify(state.answers);
      view().replaceChildren(h('h1', { tabindex: '-1', id: 'saved-title' }, say('saved_title')),
        h('p', { class: 'lead' }, say('saved_text')),
        h('div', { class: 'actions' }, button(say('continue_answering'), () => history.back())));
      document.getElementById('saved-title').focus();
      announce(say('saved_title'));
    },
  },
  passphraseField('passphrase', 'new-password'),
  h('div', { class: 'actions' },
    button(say('save'), null, { type: 'submit' }),
    button(say('back'), () => history.back(), { kind: 'secondary' })));
  show(say('save_title'),
    h('h1', {}, say('save_title')),
    h('p', { class: 'lead' }, say('save_lead')),
    h('p', {}, say('save_device_only')),
    h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true }),
    formEl);
}

function resumeSection() {
  const box = savedDraft();
  if (!box) return null;
  return h('section', { class: 'notice', id: 'resume', 'aria-labelledby': 'resume-heading' },
    h('h2', { id: 'resume-heading' }, say('resume_heading')),
    h('p', {}, say('resume_text')),
    h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true }),
    h('form', {
      id: 'resume-form', novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          resume(await unseal(document.getElementById('in-resume_passphrase').value, box));
        } catch {
          setFieldError('resume_passphrase', say('passphrase_wrong'));
          showSummaryErrors([{ target: 'resume_passphrase', message: say('passphrase_wrong') }], say('welcome_title'));
        }
      },
    },
    passphraseField('resume_passphrase', 'current-password'),
    h('div', { class: 'actions' },
      button(say('resume'), null, { type: 'submit', kind: 'secondary' }),
      button(say('delete_draft'), () => { deleteDraft(); render(); }, { kind: 'secondary', id: 'delete-draft' }))));
}

/**
 * Continue from a saved draft. Answers to questions the pack no longer has are dropped; a question
 * whose wording changed since the draft was saved (a newer pack) is flagged on "Check your answers".
 */
function resume(draft) {
  const known = new Set(state.items.map((item) => item.id));
  state.answers = Object.fromEntries(Object.entries(draft.answers ?? {}).filter(([id]) => known.has(id)));
  state.savedAnswers = JSON.stringify(state.answers);
  state.submission = { key: draft.submission?.key ?? null, sent: draft.submission?.sent ?? null };
  form();
  state.changed = new Set(Object.entries(draft.questions ?? {})
    .filter(([id, text]) => itemText(id) && itemText(id).text !== text).map(([id]) => id));
  go({ view: 'check' });
}

function startQuestions() {
  form();
  const indexes = visiblePageIndexes();
  if (!indexes.length) return go({ view: 'check' });
  go({ view: 'page', page: indexes[0] });
}

// ---------------------------------------------------------------- questionnaire

function inputId(item, suffix = '') {
  return `in-${item.id}${suffix === '' ? '' : `-${suffix}`}`;
}

/** An empty holder for an item; its content is built once the engine shows it (with its texts). */
function itemHolder(item) {
  return h('div', { class: 'question', id: `q-${item.id}`, dataset: { item: item.id, type: item.type }, hidden: true });
}

/** Help behind a disclosure, so that each page stays short. */
function helpDisclosure(id, help) {
  if (!help) return null;
  return h('details', { class: 'help', id: `help-${id}` },
    h('summary', {}, say('help_summary')),
    h('div', { class: 'hint' }, paragraphs(help)));
}

function fillItem(holder, item) {
  const id = item.id;
  const texts = itemText(id);
  const answer = state.answers[id];
  const question = texts.text;
  const errorId = `error-${id}`;
  const optional = item.required ? null : h('span', { class: 'optional' }, ` ${say('optional')}`);
  const help = helpDisclosure(id, texts.help);
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const fieldset = (hint, ...controls) => h('fieldset', { 'aria-describedby': [hint ? `hint-${id}` : null, errorId].filter(Boolean).join(' ') },
    h('legend', {}, question, optional),
    hint ? h('p', { class: 'hint', id: `hint-${id}` }, hint) : null,
    help, error, controls);

  const choices = (options, inputType) => h('div', { class: `options${item.type === 'boolean' ? ' options-inline' : ''}` },
    options.map((option, i) => {
      const optionHelpId = option.help ? `help-${id}-${i}` : null;
      const checked = item.type === 'multi-choice'
        ? Array.isArray(answer) && answer.includes(option.value)
        : answer === option.value;
      return h('div', { class: 'option' },
        h('input', { type: inputType, name: id, id: inputId(item, i), value: String(option.value), checked, 'aria-describedby': optionHelpId }),
        h('label', { for: inputId(item, i) }, option.label),
        option.help ? h('p', { class: 'hint option-hint', id: optionHelpId }, option.help) : null);
    }));

  let content;
  switch (item.type) {
    case 'display':
      content = [h('div', { class: 'display-text' }, paragraphs(question)), help];
      break;
    case 'boolean':
      content = fieldset(null, choices([{ value: true, label: say('yes') }, { value: false, label: say('no') }], 'radio'));
      break;
    case 'choice':
      content = fieldset(null, choices(texts.options ?? [], 'radio'));
      break;
    case 'multi-choice':
      content = fieldset(say('hint_tick_all'), choices(texts.options ?? [], 'checkbox'));
      break;
    case 'date': {
      const parts = dateParts(answer);
      const birth = /birth/.test(id);
      content = fieldset(say('date_hint'), h('div', { class: 'date-fields' }, PARTS.map((part) => h('div', { class: `date-part date-${part}` },
        h('label', { for: inputId(item, part) }, say(`date_${part}`)),
        h('input', {
          type: 'text', inputmode: 'numeric', name: `${id}-${part}`, id: inputId(item, part), value: parts[part],
          maxlength: part === 'year' ? 4 : 2, class: `input-${part}`, 'aria-describedby': errorId,
          autocomplete: birth ? `bday-${part}` : 'off',
        })))));
      break;
    }
    default: {
      const common = { name: id, id: inputId(item), 'aria-describedby': [`help-${id}`, errorId].filter((x) => x !== `help-${id}` || texts.help).join(' ') };
      let control;
      if (item.type === 'integer' || item.type === 'decimal') {
        control = h('input', { ...common, type: 'text', inputmode: item.type === 'integer' ? 'numeric' : 'decimal', value: answer == null ? '' : String(answer), autocomplete: 'off', class: 'input-short' });
      } else if ((item.max_length ?? 0) > 200) {
        control = h('textarea', { ...common, rows: 4, maxlength: item.max_length });
        control.value = typeof answer === 'string' ? answer : '';
      } else {
        control = h('input', { ...common, type: 'text', value: typeof answer === 'string' ? answer : '', maxlength: item.max_length ?? null, autocomplete: 'off' });
      }
      content = [h('label', { for: inputId(item), class: 'question-label' }, question, optional), help, error, control];
    }
  }
  holder.replaceChildren(...[content].flat(Infinity).filter(Boolean));
  holder.dataset.filled = 'true';
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
    case 'date': {
      const read = readDateFields(root, item.id);
      if (read.problem) state.datePartial[item.id] = read;
      else delete state.datePartial[item.id];
      return read.iso ?? null;
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

/**
 * An engine issue in the page's language: the issue's code picks the wording; the age for "you would
 * be 2 years old" is the engine's own `age` operation. Codes without page wording keep the engine's message.
 */
function issueText(issue) {
  if (issue.code === 'implausible_age') {
    const age = state.engine.applyLogic({ age: [state.answers[issue.item]] }, {}, { today: state.today });
    return say('date_implausible_age', { age });
  }
  if (issue.code === 'future_date') return say('date_in_future');
  if (issue.code === 'impossible_date') return say('date_not_real');
  return issue.message;
}

/** Problems the page shows for its visible items: half-typed dates and engine issues, missing answers after Next. */
function pageProblems(index) {
  const fs = state.formState;
  const visible = new Set(fs.visible);
  const missing = new Set(fs.missing_required);
  const problems = [];
  for (const item of pageItems(index)) {
    if (!visible.has(item.id)) continue;
    const issues = fs.issues.filter((issue) => issue.item === item.id);
    // Dates are checked on Next only: no message while a year is still being typed.
    const shown = state.showMissing || (item.type !== 'date' && state.touched.has(item.id));
    if (item.type === 'date' && state.datePartial[item.id] && state.showMissing) {
      problems.push({ item, message: state.datePartial[item.id].problem, part: state.datePartial[item.id].parts[0] });
    } else if (issues.length && shown) {
      problems.push({ item, message: issues.map(issueText).join(' ') });
    } else if (missing.has(item.id) && state.showMissing) {
      problems.push({ item, message: say(`missing_${item.type}`) === `[missing_${item.type}]` ? say('missing_other') : say(`missing_${item.type}`) });
    }
  }
  return problems;
}

function renderPage(index) {
  state.step = { view: 'page', page: index };
  const indexes = visiblePageIndexes();
  const position = indexes.indexOf(index);
  const title = pageText(index).title;
  const formEl = h('form', {
    id: 'page-form', class: 'step-form', novalidate: true, 'aria-labelledby': 'page-title',
    onsubmit: (e) => { e.preventDefault(); next(); },
  },
  pageItems(index).map(itemHolder),
  h('div', { class: 'actions' },
    button(state.returnToCheck ? say('save_and_check') : say('next'), null, { type: 'submit' }),
    button(say('back'), () => history.back(), { kind: 'secondary', id: 'back-button' }),
    button(say('save_for_later'), () => go({ view: 'save' }), { kind: 'secondary', id: 'save-for-later' })));

  formEl.addEventListener('input', (e) => onControl(e, false));
  formEl.addEventListener('change', (e) => onControl(e, true));

  show(title,
    h('p', { class: 'progress-label', id: 'progress-label' }, say('progress', { n: position + 1, total: indexes.length })),
    h('h1', { id: 'page-title' }, title),
    pageText(index).description ? h('div', { class: 'page-description' }, paragraphs(pageText(index).description)) : null,
    h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true }),
    formEl);
  refreshPage();
}

function itemOf(name) {
  const id = name.replace(/-(day|month|year)$/, '');
  return state.items.find((candidate) => candidate.id === name) ?? state.items.find((candidate) => candidate.id === id && candidate.type === 'date');
}

function onControl(event, committed) {
  const item = itemOf(event.target.name ?? '');
  if (!item) return;
  setAnswer(item.id, readAnswer(document.getElementById('page-form'), item));
  if (committed) state.touched.add(item.id);
  form();
  const before = document.getElementById(`error-${item.id}`)?.textContent ?? '';
  const added = refreshPage();
  if (added.length) announce(sayCount('follow_up_added', added.length));
  const after = document.getElementById(`error-${item.id}`);
  // Announce a new message once the patient has finished with the field, not on every keystroke.
  if (committed && after && !after.hidden && after.textContent !== before) announce(`${itemText(item.id)?.text ?? ''}: ${after.textContent}`);
}

/** Update visibility and error messages from the latest form() state; returns the items just shown. */
function refreshPage() {
  const index = state.step.page;
  const visible = new Set(state.formState.visible);
  const added = [];
  for (const item of pageItems(index)) {
    const holder = document.getElementById(`q-${item.id}`);
    if (!holder) continue;
    const show = visible.has(item.id);
    if (show && holder.dataset.filled !== 'true') fillItem(holder, item);
    // Follow-up questions that appear as the patient answers are announced (not on the first render).
    if (show && holder.hidden && state.step.rendered) added.push(item.id);
    holder.hidden = !show;
  }
  state.step.rendered = true;

  const problems = pageProblems(index);
  const byItem = new Map(problems.map((problem) => [problem.item.id, problem]));
  for (const item of pageItems(index)) {
    const error = document.getElementById(`error-${item.id}`);
    if (!error) continue;
    const problem = byItem.get(item.id);
    error.hidden = !problem;
    error.replaceChildren(...(problem ? [h('span', { class: 'visually-hidden' }, say('error_prefix')), problem.message] : []));
    const container = document.getElementById(`q-${item.id}`);
    container.classList.toggle('has-error', Boolean(problem));
    for (const control of container.querySelectorAll('input, textarea')) {
      const part = control.name.match(/-(day|month|year)$/)?.[1];
      const wrong = problem && (!part || !problem.part || state.datePartial[item.id]?.parts.includes(part));
      if (wrong) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
  }

  const summary = document.getElementById('error-summary');
  const hasErrors = state.showMissing && problems.length > 0;
  if (hasErrors) {
    summary.replaceChildren(
      h('h2', {}, sayCount('problems', problems.length)),
      h('ul', {}, problems.map((problem) => h('li', {},
        h('a', {
          href: `#q-${problem.item.id}`,
          onclick: (e) => { e.preventDefault(); focusItem(problem.item.id, problem.part); },
        }, problem.message)))));
    summary.hidden = false;
  } else {
    summary.hidden = true;
    summary.replaceChildren();
  }
  setTitle(pageText(index).title, hasErrors);
  return added;
}

function focusItem(id, part) {
  const container = document.getElementById(`q-${id}`);
  const control = (part && container?.querySelector(`[name="${CSS.escape(`${id}-${part}`)}"]`))
    || container?.querySelector('input:checked, input, textarea');
  control?.focus();
  container?.scrollIntoView({ block: 'center' });
}

/** A finding that no later answer can change: not suitable, and not one a practitioner may override. */
function journeyEnds(result) {
  const rules = new Map((state.protocol.document.rules ?? []).map((rule) => [rule.id, rule]));
  return (result.findings ?? []).find((finding) => finding.outcome === 'not_eligible'
    && rules.get(finding.rule)?.override?.allowed === false);
}

function next() {
  const formEl = document.getElementById('page-form');
  for (const item of pageItems(state.step.page)) if (item.type === 'date') setAnswer(item.id, readAnswer(formEl, item));
  form();
  state.showMissing = true;
  const problems = pageProblems(state.step.page);
  if (problems.length) {
    refreshPage();
    document.getElementById('error-summary').focus();
    announce(sayCount('problems_on_page', problems.length));
    return;
  }
  // Fail early: once the answers so far end the journey, say so now rather than after every page.
  if (journeyEnds(screen())) return go({ view: 'result' });
  if (state.returnToCheck) return go({ view: 'check' });
  const following = visiblePageIndexes().find((index) => index > state.step.page);
  go(following == null ? { view: 'check' } : { view: 'page', page: following });
}

// ---------------------------------------------------------------- check your answers

/** An answer as the patient would say it: "Yes", the option's label, a date in words. */
function answerInWords(item, answer) {
  const texts = itemText(item.id);
  const label = (value) => texts?.options?.find((option) => option.value === value)?.label ?? String(value);
  if (answer == null) return say('not_answered');
  switch (item.type) {
    case 'boolean': return answer ? say('yes') : say('no');
    case 'choice': return label(answer);
    case 'multi-choice': return answer.map(label).join(', ');
    case 'date': return inWords(answer);
    default: return String(answer);
  }
}

/** Every visible question with its answer, page by page; with Change links when `change` is set. */
function answersList({ change = false } = {}) {
  const visible = new Set(state.formState.visible);
  return visiblePageIndexes().map((index) => [
    h('h2', {}, pageText(index).title),
    h('dl', { class: 'check-answers' }, pageItems(index)
      .filter((item) => visible.has(item.id) && item.type !== 'display')
      .map((item) => h('div', { class: 'check-row', dataset: { item: item.id } },
        h('dt', {}, itemText(item.id).text),
        h('dd', { class: 'check-answer' }, answerInWords(item, state.answers[item.id])),
        change && state.changed.has(item.id) ? h('dd', { class: 'check-changed' }, say('question_changed')) : null,
        change ? h('dd', { class: 'check-change' }, h('a', {
          href: `#q-${item.id}`, class: 'change-link',
          onclick: (e) => {
            e.preventDefault();
            state.returnToCheck = true;
            go({ view: 'page', page: index });
            focusItem(item.id);
          },
        }, say('change'), h('span', { class: 'visually-hidden' }, ` ${itemText(item.id).text}`))) : null))),
  ]);
}

function renderCheck() {
  state.step = { view: 'check' };
  state.returnToCheck = false;
  const formEl = h('form', {
    id: 'check-form', class: 'step-form', novalidate: true,
    onsubmit: (e) => { e.preventDefault(); go({ view: 'result' }); },
  }, h('div', { class: 'actions' },
    button(say('see_result'), null, { type: 'submit' }),
    button(say('back'), () => history.back(), { kind: 'secondary' })));
  show(say('check_title'),
    h('h1', { id: 'check-title' }, say('check_title')),
    h('p', { class: 'lead' }, say('check_lead')),
    answersList({ change: true }),
    formEl);
}

// ---------------------------------------------------------------- result

function renderResult() {
  let result;
  try {
    result = screen();
  } catch (error) {
    return renderFatal(say('fatal_check'), error);
  }
  state.step = { view: 'result' };
  const ended = journeyEnds(result);
  const outcome = result.outcome;
  const deferUntil = result.defer_until ?? '';
  const findings = result.findings ?? [];
  const main = findings.filter((finding) => finding.outcome === outcome);
  const other = findings.filter((finding) => finding.outcome !== outcome);
  // One entry per distinct message; a dated deferral also shows its own date.
  const messages = (list) => {
    const byText = new Map();
    for (const finding of list) {
      if (!finding.message) continue;
      const dates = byText.get(finding.message) ?? [];
      if (finding.defer_until) dates.push(finding.defer_until);
      byText.set(finding.message, dates);
    }
    return [...byText.entries()];
  };
  const findingItem = ([message, dates]) => h('li', {}, paragraphs(message),
    dates.length ? h('p', { class: 'finding-date' }, say('clears_on'), ' ', h('strong', {}, inWords(dates.sort().at(-1)))) : []);

  const body = [];
  if (outcome === 'deferred') {
    body.push(deferUntil
      ? h('p', { class: 'lead defer-date' }, say('deferred_until'), ' ', h('strong', { id: 'defer-until' }, inWords(deferUntil)), '.')
      : h('p', { class: 'lead defer-date' }, say('deferred_no_date')));
  } else {
    body.push(h('p', { class: 'lead' }, say(`lead_${outcome}`)));
  }
  // The finding's own message (below) says when the patient may come back.
  if (ended) body.push(h('p', { class: 'early-stop', id: 'early-stop' }, say('early_stop')));
  if (outcome !== 'eligible' && outcome !== 'incomplete' && main.length) {
    body.push(h('h2', {}, outcome === 'eligible_with_precautions' ? say('why_precautions') : say('why')),
      h('ul', { class: 'findings' }, messages(main).map(findingItem)));
  }
  if (other.length) {
    body.push(h('h2', {}, say('also_worth_knowing')), h('ul', { class: 'findings' }, messages(other).map(findingItem)));
  }
  if (outcome === 'incomplete' && !ended) {
    const missing = new Set(result.missing_required ?? []);
    body.push(h('ul', {}, state.items.filter((item) => missing.has(item.id)).map((item) => h('li', {}, itemText(item.id)?.text ?? item.id))));
  }
  if (outcome === 'not_eligible') {
    body.push(h('h2', {}, say('what_else')), h('p', {}, say('what_else_text')));
  }
  if (outcome === 'refer') {
    body.push(h('h2', {}, say('next_heading')), h('p', {}, say('refer_next'), ' ', callUs(state.answers.clinic)));
  }
  if (outcome === 'deferred') {
    body.push(h('h2', {}, say('next_heading')), h('p', {}, say('deferred_next')),
      deferUntil ? calendarLink({ date: deferUntil, title: say('calendar_title', { clinic: clinicName() }), description: say('calendar_description'), label: say('calendar_link') }) : null);
  }

  const actions = [];
  if (result.consent_permitted) actions.push(button(say('continue_to_information'), () => go({ view: 'information' })));
  actions.push(button(say('print'), () => window.print(), { kind: 'secondary', id: 'print-result' }));
  actions.push(button(say('change_answers'), () => go({ view: 'check' }), { kind: 'secondary' }));

  const headline = say(`headline_${outcome}`);
  show(headline, h('section', {
    id: 'result', class: `result result-${outcome}`,
    'data-outcome': outcome, 'data-defer-until': deferUntil, 'aria-labelledby': 'result-title',
  },
  h('p', { class: 'print-only' }, say('print_heading', { clinic: clinicName(), date: inWords(state.today) })),
  h('h1', { id: 'result-title' }, headline),
  body,
  h('aside', { class: 'notice notice-clinical', 'aria-label': say('important') },
    h('p', {}, h('strong', {}, say('not_clearance')), ' ', say('not_clearance_result'))),
  contactPanel(state.answers.clinic),
  h('div', { class: 'actions no-print' }, actions),
  h('section', { class: 'print-only printed-answers', id: 'printed-answers', 'aria-label': say('your_answers') },
    h('h2', {}, say('your_answers')), answersList()),
  sendPanel({ answers: state.answers, today: state.today, packDigest: state.protocol.digest, browserResult: result, clinic: branch(state.answers.clinic)?.name ?? '',
    readNext: result.consent_permitted })));
}

/**
 * "Send to the clinic": an empty, hidden section that send.js fills, loaded only once the page knows
 * the clinic's back office serves it (clinic-api.js); as plain static files it stays empty.
 */
function sendPanel(what) {
  const panel = h('section', { class: 'send-panel no-print', id: 'send-panel', 'aria-labelledby': 'send-heading', hidden: true });
  clinicApi().then((api) => api && import('./send.js').then((send) => send.fillSendPanel(panel, api, what, state.submission)));
  return panel;
}

// ---------------------------------------------------------------- the consent information (before the visit)

// Consent comes in two steps (docs/consent.md). Here, before the visit, the patient reads the
// consent document and confirms only its pre_visit statements ("I have read this information");
// the engine makes the record of when it was first shown and read (informationRecord). Nothing is
// signed here: the signature and the statements that need a conversation ("my questions were
// answered", each material risk) are taken at the consultation, on the clinic's tablet.

/** The consent document as this patient reads it (the engine's consentDocument: texts in the
 * patient's language, only the acknowledgements that apply to this screening, each with its stage). */
function consentDocument() {
  return state.protocol.consentDocument(state.answers, { today: state.today, locale: LOCALE });
}

function renderInformation() {
  const result = state.result;
  if (!result?.consent_permitted) return renderResult();
  const consent = consentDocument();
  const acknowledgementsAt = (stage) => consent.acknowledgements.filter((ack) => ack.stage === stage);
  state.step = { view: 'information' };
  if (!state.informationShownAt) state.informationShownAt = nowIso();
  const cooling = coolingOff();
  const preVisit = acknowledgementsAt('pre_visit');
  const later = acknowledgementsAt('consultation');
  const sectionTitle = new Map(consent.sections.map((section) => [section.id, section.title]));

  const ackFieldset = preVisit.length ? h('fieldset', { class: 'question', id: 'q-acknowledged', 'aria-describedby': 'error-acknowledged' },
    h('legend', {}, say('read_legend')),
    h('p', { class: 'field-error', id: 'error-acknowledged', hidden: true }),
    h('div', { class: 'options' }, preVisit.map((ack, i) => h('div', { class: 'option' },
      h('input', {
        type: 'checkbox', name: 'acknowledged', value: ack.id, id: `ack-${i}`,
        checked: state.acknowledged.has(ack.id),
        onchange: (e) => { e.target.checked ? state.acknowledged.add(ack.id) : state.acknowledged.delete(ack.id); },
      }),
      h('label', { for: `ack-${i}` }, ack.text, ack.required === false ? h('span', { class: 'optional' }, ` ${say('optional')}`) : null))))) : null;

  // What the patient will be asked at the consultation, grouped by section, behind a disclosure so
  // that the page stays short; nothing to tick here.
  const bySection = new Map();
  for (const ack of later) {
    const key = ack.section ?? '';
    if (!bySection.has(key)) bySection.set(key, []);
    bySection.get(key).push(ack);
  }
  const atConsultation = later.length ? h('details', { class: 'help at-consultation', id: 'at-consultation' },
    h('summary', {}, say('at_consultation_heading')),
    h('p', {}, say('at_consultation_text')),
    [...bySection].map(([section, list]) => [
      sectionTitle.get(section) ? h('h3', {}, sectionTitle.get(section)) : null,
      h('ul', {}, list.map((ack) => h('li', {}, ack.text)))])) : null;

  // Nothing is signed now, and there is time to think after signing: one notice, before the sections.
  const coolingNotice = h('aside', { class: 'notice before-signing', id: 'before-signing', 'aria-labelledby': 'cooling-heading' },
    h('h2', { id: 'cooling-heading' }, h('span', { id: 'no-signature-now' }, say('information_no_signature'))),
    h('p', {}, cooling && cooling.amount > 0 ? [say('cooling_text', { period: duration(cooling.amount, cooling.unit) }), ' '] : null,
      say('cooling_change_mind')));

  const sections = consent.sections.map(consentSection);
  // The button says what it will do: open them all, or close them all once every one is open.
  // (Relabelled at once on a press; "toggle" events, which come a moment later, relabel it too.)
  const labelToggle = () => { toggleAll.textContent = say(sections.every((details) => details.open) ? 'close_all_sections' : 'open_all_sections'); };
  const toggleAll = button(say('open_all_sections'), () => {
    const open = !sections.every((details) => details.open);
    for (const details of sections) details.open = open;
    labelToggle();
  }, { kind: 'secondary', id: 'toggle-sections', 'aria-controls': sections.map((details) => details.id).join(' ') });
  for (const details of sections) details.addEventListener('toggle', labelToggle);
  labelToggle();

  show(consent.title,
    h('h1', {}, consent.title),
    consent.intro ? h('p', { class: 'consent-intro' }, consent.intro) : null,
    coolingNotice,
    h('div', { class: 'sections-intro no-print' },
      h('p', { id: 'sections-hint' }, say('sections_open_hint')),
      h('div', { class: 'no-print sections-toggle' }, toggleAll)),
    h('div', { class: 'consent-sections', id: 'consent-sections' },
      consent.sections.map((section, i) => h('section', { class: 'consent-section', id: `section-${section.id}`, 'aria-labelledby': `section-${section.id}-title` }, sections[i]))),
    atConsultation,
    h('div', { id: 'error-summary', class: 'error-summary', tabindex: '-1', hidden: true }),
    h('form', { id: 'information-form', class: 'step-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmRead(); } },
      ackFieldset,
      h('div', { class: 'actions' },
        button(say('confirm_read'), null, { type: 'submit' }),
        button(say('back_to_result'), () => history.back(), { kind: 'secondary' }))));
}

/** A section's first sentence, in its own language's sentence rules (Intl.Segmenter): the line
 * shown under its title while the section is closed. */
function firstSentence(text) {
  const flat = String(text ?? '').trim().replace(/\s+/g, ' ');
  try {
    const first = new Intl.Segmenter(LOCALE, { granularity: 'sentence' }).segment(flat)[Symbol.iterator]().next().value;
    return (first?.segment ?? flat).trim();
  } catch {
    return flat;
  }
}

/**
 * One consent section behind a native disclosure: its title (a heading) and first sentence as the
 * summary, the whole text inside. Opening it is the browser's own (Enter or Space on the summary;
 * find-in-page opens it too); the print stylesheet opens every section, so no risk is left off a
 * printout. Which sections are open is kept while the patient moves between steps.
 */
function consentSection(section) {
  const details = h('details', {
    class: 'consent-details', id: `details-${section.id}`, open: state.openSections.has(section.id),
    ontoggle: (e) => { e.target.open ? state.openSections.add(section.id) : state.openSections.delete(section.id); },
  },
  h('summary', {},
    h('h2', { id: `section-${section.id}-title`, class: 'section-title' }, section.title),
    h('span', { class: 'section-gist', 'aria-hidden': 'true' }, firstSentence(section.text))),
  h('div', { class: 'section-body' }, paragraphs(section.text)));
  return details;
}

/** The effective cooling-off period from the engine's parameters: {amount, unit} or null. */
function coolingOff() {
  const name = state.protocol.document?.consent?.cooling_off;
  const parameter = name ? state.protocol.parameters?.[name] : null;
  if (!parameter) return null;
  const amount = typeof parameter === 'object' ? (parameter.value ?? parameter.default) : parameter;
  return Number.isInteger(amount) ? { amount, unit: parameter.unit ?? 'days' } : null;
}

/** "1 day", "14 days", "6 months" in the page's wording. */
function duration(amount, unit = 'days') {
  return sayCount(`unit_${String(unit).replace(/s$/, '')}`, amount);
}

function setFieldError(id, message) {
  const error = document.getElementById(`error-${id}`);
  const container = document.getElementById(`q-${id}`);
  if (!error || !container) return;
  error.hidden = !message;
  error.replaceChildren(...(message ? [h('span', { class: 'visually-hidden' }, say('error_prefix')), message] : []));
  container.classList.toggle('has-error', Boolean(message));
  for (const control of container.querySelectorAll('input')) {
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
}

function showSummaryErrors(problems, title = texts().consent?.title ?? '') {
  const summary = document.getElementById('error-summary');
  summary.replaceChildren(
    h('h2', {}, sayCount('problems', problems.length)),
    h('ul', {}, problems.map((problem) => h('li', {}, problem.target
      ? h('a', { href: `#q-${problem.target}`, onclick: (e) => { e.preventDefault(); focusItem(problem.target); } }, problem.message)
      : problem.message))));
  summary.hidden = false;
  summary.focus();
  setTitle(title, true);
  announce(`${sayCount('problems', problems.length)}: ${problems.map((p) => p.message).join(' ')}`);
}

/**
 * "I have read this": the engine's record of the reading (shown at, read at, the pre_visit
 * statements). What is missing (an unticked statement) is the engine's refusal, shown on the field.
 */
function confirmRead() {
  const formEl = document.getElementById('information-form');
  state.acknowledged = new Set([...formEl.querySelectorAll('input[name="acknowledged"]:checked')].map((el) => el.value));
  let information;
  let problem;
  try {
    information = state.protocol.informationRecord({
      acknowledged: [...state.acknowledged], informationShownAt: state.informationShownAt, readAt: nowIso(), today: state.today,
      locale: LOCALE,
    });
  } catch (error) {
    problem = error?.diagnostics?.[0] ?? { code: error?.code ?? 'error', message: errorText(error) };
  }
  setFieldError('acknowledged', '');
  if (problem) {
    if (problem.code === 'missing_acknowledgement') {
      setFieldError('acknowledged', say('read_missing'));
      return showSummaryErrors([{ target: 'acknowledged', message: say('read_missing') }]);
    }
    return showSummaryErrors([{ message: say('information_failed', { reason: problem.message || problem.code }) }]);
  }
  const check = state.engine.verifyConsent(information);
  if (!check.valid) return showSummaryErrors(check.problems.map((p) => ({ message: p.message || p.code })));
  state.information = information;
  if (state.recordUrl) URL.revokeObjectURL(state.recordUrl);
  state.recordUrl = URL.createObjectURL(new Blob([JSON.stringify(information, null, 2) + '\n'], { type: 'application/json' }));
  go({ view: 'summary' });
}

// ---------------------------------------------------------------- summary

function phaseTitle(phase) {
  const word = say(`phase_${phase}`);
  if (!word.startsWith('[')) return word;
  const words = String(phase).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function renderSummary() {
  state.step = { view: 'summary' };
  const information = state.information;
  const result = state.result;
  const aftercare = result.aftercare ?? [];
  const byPhase = new Map();
  for (const instruction of aftercare) {
    if (!byPhase.has(instruction.phase)) byPhase.set(instruction.phase, []);
    byPhase.get(instruction.phase).push(instruction);
  }
  const course = result.course;
  const fileName = `consent-information-${information.protocol?.id ?? 'record'}-${state.today}.json`;
  const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  const chosen = branch(state.answers.clinic);
  const cooling = coolingOff();
  const title = say('read_title');
  // The document as read, and the statements confirmed, in the patient's language (the engine's texts).
  const consent = consentDocument();
  const confirmed = consent.acknowledgements.filter((ack) => information.acknowledgements?.includes(ack.id));

  show(title,
    h('section', { id: 'summary', class: 'summary', 'data-outcome': result.outcome, 'data-defer-until': result.defer_until ?? '' },
      h('p', { class: 'print-only' }, say('print_heading', { clinic: clinicName(), date: inWords(state.today) })),
      h('h1', {}, title),
      h('p', { class: 'lead' }, chosen ? say('read_lead_branch', { branch: chosen.name }) : say('read_lead')),
      // The patient's copy is this page, printed or saved as a PDF (the print stylesheet adds the
      // answers and the consent information read); the file is for the clinic's computer only.
      h('div', { class: 'actions no-print' },
        button(say('print'), () => window.print(), { id: 'print-summary' })),
      sendPanel({ answers: state.answers, today: state.today, packDigest: state.protocol.digest, browserResult: result, informationRecord: information, clinic: chosen?.name ?? '' }),
      h('h2', {}, say('before_visit_heading')),
      h('dl', { class: 'record', id: 'information-summary' },
        row(say('shown_at'), dateTimeInWords(information.information_shown_at, pageLocale())),
        row(say('read_at'), dateTimeInWords(information.read_at, pageLocale())),
        row(say('result_of_questions'), say(`headline_${result.outcome}`)),
        // The document's title only: its version id is for the clinic (inside the saved record and the check code).
        row(say('consent_document'), h('span', { 'data-version': information.document?.version ?? '' }, texts().consent?.title ?? '')),
        chosen ? row(say('clinic'), `${clinicName()}, ${chosen.name}`) : [],
        row(say('record_check'), h('code', { class: 'digest' }, information.digest ?? ''))),
      h('p', { class: 'hint' }, say('record_check_hint')),
      confirmed.length ? [h('h2', {}, say('confirmed_heading')),
        h('ul', { id: 'confirmed-statements' }, confirmed.map((ack) => h('li', {}, ack.text)))] : null,
      h('h2', {}, say('sign_at_consultation_heading')),
      h('p', { id: 'sign-at-consultation' }, say('sign_at_consultation'),
        cooling && cooling.amount > 0 ? [' ', say('cooling_text', { period: duration(cooling.amount, cooling.unit) })] : null),
      course ? [
        h('h2', {}, say('course_heading')),
        h('p', {}, say('course_sessions', { sessions: course.sessions, weeks: course.interval_weeks })),
        paragraphs(course.text),
        course.follow_up ? [h('h3', {}, say('follow_up')), paragraphs(course.follow_up.text)] : null,
      ] : null,
      aftercare.length ? [
        h('h2', {}, say('aftercare_heading')),
        [...byPhase].map(([phase, list]) => h('section', { class: 'aftercare-phase', 'aria-labelledby': `phase-${phase}` },
          h('h3', { id: `phase-${phase}` }, phaseTitle(phase)),
          h('ul', {}, list.map((instruction) => h('li', {}, instruction.text))))),
      ] : null,
      urgentAdvice(state.answers.clinic),
      contactPanel(state.answers.clinic),
      h('aside', { class: 'notice notice-clinical', 'aria-label': say('important') },
        h('p', {}, h('strong', {}, say('not_clearance')), ' ', say('not_clearance_summary'))),
      h('section', { class: 'print-only printed-answers', 'aria-label': say('your_answers') }, h('h2', {}, say('your_answers')), answersList()),
      h('section', { class: 'print-only printed-information', id: 'printed-information', 'aria-label': say('information_read_heading') },
        h('h2', {}, say('information_read_heading')),
        consent.intro ? h('p', {}, consent.intro) : null,
        consent.sections.map((section) => [h('h3', {}, section.title), paragraphs(section.text)])),
      h('div', { class: 'no-print record-file' },
        h('p', {}, h('a', { class: 'button button-secondary', id: 'download-record', href: state.recordUrl, download: fileName, 'aria-describedby': 'download-record-hint' },
          say('download_information'))),
        h('p', { class: 'hint', id: 'download-record-hint' }, say('download_information_hint', { print: say('print') }))),
      h('div', { class: 'actions no-print', id: 'start-again-area' },
        button(say('start_again'), confirmStartAgain, { kind: 'secondary', id: 'start-again' }))));
}

/** "Start again" deletes the record of reading too: ask first, on the page. */
function confirmStartAgain() {
  const area = document.getElementById('start-again-area');
  area.replaceChildren(h('div', { class: 'notice notice-warning', role: 'alertdialog', 'aria-labelledby': 'confirm-heading', id: 'confirm-start-again' },
    h('h2', { id: 'confirm-heading', tabindex: '-1' }, say('confirm_start_again')),
    h('p', {}, state.information ? say('confirm_start_again_read') : say('confirm_start_again_answers')),
    h('div', { class: 'actions' },
      button(say('confirm_yes'), startAgain, { kind: 'warning', id: 'confirm-yes' }),
      button(say('confirm_no'), () => renderSummary(), { kind: 'secondary', id: 'confirm-no' }))));
  document.getElementById('confirm-heading').focus();
}

function startAgain() {
  if (state.recordUrl) URL.revokeObjectURL(state.recordUrl);
  Object.assign(state, {
    answers: {}, datePartial: {}, changed: new Set(), savedAnswers: null, showMissing: false, touched: new Set(), result: null, information: null, recordUrl: null,
    informationShownAt: null, acknowledged: new Set(), openSections: new Set(), returnToCheck: false,
    submission: { key: null, sent: null },
  });
  go({ view: 'welcome' });
}

// ---------------------------------------------------------------- start

function renderFatal(message, error) {
  console.error(error);
  const fallback = (key, english) => (say(key).startsWith('[') ? english : say(key));
  view().replaceChildren(
    h('h1', {}, fallback('fatal_title', 'Sorry, something went wrong')),
    h('p', { role: 'alert' }, message),
    error ? h('p', { class: 'hint' }, errorText(error)) : null,
    h('p', {}, fallback('fatal_call', 'Please call the clinic and we will go through the questions with you.')));
  view().setAttribute('aria-busy', 'false');
}

/** "rtl" for a right-to-left script (Arabic), from the browser's Intl data. */
function textDirection(tag) {
  try {
    const locale = new Intl.Locale(tag);
    return (locale.getTextInfo?.() ?? locale.textInfo)?.direction ?? 'ltr';
  } catch {
    return 'ltr';
  }
}

/** The language asked for in ?lang=, when the pack declares a translation for it. */
function chosenLocale(packDocument) {
  const asked = new URLSearchParams(location.search).get('lang');
  const declared = Object.keys(packDocument?.translations ?? {}).filter((key) => !key.startsWith('$'));
  return declared.find((tag) => tag === asked) ?? DEFAULT_LOCALE;
}

async function fetchText(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} (${response.status})`);
  return response.text();
}

function renderChrome() {
  document.documentElement.lang = LOCALE;
  document.documentElement.dir = textDirection(LOCALE);
  document.querySelector('.brand').textContent = clinicName();
  document.querySelector('.brand-sub').replaceChildren(callUs(state.answers.clinic));
  const privacy = h('p', {}, say('footer_privacy'));
  document.querySelector('.site-footer .wrap').replaceChildren(privacy, ...clinicFooter().filter(Boolean));
  // Served by the clinic's back office, the footer names the one thing that sends.
  clinicApi().then((api) => { if (api) privacy.textContent = say('send_footer', { button: say('send_button') }); });
}

async function main() {
  state.today = todayIso();
  try {
    const asked = new URLSearchParams(location.search).get('lang');
    const [packText] = await Promise.all([fetchText(PACK_URL), loadClinic()]);
    state.engine = await import(ENGINE_URL);
    // The pack's declared translations name the languages on offer; the engine merges the chosen
    // one at load (and refuses it if any text is missing).
    const declared = asked && asked !== DEFAULT_LOCALE ? JSON.parse(packText).translations : null;
    LOCALE = chosenLocale({ translations: declared });
    const [translations] = await Promise.all([
      LOCALE === DEFAULT_LOCALE ? [] : fetchText(PACK_URL.replace(/protocol\.json$/, `translations/${LOCALE}.json`)).then((text) => [text]),
      loadWords(LOCALE)]);
    state.protocol = await state.engine.loadProtocol(packText, { translations });
    state.items = state.protocol.items;
    state.pageIds = (state.protocol.document.pages ?? []).map((page) => page.id);
    form();
  } catch (error) {
    return renderFatal('The questionnaire could not be loaded.', error);
  }
  document.documentElement.dataset.ready = 'true';
  go({ view: 'welcome' }, { push: false });
}

main();
