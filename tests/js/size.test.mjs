// The package budget: .wasm + JS glue gzipped. DESIGN.md's bar is 200 KB; the budget is kept close to
// what the build reaches (182.8 KB since embind went, bench/RESULTS.md) so growth is noticed. 192 KiB
// since the pack's translations are merged at load and dates of birth checked (196,024 bytes). 208 KiB
// since personalised two-step consent (consent_document, conditional acknowledgements, the pre-visit
// record in JS) and the texts API: 208,744 bytes from a fresh clone, over DESIGN.md's 200 KB bar (issue
// 18 tracks the size; -Oz on the cold sources was measured and did not help).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { wasmDir } from './helpers.mjs';

test('.wasm + glue stay under 208 KiB gzipped', (t) => {
  const gz = (name) => gzipSync(readFileSync(join(wasmDir, 'dist', name)), { level: 9 }).length;
  const total = gz('prescreen.wasm') + gz('prescreen.js');
  t.diagnostic(`prescreen.wasm + prescreen.js: ${total} bytes gzipped`);
  assert.ok(total < 208 * 1024, `${total} bytes gzipped`);
});

test('the glue never evaluates strings (CSP without unsafe-eval)', () => {
  const glue = readFileSync(join(wasmDir, 'dist', 'prescreen.js'), 'utf8');
  assert.ok(!/new Function\s*\(/.test(glue), 'new Function in the glue');
  assert.ok(!/\beval\s*\(/.test(glue), 'eval in the glue');
});
