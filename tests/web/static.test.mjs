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

test('privacy.html: a page of text whose policy allows no script, connection or form', () => {
  const page = readFileSync(join(repo, 'web-demo/privacy.html'), 'utf8');
  const policy = page.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/);
  assert.ok(policy, 'CSP meta present');
  assert.match(policy[1], /^default-src 'none';/);
  assert.doesNotMatch(policy[1], /script-src|connect-src/);
  assert.doesNotMatch(page, /<script/);
});

// Served lighter (web-demo/serve.mjs and the back office's clinic/static.py, `slim`): the page's
// scripts without comment and blank lines, JSON without indentation. Both servers send the same, the
// scripts still parse, and every JSON file keeps its meaning.
test('the page is served slimmed, the same by both servers, with the same meaning', async () => {
  const { slim } = await import('../../web-demo/serve.mjs');
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const files = [
    ...readdirSync(join(repo, 'web-demo')).filter((f) => f.endsWith('.js')).map((f) => ['/', `web-demo/${f}`]),
    ...readdirSync(join(repo, 'web-demo/text')).map((f) => ['/', `web-demo/text/${f}`]),
    ['/protocols/', 'protocols/clinic.json'], ['/protocols/', 'protocols/microneedling/protocol.json'],
    ...readdirSync(join(repo, 'protocols/microneedling/translations')).map((f) => ['/protocols/', `protocols/microneedling/translations/${f}`]),
    ['/wasm/', 'wasm/index.js'],
  ];
  const python = spawnSync(join(repo, '.venv/bin/python'), ['-c', `
import json, sys
from pathlib import Path
from prescreen.clinic.static import slim
out = {}
for prefix, name in json.loads(sys.argv[1]):
    out[name] = slim(prefix, Path(name), Path(name).read_bytes()).decode("utf-8")
print(json.dumps(out))`, JSON.stringify(files)], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(python.status, 0, python.stderr);
  const fromPython = JSON.parse(python.stdout);
  const dir = mkdtempSync(join(tmpdir(), 'prescreen-slim-'));
  try {
    for (const [prefix, name] of files) {
      const disk = readFileSync(join(repo, name));
      const served = slim(prefix, name, disk).toString('utf8');
      if (name.endsWith('.json')) {
        assert.deepEqual(JSON.parse(served), JSON.parse(disk.toString('utf8')), name);
        assert.deepEqual(JSON.parse(fromPython[name]), JSON.parse(served), `${name}: the back office sends the same`);
        assert.ok(!served.includes('\n  '), `${name} without indentation`);
      } else {
        assert.equal(fromPython[name], served, `${name}: the back office sends the same`);
        if (prefix === '/wasm/') { assert.equal(served, disk.toString('utf8'), 'the engine\'s own files are sent as they are'); continue; }
        assert.ok(served.length < disk.length, `${name} is lighter`);
        assert.doesNotMatch(served, /^\s*(\/\/|\/\*)/m, `${name}: no comment lines left`);
        const copy = join(dir, name.replace(/\//g, '_').replace(/\.js$/, '.mjs'));
        writeFileSync(copy, served);
        const check = spawnSync(process.execPath, ['--check', copy], { encoding: 'utf8' });
        assert.equal(check.status, 0, `${name} still parses: ${check.stderr}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
