// A Protocol that is dropped without dispose() is freed by the FinalizationRegistry (run in a child
// Node with --expose-gc so the test can force collection).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { microneedlingPath, repoRoot, wasmDir } from './helpers.mjs';

test('forgotten protocols are freed after garbage collection', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    const { loadProtocol, liveProtocols } = await import(${JSON.stringify(pathToFileURL(join(wasmDir, 'index.js')).href)});
    const text = readFileSync(${JSON.stringify(join(repoRoot, microneedlingPath))}, 'utf8');
    const kept = await loadProtocol(text);
    for (let i = 0; i < 40; i++) (await loadProtocol(text)).screen({}, { today: '2026-11-25' });
    const before = liveProtocols();
    for (let round = 0; round < 20 && liveProtocols() > 1; round++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    console.log(JSON.stringify({ before, after: liveProtocols(), keptWorks: kept.screen({}, { today: '2026-11-25' }).outcome }));
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const { before, after, keptWorks } = JSON.parse(out);
  assert.equal(before, 41);
  assert.equal(after, 1, 'only the protocol still referenced is alive');
  assert.equal(keptWorks, 'incomplete');
});
