// Personalised, two-step consent through the WebAssembly package (docs/consent.md;
// CONTRAINDICATIONS-v2 §6): consentDocument() lists what applies to this patient, with its stage;
// informationRecord() and consent() record the language the patient read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { TODAY, eligibleAnswers, microneedlingText, prescreen, repoRoot } from './helpers.mjs';

const { loadProtocol, verifyConsent, ProtocolError } = prescreen;

function refusal(fn) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { code: error.code, path: error.path, message: error.message };
  }
  return null;
}

const ids = (doc) => doc.acknowledgements.map((a) => a.id);
const required = (doc) => doc.acknowledgements.filter((a) => a.required).map((a) => a.id);
const SIGNING = {
  signature: { name: 'Alex Patient', role: 'patient' }, signedAt: '2026-11-25T10:31:00Z',
  informationShownAt: '2026-11-25T10:20:00Z', today: TODAY,
  countersignature: { name: 'Sam Lee', role: 'nurse', register: 'NMC', registration_number: '12A3456B' },
};

describe('personalised consent (WebAssembly)', () => {
  let protocol;
  before(async () => {
    protocol = await loadProtocol(microneedlingText());
  });
  after(() => protocol.dispose());

  test('consentDocument: a keloid patient meets keloid and override acknowledgements, a plain one neither', () => {
    const plain = protocol.consentDocument(eligibleAnswers(), { today: TODAY });
    const keloid = protocol.consentDocument({ ...eligibleAnswers(), keloid_tendency: true }, { today: TODAY });
    assert.equal(plain.outcome, 'eligible');
    assert.equal(keloid.outcome, 'refer');
    assert.deepEqual(ids(keloid).filter((id) => !ids(plain).includes(id)), ['finding_keloid', 'finding_override']);
    assert.deepEqual(ids(plain).filter((id) => id.startsWith('finding_')), []);
    assert.deepEqual(plain.acknowledgements.slice(0, 3).map((a) => a.stage), ['pre_visit', 'pre_visit', 'consultation']);
    assert.equal(plain.locale, 'en-GB');
    assert.ok(!plain.sections.some((s) => s.id === 'your_situation'));
  });

  test('consent: the finding-specific acknowledgement is required when it applies', () => {
    const answers = { ...eligibleAnswers(), skin_type: 'V' };
    const doc = protocol.consentDocument(answers, { today: TODAY });
    assert.ok(required(doc).includes('finding_pih'));
    const missing = refusal(() => protocol.consent(answers, { ...SIGNING, acknowledged: required(doc).filter((id) => id !== 'finding_pih') }));
    assert.deepEqual([missing.code, missing.path], ['missing_acknowledgement', '/acknowledged']);
    assert.match(missing.message, /finding_pih/);
    const record = protocol.consent(answers, { ...SIGNING, acknowledged: required(doc) });
    assert.deepEqual(record.required_acknowledgements, required(doc));
    assert.equal(record.locale, 'en-GB');
    assert.equal(verifyConsent(record).valid, true);
  });

  test('informationRecord: pre_visit acknowledgements only, the locale recorded and checked', () => {
    const request = { acknowledged: ['read_information', 'answers_accurate'], informationShownAt: '2026-11-20T18:00:00Z',
      readAt: '2026-11-20T18:12:00Z', patientReference: 'MN-0042', today: TODAY };
    const info = protocol.informationRecord(request);
    assert.equal(info.record_type, 'prescreen.consent-information/1');
    assert.equal(info.locale, 'en-GB');
    assert.deepEqual(info.required_acknowledgements, ['read_information', 'answers_accurate']);
    const early = refusal(() => protocol.informationRecord({ ...request, acknowledged: [...request.acknowledged, 'questions_answered'] }));
    assert.deepEqual([early.code, early.path], ['acknowledgement_not_pre_visit', '/acknowledged/2']);
    const locale = refusal(() => protocol.informationRecord({ ...request, locale: 'de-DE' }));
    assert.deepEqual([locale.code, locale.path], ['unknown_locale', '/locale']);
    const documentLocale = refusal(() => protocol.consentDocument(eligibleAnswers(), { today: TODAY, locale: 'de-DE' }));
    assert.deepEqual([documentLocale.code, documentLocale.path], ['unknown_locale', '/locale']);
    assert.equal(refusal(() => protocol.informationRecord({ ...request, redAt: 'x' })).code, 'unknown_option');
    // The pre-visit record counts at signing: the two pre_visit ids need not be ticked again.
    const doc = protocol.consentDocument(eligibleAnswers(), { today: TODAY });
    const atSigning = required(doc).filter((a) => !['read_information', 'answers_accurate'].includes(a));
    const record = protocol.consent(eligibleAnswers(), { ...SIGNING, acknowledged: atSigning, informationRecord: info,
      patientReference: 'MN-0042' });
    assert.equal(record.information_record, info.digest);
  });

  test('consent: the device and products named, inside the digest', () => {
    const doc = protocol.consentDocument(eligibleAnswers(), { today: TODAY });
    const procedure = { device_model: 'Dermapen 4', device_cartridge_lot: 'LOT 24-117' };
    const record = protocol.consent(eligibleAnswers(), { ...SIGNING, acknowledged: required(doc), procedure });
    assert.deepEqual(record.procedure, { ...procedure, needle_depth_range: null, topical_products: null });
    assert.equal(verifyConsent({ ...record, procedure: { ...record.procedure, device_model: 'Dermapen 3' } }).problems[0].code,
      'digest_mismatch');
    const bad = refusal(() => protocol.consent(eligibleAnswers(), { ...SIGNING, acknowledged: required(doc), procedure: { depth: '1 mm' } }));
    assert.deepEqual([bad.code, bad.path], ['unknown_field', '/procedure/depth']);
  });

  test('consent: the pack demands the countersignature of the practitioner taking consent', () => {
    const doc = protocol.consentDocument(eligibleAnswers(), { today: TODAY });
    const { countersignature, ...unsigned } = SIGNING;
    const missing = refusal(() => protocol.consent(eligibleAnswers(), { ...unsigned, acknowledged: required(doc) }));
    assert.deepEqual([missing.code, missing.path], ['missing_countersignature', '/countersignature']);
    const partial = refusal(() => protocol.consent(eligibleAnswers(), { ...unsigned, acknowledged: required(doc),
      countersignature: { name: 'Sam Lee' } }));
    assert.deepEqual([partial.code, partial.path], ['override_incomplete', '/countersignature/role']);
    const record = protocol.consent(eligibleAnswers(), { ...SIGNING, acknowledged: required(doc) });
    assert.deepEqual(record.countersignature, countersignature);
  });

  test('consent: an acknowledgement about an override is required when an override is given, whatever the outcome', async () => {
    // The small clinic's override_explained as `with_override`; its precaution sore_history may be overridden.
    const pack = JSON.parse(readFileSync(join(repoRoot, 'tests/vectors/packs/small-clinic-personal.json'), 'utf8'));
    const ack = pack.consent.acknowledgements.find((a) => a.id === 'override_explained');
    delete ack.when;
    ack.with_override = true;
    const small = await loadProtocol(pack);
    try {
      const sore = { date_of_birth: '1990-05-15', sex: 'female', areas: ['face'], pregnant: false, drug_current: false,
        drug_past: false, cream: false, steel_allergy: false, blood_thinner: false, cold_sores: 'history' };
      assert.ok(!ids(small.consentDocument({ ...sore, cold_sores: 'never' }, { today: TODAY })).includes('override_explained'));
      const doc = small.consentDocument(sore, { today: TODAY });
      assert.equal(doc.outcome, 'eligible_with_precautions');
      assert.ok(ids(doc).includes('override_explained'));
      const ticked = ['read_information', 'risk_redness', 'risk_infection', 'sore_risk'];
      const plain = small.consent(sore, { ...SIGNING, acknowledged: ticked });
      assert.ok(!plain.required_acknowledgements.includes('override_explained'), 'no override given: not required');
      const practitionerOverride = { finding: 'sore_history', name: 'Dr Lee', role: 'doctor', register: 'GMC',
        registration_number: '1234567', reason: 'Antiviral prescribed.', patient_informed: true };
      const missing = refusal(() => small.consent(sore, { ...SIGNING, acknowledged: ticked, practitionerOverride }));
      assert.deepEqual([missing.code, missing.path, missing.message],
        ['missing_acknowledgement', '/acknowledged', 'not acknowledged: override_explained']);
      const record = small.consent(sore, { ...SIGNING, acknowledged: [...ticked, 'override_explained'], practitionerOverride });
      assert.equal(record.required_acknowledgements.at(-1), 'override_explained');
      assert.equal(record.overrides[0].finding, 'sore_history');
    } finally {
      small.dispose();
    }
  });
});
