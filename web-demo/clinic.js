// The clinic's identity from protocols/clinic.json (name, branches, opening hours, regulator line,
// privacy notice, urgent numbers). The page holds no clinic details of its own: every "call us" is
// built here from the branch the patient chose (the pack's `clinic` question), or lists every branch
// before one is chosen.
import { h } from './dom.js';
import { pageLocale, say } from './words.js';

const CLINIC_URL = '/protocols/clinic.json';

let clinic = { name: null, branches: [], urgent: [] };

export async function loadClinic() {
  const response = await fetch(CLINIC_URL, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`The clinic's details could not be loaded (${response.status}).`);
  clinic = await response.json();
  return clinic;
}

// The clinic's wording in the page's language (clinic.json "translations"), else as written.
function local() {
  return clinic.translations?.[pageLocale()] ?? {};
}

export function clinicName() {
  return clinic.name ?? '';
}

export function branch(id) {
  return clinic.branches?.find((candidate) => candidate.id === id) ?? null;
}

function telephone(phone) {
  // dir=ltr keeps "020 7935 4410" in its order inside right-to-left text.
  return h('a', { href: `tel:${phone.replace(/\s+/g, '')}`, class: 'phone', dir: 'ltr' }, phone);
}

function hours(entry) {
  if (!entry.opening_hours?.length) return h('p', { class: 'hint' }, say('hours_unknown'));
  return h('ul', { class: 'hours' }, entry.opening_hours.map((line) =>
    h('li', {}, say('hours_line', { days: local().days?.[line.days] ?? line.days, opens: line.opens, closes: line.closes }))));
}

/** "Call Margaret Street, London on 020 7935 4410" (or every branch's number before one is chosen). */
export function callUs(branchId) {
  const chosen = branch(branchId);
  if (chosen) return h('span', { class: 'call-us' }, say('call_branch', { branch: chosen.name }), ' ', telephone(chosen.phone));
  return h('span', { class: 'call-us' }, say('call_any_branch'), ' ',
    // <bdi>: each "Margaret Street, London: 020 …" keeps its own order inside right-to-left text.
    (clinic.branches ?? []).map((entry, i) => [i ? '; ' : '', h('bdi', {}, `${entry.name}: `, telephone(entry.phone))]));
}

/** The chosen branch's address, phone and hours (all branches before one is chosen). */
export function contactPanel(branchId, { id = 'contact' } = {}) {
  const chosen = branch(branchId);
  const list = chosen ? [chosen] : clinic.branches ?? [];
  return h('section', { class: 'notice contact', id, 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, chosen ? say('contact_heading_branch') : say('contact_heading_all')),
    list.map((entry) => h('div', { class: 'branch', dataset: { branch: entry.id } },
      h('p', {}, h('strong', {}, `${clinicName()}, ${entry.name}`), h('br'),
        h('bdi', {}, [entry.address, entry.postcode].filter(Boolean).join(', ')), h('br'),
        say('phone_label'), ' ', telephone(entry.phone)),
      hours(entry))));
}

/** What to do if something goes wrong: the branch when open, NHS 111 when closed, 999 in an emergency. */
export function urgentAdvice(branchId) {
  return h('section', { class: 'notice notice-urgent', id: 'urgent', 'aria-labelledby': 'urgent-heading' },
    h('h2', { id: 'urgent-heading' }, say('urgent_heading')),
    h('p', {}, callUs(branchId), ' ', say('urgent_when_open')),
    h('ul', {}, (clinic.urgent ?? []).map((entry, i) =>
      h('li', {}, h('strong', {}, say('urgent_call', { number: entry.number })), ' ', local().urgent?.[i] ?? entry.when))));
}

/** Footer lines: the regulator and the privacy notice. */
export function clinicFooter() {
  return [
    clinic.regulator ? h('p', { id: 'regulator' }, local().regulator ?? clinic.regulator) : null,
    clinic.privacy_notice_url ? h('p', {}, h('a', { href: clinic.privacy_notice_url, id: 'privacy-link' }, say('privacy_notice'))) : null,
  ];
}
