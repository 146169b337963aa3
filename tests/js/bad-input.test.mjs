// Bad input of every kind: a clear ProtocolError or an issue with a path; never a crash, a raw C++
// exception, a hang, or a value silently dropped. The engine must still work afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { TODAY, eligibleAnswers, microneedlingText, prescreen, protocolError } from './helpers.mjs';

const { loadProtocol, lintProtocol, applyLogic, verifyConsent, consentStatus, ProtocolError } = prescreen;

const pack = () => JSON.parse(microneedlingText());
const issueAt = (state, path) => state.issues.find((i) => i.path === path);

describe('bad protocol packs', () => {
  test('malformed JSON text: malformed_json with line and column', async () => {
    const error = await protocolError(() => loadProtocol('{"format": "prescreen-protocol/1",\n  "id": }'));
    assert.equal(error.code, 'malformed_json');
    assert.match(error.diagnostics[0].message, /line 2, column \d+/);
  });

  test('not a pack at all', async () => {
    for (const text of ['null', '[]', '42', '"microneedling"', '{}', '']) {
      const error = await protocolError(() => loadProtocol(text));
      assert.ok(error.diagnostics.length >= 1, text);
    }
    for (const value of [null, 42, undefined, true]) {
      const error = await protocolError(() => loadProtocol(value));
      assert.equal(error.code, 'wrong_type');
    }
  });

  test('several problems are reported at once, each with a path', async () => {
    const bad = pack();
    bad.items[2].id = bad.items[1].id; // duplicate id
    bad.rules[0].when = { '==': [{ var: 'no_such_item' }, true] }; // unknown item in a condition
    bad.rules[1].outcome = 'maybe'; // not an outcome
    const error = await protocolError(() => loadProtocol(bad));
    assert.ok(error.diagnostics.length >= 3, JSON.stringify(error.diagnostics, null, 1));
    const paths = error.diagnostics.map((d) => d.path);
    assert.ok(paths.some((p) => p.startsWith('/items/2')), paths.join(' '));
    assert.ok(paths.some((p) => p.startsWith('/rules/0/when')), paths.join(' '));
    assert.ok(paths.some((p) => p.startsWith('/rules/1/outcome')), paths.join(' '));
    const lint = await lintProtocol(bad);
    assert.deepEqual(lint, error.diagnostics, 'lintProtocol lists the same problems without throwing');
    assert.deepEqual(await lintProtocol(microneedlingText()), []);
  });

  test('a cycle in enable_when and an unknown operation are load errors', async () => {
    const bad = pack();
    const a = bad.items.findIndex((i) => i.id === 'isotretinoin_current');
    bad.items[a].enable_when = { '==': [{ var: 'isotretinoin_past' }, false] };
    bad.rules[2].when = { frobnicate: [1] };
    const error = await protocolError(() => loadProtocol(bad));
    const codes = error.diagnostics.map((d) => d.code);
    assert.ok(codes.includes('enable_when_cycle'), codes.join(' '));
    assert.ok(error.diagnostics.some((d) => d.path.startsWith('/rules/2/when')), JSON.stringify(error.diagnostics));
  });

  test('NaN inside a pack object is reported, not turned into null', async () => {
    const bad = pack();
    bad.parameters.isotretinoin_washout.default = NaN;
    const error = await protocolError(() => loadProtocol(bad));
    assert.ok(error.diagnostics.some((d) => d.path.startsWith('/parameters/isotretinoin_washout')),
      JSON.stringify(error.diagnostics));
  });

  test('bad overrides: unknown, wrong type, out of range, not JSON', async () => {
    const cases = [
      [{ no_such_parameter: 1 }, 'override_unknown_parameter'],
      [{ isotretinoin_washout: 'six' }, 'override_wrong_type'],
      [{ isotretinoin_washout: 99 }, 'override_out_of_range'],
    ];
    for (const [overrides, code] of cases) {
      const error = await protocolError(() => loadProtocol(microneedlingText(), { overrides }));
      assert.ok(error.diagnostics.some((d) => d.code === code), `${code}: ${JSON.stringify(error.diagnostics)}`);
    }
    await protocolError(() => loadProtocol(microneedlingText(), { overrides: '{oops' }));
    await protocolError(() => loadProtocol(microneedlingText(), { overides: {} }));
  });

  test('a pack over the size limit and one nested too deeply', async () => {
    const huge = pack();
    huge.$comment = 'x'.repeat(17 * 1024 * 1024);
    const big = await protocolError(() => loadProtocol(JSON.stringify(huge)));
    assert.equal(big.code, 'document_too_large');
    const deep = await protocolError(() => loadProtocol('['.repeat(100000) + ']'.repeat(100000)));
    assert.equal(deep.code, 'nesting_too_deep');
    const deepObject = { a: null };
    let cursor = deepObject;
    for (let i = 0; i < 20000; i++) cursor = cursor.a = { a: null };
    const deepJs = await protocolError(() => loadProtocol(deepObject));
    assert.equal(deepJs.code, 'nesting_too_deep');
  });
});

