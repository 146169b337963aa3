// The whole journey — welcome, every questionnaire page, result, consent information, download —
// by keyboard alone: Tab / Shift+Tab to move, Space and arrow keys for radios and checkboxes,
// typing for dates and text, Enter for buttons and the download link. No mouse, no page.fill.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ELIGIBLE, answerQuestionnaire, currentView, fillDate, importEngine, openForm, startSession } from './helpers.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

/** What has keyboard focus now. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(), type: el?.type ?? '', name: el?.name ?? '', value: el?.value ?? '',
      checked: Boolean(el?.checked), text: (el?.textContent ?? '').trim(), id: el?.id ?? '',
      visible: Boolean(el && el.offsetParent !== null),
    };
  });
}

/** Tab forward until `want(focus)` holds; returns that focus. */
async function tabTo(page, want, what) {
  for (let i = 0; i < 200; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want(f)) return f;
  }
  throw new Error(`keyboard: could not reach ${what}`);
}

/**
 * Answer the current questionnaire page: Tab through the controls in order, answering each group
 * the first time focus reaches it, until focus reaches the page's submit button; press Enter.
 */
async function answerPageByKeyboard(page, answers) {
  const seen = new Set();
  for (let i = 0; i < 300; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.tag === 'button' && f.type === 'submit') {
      await page.keyboard.press('Enter');
      return;
    }
    // A date's three fields are ID-day, ID-month and ID-year.
    const part = /^(.*)-(day|month|year)$/.exec(f.name ?? '');
    if (part && typeof answers[part[1]] === 'string' && !seen.has(f.name)) {
      seen.add(f.name);
      const [year, month, day] = answers[part[1]].split('-');
      await page.keyboard.type({ day: String(Number(day)), month: String(Number(month)), year }[part[2]]);
      continue;
    }
    const want = answers[f.name];
    if (!f.name || want === undefined || seen.has(f.name) && f.type !== 'checkbox') continue;
    if (f.type === 'radio') {
      seen.add(f.name);
      // Arrow keys move through the group, selecting as they go; Space selects the focused one.
      for (let j = 0; j < 20; j += 1) {
        const now = await focused(page);
        if (now.value === String(want)) break;
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Space');
    } else if (f.type === 'checkbox') {
      if (want.includes(f.value) && !f.checked) await page.keyboard.press('Space');
    } else {
      seen.add(f.name);
      await page.keyboard.type(String(want));
    }
  }
  throw new Error('keyboard: never reached the page\'s submit button');
}

test('the whole form, the consent information and download by keyboard alone', async () => {
  const page = await openForm(session);
  await tabTo(page, (f) => f.tag === 'button' && /Start/.test(f.text), 'Start');
  await page.keyboard.press('Enter');

  for (let step = 0; step < 20 && (await currentView(page)) === 'question'; step += 1) {
    const title = await page.textContent('#page-title');
    await answerPageByKeyboard(page, ELIGIBLE);
    if ((await currentView(page)) === 'question' && (await page.textContent('#page-title')) === title) {
      assert.fail(`page "${title}" would not move on: ${await page.textContent('#error-summary')}`);
    }
  }
  // Check your answers: its own form, submitted with Enter.
  assert.equal(await currentView(page), 'check');
  await tabTo(page, (f) => f.tag === 'button' && f.type === 'submit', 'See my result');
  await page.keyboard.press('Enter');
  assert.equal(await currentView(page), 'result');
  assert.equal(await page.getAttribute('#result', 'data-outcome'), 'eligible');
  // Exactly the intended answers went in by keyboard: the printable answers are those of the same
  // answers given with the mouse.
  const mouse = await openForm(session);
  await answerQuestionnaire(mouse, ELIGIBLE);
  assert.equal(await page.textContent('#printed-answers'), await mouse.textContent('#printed-answers'),
    'the keyboard answers differ from the intended ones');
  await mouse.close();

  await tabTo(page, (f) => f.tag === 'button' && /consent/i.test(f.text), 'Read the consent information');
  await page.keyboard.press('Enter');
  assert.equal(await currentView(page), 'information');
  const preVisit = await page.$$eval('input[name="acknowledged"]', (els) => els.length);
  let ticks = 0;
  for (let i = 0; i < 200 && ticks < preVisit; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.name === 'acknowledged' && !f.checked) { await page.keyboard.press('Space'); ticks += 1; }
  }
  assert.equal(ticks, preVisit);
  await tabTo(page, (f) => f.tag === 'button' && /I have read this/.test(f.text), 'I have read this');
  await page.keyboard.press('Enter');
  assert.equal(await currentView(page), 'summary', await page.textContent('#view'));

  await tabTo(page, (f) => f.id === 'download-record', 'the download link');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const record = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(record.record_type, 'prescreen.consent-information/1');
  assert.equal(record.acknowledgements.length, preVisit);
  const engine = await importEngine();
  await engine.init?.();
  assert.equal(engine.verifyConsent(record).valid, true);
  assert.deepEqual(session.foreign(), []);
});

test('Back and Next keep answers (Back reached by Tab from Next)', async () => {
  const page = await openForm(session);
  await page.click('button:has-text("Start")');
  await fillDate(page, 'date_of_birth', ELIGIBLE.date_of_birth);
  await page.check('input[name="sex"][value="female"]');
  await page.check('input[name="clinic"][value="wilson_street_glasgow"]');
  await page.click('#page-form button[type="submit"]');
  const second = await page.textContent('#page-title');
  await page.check('input[name="treatment_areas"][value="face"]');
  await page.check('input[name="treatment_areas"][value="neck"]');
  // Back by keyboard: from the submit button, one Tab reaches Back.
  await page.focus('#page-form button[type="submit"]');
  await page.keyboard.press('Tab');
  assert.match((await focused(page)).text, /Back/);
  await page.keyboard.press('Enter');
  assert.deepEqual([await page.inputValue('[name="date_of_birth-day"]'), await page.inputValue('[name="date_of_birth-month"]'),
    await page.inputValue('[name="date_of_birth-year"]')], ['14', '5', '1990']);
  assert.ok(await page.isChecked('input[name="clinic"][value="wilson_street_glasgow"]'));
  await page.click('#page-form button[type="submit"]');
  assert.equal(await page.textContent('#page-title'), second);
  assert.ok(await page.isChecked('input[name="treatment_areas"][value="face"]'));
  assert.ok(await page.isChecked('input[name="treatment_areas"][value="neck"]'));
});
