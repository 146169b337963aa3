// The form as a clinic would put its name to it (issue 15), in Chromium at 375 px and 1280 px: the
// clinic and the chosen branch's phone from protocols/clinic.json, dates typed into day/month/year
// fields and checked on Next, the under-age stop as soon as it is known, "Check your answers" with
// Change links, one history entry per step, a warning before leaving, "Start again" confirmed, a
// printable copy of answers and result, and a calendar file for a deferral.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, answerQuestionnaire, axeViolations, currentView, fillDate, fillPage, openForm, outputDir, repo,
  startSession,
} from './helpers.mjs';

const clinic = JSON.parse(readFileSync(join(repo, 'protocols/clinic.json'), 'utf8'));
const glasgow = clinic.branches.find((b) => b.id === 'wilson_street_glasgow');

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function phonePage(width) {
  const page = await session.context.newPage();
  await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
  return openForm(session, { page });
}

/** Click the current step's submit button (every step is a form). */
async function submit(page) {
  await page.click('#view form button[type="submit"]');
}

test('clinic identity: the name from clinic.json, every branch before one is chosen, then the chosen one', async () => {
  const page = await phonePage(375);
  assert.equal(await page.textContent('.brand'), clinic.name);
  const header = await page.textContent('.brand-sub');
  for (const b of clinic.branches) assert.ok(header.includes(b.phone), `${b.name} phone in the header`);
  assert.match(await page.textContent('.site-footer'), /Healthcare Improvement Scotland/);
  assert.equal(await page.getAttribute('#privacy-link', 'href'), clinic.privacy_notice_url);
  assert.equal((await fetch(new URL(clinic.privacy_notice_url, session.server.url))).status, 200);
  await page.click('button:has-text("Start")');
  await fillPage(page, { ...ELIGIBLE, clinic: glasgow.id });
  await submit(page);
  // The chosen branch's phone on every "call us" from now on.
  assert.match(await page.textContent('.brand-sub'), new RegExp(`Call ${glasgow.name} on ${glasgow.phone}`));
  assert.equal(await page.getAttribute('.brand-sub a', 'href'), `tel:${glasgow.phone.replace(/ /g, '')}`);
  await page.close();
});

for (const width of [375, 1280]) {
  test(`dates at ${width} px: half-typed and impossible dates checked on Next; under 18 stops at once`, async () => {
    const page = await phonePage(width);
    await page.click('button:has-text("Start")');
    await page.fill('[name="date_of_birth-day"]', '14');
    await page.fill('[name="date_of_birth-month"]', '5');
    await page.fill('[name="date_of_birth-year"]', '19');
    assert.equal(await page.isVisible('#error-date_of_birth'), false, 'no message while the year is typed');
    await page.fill('[name="date_of_birth-year"]', '');
    await page.check('input[name="sex"][value="female"]');
    await page.check(`input[name="clinic"][value="${glasgow.id}"]`);
    await submit(page);
    assert.match(await page.textContent('#error-date_of_birth'), /^Error: The date must include a year$/);
    assert.equal(await page.getAttribute('[name="date_of_birth-year"]', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('[name="date_of_birth-day"]', 'aria-invalid'), null);
    await page.click('#error-summary a');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'date_of_birth-year');
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(outputDir, `${width}px-date-error.png`), fullPage: true });

    await fillDate(page, 'date_of_birth', '1990-02-31');
    await submit(page);
    assert.match(await page.textContent('#error-date_of_birth'), /Error: .*(real|exist|valid|impossible)/i);

    // 17 years old on 25 November 2026: the age rule ends the journey on the first page.
    await fillDate(page, 'date_of_birth', '2009-06-01');
    await submit(page);
    assert.equal(await currentView(page), 'result');
    assert.equal(await page.getAttribute('#result', 'data-outcome'), 'not_eligible');
    const text = await page.textContent('#result');
    assert.match(text, /stopped the questions here/);
    assert.match(text, /18th birthday/);
    assert.ok(text.includes(glasgow.phone), 'the chosen branch on the result');
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(outputDir, `${width}px-under-age.png`), fullPage: true });
    await page.close();
  });
}

test('check your answers: every answer in words, Change goes to the question and comes back', async () => {
  const page = await phonePage(1280);
  await answerQuestionnaire(page, ELIGIBLE, {
    onView: async (name) => { if (name === 'check') throw Object.assign(new Error('at check'), { atCheck: true }); },
  }).catch((error) => { if (!error.atCheck) throw error; });
  assert.equal(await currentView(page), 'check');
  assert.equal(await page.title(), `Check your answers – ${clinic.name}`);
  const row = (id) => page.textContent(`.check-row[data-item="${id}"] .check-answer`);
  assert.equal(await row('date_of_birth'), '14 May 1990');
  assert.equal(await row('active_cold_sore'), 'No');
  assert.match(await row('clinic'), /Margaret Street/);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, '1280px-check-answers.png'), fullPage: true });

  await page.click('.check-row[data-item="date_of_birth"] .change-link');
  assert.equal(await currentView(page), 'question');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'date_of_birth-day');
  await fillDate(page, 'date_of_birth', '1985-07-03');
  assert.match(await page.textContent('#page-form button[type="submit"]'), /return to your answers/);
  await submit(page);
  assert.equal(await currentView(page), 'check');
  assert.equal(await row('date_of_birth'), '3 July 1985');

  // One history entry per step: the browser's Back returns to the page, Forward to the check.
  await page.goBack();
  assert.equal(await currentView(page), 'question');
  await page.goForward();
  assert.equal(await currentView(page), 'check');
  await submit(page);
  assert.equal(await page.getAttribute('#result', 'data-outcome'), 'eligible');
  await page.goBack();
  assert.equal(await currentView(page), 'check');
  assert.equal(await row('date_of_birth'), '3 July 1985', 'answers kept through Back');

  // Leaving with answers asks first.
  const asked = new Promise((resolve) => page.once('dialog', (dialog) => resolve(dialog.type())));
  await page.reload();
  assert.equal(await asked, 'beforeunload');
  await page.close();
});