describe('bad answers and arguments', () => {
  let protocol;
  before(async () => {
    protocol = await loadProtocol(microneedlingText());
  });
  after(() => protocol.dispose());

  test('unknown item ids are issues, not errors', () => {
    const state = protocol.form({ ...eligibleAnswers(), favourite_colour: 'blue' }, { today: TODAY });
    const issue = issueAt(state, '/favourite_colour');
    assert.equal(issue?.code, 'unknown_item', JSON.stringify(state.issues));
    assert.equal(state.complete, false);
  });

  test('wrong types, options not offered, duplicates', () => {
    const answers = {
      ...eligibleAnswers(),
      pregnant: 'no',
      sex: 'robot',
      treatment_areas: ['face', 'face', 'elbow'],
    };
    const state = protocol.form(answers, { today: TODAY });
    assert.equal(issueAt(state, '/pregnant')?.code, 'wrong_type', JSON.stringify(state.issues));
    assert.equal(issueAt(state, '/sex')?.code, 'not_an_option', JSON.stringify(state.issues));
    assert.ok(state.issues.some((i) => i.path.startsWith('/treatment_areas/')), JSON.stringify(state.issues));
    assert.equal(protocol.screen(answers, { today: TODAY }).outcome, 'incomplete');
  });

  test('impossible and future dates in answers', () => {
    const state = protocol.form({ ...eligibleAnswers(), date_of_birth: '2026-02-30' }, { today: TODAY });
    assert.equal(issueAt(state, '/date_of_birth')?.code, 'impossible_date', JSON.stringify(state.issues));
    const future = protocol.form(
      { ...eligibleAnswers(), isotretinoin_past: true, isotretinoin_last_dose: '2027-01-01' }, { today: TODAY });
    assert.equal(issueAt(future, '/isotretinoin_last_dose')?.code, 'future_date', JSON.stringify(future.issues));
    for (const bad of ['26-11-2026', '2026-13-01', '2026-1-5', '', 20261125]) {
      const s = protocol.form({ ...eligibleAnswers(), date_of_birth: bad }, { today: TODAY });
      assert.ok(issueAt(s, '/date_of_birth'), `${JSON.stringify(bad)}: ${JSON.stringify(s.issues)}`);
    }
  });

  test('NaN and Infinity answers reach the engine and come back as issues', () => {
    for (const value of [NaN, Infinity, -Infinity]) {
      const answers = { ...eligibleAnswers(), date_of_birth: value };
      const state = protocol.form(answers, { today: TODAY });
      assert.ok(issueAt(state, '/date_of_birth'), `${value}: ${JSON.stringify(state.issues)}`);
      assert.ok(state.missing_required.includes('date_of_birth') || !state.complete);
      assert.equal(protocol.screen(answers, { today: TODAY }).outcome, 'incomplete');
    }
    const nested = protocol.form({ ...eligibleAnswers(), treatment_areas: ['face', NaN] }, { today: TODAY });
    assert.ok(nested.issues.some((i) => i.path.startsWith('/treatment_areas')), JSON.stringify(nested.issues));
  });

  test('answers that are not an object', async () => {
    for (const answers of [null, [], 'pregnant', 42, true]) {
      let outcome;
      try {
        outcome = protocol.screen(answers, { today: TODAY }).outcome;
      } catch (error) {
        assert.ok(error instanceof ProtocolError, `${JSON.stringify(answers)}: ${error}`);
        outcome = `error:${error.code}`;
      }
      assert.ok(outcome === 'incomplete' || outcome.startsWith('error:'), `${JSON.stringify(answers)}: ${outcome}`);
    }
  });

  test('values JSON cannot carry: cycles, BigInt, functions', async () => {
    const cyclic = eligibleAnswers();
    cyclic.self = cyclic;
    assert.equal((await protocolError(() => protocol.screen(cyclic, { today: TODAY }))).code, 'not_json');
    assert.equal((await protocolError(() => protocol.screen({ a: 10n }, { today: TODAY }))).code, 'not_json');
    assert.equal((await protocolError(() => protocol.screen(() => 1, { today: TODAY }))).code, 'not_json');
  });

  test('huge and deeply nested answers', async () => {
    const huge = { ...eligibleAnswers(), other_conditions: 'x'.repeat(2 * 1024 * 1024) };
    assert.equal((await protocolError(() => protocol.screen(huge, { today: TODAY }))).code, 'document_too_large');
    let deep = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    assert.equal(
      (await protocolError(() => protocol.form({ ...eligibleAnswers(), other_conditions: deep }, { today: TODAY }))).code,
      'nesting_too_deep');
    const many = eligibleAnswers();
    for (let i = 0; i < 5000; i++) many[`extra_${i}`] = i;
    const state = protocol.form(many, { today: TODAY });
    assert.equal(state.issues.filter((i) => i.code === 'unknown_item').length, 5000, 'nothing silently dropped');
  });

  test('long text and odd Unicode in answers', () => {
    const state = protocol.form(
      { ...eligibleAnswers(), other_conditions: 'naïve café — 日本語 🙂 \u0000 "quotes" \\ back' }, { today: TODAY });
    assert.ok(!state.issues.some((i) => i.path === '/other_conditions'), JSON.stringify(state.issues));
  });

  test('bad today: impossible, malformed, wrong type', async () => {
    for (const today of ['2026-02-30', 'yesterday', '2026-11-25T10:00:00Z', '']) {
      const error = await protocolError(() => protocol.screen(eligibleAnswers(), { today }));
      assert.ok(error.code.length > 0, today);
    }
    assert.equal((await protocolError(() => protocol.screen({}, { today: 20261125 }))).code, 'wrong_type');
    assert.equal((await protocolError(() => protocol.screen({}, { today: new Date(NaN) }))).code, 'invalid_date');
  });

  test('unknown and misspelt options', async () => {
    assert.equal((await protocolError(() => protocol.screen({}, { todya: TODAY }))).code, 'unknown_option');
    const error = await protocolError(() => protocol.consent(eligibleAnswers(), { signed_at: '2026-11-25T10:31:00Z' }));
    assert.equal(error.code, 'unknown_option');
    assert.equal((await protocolError(() => protocol.form({}, 'today'))).code, 'wrong_type');
  });

  test('bad consent requests', async () => {
    const base = {
      acknowledged: ['read_information'],
      signature: { name: 'Alex Patient', role: 'patient' },
      signedAt: '2026-11-25T10:31:00Z',
      informationShownAt: '2026-11-25T10:20:00Z',
      today: TODAY,
    };
    await protocolError(() => protocol.consent(eligibleAnswers(), { ...base, acknowledged: 'all' }));
    await protocolError(() => protocol.consent(eligibleAnswers(), { ...base, acknowledged: [1, 2] }));
    await protocolError(() => protocol.consent(eligibleAnswers(), { ...base, signedAt: 1234 }));
    await protocolError(() => protocol.consent(eligibleAnswers(), { ...base, signedAt: new Date(NaN) }));
  });
});

