// The consent information before the visit on a phone: each section behind a native disclosure
// (<details>/<summary>) with its title and first sentence, so the page is short while closed; the
// sections open by keyboard (Enter, Space), stay open when the patient moves between steps, all open
// with one button, and all print. In en-GB and in Arabic (right to left), at 375 and 1280 px, with
// axe on the closed and the open page; screenshots in tests/web/output/consent-sections-*.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, openForm, outputDir, repo, startSession,
} from './helpers.mjs';

// Closed, the phone page must fit in this (it was 5,482 px with every section written out).
const PHONE_HEIGHT_LIMIT = 2000;
const words = (tag) => JSON.parse(readFileSync(join(repo, `web-demo/text/${tag}.json`), 'utf8'));

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function openInformation(tag, width) {
  const page = await session.context.newPage();
  await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
  await openForm(session, { page, query: `today=${TODAY}&lang=${tag}` });
  await page.click('#welcome-form button[type="submit"]');
  await answerQuestionnaire(page, ELIGIBLE, { started: true });
  await page.click('#result button.button-primary');
  assert.equal(await currentView(page), 'information');
  return page;
}

const pageHeight = (page) => page.evaluate(() => document.documentElement.scrollHeight);
const openSections = (page) => page.$$eval('details.consent-details', (els) => els.filter((d) => d.open).map((d) => d.id));

/** Tab forward until the focused element matches `selector` (at most `limit` presses). */
async function tabTo(page, selector, limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
  }
  throw new Error(`${selector} never took the focus by Tab`);
}

test('en-GB at 375 px: short while closed, sections open by keyboard, kept between steps, all open for print', async () => {
  const en = words('en-GB');
  const page = await openInformation('en-GB', 375);
  const sections = await page.$$eval('details.consent-details', (els) => els.map((d) => ({
    id: d.id, open: d.open, heading: d.querySelector('summary h2')?.textContent, gist: d.querySelector('summary .section-gist')?.textContent,
    bodyVisible: d.querySelector('.section-body').checkVisibility(),
  })));
  assert.ok(sections.length >= 10, `${sections.length} sections`);
  for (const s of sections) {
    assert.equal(s.open, false, `${s.id} starts closed`);
    assert.ok(s.heading && s.gist, `${s.id} has a title and a one-line summary`);
    assert.equal(s.bodyVisible, false);
  }
  // The risks section's summary line is its first sentence, from the engine's text.
  const risks = sections.find((s) => s.id === 'details-risks');
  assert.equal(risks.heading, 'Risks');
  assert.match(risks.gist, /^Expected effects: redness, swelling, tightness and tenderness for 1 to 3 days; pinpoint bleeding; dry or flaking skin for up to a week\.$/);
  // The gist stays on one line.
  const gistHeights = await page.$$eval('.section-gist', (els) => els.map((el) => el.getBoundingClientRect().height));
  const lineHeight = await page.$eval('.section-gist', (el) => parseFloat(getComputedStyle(el).lineHeight));
  assert.ok(gistHeights.every((height) => height <= lineHeight + 1), `one line each (${gistHeights}, line ${lineHeight})`);

  const closedHeight = await pageHeight(page);
  assert.ok(closedHeight < PHONE_HEIGHT_LIMIT, `the closed page is ${closedHeight} px tall at 375 px`);
  assert.equal(await page.textContent('#sections-hint'), en.sections_open_hint);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, 'consent-sections-en-375-closed.png'), fullPage: true });

  // Keyboard only: Tab to the first section's summary, Enter opens it; Tab to the risks, Space opens it.
  await page.focus('h1');
  await tabTo(page, '#details-procedure > summary');
  await page.keyboard.press('Enter');
  assert.deepEqual(await openSections(page), ['details-procedure']);
  assert.equal(await page.isVisible('#details-procedure .section-body'), true);
  assert.equal(await page.isVisible('#details-procedure .section-gist'), false, 'the summary line gives way to the text');
  await tabTo(page, '#details-risks > summary');
  await page.keyboard.press('Space');
  assert.deepEqual(await openSections(page), ['details-procedure', 'details-risks']);
  assert.match(await page.textContent('#details-risks .section-body'), /scarring/);
  // Enter closes it, and opens it again.
  await page.keyboard.press('Enter');
  assert.deepEqual(await openSections(page), ['details-procedure']);
  await page.keyboard.press('Enter');
  assert.deepEqual(await openSections(page), ['details-procedure', 'details-risks']);

  // Back to the result and on again: the same sections are still open.
  await page.goBack();
  assert.equal(await currentView(page), 'result');
  await page.goForward();
  assert.equal(await currentView(page), 'information');
  assert.deepEqual(await openSections(page), ['details-procedure', 'details-risks']);
  await page.click('button:has-text("Back to my result")');
  await page.click('#result button.button-primary');
  assert.deepEqual(await openSections(page), ['details-procedure', 'details-risks']);

  // One button opens them all (and then offers to close them all).
  assert.equal(await page.textContent('#toggle-sections'), en.open_all_sections);
  await page.focus('#toggle-sections');
  await page.keyboard.press('Enter');
  assert.equal((await openSections(page)).length, sections.length);
  assert.equal(await page.textContent('#toggle-sections'), en.close_all_sections);
  const openHeight = await pageHeight(page);
  assert.ok(openHeight > closedHeight + 2000, `every section open: ${openHeight} px (closed ${closedHeight})`);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, 'consent-sections-en-375-open.png'), fullPage: true });
  await page.click('#toggle-sections');
  assert.deepEqual(await openSections(page), []);
  assert.equal(await page.textContent('#toggle-sections'), en.open_all_sections);

  // On paper every section is open (no material risk left off), without the arrows or summary lines.
  await page.emulateMedia({ media: 'print' });
  for (const s of sections) assert.equal(await page.isVisible(`#${s.id} .section-body`), true, `${s.id} prints`);
  assert.equal(await page.isVisible('.section-gist'), false);
  assert.equal(await page.isVisible('#toggle-sections'), false);
  assert.equal(await page.isVisible('#sections-hint'), false);
  // The statements asked at the consultation (each material risk) print too.
  assert.equal(await page.$eval('#at-consultation', (d) => d.open), false);
  assert.match(await page.$eval('#at-consultation', (d) => d.lastElementChild.checkVisibility() ? d.innerText : ''), /scarring/);
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000 && pdf.subarray(0, 5).toString() === '%PDF-');
  await page.emulateMedia({ media: 'screen' });

  // The record of reading is made as before.
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('#information-form button[type="submit"]');
  assert.equal(await currentView(page), 'summary');
  await page.close();
});

