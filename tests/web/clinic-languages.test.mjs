// The journey in Arabic when the back office serves the form (a real uvicorn on 127.0.0.1 with
// SQLite): the send step (statement, contact fields, their errors, the receipt, the follow-ups, the
// footer) has no English left in it; at the consultation the practitioner's tablet shows the consent
// in Arabic, right to left, because the pre-visit record was read in Arabic, and the signed record
// names that language. Screenshots in tests/web/output/clinic-ar-*.png; axe on every view.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, outputDir, repo, requireBuild } from './helpers.mjs';
import { signIn, startBackOffice } from './back_office.mjs';

const readJson = (path) => JSON.parse(readFileSync(join(repo, path), 'utf8'));
const ar = readJson('web-demo/text/ar.json');
const arPack = readJson('protocols/microneedling/translations/ar.json').texts;
const arConsultation = readJson('python/src/prescreen/clinic/wording/ar.json');
const clinic = readJson('protocols/clinic.json');
// Names stay as they are in every language: the clinic's and its branches' (proper nouns).
const PROPER_NOUNS = [clinic.name, ...clinic.branches.map((b) => b.name)].sort((a, b) => b.length - a.length);

let office;
before(async () => {
  requireBuild();
  office = await startBackOffice({ prefix: 'prescreen-clinic-ar-' });
});
after(async () => { await office?.stop(); });

/** The element's visible text, less the proper nouns and `also` (codes): what must hold no Latin letter. */
async function patientText(page, selector, also = []) {
  let text = await page.$eval(selector, (el) => el.innerText);
  for (const name of [...PROPER_NOUNS, ...also]) text = text.split(name).join('');
  return text;
}