test('deferred: a printable copy with the answers, and a calendar file for the date', async () => {
  const page = await phonePage(375);
  await answerQuestionnaire(page, { ...ELIGIBLE, isotretinoin_past: true, isotretinoin_last_dose: '2026-08-25' });
  assert.equal(await page.getAttribute('#result', 'data-outcome'), 'deferred');
  const until = await page.getAttribute('#result', 'data-defer-until');
  assert.match(until, /^\d{4}-\d{2}-\d{2}$/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#calendar-link')]);
  const ics = readFileSync(await download.path(), 'utf8');
  const lines = ics.split('\r\n');
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.ok(lines.includes('BEGIN:VEVENT') && lines.includes('END:VEVENT'));
  assert.ok(lines.includes(`DTSTART;VALUE=DATE:${until.replace(/-/g, '')}`), ics);
  assert.ok(lines.some((line) => /^SUMMARY:Micro-needling.*Fairfield Skin Clinic/.test(line)), ics);
  assert.ok(lines.some((line) => /^UID:.+@/.test(line)));

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#printed-answers'), true);
  const printed = await page.textContent('#printed-answers');
  assert.match(printed, /14 May 1990/);
  assert.match(printed, /25 August 2026/);
  assert.equal(await page.isVisible('#calendar-link'), false);
  await page.screenshot({ path: join(outputDir, '375px-print-deferred.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000 && pdf.subarray(0, 5).toString() === '%PDF-', 'a PDF of the page');
  await page.emulateMedia({ media: 'screen' });
  await page.close();
});

test('"Start again" after reading the consent information asks first; "No" keeps it', async () => {
  const page = await phonePage(1280);
  await answerQuestionnaire(page, ELIGIBLE);
  await page.click('button:has-text("Read the consent information")');
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await submit(page);
  assert.equal(await currentView(page), 'summary');
  const summary = await page.textContent('#summary');
  assert.ok(summary.includes(clinic.branches[0].phone), 'the branch phone in the summary');
  assert.match(await page.textContent('#urgent'), /999/);
  assert.match(await page.textContent('#urgent'), /NHS 111/);
  await page.click('#start-again');
  assert.match(await page.textContent('#confirm-start-again'), /the record that you read the consent information will be deleted/);
  assert.deepEqual(await axeViolations(page), []);
  await page.click('#confirm-no');
  assert.equal(await currentView(page), 'summary');
  await page.click('#start-again');
  await page.click('#confirm-yes');
  assert.equal(await currentView(page), 'welcome');
  await page.close();
});

test('save and come back: encrypted on the device, the passphrase opens it, a changed question is flagged', async () => {
  const page = await phonePage(375);
  await page.click('button:has-text("Start")');
  await fillPage(page, ELIGIBLE);
  await submit(page);
  await page.click('#save-for-later');
  await page.fill('#in-passphrase', 'short');
  await submit(page);
  assert.match(await page.textContent('#error-passphrase'), /at least 8 characters/);
  await page.fill('#in-passphrase', 'green lamp river');
  await submit(page);
  await page.waitForSelector('#saved-title');
  const stored = await page.evaluate(() => localStorage.getItem('prescreen-draft'));
  assert.match(stored, /"format":"prescreen-draft\/1"/);
  assert.doesNotMatch(stored, /1990|female|margaret/, 'the answers are not readable in storage');

  // Saved: leaving asks nothing; the welcome page offers to continue.
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.fill('#in-resume_passphrase', 'wrong words here');
  await page.click('#resume-form button[type="submit"]');
  await page.waitForSelector('#error-resume_passphrase:not([hidden])');
  assert.match(await page.textContent('#error-resume_passphrase'), /does not open/);
  await page.fill('#in-resume_passphrase', 'green lamp river');
  await page.click('#resume-form button[type="submit"]');
  await page.waitForSelector('#check-form');
  assert.equal(await page.textContent('.check-row[data-item="date_of_birth"] .check-answer'), '14 May 1990');
  assert.equal(await page.$$eval('.check-changed', (els) => els.length), 0);

  // A draft saved under an older pack whose question about sex was worded differently.
  await page.evaluate(async () => {
    const { seal } = await import('/draft.js');
    const draft = {
      pack: { id: 'microneedling', version: '1.9.0', digest: 'older' }, saved_at: '2026-11-01T10:00:00Z',
      answers: { date_of_birth: '1990-05-14', sex: 'female', no_longer_asked: true },
      questions: { date_of_birth: 'What is your date of birth?', sex: 'Are you male or female?' },
    };
    localStorage.setItem('prescreen-draft', JSON.stringify(await seal('older pack words', draft)));
  });
  await page.goto(session.url());
  await page.waitForSelector('html[data-ready="true"]');
  await page.fill('#in-resume_passphrase', 'older pack words');
  await page.click('#resume-form button[type="submit"]');
  await page.waitForSelector('#check-form');
  assert.deepEqual(await page.$$eval('.check-row:has(.check-changed)', (els) => els.map((el) => el.dataset.item)), ['sex']);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, '375px-resumed-older-pack.png'), fullPage: true });
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(session.foreign(), []);
});
