// The follow-up dates in the patient's own page (web-demo/send.js), against the real back office
// (python -m prescreen.clinic serve: uvicorn on 127.0.0.1 with SQLite) in Debian's Chromium: once
// sent, the page asks POST /api/follow-ups with its submission key and says there are no dates
// before the first session; the patient signs at the consultation and a practitioner records the
// session on the review page; asked again, the
// page shows the course's next sessions in words and offers them as a calendar file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, longDate, outputDir, requireBuild } from './helpers.mjs';
import { sendToClinic, signAtConsultation, signIn, startBackOffice } from './back_office.mjs';

let office;  // the back office and its browser (back_office.mjs)
let url;
let context;
let requests;
let consoleErrors;

before(async () => {
  requireBuild();
  office = await startBackOffice({ prefix: 'prescreen-follow-ups-', request: (r) => ({ url: r.url(), body: r.postData() }) });
  ({ url, context, requests, consoleErrors } = office);
});

after(async () => { await office?.stop(); });

test('after sending, the patient sees the follow-up dates once the first session is recorded', async () => {
  const page = await context.newPage();
  await page.goto(`${url}?today=${TODAY}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await answerQuestionnaire(page, ELIGIBLE);
  await page.click('button:has-text("Read the consent information")');
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('button:has-text("I have read this")');
  await page.waitForSelector('#send-panel:not([hidden])');
  assert.equal(requests.filter((r) => r.url.includes('/api/follow-ups')).length, 0, 'nothing is asked before sending');
  const submissionId = await sendToClinic(page);

  // Asked right after sending, with the key in the body (never in the address): no session yet.
  await page.waitForSelector('#follow-ups #follow-ups-check');
  assert.match(await page.textContent('#follow-ups-panel'), /^Your follow-up sessionsYour follow-up dates are set at your first session, and the clinic gives them to you then\./);
  assert.equal(await page.$('#follow-up-dates'), null);
  const asked = requests.filter((r) => r.url.includes('/api/follow-ups'));
  assert.deepEqual(asked.map((r) => r.url), [`${url}api/follow-ups`]);
  const sent = JSON.parse(requests.find((r) => r.url === `${url}api/submissions`).body);
  assert.deepEqual(JSON.parse(asked[0].body), { submission_key: sent.submission_key });
  assert.deepEqual(await axeViolations(page), []);

  // At the consultation the patient signs on the tablet; the practitioner records the first
  // session (acne scars: 3 sessions, 4 weeks apart).
  const review = await context.newPage();
  await signIn(review, url);
  await signAtConsultation(review, url, submissionId);
  await review.waitForSelector('#consent-signed');
  // The first session on the first day the cooling-off allows (signing is on the server's real day).
  const signed = await (await review.request.get(`${url}review/submissions/${submissionId}/record.json`)).json();
  const session = signed.cooling_off.treatment_not_before;
  const weeksAfter = (weeks) => new Date(Date.parse(`${session}T00:00:00Z`) + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
  const next = [weeksAfter(4), weeksAfter(8)];
  await review.goto(`${url}review/submissions/${submissionId}`);
  await review.click('summary:has-text("Record a treatment session")');
  await review.fill('#t-date', session);
  await review.fill('#t-device', 'Dermapen 4');
  await review.fill('#t-lot', 'LOT-2026-0419');
  await review.fill('#t-depths', 'cheeks: 1.0');
  await review.fill('#t-reaction', 'mild erythema');
  await review.click('button:has-text("Record session")');
  await review.waitForSelector('#treatments');

  // Asked again: the dates in words, and the same dates as a calendar file.
  await page.click('#follow-ups-check');
  await page.waitForSelector('#follow-up-dates');
  assert.ok((await page.textContent('#follow-ups')).includes(`After your session on ${longDate(session)}, your next sessions are:`));
  assert.deepEqual(await page.$$eval('#follow-up-dates time', (els) => els.map((el) => [el.getAttribute('datetime'), el.textContent])),
    next.map((day) => [day, longDate(day)]));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#follow-ups-calendar')]);
  assert.equal(download.suggestedFilename(), `follow-ups-${submissionId}.ics`);
  const file = join(outputDir, 'clinic-follow-ups.ics');
  await download.saveAs(file);
  const ics = readFileSync(file, 'utf8');
  assert.equal(ics.split('BEGIN:VEVENT').length - 1, 2);
  assert.ok(next.every((day) => ics.includes(`DTSTART;VALUE=DATE:${day.replace(/-/g, '')}\r\n`)), ics);
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('#send-panel').screenshot({ path: join(outputDir, 'clinic-follow-ups.png') });
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(requests.filter((r) => !r.url.startsWith(url) && !r.url.startsWith('data:') && !r.url.startsWith('blob:')), []);
});