function noEnglish(text, where) {
  const latin = text.match(/[A-Za-z][A-Za-z' ]*/g);
  assert.equal(latin, null, `${where}: English (Latin letters) left in the Arabic page: ${JSON.stringify(latin)}\n${text}`);
}

test('Arabic: the send step has no English; the consultation tablet is in Arabic, right to left; the record says ar', async () => {
  const page = await office.context.newPage();
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(`${office.url}?today=${TODAY}&lang=ar`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.click('#welcome-form button[type="submit"]');
  await answerQuestionnaire(page, ELIGIBLE, { started: true });
  await page.click('#result button.button-primary');
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('#information-form button[type="submit"]');
  assert.equal(await currentView(page), 'summary');

  // Before sending: the statement of what is sent, the contact fields, the footer.
  await page.waitForSelector('#send-panel:not([hidden])');
  assert.equal(await page.textContent('#send-heading'), ar.send_heading);
  assert.equal(await page.textContent('#send-to-clinic'), ar.send_button);
  assert.ok((await page.textContent('#send-statement')).includes(ar.send_item_information));
  assert.equal(await page.textContent('label[for="in-send_phone"]'), ar.send_phone);
  assert.equal(await page.getAttribute('#in-send_phone', 'autocomplete'), 'tel');
  noEnglish(await patientText(page, '#send-panel'), 'send panel');
  assert.equal(await page.textContent('.site-footer p'), ar.send_footer.replace('{button}', ar.send_button));
  assert.deepEqual(await axeViolations(page), []);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(outputDir, `clinic-ar-${width}-send.png`), fullPage: true });
  }

  // Nothing typed: the two messages in Arabic, tied to their fields; the name field takes the focus.
  await page.click('#send-to-clinic');
  assert.equal(office.requests.filter((r) => r.includes('/api/submissions')).length, 0, 'nothing sent without a name and phone');
  assert.equal(await page.textContent('#error-send_name'), `${ar.error_prefix}${ar.send_missing_name}`);
  assert.equal(await page.textContent('#error-send_phone'), `${ar.error_prefix}${ar.send_missing_phone}`);
  assert.equal(await page.getAttribute('#in-send_phone', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'in-send_name');
  noEnglish(await patientText(page, '#send-panel'), 'send panel with errors');
  assert.deepEqual(await axeViolations(page), []);

  // Sent: the receipt and the follow-up sessions, in Arabic; the reference is the one code.
  await page.fill('#in-send_name', 'سارة أحمد');
  await page.fill('#in-send_phone', '07700 900123');
  await page.click('#send-to-clinic');
  await page.waitForSelector('#send-reference');
  const reference = await page.textContent('#send-reference');
  assert.match(reference, /^sub_[0-9a-f]{20}$/);
  await page.waitForSelector('#follow-ups #follow-ups-check');
  assert.equal(await page.textContent('#send-heading'), ar.send_done_heading);
  assert.equal(await page.textContent('#summary .lead'), ar.send_summary_lead);
  assert.ok((await page.textContent('#follow-ups')).includes(ar.follow_ups_none_yet.replace('{button}', ar.follow_ups_show)));
  noEnglish(await patientText(page, '#send-panel', [reference]), 'receipt');
  assert.deepEqual(await axeViolations(page), []);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(outputDir, `clinic-ar-${width}-sent.png`), fullPage: true });
  }
  // The receipt is kept on the printout.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#send-receipt'), true);
  assert.equal(await page.isVisible('#send-statement'), false);
  assert.equal(await page.isVisible('#follow-ups-check'), false);
  await page.emulateMedia({ media: 'screen' });

  // At the consultation: the tablet shows the consent in Arabic, right to left.
  const review = await office.context.newPage();
  await signIn(review, office.url);
  await review.goto(`${office.url}review/submissions/${reference}/consent`);
  await review.waitForSelector('#consultation-form');
  assert.equal(await review.getAttribute('#consultation', 'lang'), 'ar');
  assert.equal(await review.textContent('#consultation-title'), arPack['/consent/title']);
  assert.equal(await review.textContent('#sign-consent'), arConsultation.sign_button);
  assert.equal(await review.getAttribute('#consent-languages a[aria-current="true"]', 'lang'), 'ar');
  // Each section is a disclosure (closed at first); the patient opens the risks to read and tick them.
  assert.equal(await review.$eval('#details-risks', (d) => d.open), false);
  await review.click('#details-risks > summary');
  const geometry = await review.evaluate(() => {
    const heading = document.querySelector('#section-risks h2');
    const range = document.createRange();
    range.selectNodeContents(heading);
    const text = range.getBoundingClientRect();
    const box = document.querySelector('#details-risks > summary').getBoundingClientRect();
    const box1 = document.querySelector('#consultation-form input[name="acknowledged"]');
    const label = document.querySelector(`label[for="${box1.id}"]`);
    return {
      direction: getComputedStyle(heading).direction, textRight: text.right, boxRight: box.right, textLeft: text.left, boxLeft: box.left,
      checkbox: box1.getBoundingClientRect().left, label: label.getBoundingClientRect().left,
      practitioner: getComputedStyle(document.getElementById('practitioner')).direction,
    };
  });
  assert.equal(geometry.direction, 'rtl');
  // The heading starts at the right edge, after the disclosure's marker.
  assert.ok(geometry.boxRight - geometry.textRight >= 0 && geometry.boxRight - geometry.textRight < 30, `the heading starts at the right edge (${JSON.stringify(geometry)})`);
  assert.ok(geometry.textLeft - geometry.boxLeft > 20, 'and leaves the left of the line empty');
  assert.ok(geometry.checkbox > geometry.label, 'each checkbox sits to the right of its statement');
  assert.equal(geometry.practitioner, 'ltr', "the practitioner's fields stay left to right, in English");
  assert.deepEqual(await axeViolations(review), []);
  for (const width of [375, 1280]) {
    await review.setViewportSize({ width, height: 900 });
    await review.screenshot({ path: join(outputDir, `clinic-ar-${width}-consultation.png`), fullPage: true });
  }

  // The patient opens each section and signs (every statement, photographs for the record only); the record says Arabic.
  for (const summary of await review.$$('#consultation-form details.consent-details:not([open]) > summary')) await summary.click();
  for (const id of await review.$$eval('#consultation-form input[name="acknowledged"]', (els) => els.map((el) => el.value))) {
    if (id !== 'photo_teaching' && id !== 'photo_marketing') await review.check(`#ack-${id}`);
  }
  await review.fill('#signature-name', 'سارة أحمد');
  await review.fill('#cs-register', 'NMC');
  await review.fill('#cs-number-consult', '12A3456B');
  await review.click('#sign-consent');
  await review.waitForSelector('#consent-signed');
  assert.equal(await review.textContent('#signed-title'), arConsultation.signed_title);
  const record = await (await review.request.get(`${office.url}review/submissions/${reference}/record.json`)).json();
  assert.equal(record.locale, 'ar');
  assert.equal(record.signer.name, 'سارة أحمد');
  assert.deepEqual(await axeViolations(review), []);
  await review.screenshot({ path: join(outputDir, 'clinic-ar-1280-consent-signed.png'), fullPage: true });
  assert.deepEqual(office.consoleErrors, []);
  assert.deepEqual(office.requests.filter((r) => !r.startsWith(office.url) && !r.startsWith('data:') && !r.startsWith('blob:')), []);
});
