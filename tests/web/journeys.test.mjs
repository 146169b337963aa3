// Patient journeys through the real page, engine and pack in Debian's Chromium:
// eligible → the consent information read before the visit → its downloaded record verified by the
// engine in Node (the signature is taken at the consultation, in the back office); isotretinoin → deferred
// with the right date; stainless-steel allergy → not suitable, no consent. Every view is checked
// with axe-core, and no request may leave 127.0.0.1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ELIGIBLE, TODAY, addMonths, answerQuestionnaire, axeViolations, currentView, importEngine, loadPack,
  longDate, openForm, outputDir, packPath, readResult, startSession,
} from './helpers.mjs';

let session;
let pack;
const audited = [];

before(async () => {
  session = await startSession();
  pack = loadPack();
});

after(async () => {
  await session?.close();
});

/** axe on every view; a screenshot of each at the context's width. */
function auditor(page, name) {
  return async (view) => {
    const text = await page.textContent('#view');
    assert.doesNotMatch(text, /undefined|NaN|\[object Object\]/, `${name}/${view}: a value leaked into the text`);
    const violations = await axeViolations(page);
    audited.push(`${name}/${view}`);
    assert.deepEqual(violations, [], `axe: serious or critical violations on ${name}/${view}`);
  };
}

test('eligible: the consent information read before the visit, its record verifies in the engine', async () => {
  const page = await openForm(session);
  const audit = auditor(page, 'eligible');
  await answerQuestionnaire(page, ELIGIBLE, { onView: audit });
  const result = await readResult(page);
  assert.equal(result.outcome, 'eligible');
  assert.equal(result.deferUntil, '');
  assert.match(result.text, /not a medical clearance/i);
  assert.ok(result.canConsent, 'an eligible patient is offered the consent information');

  await page.click('button:has-text("Read the consent information")');
  assert.equal(await currentView(page), 'information');
  await audit('information');
  // Every section of this patient's document (the engine's consentDocument: a section of
  // finding-specific risks none of which applies is left out); only the pre_visit statements to
  // tick; no signature.
  const engine = await importEngine();
  await engine.init();
  const protocol = await engine.loadProtocol(readFileSync(packPath, 'utf8'));
  const personal = protocol.consentDocument(ELIGIBLE, { today: TODAY });
  assert.deepEqual(await page.$$eval('.consent-section', (els) => els.map((el) => el.id.replace(/^section-/, ''))),
    personal.sections.map((section) => section.id));
  assert.ok(personal.sections.length >= 10);
  assert.equal(await page.$('#section-your_situation'), null, 'no finding-specific risks for this patient');
  const preVisit = pack.consent.acknowledgements.filter((a) => a.stage === 'pre_visit').map((a) => a.id);
  const boxes = await page.$$eval('input[name="acknowledged"]', (els) => els.map((el) => el.value));
  assert.deepEqual(boxes, preVisit);
  assert.ok(!boxes.includes('questions_answered'), 'no "my questions were answered" before the visit');
  assert.equal(await page.$('input[name="signature_name"]'), null, 'nothing is signed before the visit');
  assert.match(await page.textContent('#no-signature-now'), /You do not sign anything today/);
  assert.match(await page.textContent('#view'), /After you sign, you have at least 1 day/);
  // The consultation statements can be read (grouped by section) but are not asked here.
  await page.click('#at-consultation summary');
  assert.match(await page.textContent('#at-consultation'), /my questions were answered/);

  if (preVisit.length) {
    // Confirming with nothing ticked is the engine's refusal, announced and shown on the field.
    await page.click('button:has-text("I have read this")');
    assert.equal(await currentView(page), 'information');
    assert.ok(await page.isVisible('#error-summary'));
    assert.equal(await page.getAttribute('#q-acknowledged input', 'aria-invalid'), 'true');
    await audit('information-errors');
    for (const id of boxes) await page.check(`input[name="acknowledged"][value="${id}"]`);
  }
  await page.click('button:has-text("I have read this")');
  assert.equal(await currentView(page), 'summary');
  await audit('summary');
  const summary = await page.textContent('#summary');
  assert.match(summary, /Margaret Street/);
  assert.match(summary, /You sign the consent at your consultation/);
  assert.match(summary, /Your course plan/);
  assert.match(summary, /Looking after your skin/);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#download-record'),
  ]);
  assert.match(download.url(), /^blob:http:\/\/127\.0\.0\.1:/);
  const file = join(outputDir, download.suggestedFilename());
  await download.saveAs(file);
  const record = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(record.record_type, 'prescreen.consent-information/1');
  assert.deepEqual(record.acknowledgements, [...preVisit].sort());
  assert.equal(record.protocol.id, pack.id);
  assert.match(record.information_shown_at, /^2026-11-25T\d\d:\d\d:\d\dZ$/);
  assert.ok(record.read_at >= record.information_shown_at, 'read after it was first shown');
  assert.equal(record.seal, undefined, 'the back office seals it, not the browser');

  // Nothing was kept on the device: no storage, no cookies.
  assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, '']);

  // The engine, in Node, accepts the downloaded record as it stands, and makes the same one.
  assert.deepEqual(engine.verifyConsent(record).problems, []);
  const again = protocol.informationRecord({
    acknowledged: preVisit, informationShownAt: record.information_shown_at, readAt: record.read_at, today: TODAY,
  });
  assert.equal(again.digest, record.digest);
  assert.equal(engine.verifyConsent({ ...record, read_at: '2026-11-24T10:00:00Z' }).valid, false);
  // A consultation statement cannot be confirmed before the visit.
  assert.throws(() => protocol.informationRecord({
    acknowledged: ['questions_answered'], informationShownAt: record.information_shown_at, readAt: record.read_at, today: TODAY,
  }), (error) => error.code === 'acknowledgement_not_pre_visit' || error.diagnostics?.[0]?.code === 'acknowledgement_not_pre_visit');
});

