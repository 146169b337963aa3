// The patient form in the pack's other languages (docs/languages.md): the welcome page's language
// links, an Arabic journey right to left at 375 px and 1280 px (screenshots in tests/web/output/),
// Polish and Spanish journeys at 1280 px, axe on every view, the "not yet reviewed by a clinician"
// notice in the chosen language and in English, and the page wording complete in every locale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, loadPack, openForm, outputDir, readResult,
  repo, startSession,
} from './helpers.mjs';

const TRANSLATED = ['ar', 'pl', 'es'];
const readJson = (path) => JSON.parse(readFileSync(join(repo, path), 'utf8'));
const words = (tag) => readJson(`web-demo/text/${tag}.json`);
const translation = (tag) => readJson(`protocols/microneedling/translations/${tag}.json`);
const PLURAL = /_(zero|one|two|few|many|other)$/;

let session;
let pack;

before(async () => {
  session = await startSession();
  pack = loadPack();
});

after(async () => {
  await session?.close();
});

// Isotretinoin stopped two months ago: deferred until six months after the last dose (a dated result).
const DEFERRED = { ...ELIGIBLE, isotretinoin_past: true, isotretinoin_last_dose: '2026-09-25' };
const DEFERRED_UNTIL = '2027-03-25';

test('every locale the pack declares has page wording with the keys and placeholders of en-GB', () => {
  const english = words('en-GB');
  assert.deepEqual(Object.keys(pack.translations).filter((k) => !k.startsWith('$')).sort(), [...TRANSLATED].sort());
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const tag of TRANSLATED) {
    const local = words(tag);
    for (const key of Object.keys(english)) {
      if (key.startsWith('$')) continue;
      assert.equal(typeof local[key], 'string', `${tag}.json lacks "${key}"`);
      // A plural form may spell its number out ("يومان", two days); every other text keeps them all.
      if (!PLURAL.test(key)) assert.deepEqual(placeholders(local[key]), placeholders(english[key]), `${tag}.json "${key}" placeholders`);
    }
    for (const key of Object.keys(local)) {
      if (key.startsWith('$') || key in english) continue;
      assert.ok(PLURAL.test(key) && `${key.replace(PLURAL, '')}_other` in english, `${tag}.json has a key en-GB does not: "${key}"`);
    }
    assert.equal(translation(tag).locale, tag);
    assert.equal(pack.translations[tag].reviewed, false, `${tag} is marked as not yet reviewed`);
  }
});

/** axe and a text check on every view of one journey; screenshots at the page's width. */
function auditor(page, name, { screenshots = false } = {}) {
  const seen = [];
  const audit = async (view) => {
    const text = await page.textContent('#view');
    assert.doesNotMatch(text, /undefined|NaN|\[object Object\]|\[[a-z_]+\]/, `${name}/${view}: a value or a missing wording key leaked into the text`);
    assert.deepEqual(await axeViolations(page), [], `axe: serious or critical violations on ${name}/${view}`);
    seen.push(view);
    if (screenshots) await page.screenshot({ path: join(outputDir, `${name}-${view}.png`), fullPage: true });
  };
  audit.seen = seen;
  return audit;
}

async function openIn(tag, width) {
  const page = await session.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  return openForm(session, { page, query: `today=${TODAY}&lang=${tag}` });
}

test('English: the welcome page offers each language by its own name, and no review notice', async () => {
  const page = await openForm(session);
  assert.equal(await page.getAttribute('html', 'lang'), 'en-GB');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  const links = await page.$$eval('#languages a', (els) => els.map((a) => ({ lang: a.lang, text: a.textContent, href: a.getAttribute('href'), current: a.getAttribute('aria-current') })));
  assert.deepEqual(links.map((l) => l.lang), ['en-GB', ...[...TRANSLATED].sort()]);
  assert.equal(links.find((l) => l.lang === 'ar').text, 'العربية');
  assert.equal(links.find((l) => l.lang === 'pl').text, 'polski');
  assert.equal(links.find((l) => l.lang === 'es').text, 'español');
  assert.equal(links.find((l) => l.lang === 'en-GB').current, 'true');
  assert.match(links.find((l) => l.lang === 'ar').href, /[?&]today=2026-11-25/, 'the link keeps the other parameters');
  assert.equal(await page.$('#translation-notice'), null);
  // Following the link reloads the page in Arabic.
  await Promise.all([page.waitForURL(/lang=ar/), page.click('#languages a[lang="ar"]')]);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.close();
});