describe('bad records and rules', () => {
  before(() => prescreen.init());

  test('verifyConsent: not a record, malformed text, NaN', async () => {
    for (const record of [{}, [], null, 'null', { record_type: 'prescreen.consent/1' }]) {
      const verdict = verifyConsent(record);
      assert.equal(verdict.valid, false, JSON.stringify(record));
      assert.ok(verdict.problems.length >= 1);
    }
    assert.equal((await protocolError(() => verifyConsent('{"record_type":'))).code, 'malformed_json');
    const verdict = verifyConsent({ record_type: 'prescreen.consent/1', digest: NaN });
    assert.equal(verdict.valid, false);
  });

  test('consentStatus: bad at, bad later records', async () => {
    assert.equal(consentStatus({}, '2026-12-01').status, 'invalid');
    await protocolError(() => consentStatus({}, 42));
    await protocolError(() => consentStatus({}, '2026-12-01', 'not a list'));
  });

  test('applyLogic: unknown operation, too deep, NaN in and out', async () => {
    await protocolError(() => applyLogic({ frobnicate: [1, 2] }));
    let rule = { var: 'x' };
    for (let i = 0; i < 1000; i++) rule = { '!': [rule] };
    await protocolError(() => applyLogic(rule));
    const nan = applyLogic({ '+': [{ var: 'x' }, 1] }, { x: NaN });
    assert.ok(Number.isNaN(nan) || nan === null, `NaN + 1 gave ${nan}`);
  });

  test('the engine still works after all of the above', async () => {
    const protocol = await loadProtocol(microneedlingText());
    assert.equal(protocol.screen(eligibleAnswers(), { today: TODAY }).outcome, 'eligible');
    protocol.dispose();
  });
});
