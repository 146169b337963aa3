// `npm pack` smoke test: pack wasm/ into a tarball, install it into an empty folder without any
// registry, import it by its package name from a script there, screen one good and one bad case.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { microneedlingPath, repoRoot, wasmDir } from './helpers.mjs';

const npm = (args, cwd) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('npm pack smoke test', () => {
  const work = mkdtempSync(join(tmpdir(), 'prescreen-pack-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the tarball holds exactly the package files', () => {
    const [info] = JSON.parse(npm(['pack', wasmDir, '--pack-destination', work, '--json'], repoRoot));
    const files = info.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      'README.md', 'dist/prescreen-fhir.js', 'dist/prescreen-fhir.wasm', 'dist/prescreen.js', 'dist/prescreen.wasm', 'index.d.ts', 'index.js', 'package.json',
    ]);
    assert.ok(readdirSync(work).includes(info.filename), info.filename);
  });

  test('installs offline into an empty folder and screens a good and a bad case', () => {
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'packed in the previous test');
    const app = join(work, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
    npm(['install', join(work, tarball), '--offline', '--no-audit', '--no-fund', '--no-package-lock'], app);
    writeFileSync(join(app, 'smoke.mjs'), `
      import { readFileSync } from 'node:fs';
      import { loadProtocol, ProtocolError } from 'prescreen';
      const pack = readFileSync(${JSON.stringify(join(repoRoot, microneedlingPath))}, 'utf8');
      const protocol = await loadProtocol(pack);
      const good = {
        date_of_birth: '1990-05-17', sex: 'female', treatment_areas: ['face'], indication: 'acne_scars',
        active_cold_sore: false, active_infection: false, active_acne: false, rosacea: 'none',
        eczema_psoriasis: 'none', sunburn_recent: false, skin_cancer_area: false, suspicious_lesion: false,
        recent_scar: false, isotretinoin_current: false, isotretinoin_past: false, topical_retinoid: false,
        topical_steroid_area: false, anticoagulant: false, pregnant: false, breastfeeding: false,
        cold_sore_history: false, keloid_tendency: false, bleeding_disorder: false, diabetes: 'none',
        immunosuppressed: false, chemotherapy_current: false, radiotherapy_area: false, autoimmune_skin: false,
        cardiac_device: false, injectables_recent: false, resurfacing_recent: false,
        stainless_steel_allergy: false, metal_allergy_other: false, anaesthetic_allergy: false,
        skin_type: 'II', pih_history: false, melasma: false, vitiligo_lichen_planus: 'none',
        sarcoidosis_granuloma: false, herpes_other_area: 'none', permanent_filler_area: 'none',
        threads_implants_area: 'none', surgery_area: false, previous_microneedling: false, home_device: false,
        hair_removal_recent: false, self_tan_recent: false, chlorhexidine_allergy: false, latex_allergy: false,
        product_ingredient_allergy: false,
      };
      const eligible = protocol.screen(good, { today: '2026-11-25' });
      const allergic = protocol.screen({ ...good, stainless_steel_allergy: true }, { today: '2026-11-25' });
      let badPack;
      try { await loadProtocol('{"format": "prescreen-protocol/1"'); }
      catch (e) { badPack = { isProtocolError: e instanceof ProtocolError, code: e.code }; }
      console.log(JSON.stringify({ eligible: eligible.outcome, allergic: allergic.outcome, badPack }));
    `);
    const output = execFileSync(process.execPath, ['smoke.mjs'], { cwd: app, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(output), {
      eligible: 'eligible',
      allergic: 'not_eligible',
      badPack: { isProtocolError: true, code: 'malformed_json' },
    });
  });
});
