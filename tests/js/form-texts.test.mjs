// form(answers, {texts: false}) and texts({locale}) through the WebAssembly package: the page fetches
// the wording once and asks for the questionnaire state alone on every keystroke, so the two must
// give what form() with texts gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { TODAY, eligibleAnswers, microneedlingText, prescreen, protocolError, repoRoot } from './helpers.mjs';

const arabic = () => readFileSync(join(repoRoot, 'protocols/microneedling/translations/ar.json'), 'utf8');

test('form({texts: false}) is form() less its texts; texts() holds every visible text', async () => {
  const p = await prescreen.loadProtocol(microneedlingText(), { translations: [arabic()] });
  try {
    const answers = eligibleAnswers();
    const keys = Object.keys(answers);
    for (const locale of ['en-GB', 'ar']) {
      const every = p.texts({ locale });
      assert.equal(every.locale, locale);
      assert.equal(Object.keys(every.items).length, p.items.length);
      assert.ok(every.consent.acknowledgements.length > 0);
      for (let n = 0; n <= keys.length; n += 5) {
        const partial = Object.fromEntries(keys.slice(0, n).map((k) => [k, answers[k]]));
        const { texts, ...state } = p.form(partial, { today: TODAY, locale });
        assert.deepEqual(p.form(partial, { today: TODAY, locale, texts: false }), state);
        for (const [id, text] of Object.entries(texts.items)) assert.deepEqual(every.items[id], text, id);
        for (const [id, text] of Object.entries(texts.pages)) assert.deepEqual(every.pages[id], text, id);
        if (texts.consent) assert.deepEqual(every.consent, texts.consent);
      }
    }
  } finally {
    p.dispose();
  }
});

test('texts() refuses a locale without texts; texts must be a boolean', async () => {
  const p = await prescreen.loadProtocol(microneedlingText());
  try {
    const e = await protocolError(() => p.texts({ locale: 'cy' }));
    assert.equal(e.code, 'unknown_locale');
    assert.equal(e.path, '/locale');
    const bad = await protocolError(() => p.form({}, { today: TODAY, texts: 'no' }));
    assert.equal(bad.code, 'wrong_type');
    assert.equal(bad.path, '/texts');
    const unknown = await protocolError(() => p.texts({ today: TODAY }));
    assert.equal(unknown.code, 'unknown_option');
  } finally {
    p.dispose();
  }
});
