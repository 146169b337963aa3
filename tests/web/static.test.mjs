// The page holds no clinical logic of its own: every decision comes from the engine. These checks
// read the page's source (no browser): no rule ids or clinical answer values, no date arithmetic,
// no hashing, no storage, no network APIs beyond fetching its own two files, no inline script/style.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPack, repo } from './helpers.mjs';

const app = readFileSync(join(repo, 'web-demo/app.js'), 'utf8');
const html = readFileSync(join(repo, 'web-demo/index.html'), 'utf8');
const code = app.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');

test('no rule, item or parameter of the pack is named in the page\'s code', () => {
  const pack = loadPack();
  // `clinic` is read only to print the chosen branch on the summary.
  const names = [
    ...pack.rules.map((r) => r.id),
    ...pack.items.map((i) => i.id).filter((id) => id !== 'clinic'),
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
  assert.deepEqual(fetches, ['PACK_URL']);
});

test('index.html: no inline script or style, CSP meta present', () => {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style|\sstyle=/);
  assert.match(html, /http-equiv="Content-Security-Policy"/);
  assert.match(html, /<html lang="en-GB">/);
});