test('isotretinoin stopped three months ago: not yet, with the date', async () => {
  const page = await openForm(session);
  const lastDose = '2026-08-25';
  await answerQuestionnaire(page, { ...ELIGIBLE, isotretinoin_past: true, isotretinoin_last_dose: lastDose },
    { onView: auditor(page, 'deferred') });
  const washout = pack.parameters.isotretinoin_washout;
  assert.equal(washout.unit, 'months');
  const expected = addMonths(lastDose, washout.default);
  const result = await readResult(page);
  assert.equal(result.outcome, 'deferred');
  assert.equal(result.deferUntil, expected);
  assert.equal(expected, washout.default === 6 ? '2027-02-25' : expected);
  assert.equal(await page.textContent('#defer-until'), longDate(expected));
  assert.match(result.headline, /not yet/i);
  const rule = pack.rules.find((r) => r.id === 'isotretinoin_stopped');
  assert.ok(result.text.includes(rule.message.slice(0, 40)), 'the rule\'s patient message explains why');
  assert.equal(result.canConsent, false, 'no consent while deferred');
  assert.match(result.text, /not a medical clearance/i);
});

test('stainless-steel allergy: not suitable, no consent step', async () => {
  const page = await openForm(session);
  await answerQuestionnaire(page, { ...ELIGIBLE, stainless_steel_allergy: true },
    { onView: auditor(page, 'not-eligible') });
  const result = await readResult(page);
  assert.equal(result.outcome, 'not_eligible');
  assert.equal(result.deferUntil, '');
  assert.match(result.headline, /not suitable/i);
  const rule = pack.rules.find((r) => r.id === 'stainless_steel_allergy');
  assert.ok(result.text.includes(rule.message.slice(0, 40)), 'the rule\'s patient message explains why');
  assert.match(result.text, /What else may help/);
  assert.equal(result.canConsent, false);
  assert.equal(await page.$('#information-form'), null);
  assert.equal(await page.$('button:has-text("Read the consent information")'), null);
});

test('privacy: every request stayed on 127.0.0.1, no console errors', () => {
  assert.ok(session.requests.length > 0);
  assert.deepEqual(session.foreign(), []);
  assert.deepEqual(session.consoleErrors, []);
  // The WebAssembly engine itself was fetched from the demo server.
  assert.ok(session.requests.some((url) => url.endsWith('.wasm')), 'the .wasm was loaded');
  assert.ok(audited.length >= 15, `axe ran on every view (${audited.length})`);
});
