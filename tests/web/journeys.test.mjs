// Patient journeys through the real page, engine and pack in Debian's Chromium:
// eligible → consent → downloaded record verified by the engine in Node; isotretinoin → deferred
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

test('eligible: consent, download, and the record verifies in the engine', async () => {
  const page = await openForm(session);
  const audit = auditor(page, 'eligible');
  await answerQuestionnaire(page, ELIGIBLE, { onView: audit });
  const result = await readResult(page);
  assert.equal(result.outcome, 'eligible');
  assert.equal(result.deferUntil, '');
  assert.match(result.text, /not a medical clearance/i);
  assert.ok(result.canConsent, 'an eligible patient is offered consent');

  await page.click('button:has-text("Continue to consent")');
  assert.equal(await currentView(page), 'consent');
  await audit('consent');
  // Every section of the consent document and one checkbox per acknowledgement.
  for (const section of pack.consent.sections) {
    assert.ok(await page.isVisible(`#section-${section.id}`), `section ${section.id} shown`);
  }
  const boxes = await page.$$eval('input[name="acknowledged"]', (els) => els.map((el) => el.value));
  assert.deepEqual(boxes, pack.consent.acknowledgements.map((a) => a.id));
  assert.match(await page.textContent('#view'), /Time to think it over/);
  assert.match(await page.textContent('.sign-date'), /25 November 2026/);

  // Signing with nothing ticked is refused, with the problem announced.
  await page.click('button:has-text("Sign consent")');
  assert.equal(await currentView(page), 'consent');
  assert.ok(await page.isVisible('#error-summary'));
  assert.equal(await page.getAttribute('#q-acknowledged input', 'aria-invalid'), 'true');
  await audit('consent-errors');

  for (const id of boxes) await page.check(`input[name="acknowledged"][value="${id}"]`);
  await page.fill('input[name="signature_name"]', 'Alex Patient');
  await page.click('button:has-text("Sign consent")');
  assert.equal(await currentView(page), 'summary');
  await audit('summary');
  const summary = await page.textContent('#summary');
  assert.match(summary, /Margaret Street/);
  assert.match(summary, /Earliest treatment date26 November 2026 \(after 1 day to think it over\)/);
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
  assert.equal(record.record_type, 'prescreen.consent/2');
  assert.equal(record.screening.outcome, 'eligible');
  assert.equal(record.screening.today, TODAY);
  assert.deepEqual(record.signer, { name: 'Alex Patient', role: 'patient', method: 'typed' });
  assert.deepEqual([...record.acknowledgements].sort(), [...boxes].sort());
  assert.equal(record.protocol.id, pack.id);

  // Nothing was kept on the device: no storage, no cookies.
  assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, '']);

  // The engine, in Node, accepts the downloaded record as it stands.
  const engine = await importEngine();
  await engine.init();
  const check = engine.verifyConsent(record);
  assert.deepEqual(check.problems, []);
  assert.equal(check.valid, true);
  // The page screened exactly the answers given: the same answers signed in Node give the same
  // answers digest.
  const protocol = await engine.loadProtocol(readFileSync(packPath, 'utf8'));
  const again = protocol.consent(ELIGIBLE, {
    acknowledged: boxes, signature: { name: 'Alex Patient', role: 'patient' },
    signedAt: record.signed_at, informationShownAt: record.information_shown_at, today: TODAY,
  });
  assert.equal(again.answers_digest, record.answers_digest);
  assert.equal(again.digest, record.digest);
  // A changed record no longer verifies.
  assert.equal(engine.verifyConsent({ ...record, signer: { name: 'Someone Else', role: 'patient' } }).valid, false);
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
  assert.equal(await page.$('#consent-form'), null);
  assert.equal(await page.$('button:has-text("Continue to consent")'), null);
});

test('privacy: every request stayed on 127.0.0.1, no console errors', () => {
  assert.ok(session.requests.length > 0);
  assert.deepEqual(session.foreign(), []);
  assert.deepEqual(session.consoleErrors, []);
  // The WebAssembly engine itself was fetched from the demo server.
  assert.ok(session.requests.some((url) => url.endsWith('.wasm')), 'the .wasm was loaded');
  assert.ok(audited.length >= 15, `axe ran on every view (${audited.length})`);
});
