// Screenshots of every view at a 375 px phone and a 1280 px desktop (tests/web/output/, git-ignored),
// no sideways scrolling on the phone, and the printable summary without buttons or site chrome.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, answerQuestionnaire, axeViolations, currentView, fillPage, loadPack, longDate, openForm, outputDir, startSession,
} from './helpers.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function noSidewaysScroll(page, where) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${where}: content ${scroll} px wide in a ${width} px window`);
}

for (const width of [375, 1280]) {
  test(`every view at ${width} px`, async () => {
    const page = await session.context.newPage();
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await openForm(session, { page });
    const shots = [];
    const shoot = async (view) => {
      await noSidewaysScroll(page, view);
      const file = join(outputDir, `${width}px-${String(shots.length + 1).padStart(2, '0')}-${view}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
    };
    await answerQuestionnaire(page, ELIGIBLE, { onView: shoot });
    await page.click('button:has-text("Read the consent information")');
    await shoot('information');
    for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
    await page.click('button:has-text("I have read this")');
    assert.equal(await currentView(page), 'summary');
    await shoot('summary');

    // The printable page: same content, no buttons, no header or footer.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#download-record'), false);
    assert.equal(await page.isVisible('.site-header'), false);
    assert.equal(await page.isVisible('.print-only'), true);
    await page.screenshot({ path: join(outputDir, `${width}px-print-summary.png`), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(await axeViolations(page), []);
    assert.ok(shots.length >= 10, `${shots.length} screenshots`);
    await page.close();
  });
}

for (const [name, outcome, answers] of [
  ['deferred', 'deferred', { ...ELIGIBLE, isotretinoin_past: true, isotretinoin_last_dose: '2026-08-25' }],
  ['not-eligible', 'not_eligible', { ...ELIGIBLE, stainless_steel_allergy: true }],
  ['refer', 'refer', { ...ELIGIBLE, anticoagulant: true }],
  ['deferred-open-ended', 'deferred', { ...ELIGIBLE, active_cold_sore: true }],
  // mn-ref-v2 §4: a dated wait plus an open-ended one gives no headline date; the dated reason shows its own.
  ['deferred-no-headline', 'deferred', { ...ELIGIBLE, pregnant: true, sunburn_recent: true, sunburn_date: '2026-11-20' }],
  ['precautions', 'eligible_with_precautions', { ...ELIGIBLE, cold_sore_history: true }],
]) {
  test(`${name} result at 375 px`, async () => {
    const page = await session.context.newPage();
    await page.setViewportSize({ width: 375, height: 812 });
    await openForm(session, { page });
    await answerQuestionnaire(page, answers);
    assert.equal(await page.getAttribute('#result', 'data-outcome'), outcome);
    if (name === 'deferred-open-ended') {
      // No date can be computed: "until resolved, re-screen".
      assert.equal(await page.getAttribute('#result', 'data-defer-until'), '');
      assert.match(await page.textContent('#result'), /no single date yet/);
    }
    if (name === 'deferred-no-headline') {
      assert.equal(await page.getAttribute('#result', 'data-defer-until'), '');
      const text = await page.textContent('#result');
      assert.match(text, /no single date yet/);
      assert.ok(text.includes(`This reason clears on the date shown.Clears on: ${longDate('2026-12-04')}`), text);
      assert.doesNotMatch(text, /earliest date you could have treatment/);
    }
    await noSidewaysScroll(page, name);
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(outputDir, `375px-result-${name}.png`), fullPage: true });
    await page.close();
  });
}

// Shorter pages: the pack's pages are split by topic, so that no question page is taller than
// 2,500 px on a 375 px phone as first shown, in English or in Arabic (the medical history was
// 3,933 px on one page; now 12 pages, the tallest about 2,400 px).
const PAGE_HEIGHT_LIMIT = 2500;
for (const lang of ['en-GB', 'ar']) {
  test(`${lang}: every question page under ${PAGE_HEIGHT_LIMIT} px at 375 px, every item on one page`, async () => {
    const page = await session.context.newPage();
    await page.setViewportSize({ width: 375, height: 812 });
    await openForm(session, { page, query: `today=2026-11-25&lang=${lang}` });
    await page.click('#welcome-form button[type="submit"]');
    const heights = {};
    const seen = [];
    for (let step = 0; step < 30 && (await currentView(page)) === 'question'; step += 1) {
      const title = await page.textContent('#page-title');
      heights[title] = await page.evaluate(() => document.documentElement.scrollHeight);
      seen.push(...await page.$$eval('#page-form .question[data-item]', (els) => els.map((el) => el.dataset.item)));
      await fillPage(page, ELIGIBLE);
      await page.click('#page-form button[type="submit"]');
    }
    assert.equal(await currentView(page), 'check');
    const pack = loadPack();
    assert.equal(Object.keys(heights).length, pack.pages.length, 'every page of the pack was shown');
    assert.deepEqual(seen, pack.items.map((item) => item.id), 'every item, once, in the pack\'s order');
    const tall = Object.entries(heights).filter(([, height]) => height > PAGE_HEIGHT_LIMIT);
    assert.deepEqual(tall, [], JSON.stringify(heights));
    await page.close();
  });
}

test('no request left 127.0.0.1', () => {
  assert.ok(session.requests.length > 0);
  assert.deepEqual(session.foreign(), []);
});
