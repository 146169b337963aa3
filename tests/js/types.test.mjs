// wasm/index.d.ts cannot drift: a typed usage file compiles under `tsc --noEmit --strict`, and every
// name the declarations export exists in the ES module at run time.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('a typed usage of the package compiles against index.d.ts', () => {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler',
    '--skipLibCheck', 'false', join(root, 'tests', 'js', 'types', 'usage.ts')], { cwd: root, stdio: 'pipe' });
});

test('every value index.d.ts exports is exported by the module', async () => {
  const declared = [...readFileSync(join(root, 'wasm', 'index.d.ts'), 'utf8')
    .matchAll(/^export (?:declare )?(?:function|class|const) (\w+)/gm)].map((m) => m[1]);
  assert.ok(declared.length >= 8, `too few declarations found: ${declared}`);
  const module = await import(join(root, 'wasm', 'index.js'));
  for (const name of declared) assert.ok(name in module, `index.d.ts declares ${name}, the module has no such export`);
});
