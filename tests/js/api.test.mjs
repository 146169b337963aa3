// The JavaScript API of the WebAssembly package, end to end on the micro-needling pack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { TODAY, eligibleAnswers, microneedlingText, prescreen, protocolError } from './helpers.mjs';

const { loadProtocol, verifyConsent, consentStatus, applyLogic, canonicalJson, init, liveProtocols, ProtocolError } =
  prescreen;

// Every acknowledgement the micro-needling consent document requires (finding-specific ones and the
// photograph choices are optional).
const ALL_ACKS = JSON.parse(microneedlingText()).consent.acknowledgements
  .filter((a) => a.required).map((a) => a.id);

describe('WebAssembly package API', () => {
  let protocol;
  before(async () => {
    protocol = await loadProtocol(microneedlingText());
  });
  after(() => protocol.dispose());

  test('init() returns the ready module, the same one every time', async () => {
    const a = await init();
    const b = await init();
    assert.equal(a, b);
    assert.equal(typeof a.screen, 'function');
  });

  test('identity: id, version, digest', () => {
    assert.equal(protocol.id, 'microneedling');
    assert.match(protocol.version, /^\d+\.\d+\.\d+/);
    assert.match(protocol.digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(protocol.toJSON(), { id: protocol.id, version: protocol.version, digest: protocol.digest });
  });

  test('items, rules, parameters, document', () => {
    assert.ok(Array.isArray(protocol.items) && protocol.items.length > 10);
    assert.equal(protocol.items[0].id, 'intro');
    assert.ok(Array.isArray(protocol.rules) && protocol.rules.some((r) => r.id === 'isotretinoin_stopped'));
    assert.equal(typeof protocol.parameters, 'object');
    assert.ok('isotretinoin_washout' in protocol.parameters);
    assert.equal(protocol.document.id, 'microneedling');
    assert.ok(Array.isArray(protocol.document.consent.sections));
    assert.equal(protocol.items, protocol.items, 'cached, not re-parsed on every access');
  });

  test('the same pack text and object load to the same digest', async () => {
    const fromObject = await loadProtocol(JSON.parse(microneedlingText()));
    const fromBytes = await loadProtocol(new TextEncoder().encode(microneedlingText()));
    assert.equal(fromObject.digest, protocol.digest);
    assert.equal(fromBytes.digest, protocol.digest);
    fromObject.dispose();
    fromBytes.dispose();
  });

  test('form(): empty answers show the first page and list missing required items', () => {
    const state = protocol.form({}, { today: TODAY });
    assert.deepEqual(state.protocol, protocol.toJSON());
    assert.ok(state.visible.includes('date_of_birth'));
    assert.ok(!state.visible.includes('isotretinoin_last_dose'), 'hidden until isotretinoin_past is true');
    assert.ok(state.missing_required.includes('date_of_birth'));
    assert.equal(state.complete, false);
    assert.deepEqual(state.issues, []);
  });

  test('form(): enable_when reveals the follow-up question', () => {
    const state = protocol.form({ isotretinoin_current: false, isotretinoin_past: true }, { today: TODAY });
    assert.ok(state.visible.includes('isotretinoin_last_dose'));
    assert.ok(state.missing_required.includes('isotretinoin_last_dose'));
  });

  test('form(): a complete eligible answer set is complete', () => {
    const state = protocol.form(eligibleAnswers(), { today: TODAY });
    assert.deepEqual(state.missing_required, []);
    assert.deepEqual(state.issues, []);
    assert.equal(state.complete, true);
    assert.equal(state.progress.percent, 100);
  });

  test('screen(): eligible', () => {
    const result = protocol.screen(eligibleAnswers(), { today: TODAY });
    assert.equal(result.outcome, 'eligible');
    assert.equal(result.defer_until, null);
    assert.equal(result.today, TODAY);
    assert.equal(result.consent_permitted, true);
    assert.deepEqual(result.findings, []);
  });

  test('screen(): isotretinoin three months ago is deferred to last dose + 6 months', () => {
    const answers = { ...eligibleAnswers(), isotretinoin_past: true, isotretinoin_last_dose: '2026-08-25' };
    const result = protocol.screen(answers, { today: TODAY });
    assert.equal(result.outcome, 'deferred');
    assert.equal(result.defer_until, '2027-02-25');
    const finding = result.findings.find((f) => f.rule === 'isotretinoin_stopped');
    assert.ok(finding, JSON.stringify(result.findings));
    assert.equal(finding.defer_until, '2027-02-25');
    assert.equal(finding.trace.answers.isotretinoin_last_dose, '2026-08-25');
    assert.equal(result.consent_permitted, false);
  });

  test('screen(): overrides change the waiting period', async () => {
    const short = await loadProtocol(microneedlingText(), { overrides: { isotretinoin_washout: 3 } });
    assert.notEqual(short.id, undefined);
    assert.equal(short.overrides.isotretinoin_washout, 3);
    const answers = { ...eligibleAnswers(), isotretinoin_past: true, isotretinoin_last_dose: '2026-08-25' };
    assert.equal(short.screen(answers, { today: TODAY }).outcome, 'eligible');
    short.dispose();
  });

  test('screen(): stainless-steel allergy is not eligible', () => {
    const result = protocol.screen({ ...eligibleAnswers(), stainless_steel_allergy: true }, { today: TODAY });
    assert.equal(result.outcome, 'not_eligible');
    assert.equal(result.defer_until, null);
    assert.equal(result.course, null);
  });

  test('screen(): missing required answers are incomplete', () => {
    assert.equal(protocol.screen({}, { today: TODAY }).outcome, 'incomplete');
  });

  test('screen(): today as a Date means that local calendar day', () => {
    const a = protocol.screen(eligibleAnswers(), { today: TODAY });
    const b = protocol.screen(eligibleAnswers(), { today: new Date(2026, 10, 25, 23, 59) });
    assert.deepEqual(b, a);
  });

  test('consent(): record, verification and status', () => {
    const record = protocol.consent(eligibleAnswers(), {
      acknowledged: ALL_ACKS,
      signature: { name: 'Alex Patient', role: 'patient' },
      countersignature: { name: 'Sam Lee', role: 'nurse' },  // the pack demands it (signature.countersign)
      signedAt: '2026-11-25T10:31:00Z',
      informationShownAt: new Date(Date.UTC(2026, 10, 25, 10, 20, 0)),
      patientReference: 'MS-0001',
      today: TODAY,
    });
    assert.equal(record.record_type, 'prescreen.consent/2');
    assert.deepEqual(record.protocol, protocol.toJSON());
    assert.equal(record.signed_at, '2026-11-25T10:31:00Z');
    assert.equal(record.information_shown_at, '2026-11-25T10:20:00Z');
    assert.equal(record.patient_reference, 'MS-0001');
    assert.match(record.digest, /^[0-9a-f]{64}$/);

    assert.deepEqual(verifyConsent(record), { valid: true, problems: [] });
    assert.deepEqual(verifyConsent(JSON.stringify(record)), { valid: true, problems: [] }, 'JSON text works too');
    const tampered = { ...record, patient_reference: 'someone else' };
    const verdict = verifyConsent(tampered);
    assert.equal(verdict.valid, false);
    assert.ok(verdict.problems.some((p) => p.code === 'digest_mismatch'), JSON.stringify(verdict));

    assert.equal(consentStatus(record, '2026-12-01').status, 'active');
    assert.equal(consentStatus(record, '2030-01-01').status, 'expired');
    assert.equal(consentStatus(tampered, '2026-12-01').status, 'invalid');
    // Withdrawal is an event bound to the record (issue 12; made by the back office, see
    // consent-records.test.mjs); a field written into the record breaks its digest.
    const edited = { ...record, withdrawal: { at: '2026-11-30T09:00:00Z', reason: 'changed my mind' } };
    assert.equal(consentStatus(edited, '2026-12-01').status, 'invalid');
  });

  test('consent(): a seal made here verifies only with the same key', () => {
    const record = protocol.consent(eligibleAnswers(), {
      acknowledged: ALL_ACKS,
      signature: { name: 'Alex Patient', role: 'patient' },
      countersignature: { name: 'Sam Lee', role: 'nurse' },  // the pack demands it (signature.countersign)
      signedAt: '2026-11-25T10:31:00Z',
      informationShownAt: '2026-11-25T10:20:00Z',
      sealKey: 'back-office-key',
      today: TODAY,
    });
    assert.equal(record.seal.algorithm, 'HMAC-SHA-256');
    assert.equal(verifyConsent(record, { sealKey: 'back-office-key' }).valid, true);
    const wrong = verifyConsent(record, { sealKey: 'another key' });
    assert.equal(wrong.valid, false);
    assert.ok(wrong.problems.some((p) => p.code === 'seal_mismatch'));
  });

  test('consent(): refused when the outcome does not permit treatment', async () => {
    const error = await protocolError(() =>
      protocol.consent({ ...eligibleAnswers(), stainless_steel_allergy: true }, {
        acknowledged: ALL_ACKS,
        signature: { name: 'Alex Patient', role: 'patient' },
        signedAt: '2026-11-25T10:31:00Z',
        informationShownAt: '2026-11-25T10:20:00Z',
        today: TODAY,
      }));
    assert.equal(error.code, 'consent_not_permitted');
  });

  test('applyLogic() and canonicalJson()', () => {
    assert.equal(applyLogic({ '+': [1, 2] }), 3);
    assert.equal(applyLogic({ var: 'a.b' }, { a: { b: 'x' } }), 'x');
    assert.deepEqual(applyLogic({ var: 'x' }, { x: { error: 1 } }), { error: 1 }, 'an "error" key in a result is data');
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'é'] }), '{"a":[true,null,"é"],"b":1}');
  });

  test('dispose(): frees the engine copy; later calls throw protocol_disposed', async () => {
    const before = liveProtocols();
    const p = await loadProtocol(microneedlingText());
    assert.equal(liveProtocols(), before + 1);
    p.dispose();
    p.dispose();
    assert.equal(liveProtocols(), before);
    assert.equal(p.disposed, true);
    const error = await protocolError(() => p.screen({}, { today: TODAY }));
    assert.equal(error.code, 'protocol_disposed');
    assert.ok(error instanceof ProtocolError && error instanceof Error);
  });

  test('load/dispose cycles do not grow memory', async () => {
    const module = await init();
    const text = microneedlingText();
    const cycle = async (n) => {
      for (let i = 0; i < n; i++) {
        const p = await loadProtocol(text);
        p.screen(eligibleAnswers(), { today: TODAY });
        p.dispose();
      }
    };
    await cycle(30);
    const warm = module.HEAP8.length;
    await cycle(300);
    assert.equal(module.HEAP8.length, warm, 'the wasm heap grew during load/dispose cycles');
  });
});
