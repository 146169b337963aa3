// What the patient keeps after reading the consent information: this page printed or saved as a PDF
// (the first action), holding the statements confirmed, the consent information as read and the
// answers, in the patient's language (en-GB and Arabic, right to left); the file for the clinic's
// computer is a secondary link, named plainly, and never printed. No "JSON", "digest" or
// "fingerprint" anywhere a patient reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, importEngine, openForm, outputDir, packPath, repo, startSession,
} from './helpers.mjs';

let session;
let engine;
before(async () => {
  session = await startSession();
  engine = await importEngine();
  await engine.init?.();
});
after(async () => { await session?.close(); });

const words = (locale) => JSON.parse(readFileSync(join(repo, `web-demo/text/${locale}.json`), 'utf8'));

async function protocolIn(locale) {
  const translations = locale === 'en-GB' ? [] : [readFileSync(join(repo, `protocols/microneedling/translations/${locale}.json`), 'utf8')];
  return engine.loadProtocol(readFileSync(packPath, 'utf8'), { translations });
}

for (const locale of ['en-GB', 'ar']) {
  test(`${locale}: the copy to keep is this page printed, in the patient's language`, async () => {
    const say = words(locale);
    const document = (await protocolIn(locale)).consentDocument(ELIGIBLE, { today: TODAY, locale });
    const preVisit = document.acknowledgements.filter((ack) => ack.stage === 'pre_visit');
    const page = await openForm(session, { query: `today=${TODAY}&lang=${locale}` });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.click('#welcome-form button[type="submit"]');
    await answerQuestionnaire(page, ELIGIBLE, { started: true });
    await page.click('#result .actions button.button-primary');
    for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
    await page.click('#information-form button[type="submit"]');
    assert.equal(await currentView(page), 'summary');
    assert.equal(await page.getAttribute('html', 'dir'), locale === 'ar' ? 'rtl' : 'ltr');

    // The first action prints; the file is secondary, after the copy, and says what it is for.
    const primary = await page.$$eval('#summary .button-primary', (els) => els.map((el) => el.id));
    assert.deepEqual(primary, ['print-summary']);
    assert.equal(await page.textContent('#print-summary'), say.print);
    assert.equal(await page.textContent('#download-record'), say.download_information);
    assert.match(await page.getAttribute('#download-record', 'class'), /button-secondary/);
    assert.equal(await page.textContent('#download-record-hint'), say.download_information_hint.replace('{print}', say.print));
    assert.deepEqual(await page.$$eval('#confirmed-statements li', (els) => els.map((el) => el.textContent)), preVisit.map((ack) => ack.text));
    const onScreen = await page.innerText('#view');
    assert.doesNotMatch(onScreen, /JSON|digest|fingerprint|mn-consent/i);
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(outputDir, `keepsake-${locale}-375-summary.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(outputDir, `keepsake-${locale}-1280-summary.png`), fullPage: true });

    // On paper: the statements, every section of the consent information as read, the answers; no file link.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#download-record'), false);
    assert.equal(await page.isVisible('#printed-information'), true);
    const printed = await page.innerText('#summary');
    for (const section of document.sections) assert.ok(printed.includes(section.title), `section ${section.id} printed`);
    for (const ack of preVisit) assert.ok(printed.includes(ack.text), `statement ${ack.id} printed`);
    assert.ok(printed.includes(say.your_answers));
    assert.doesNotMatch(printed, /JSON|digest|fingerprint|mn-consent/i);
    if (locale === 'ar') assert.doesNotMatch(printed.replace(/[0-9a-f]{64}/g, ''), /\b(the|and|you|your)\b/i, 'no English in the Arabic copy');
    await page.screenshot({ path: join(outputDir, `keepsake-${locale}-print.png`), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 20_000 && pdf.subarray(0, 5).toString() === '%PDF-');
    await page.emulateMedia({ media: 'screen' });

    // The file is still the engine's record of reading, for the clinic's computer.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-record')]);
    const record = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(record.record_type, 'prescreen.consent-information/1');
    assert.equal(record.locale, locale);
    assert.equal(engine.verifyConsent(record).valid, true);
    await page.close();
  });
}
