// The official JsonLogic suite (jsonlogic.com/tests.json), read at test time from ../shared, never copied.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import { prescreen, sharedFile } from './helpers.mjs';

const suite = JSON.parse(readFileSync(sharedFile('conformance/jsonlogic/tests.json'), 'utf8'));

// Group the [rule, data, expected] cases under the suite's "# section" comments.
const sections = [];
for (const entry of suite) {
  if (typeof entry === 'string') sections.push({ title: entry.replace(/^#\s*/, ''), cases: [] });
  else {
    if (sections.length === 0) sections.push({ title: 'untitled', cases: [] });
    sections.at(-1).cases.push(entry);
  }
}

describe('JsonLogic conformance (official tests.json)', () => {
  before(() => prescreen.init());

  test('the suite has its 277 cases', () => {
    assert.equal(sections.reduce((n, s) => n + s.cases.length, 0), 277);
  });

  for (const section of sections) {
    describe(section.title, () => {
      section.cases.forEach(([rule, data, expected], i) => {
        test(`${i + 1}: ${JSON.stringify(rule)} with ${JSON.stringify(data)}`.slice(0, 200), () => {
          assert.deepStrictEqual(prescreen.applyLogic(rule, data), expected);
        });
      });
    });
  }
});
