// The micro-needling patient vignettes (protocols/microneedling/cases.json) through the WebAssembly engine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { microneedlingText, prescreen, repoRoot } from './helpers.mjs';

const { cases } = JSON.parse(readFileSync(join(repoRoot, 'protocols/microneedling/cases.json'), 'utf8'));

describe('micro-needling vignettes in WebAssembly', () => {
  const protocols = new Map(); // overrides JSON -> Protocol
  let text;
  before(() => {
    text = microneedlingText();
  });
  after(() => {
    for (const p of protocols.values()) p.dispose();
  });
  async function protocolFor(overrides) {
    const key = JSON.stringify(overrides ?? {});
    if (!protocols.has(key)) protocols.set(key, await prescreen.loadProtocol(text, { overrides: overrides ?? {} }));
    return protocols.get(key);
  }

  for (const c of cases) {
    test(`${c.id}: ${c.expected.outcome}`, async () => {
      const protocol = await protocolFor(c.overrides);
      const result = protocol.screen(c.answers, { today: c.today });
      const e = c.expected;
      assert.equal(result.outcome, e.outcome, c.description);
      assert.equal(result.defer_until, e.defer_until, c.description);
      assert.deepEqual(result.findings.map((f) => f.rule), e.findings, c.description);
      for (const [rule, date] of Object.entries(e.finding_dates ?? {}))
        assert.equal(result.findings.find((f) => f.rule === rule)?.defer_until, date, `${rule}: its own date`);
      if ('course_plan' in e) assert.equal(result.course?.plan ?? null, e.course_plan, c.description);
      const aftercare = new Set(result.aftercare.map((a) => a.id));
      for (const id of e.aftercare_includes ?? []) assert.ok(aftercare.has(id), `aftercare should include ${id}`);
      for (const id of e.aftercare_excludes ?? []) assert.ok(!aftercare.has(id), `aftercare should exclude ${id}`);
    });
  }
});
