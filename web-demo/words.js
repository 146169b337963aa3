// The page's own wording (buttons, headings, the date fields' messages), from text/<locale>.json.
// The pack's texts (questions, findings, consent) come from the engine in the same locale; this file
// holds only what belongs to the page itself, so that no patient wording is written into app.js.

let words = {};
let locale = 'en-GB';

/** Load the wording of `tag` (falls back on en-GB when the page has no file for it). */
export async function loadWords(tag) {
  const response = await fetch(`text/${tag}.json`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`The page's wording for ${tag} could not be loaded (${response.status}).`);
  words = await response.json();
  locale = tag;
  return words;
}

export function pageLocale() {
  return locale;
}

/** The text of `key` with {name} placeholders filled in (numbers written the locale's way, Intl); a missing key shows as itself (tests catch it). */
export function say(key, values = {}) {
  const text = words[key];
  if (typeof text !== 'string') return `[${key}]`;
  const numbers = new Intl.NumberFormat(locale);
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    const value = values[name];
    if (value == null) return whole;
    return typeof value === 'number' ? numbers.format(value) : String(value);
  });
}

/** "1 problem" / "3 problems": the wording file holds `key_one` and `key_other`. */
export function sayCount(key, count, values = {}) {
  const form = new Intl.PluralRules(locale).select(count);
  const chosen = words[`${key}_${form}`] != null ? `${key}_${form}` : `${key}_other`;
  return say(chosen, { count, ...values });
}

/** Like say(), for a sentence with elements in it: "{reference}" filled with a <code> node. Returns
 * the pieces in order (strings and nodes), so the sentence's word order stays the locale's own. */
export function sayParts(key, values = {}) {
  const text = say(key);
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const value = values[match[1]];
    if (value == null) continue;
    pieces.push(text.slice(last, match.index), typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value);
    last = match.index + match[0].length;
  }
  pieces.push(text.slice(last));
  return pieces.filter((piece) => piece !== '');
}

/** "a, b and c" in the page's language (Intl.ListFormat). */
export function sayList(items) {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
}
