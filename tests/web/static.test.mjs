// The page holds no clinical logic of its own: every decision comes from the engine. These checks
// read the page's sources (no browser): no rule ids or clinical answer values, no date arithmetic,
// no hashing, no storage, no network APIs beyond fetching its own files, no inline script/style, no
// patient wording or pack texts of its own (form() gives those; the page's wording is text/*.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPack, repo } from './helpers.mjs';

// The page's modules (send.js, the back-office panel, posts to the clinic's server on purpose).
const MODULES = ['app.js', 'dom.js', 'words.js', 'dates.js', 'clinic.js', 'keepsake.js'];
const html = readFileSync(join(repo, 'web-demo/index.html'), 'utf8');
const code = MODULES.map((file) => readFileSync(join(repo, 'web-demo', file), 'utf8'))
  .join('\n').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');

test('no rule, item or parameter of the pack is named in the page\'s code', () => {
  const pack = loadPack();
  // `clinic` is read only to show the chosen branch; `intro` is also the consent text's field name.
  const names = [
    ...pack.rules.map((r) => r.id),
    ...pack.items.map((i) => i.id).filter((id) => id !== 'clinic' && id !== 'intro'),
    ...Object.keys(pack.parameters ?? {}),
  ];
  const found = names.filter((name) => new RegExp(`\\b${name}\\b`).test(code));
  assert.deepEqual(found, []);
});

test('no date arithmetic, hashing, storage or outside requests in the page', () => {
  for (const pattern of [
    /\.set(UTC)?(FullYear|Month|Date|Hours|Time)\s*\(/, /getTime\(\)\s*[+-]/, /86400|864e5/,
    /crypto\.subtle|sha-?256|hmac/i, /localStorage|sessionStorage|indexedDB|document\.cookie/,
    /XMLHttpRequest|sendBeacon|WebSocket|EventSource/, /https?:\/\//, /\beval\s*\(|new Function/,
    /innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
  ]) {
    assert.doesNotMatch(code, pattern);
  }
  const fetches = [...code.matchAll(/fetch\(([^,)]+)/g)].map((m) => m[1].trim());
  assert.deepEqual(fetches.sort(), ['CLINIC_URL', '`text/${tag}.json`', 'url']);
  // fetchText(url): only the pack and, beside it, the chosen locale's translation.
  assert.equal(code.split('fetchText(').length - 1, 3, 'fetchText: its definition and two calls');
  assert.ok(code.includes('fetchText(PACK_URL)'));
  assert.ok(code.includes('fetchText(PACK_URL.replace(/protocol\\.json$/, `translations/${LOCALE}.json`))'));
});

test('no pack texts and no wording of its own in the page\'s code', () => {
  assert.doesNotMatch(code, /function txt\(|\.text\?\.\[|\[LOCALE\]/, 'texts come from form().texts');
  assert.doesNotMatch(code, /Fairfield|Margaret Street|020 \d{4}|0141/, 'the clinic comes from clinic.json');
  // Patient wording lives in text/en-GB.json: no sentence of five or more words in a string literal.
  const sentences = [...code.matchAll(/'([^'\n]*)'/g)].map((m) => m[1]).filter((s) => /^[A-Z][a-z]+( [a-z,]+){4,}/.test(s));
  assert.deepEqual(sentences.filter((s) => !/could not be loaded|Sorry, something went wrong|Please call the clinic/.test(s)), []);
});

test('draft.js, the one module that stores: only what seal() encrypted, nothing sent', () => {
  const draft = readFileSync(join(repo, 'web-demo/draft.js'), 'utf8');
  assert.deepEqual([...draft.matchAll(/localStorage\.setItem\(([^;]*)\);/g)].map((m) => m[1]),
    ['KEY, JSON.stringify(await seal(passphrase, draft))']);
  assert.doesNotMatch(draft, /fetch\(|XMLHttpRequest|sendBeacon|WebSocket|https?:\/\//);
  assert.match(draft, /name: 'AES-GCM'/);
  assert.match(draft, /name: 'PBKDF2', hash: 'SHA-256'/);
});

test('index.html: no inline script or style, CSP meta present', () => {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style|\sstyle=/);
  assert.match(html, /http-equiv="Content-Security-Policy"/);
  assert.match(html, /<html lang="en-GB">/);
});
