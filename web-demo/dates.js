// Dates the GOV.UK way: three fields (day, month, year) named ID-day, ID-month and ID-year, read into
// an ISO date for the engine. This file only assembles what was typed; whether the date is real, in
// the past or after the pack's earliest date is the engine's to say (its issue messages).
import { say } from './words.js';

export const PARTS = ['day', 'month', 'year'];

// Digits typed on an Arabic or Persian keyboard (٢٧ / ۲۷) as the 0-9 the engine's ISO dates use.
function westernDigits(text) {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

/**
 * What the three fields hold: {iso} when all three are filled in with numbers (the engine checks the
 * date), {empty: true} when none is, else {problem} naming what is missing or not a number.
 */
export function readDateFields(root, id) {
  const value = {};
  for (const part of PARTS) value[part] = westernDigits((root.querySelector(`[name="${CSS.escape(`${id}-${part}`)}"]`)?.value ?? '').trim());
  const given = PARTS.filter((part) => value[part] !== '');
  if (!given.length) return { empty: true };
  const missing = PARTS.filter((part) => value[part] === '');
  if (missing.length) return { problem: say(`date_must_include_${missing.join('_')}`), parts: missing };
  const notNumber = PARTS.filter((part) => !/^\d+$/.test(value[part]));
  if (notNumber.length) return { problem: say('date_not_numbers'), parts: notNumber };
  if (value.year.length !== 4) return { problem: say('date_year_four_digits'), parts: ['year'] };
  if (value.day.length > 2 || value.month.length > 2) return { problem: say('date_not_real'), parts: ['day', 'month'] };
  return { iso: `${value.year}-${value.month.padStart(2, '0')}-${value.day.padStart(2, '0')}` };
}

/** The field values of an ISO date (for showing a saved answer again). */
export function dateParts(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof iso === 'string' ? iso : '');
  if (!match) return { day: '', month: '', year: '' };
  return { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1] };
}

/** "2027-02-25" → "25 February 2027" in the page's locale. */
export function dateInWords(iso, locale) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** A date-time in the device's own time zone, in words ("25 November 2026 at 10:31"). */
export function dateTimeInWords(iso, locale) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
}