for (const width of [375, 1280]) {
  test(`Arabic at ${width} px: a whole journey right to left, texts and dates in Arabic`, async () => {
    const ar = translation('ar').texts;
    const arWords = words('ar');
    const page = await openIn('ar', width);
    assert.equal(await page.getAttribute('html', 'lang'), 'ar');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.textContent('h1'), arWords.welcome_title);

    // The review notice, in Arabic and in English.
    const notice = await page.$$eval('#translation-notice p', (els) => els.map((p) => ({ lang: p.lang, text: p.textContent })));
    assert.deepEqual(notice, [{ lang: '', text: arWords.translation_unreviewed }, { lang: 'en-GB', text: arWords.translation_unreviewed_en }]);

    const audit = auditor(page, `ar-${width}`, { screenshots: true });
    const checkPage = async (view) => {
      await audit(view);
      if (view === 'page-1') {
        // The first page in Arabic, mirrored: the question text starts at the right edge and each
        // radio button sits to the right of its label.
        assert.equal(await page.textContent('#page-title'), ar['/pages/about_you/title']);
        assert.ok((await page.textContent('#view')).includes(ar['/items/date_of_birth/text']));
        const geometry = await page.evaluate(() => {
          const radio = document.querySelector('input[name="sex"]');
          const label = document.querySelector(`label[for="${radio.id}"]`);
          const heading = document.querySelector('#page-title');
          const range = document.createRange();
          range.selectNodeContents(heading);
          const text = range.getBoundingClientRect();
          const box = heading.getBoundingClientRect();
          return { radio: radio.getBoundingClientRect().left, label: label.getBoundingClientRect().left,
            textLeft: text.left, textRight: text.right, boxLeft: box.left, boxRight: box.right, direction: getComputedStyle(heading).direction };
        });
        assert.equal(geometry.direction, 'rtl');
        assert.ok(geometry.radio > geometry.label, `radio (${geometry.radio}) right of its label (${geometry.label})`);
        assert.ok(Math.abs(geometry.boxRight - geometry.textRight) < 2, `the heading's text starts at the right edge (${JSON.stringify(geometry)})`);
        assert.ok(geometry.textLeft - geometry.boxLeft > 20, 'and leaves the left of the line empty');
      }
    };
    await audit('welcome');
    await page.click('#welcome-form button[type="submit"]');
    await answerQuestionnaire(page, DEFERRED, { onView: checkPage, started: true });

    const result = await readResult(page);
    assert.equal(result.outcome, 'deferred');
    assert.equal(result.deferUntil, DEFERRED_UNTIL);
    assert.equal(result.headline, arWords.headline_deferred);
    assert.ok(result.text.includes(ar['/rules/isotretinoin_stopped/message']), 'the finding in Arabic');
    // The date in Arabic words, as Intl writes it in this browser (month name in Arabic: مارس).
    const arDate = await page.evaluate((iso) => new Intl.DateTimeFormat('ar', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(`${iso}T00:00:00Z`)), DEFERRED_UNTIL);
    assert.match(arDate, /مارس/);
    assert.ok(result.text.includes(arDate), `the date in words (${arDate}) on the result`);
    // Phone numbers keep their order inside right-to-left text.
    assert.equal(await page.getAttribute('#view a.phone', 'dir'), 'ltr');
    assert.ok(audit.seen.includes('check') && audit.seen.includes('result'));
    await page.close();
  });
}

