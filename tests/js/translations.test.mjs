// Translations beside the pack through the WebAssembly package (docs/languages.md): the engine
// merges them at load, refuses an incomplete one with a JSON Pointer per missing text, and keeps
// the pack's digest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { TODAY, eligibleAnswers, microneedlingText, prescreen, protocolError, repoRoot } from './helpers.mjs';

const arabic = () => readFileSync(join(repoRoot, 'protocols/microneedling/translations/ar.json'), 'utf8');

test('loadProtocol(pack, {translations}) gives form() and screen() texts in Arabic, same digest', async () => {
  const plain = await prescreen.loadProtocol(microneedlingText());
  const ar = await prescreen.loadProtocol(microneedlingText(), { translations: [arabic()] });
  const texts = JSON.parse(arabic()).texts;
  try {
    assert.equal(ar.digest, plain.digest);
    const form = ar.form({}, { today: TODAY, locale: 'ar' });
    assert.equal(form.texts.locale, 'ar');
    assert.equal(form.texts.items.date_of_birth.text, texts['/items/date_of_birth/text']);
    assert.deepEqual(form.texts.review, { reviewed: false });
    const result = ar.screen({ ...eligibleAnswers(), stainless_steel_allergy: true }, { today: TODAY, locale: 'ar' });
    assert.equal(result.outcome, 'not_eligible');
    assert.equal(result.findings[0].message, texts['/rules/stainless_steel_allergy/message']);
    // The pack's own locale is untouched.
    assert.equal(ar.form({}, { today: TODAY }).texts.items.date_of_birth.text, 'What is your date of birth?');
  } finally {
    plain.dispose();
    ar.dispose();
  }
});

test('a translation missing a text is refused: missing_translation with the path of the text', async () => {
  const doc = JSON.parse(arabic());
  delete doc.texts['/items/pregnant/text'];
  const error = await protocolError(() => prescreen.loadProtocol(microneedlingText(), { translations: [doc] }));
  const missing = error.diagnostics.filter((d) => d.code === 'missing_translation');
  assert.equal(missing.length, 1);
  const slot = JSON.parse(microneedlingText()).items.findIndex((item) => item.id === 'pregnant');
  assert.equal(missing[0].path, `/items/${slot}/text/ar`);
  assert.match(missing[0].message, /"\/items\/pregnant\/text"/);
  const lint = await prescreen.lintProtocol(microneedlingText(), { translations: [doc] });
  assert.deepEqual(lint.map((d) => d.code), ['missing_translation']);
  await assert.rejects(() => prescreen.loadProtocol(microneedlingText(), { translations: 'ar' }), /array of translation documents/);
});
