// applyLogic's dialect option and the evaluation budget, through the WebAssembly module.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { prescreen } from './helpers.mjs';

before(() => prescreen.init());

test('core dialect: variadic arithmetic, chained comparisons, NaN as an error type', () => {
  assert.equal(prescreen.applyLogic({ '/': [8, 2, 2] }), 4);
  assert.equal(prescreen.applyLogic({ '/': [8, 2, 2] }, null, { dialect: 'core' }), 2);
  assert.equal(prescreen.applyLogic({ '<': [1, 2, 3, 4] }, null, { dialect: 'core' }), true);
  assert.equal(prescreen.applyLogic({ try: [{ '/': [1, 0] }, { val: 'type' }] }, null, { dialect: 'core' }), 'NaN');
  assert.throws(() => prescreen.applyLogic({ '+': ['Hey', 1] }, null, { dialect: 'core' }),
    (e) => e instanceof prescreen.ProtocolError && e.diagnostics[0].code === 'not_a_number');
});

test('an unknown dialect is refused', () => {
  assert.throws(() => prescreen.applyLogic({ '+': [1] }, null, { dialect: 'jsonlogic' }), (e) => e.code === 'unknown_dialect');
  assert.throws(() => prescreen.applyLogic({ '+': [1] }, null, { dialect: 7 }), TypeError);
});

test('evaluation budget: merge doubling stops with evaluation_budget_exceeded', () => {
  const rule = { reduce: [{ var: 'a' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] };
  assert.throws(() => prescreen.applyLogic(rule, { a: Array.from({ length: 60 }, (_, i) => i) }),
    (e) => e instanceof prescreen.ProtocolError && e.diagnostics[0].code === 'evaluation_budget_exceeded');
});
