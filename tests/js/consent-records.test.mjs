// Consent records that cannot be forged, through the WebAssembly package (issue 12; docs/consent.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { prescreen, repoRoot } from './helpers.mjs';

const { loadProtocol, verifyConsent, consentStatus, canonicalJson, applyLogic, ProtocolError } = prescreen;

// Events are made by the back office (C++/Python); the shared vectors hold ones the C++ engine made.
const vector = (name) => JSON.parse(readFileSync(join(repoRoot, 'tests/vectors', name), 'utf8'));
const WITHDRAWN = vector('098-consent-status-withdrawn-sealed.json');

const KEY = 'back-office-key';
const TODAY = '2026-11-25';
const packText = readFileSync(join(repoRoot, 'tests/vectors/packs/small-clinic.json'), 'utf8');
const BASE = {
  date_of_birth: '1990-05-15', sex: 'female', areas: ['face'], pregnant: false, drug_current: false, drug_past: false,
  cream: false, steel_allergy: false, blood_thinner: false, cold_sores: 'never',
};
const REQUEST = {
  acknowledged: ['risk_redness', 'risk_infection'], signature: { name: 'Alex Patient', role: 'patient' },
  signedAt: '2026-11-25T10:31:00Z', informationShownAt: '2026-11-25T10:20:00Z', patientReference: 'P-0001',
  today: TODAY,
};

function codeOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${error}`);
    return error.code;
  }
  return '(no error)';
}

describe('consent records that cannot be forged (WebAssembly)', () => {
  let p;
  let sealed;
  before(async () => {
    p = await loadProtocol(packText);
    sealed = p.consent(BASE, { ...REQUEST, sealKey: KEY });
  });
  after(() => p.dispose());

  test('every single-bit change of a sealed record fails verification', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(sealed));
    assert.equal(verifyConsent(new TextDecoder().decode(bytes), { sealKey: KEY }).valid, true);
    let checked = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const mutated = bytes.slice();
        mutated[i] ^= 1 << bit;
        // fatal: a flip that breaks UTF-8 must not be repaired into U+FFFD by the decoder.
        let text;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(mutated);
        } catch {
          continue;
        }
        let verdict;
        try {
          verdict = verifyConsent(text, { sealKey: KEY });
        } catch (error) {
          assert.ok(error instanceof ProtocolError);
          continue;
        }
        assert.equal(verdict.valid, false, `byte ${i} bit ${bit}`);
        checked += 1;
      }
    }
    assert.ok(checked > bytes.length, `${checked} flips verified`);
  });

  test('empty or blank keys are refused in every entry point', () => {
    for (const blank of ['', ' ', '\t\n']) {
      assert.equal(codeOf(() => verifyConsent(sealed, { sealKey: blank })), 'empty_seal_key');
      assert.equal(codeOf(() => consentStatus(sealed, '2026-12-01', [], { sealKey: blank })), 'empty_seal_key');
      assert.equal(codeOf(() => p.consent(BASE, { ...REQUEST, sealKey: blank })), 'empty_seal_key');
    }
  });

  test('withdrawal and supersession forgeries are refused with a key', () => {
    const record = WITHDRAWN.record;
    const [event] = WITHDRAWN.events;
    assert.equal(consentStatus(record, '2026-12-02', [event], { sealKey: KEY }).status, 'withdrawn');
    assert.equal(consentStatus(record, '2026-12-02', [], { sealKey: KEY }).status, 'active');
    const moved = { ...event, at: '2099-01-01T00:00:00Z' };
    const s1 = consentStatus(record, '2026-12-02', [moved], { sealKey: KEY });
    assert.equal(s1.status, 'active');
    assert.equal(s1.problems[0].path, '/events/0/digest');
    const { seal, ...unsealed } = event;
    assert.ok(seal);
    assert.equal(consentStatus(record, '2026-12-02', [unsealed], { sealKey: KEY }).problems[0].code, 'seal_missing');
    assert.equal(consentStatus(record, '2026-12-02', [event], { sealKey: 'another-key' }).status, 'invalid');
    // An unsealed later record with its own digest supersedes only where no key is used.
    const later = p.consent(BASE, { ...REQUEST, signedAt: '2026-12-10T10:00:00Z', informationShownAt: '2026-12-10T09:00:00Z', today: '2026-12-10' });
    assert.equal(consentStatus(sealed, '2026-12-11', [later]).status, 'superseded');
    const s2 = consentStatus(sealed, '2026-12-11', [later], { sealKey: KEY });
    assert.equal(s2.status, 'active');
    assert.equal(s2.problems[0].code, 'seal_missing');
    const sealedLater = p.consent(BASE, { ...REQUEST, signedAt: '2026-12-10T10:00:00Z', informationShownAt: '2026-12-10T09:00:00Z', today: '2026-12-10', sealKey: KEY });
    assert.equal(consentStatus(sealed, '2026-12-11', [sealedLater], { sealKey: KEY }).status, 'superseded');
  });

  test('duplicate-key forgery: refused by the one strict reader', () => {
    const forged = `{"signer": {"name": "Someone Else", "role": "patient"}, ${JSON.stringify(sealed).slice(1)}`;
    assert.equal(codeOf(() => verifyConsent(forged, { sealKey: KEY })), 'duplicate_key');
  });

  test('U+FDD0 strings stay strings: no collision with NaN or null', () => {
    for (const s of ['\uFDD0NaN', '\uFDD0Infinity', '\uFDD0-Infinity', '\uFDD0', '\uFDD0\uFDD0NaN']) {
      assert.notEqual(canonicalJson({ a: s }), canonicalJson({ a: null }));
      assert.equal(JSON.parse(canonicalJson({ a: s })).a, s);
      // Together with a real NaN (the encoded path) the string still survives.
      assert.deepEqual(applyLogic({ var: 'a' }, { a: s, b: NaN }), s);
      assert.deepEqual(applyLogic({ cat: [{ var: 'a' }] }, { a: s }), s);
    }
    const named = p.consent(BASE, { ...REQUEST, signature: { name: '\uFDD0NaN Patient' } });
    assert.equal(named.signer.name, '\uFDD0NaN Patient');
    assert.equal(verifyConsent(named).valid, true);
    assert.equal(verifyConsent(JSON.stringify(named)).valid, true);
    assert.equal(codeOf(() => verifyConsent('\uFDD0{}')), 'malformed_json');
  });

  test('0.0 verifies as in C++ and Python; canonical JSON writes it as 0', () => {
    const text = JSON.stringify(sealed).replace('"amount":1', '"amount":1.0');
    assert.ok(text.includes('"amount":1.0'));
    assert.equal(verifyConsent(text, { sealKey: KEY }).valid, true);
    assert.equal(canonicalJson(JSON.parse('{"a": 0.0}')), '{"a":0}');
  });

  test('a forbidden override is refused', () => {
    const override = {
      finding: 'steel', name: 'Dr Lee', role: 'doctor', register: 'GMC', registration_number: '1234567',
      reason: 'x', patient_informed: true,
    };
    assert.equal(codeOf(() => p.consent({ ...BASE, steel_allergy: true }, { ...REQUEST, practitionerOverride: override })),
      'override_not_allowed');
    const record = p.consent({ ...BASE, blood_thinner: true }, { ...REQUEST, practitionerOverride: { ...override, finding: 'thinner' } });
    assert.equal(record.overrides[0].registration_number, '1234567');
  });
});
