// Shared set-up for the WebAssembly package tests (not a test file itself).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const wasmDir = join(repoRoot, 'wasm');

if (!existsSync(join(wasmDir, 'dist', 'prescreen.wasm')) || !existsSync(join(wasmDir, 'dist', 'prescreen.js'))) {
  throw new Error('wasm/dist/prescreen.{js,wasm} are missing: run `make wasm` first');
}

// The package under test, imported the way a user would (through its entry point).
export const prescreen = await import(join(wasmDir, 'index.js'));

export const microneedlingPath = 'protocols/microneedling/protocol.json';
export const microneedlingText = () => readFileSync(join(repoRoot, microneedlingPath), 'utf8');

/** Third-party conformance data lives outside the repository: ../shared next to it, else /work/shared. */
export function sharedFile(relative) {
  for (const base of [join(repoRoot, '..', 'shared'), '/work/shared']) {
    const candidate = join(base, relative);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative} not found in ../shared or /work/shared`);
}

export const TODAY = '2026-11-25';

/** A complete micro-needling answer set with nothing to find: outcome `eligible`. */
export function eligibleAnswers() {
  return {
    date_of_birth: '1990-05-17',
    sex: 'female',
    clinic: 'margaret_street',
    treatment_areas: ['face'],
    indication: 'acne_scars',
    active_cold_sore: false,
    active_infection: false,
    active_acne: false,
    rosacea: 'none',
    eczema_psoriasis: 'none',
    sunburn_recent: false,
    skin_cancer_area: false,
    suspicious_lesion: false,
    recent_scar: false,
    isotretinoin_current: false,
    isotretinoin_past: false,
    topical_retinoid: false,
    topical_steroid_area: false,
    anticoagulant: false,
    pregnant: false,
    breastfeeding: false,
    cold_sore_history: false,
    keloid_tendency: false,
    bleeding_disorder: false,
    diabetes: 'none',
    immunosuppressed: false,
    chemotherapy_current: false,
    radiotherapy_area: false,
    autoimmune_skin: false,
    cardiac_device: false,
    injectables_recent: false,
    resurfacing_recent: false,
    stainless_steel_allergy: false,
    metal_allergy_other: false,
    anaesthetic_allergy: false,
    // Pack 2.0.0 (mn-ref-v2): the new questions, each with its 'nothing to report' answer.
    skin_type: 'II',
    pih_history: false,
    melasma: false,
    vitiligo_lichen_planus: 'none',
    sarcoidosis_granuloma: false,
    herpes_other_area: 'none',
    permanent_filler_area: 'none',
    threads_implants_area: 'none',
    surgery_area: false,
    previous_microneedling: false,
    home_device: false,
    hair_removal_recent: false,
    self_tan_recent: false,
    chlorhexidine_allergy: false,
    latex_allergy: false,
    product_ingredient_allergy: false,
  };
}

/** Asserts that `fn` throws a ProtocolError (sync or async) and returns it. */
export async function protocolError(fn) {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof prescreen.ProtocolError)) {
      throw new Error(`expected a ProtocolError, got ${error?.constructor?.name}: ${error?.message}`, { cause: error });
    }
    if (typeof error.code !== 'string' || !Array.isArray(error.diagnostics) || error.diagnostics.length === 0) {
      throw new Error(`ProtocolError without code or diagnostics: ${JSON.stringify(error)}`);
    }
    for (const d of error.diagnostics) {
      if (typeof d.code !== 'string' || typeof d.path !== 'string' || typeof d.message !== 'string') {
        throw new Error(`malformed diagnostic ${JSON.stringify(d)}`);
      }
    }
    return error;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}