for (const [tag, outcome] of [['pl', 'eligible'], ['es', 'eligible']]) {
  test(`${tag}: a journey at 1280 px in ${tag}, axe on every view, the review notice`, async () => {
    const local = words(tag);
    const texts = translation(tag).texts;
    const page = await openIn(tag, 1280);
    assert.equal(await page.getAttribute('html', 'lang'), tag);
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    assert.equal(await page.textContent('#translation-notice p:first-child'), local.translation_unreviewed);
    const audit = auditor(page, tag);
    await audit('welcome');
    await page.click('#welcome-form button[type="submit"]');
    await answerQuestionnaire(page, ELIGIBLE, {
      started: true,
      onView: async (view) => {
        await audit(view);
        if (view === 'page-1') assert.equal(await page.textContent('#page-title'), texts['/pages/about_you/title']);
      },
    });
    const result = await readResult(page);
    assert.equal(result.outcome, outcome);
    assert.equal(result.headline, local.headline_eligible);
    await page.click('#result button.button-primary');
    assert.equal(await currentView(page), 'information');
    assert.match(await page.textContent('#view'), new RegExp(texts['/consent/sections/risks/title']));
    assert.match(await page.textContent('#no-signature-now'), new RegExp(local.information_no_signature.slice(0, 20)));
    await audit('information');
    await page.close();
  });
}

test('Arabic: the consent information before the visit and its summary, right to left at 375 and 1280 px', async () => {
  const arWords = words('ar');
  const ar = translation('ar').texts;
  const page = await openIn('ar', 375);
  await page.click('#welcome-form button[type="submit"]');
  await answerQuestionnaire(page, ELIGIBLE, { started: true });
  await page.click('#result button.button-primary');
  assert.equal(await currentView(page), 'information');
  assert.equal(await page.textContent('#no-signature-now'), arWords.information_no_signature);
  assert.ok((await page.textContent('#view')).includes(ar['/consent/sections/risks/title']));
  assert.equal(await page.textContent('#q-acknowledged legend'), arWords.read_legend);
  const audit = auditor(page, 'ar');
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await audit('information');
    await page.screenshot({ path: join(outputDir, `ar-${width}-information.png`), fullPage: true });
  }
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('#information-form button[type="submit"]');
  assert.equal(await currentView(page), 'summary');
  assert.equal(await page.textContent('#summary h1'), arWords.read_title);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await audit('summary');
    await page.screenshot({ path: join(outputDir, `ar-${width}-summary.png`), fullPage: true });
  }
  await page.close();
});

test('a language the pack has no translation for gives the English page', async () => {
  const page = await openForm(session, { query: `today=${TODAY}&lang=fr` });
  assert.equal(await page.getAttribute('html', 'lang'), 'en-GB');
  assert.equal(await page.$('#translation-notice'), null);
  await page.close();
});

test('a date of birth giving an age of 2: "You would be 2 years old: check the year" on Next (and in Polish)', async () => {
  for (const [tag, expected] of [['en-GB', 'You would be 2 years old: check the year'], ['pl', words('pl').date_implausible_age.replace('{age}', '2')]]) {
    const page = await openForm(session, { query: `today=${TODAY}&lang=${tag}` });
    await page.click('#welcome-form button[type="submit"]');
    await page.fill('[name="date_of_birth-day"]', '14');
    await page.fill('[name="date_of_birth-month"]', '5');
    await page.fill('[name="date_of_birth-year"]', '2024');
    // No message while typing; on Next the engine's implausible_age issue, in the page's wording.
    assert.equal(await page.isVisible('#error-summary'), false);
    await page.click('#page-form button[type="submit"]');
    assert.equal(await currentView(page), 'question', 'the page does not move on');
    assert.ok((await page.textContent('#error-summary')).includes(expected), `${tag}: ${await page.textContent('#error-summary')}`);
    assert.ok((await page.textContent('#q-date_of_birth')).includes(expected));
    // Correcting the year moves on.
    await page.fill('[name="date_of_birth-year"]', '1984');
    await page.check('input[name="sex"][value="female"]');
    await page.check('input[name="clinic"][value="margaret_street"]');
    const before = await page.textContent('#page-title');
    await page.click('#page-form button[type="submit"]');
    assert.notEqual(await page.textContent('#page-title'), before);
    await page.close();
  }
});