test('en-GB at 1280 px and Arabic at 375 and 1280 px: short, mirrored, axe clean, screenshots', async () => {
  const page = await openInformation('en-GB', 1280);
  assert.ok(await pageHeight(page) < PHONE_HEIGHT_LIMIT);
  await page.screenshot({ path: join(outputDir, 'consent-sections-en-1280-closed.png'), fullPage: true });
  await page.close();

  const ar = words('ar');
  const arabic = await openInformation('ar', 375);
  assert.equal(await arabic.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await arabic.textContent('#sections-hint'), ar.sections_open_hint);
  assert.equal(await arabic.textContent('#toggle-sections'), ar.open_all_sections);
  for (const width of [375, 1280]) {
    await arabic.setViewportSize({ width, height: 900 });
    const height = await pageHeight(arabic);
    if (width === 375) assert.ok(height < PHONE_HEIGHT_LIMIT, `Arabic closed page ${height} px at 375 px`);
    // Right to left: the disclosure arrow and the title start at the right.
    const geometry = await arabic.$eval('#details-risks > summary', (summary) => {
      const box = summary.getBoundingClientRect();
      const arrow = getComputedStyle(summary, '::before');
      const title = summary.querySelector('h2');
      const range = document.createRange();
      range.selectNodeContents(title);
      const text = range.getBoundingClientRect();
      return { right: box.right, left: box.left, textRight: text.right, paddingRight: parseFloat(getComputedStyle(summary).paddingRight), arrowInset: arrow.insetInlineStart };
    });
    assert.ok(geometry.paddingRight >= 24, `room for the arrow on the right (${JSON.stringify(geometry)})`);
    assert.ok(geometry.right - geometry.textRight <= geometry.paddingRight + 2 && geometry.right - geometry.textRight >= geometry.paddingRight - 2,
      `the title starts at the right edge, after the arrow (${JSON.stringify(geometry)})`);
    assert.deepEqual(await axeViolations(arabic), [], `axe at ${width} px, closed`);
    await arabic.screenshot({ path: join(outputDir, `consent-sections-ar-${width}-closed.png`), fullPage: true });
  }
  await arabic.keyboard.press('Tab');
  await tabTo(arabic, '#details-risks > summary');
  await arabic.keyboard.press('Enter');
  assert.deepEqual(await openSections(arabic), ['details-risks']);
  assert.deepEqual(await axeViolations(arabic), [], 'axe, one section open');
  await arabic.screenshot({ path: join(outputDir, 'consent-sections-ar-1280-risks-open.png'), fullPage: true });
  await arabic.setViewportSize({ width: 375, height: 812 });
  await arabic.screenshot({ path: join(outputDir, 'consent-sections-ar-375-risks-open.png'), fullPage: true });
  await arabic.close();
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(session.foreign(), []);
});
