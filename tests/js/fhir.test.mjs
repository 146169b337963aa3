// FHIR R4 through the JavaScript API (the lazily loaded dist/prescreen-fhir module): the FHIR
// vectors (tests/vectors/fhir) give exactly the C++ JSON, and bad input rejects with ProtocolError.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { prescreen, repoRoot, sharedFile, TODAY } from './helpers.mjs';

const { loadProtocol, fhir, ProtocolError } = prescreen;

const dir = join(repoRoot, 'tests', 'vectors', 'fhir');
const vectors = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));

const packs = new Map();
async function pack(path) {
  if (!packs.has(path)) packs.set(path, await loadProtocol(readFileSync(join(repoRoot, path), 'utf8')));
  return packs.get(path);
}

async function run(v) {
  try {
    switch (v.operation) {
      case 'fhir_questionnaire':
        return await fhir.questionnaire(await pack(v.protocol), v.locale ? { locale: v.locale } : undefined);
      case 'fhir_questionnaire_response':
        return await fhir.questionnaireResponse(await pack(v.protocol), v.answers,
          { today: v.context.today, ...(v.locale ? { locale: v.locale } : {}) });
      case 'fhir_answers_from_response':
        return await fhir.answersFromResponse(await pack(v.protocol), v.response);
      case 'fhir_import_questionnaire':
        return await fhir.importQuestionnaire(v.resource);
      case 'fhir_consent':
        return await fhir.consent(v.record);
      case 'fhir_provenance':
        return await fhir.provenance(v.record);
      case 'fhir_risk_assessment':
        return await fhir.riskAssessment(v.result);
      default:
        throw new Error(`unknown operation ${v.operation}`);
    }
  } catch (e) {
    if (e instanceof ProtocolError) return { error: { diagnostics: e.diagnostics } };
    throw e;
  }
}

describe('FHIR vectors', () => {
  test('there are FHIR vectors', () => assert.ok(vectors.length >= 12));
  for (const v of vectors) {
    test(v.file, async () => {
      assert.notEqual(v.expected, null, 'run the C++ suite with PRESCREEN_UPDATE_VECTORS=1 first');
      assert.deepStrictEqual(await run(v), v.expected);
    });
  }
});

describe('FHIR API', () => {
  test('an imported sample loads and its response maps back', async () => {
    const resource = readFileSync(sharedFile('fhir-samples/lforms-test-enablewhen.json'), 'utf8');
    const doc = await fhir.importQuestionnaire(resource);
    const p = await loadProtocol(doc);
    const answers = { q_4_1: 'Diabetes', q_4_2: doc.items[1].options[0].value };
    const state = p.form(answers, { today: TODAY });
    assert.deepEqual(state.visible, ['q_4_1', 'q_4_2', 'q_4_5']); // 4.3 hidden ("!=" Diabetes), so 4.5 (not exists)
    const qr = await fhir.questionnaireResponse(p, answers, { today: TODAY });
    assert.deepEqual(qr.item.map((i) => i.linkId), ['4.1', '4.2']);
    assert.deepEqual((await fhir.answersFromResponse(p, qr)).answers, answers);
  });

  test('bad input rejects with ProtocolError and a path', async () => {
    await assert.rejects(fhir.importQuestionnaire({ resourceType: 'Patient' }),
      (e) => e instanceof ProtocolError && e.code === 'fhir_not_a_questionnaire' && e.path === '/resourceType');
    await assert.rejects(fhir.importQuestionnaire('{"resourceType":'), (e) => e instanceof ProtocolError && e.code === 'malformed_json');
    await assert.rejects(fhir.consent({}), (e) => e instanceof ProtocolError && e.code === 'not_a_record');
    await assert.rejects(fhir.questionnaire({}), (e) => e instanceof ProtocolError && e.code === 'wrong_type');
  });
});
