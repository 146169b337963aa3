// The form served by the clinic's back office (python -m prescreen.clinic serve, a real uvicorn on
// 127.0.0.1 with SQLite) in Debian's Chromium, with two-step consent: the patient answers, reads the
// consent information, confirms the pre_visit statements and presses "Send to the clinic"; at the
// consultation a practitioner signs in, opens "Consent at the consultation" and the patient signs on
// the tablet (a refusal first, then a drawn signature; a second patient with a typed name only); the
// practitioner countersigns; the sealed record then verifies in Python (with the public key), in the
// C++ CLI, in the engine's JavaScript package, and its Ed25519 signatures with Node's own crypto.
// Served as plain static files, the same page offers no sending at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultMounts, startServer } from '../../web-demo/serve.mjs';
import { ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, engineDir, importEngine, outputDir, protocolsDir, repo, requireBuild } from './helpers.mjs';
import { python, sendToClinic, signAtConsultation, signIn, startBackOffice } from './back_office.mjs';

let office;  // the back office and its browser (back_office.mjs)
let url;
let data;
let context;
let requests;
let consoleErrors;

before(async () => {
  requireBuild();
  // Each request as its address, and for POSTs the body on a second line.
  office = await startBackOffice({ prefix: 'prescreen-clinic-', request: (r) => (r.postData() ? `${r.url()}\n${r.postData()}` : r.url()) });
  ({ url, data, context, requests, consoleErrors } = office);
  assert.match(office.firstLine, new RegExp(`^prescreen back office: http://127\\.0\\.0\\.1:${office.port}/`));
});

after(async () => { await office?.stop(); });

async function openAt(base) {
  const page = await context.newPage();
  await page.goto(`${base}?today=${TODAY}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return page;
}

test('two-step consent: the patient reads and sends; at the consultation signs (drawn, typed); the sealed record verifies', async () => {
  const page = await openAt(url);
  await answerQuestionnaire(page, ELIGIBLE);
  await page.waitForSelector('#send-panel:not([hidden])');
  assert.match(await page.textContent('#send-panel'), /your answers to these questions, the result shown on this page and your name and how to contact you will be sent to Margaret Street/);
  assert.equal(requests.filter((r) => r.includes('/api/submissions')).length, 0, 'nothing is sent before the patient presses send');

  // Step 1, before the visit: read the document, confirm the pre_visit statements, send.
  await page.click('button:has-text("Read the consent information")');
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('button:has-text("I have read this")');
  assert.equal(await currentView(page), 'summary');
  await page.waitForSelector('#send-panel:not([hidden])');
  const statement = await page.textContent('#send-panel');
  assert.match(statement, /, the record that you have read the consent information and your name and how to contact you will be sent/);
  assert.match(statement, /Nothing is sent unless you press the button/);
  const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#download-record')]);
  const information = JSON.parse(readFileSync(await saved.path(), 'utf8'));
  const submissionId = await sendToClinic(page, { email: 'alex@example.org' });
  assert.match(submissionId, /^sub_[0-9a-f]{20}$/);
  assert.match(await page.textContent('#summary .lead'), /^Sent to the clinic\..*You sign the consent at your consultation/);
  const body = JSON.parse(requests.find((r) => r.includes('/api/submissions'))?.split('\n')[1] ?? 'null');
  assert.equal(body?.information_record?.digest, information.digest);
  assert.equal(body?.consent_record, undefined, 'no consent is signed before the visit');
  assert.deepEqual(await axeViolations(page), []);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(outputDir, `clinic-${width}-summary-sent.png`), fullPage: true });
  }

  // Step 2, at the consultation: the practitioner opens the submission and hands over the tablet.
  const review = await context.newPage();
  await review.goto(`${url}review/`);
  assert.match(review.url(), /\/review\/login\?next=/);
  await signIn(review, url);
  await review.click(`tr[data-id="${submissionId}"] a`);
  await review.waitForSelector('#information-record');
  assert.match(await review.textContent('#information-record'), new RegExp(`first shown ${information.information_shown_at}, confirmed ${information.read_at}`));
  await review.click('#start-consultation');
  await review.waitForSelector('#consultation-form');
  assert.match(await review.textContent('#read-before'), /^Read before the visit/);
  assert.deepEqual(await review.$$eval('.confirmed li', (els) => els.map((el) => el.dataset.ack)).then((ids) => ids.sort()), information.acknowledgements);
  assert.equal(await review.isVisible('#signature-canvas'), true, 'the signature pad is offered once its script runs');
  assert.deepEqual(await axeViolations(review), []);
  for (const width of [375, 1280]) {
    await review.setViewportSize({ width, height: 900 });
    await review.screenshot({ path: join(outputDir, `clinic-${width}-consultation.png`), fullPage: true });
    // Every section a closed disclosure at first: the tablet page on a phone was 9,075 px, now about 3,000.
    const height = await review.evaluate(() => document.documentElement.scrollHeight);
    if (width === 375) assert.ok(height < 3500, `the consultation page is ${height} px tall at 375 px`);
  }
  // One material risk left unticked: the engine's refusal, on the page, with everything kept.
  const boxes = await signAtConsultation(review, url, submissionId, { draw: true, skip: ['risk_scarring'] });
  await review.waitForSelector('#error-summary');
  assert.equal(await review.textContent('#refusal-code'), 'missing_acknowledgement');
  assert.match(await review.textContent('#refusal-message'), /risk_scarring/);
  assert.match(await review.textContent('#refusal-statements'), /^I understand that, rarely, micro-needling can cause scarring/);
  assert.equal(await review.inputValue('#signature-name'), 'Alex Patient');
  const strokes = JSON.parse(await review.inputValue('#strokes'));
  assert.equal(strokes.length, 2);
  assert.ok(strokes.flat().every(([x, y]) => Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0), 'whole pixels');
  assert.equal(await review.isChecked('#ack-risk_infection'), true);
  assert.deepEqual(await axeViolations(review), []);
  await review.screenshot({ path: join(outputDir, 'clinic-1280-consultation-refused.png'), fullPage: true });
  await review.setViewportSize({ width: 375, height: 900 });
  await review.screenshot({ path: join(outputDir, 'clinic-375-consultation-refused.png'), fullPage: true });
  await review.setViewportSize({ width: 1280, height: 900 });
  // Ticked now; the drawing was kept, so nothing is drawn again.
  await review.check('#ack-risk_scarring');
  await review.click('#sign-consent');
  await review.waitForSelector('#consent-signed');
  assert.match(await review.textContent('#signed-by'), /Alex Patient \(typed name and drawn signature\)/);
  assert.match(await review.textContent('#taken-by'), /pat \(practitioner, NMC 12A3456B\)/);
  assert.deepEqual(await axeViolations(review), []);
  for (const width of [375, 1280]) {
    await review.setViewportSize({ width, height: 900 });
    await review.screenshot({ path: join(outputDir, `clinic-${width}-consent-signed.png`), fullPage: true });
  }

  // The submission's page and the existing countersign action.
  await review.goto(`${url}review/submissions/${submissionId}`);
  assert.match(await review.textContent('#consent-verification'), /^valid/);
  assert.match(await review.textContent('#consent-cooling-off'), /from the signing/);
  await review.fill('#cs-number', 'NMC 12A3456B');
  await review.click('button:has-text("Countersign the consent")');
  await review.waitForSelector('#countersigned');
  assert.match(await review.textContent('#consent-verification'), /and countersignature check out/);
  assert.deepEqual(await axeViolations(review), []);
  for (const width of [375, 1280]) {
    await review.setViewportSize({ width, height: 900 });
    await review.screenshot({ path: join(outputDir, `clinic-${width}-detail.png`), fullPage: true });
  }

  const response = await review.request.get(`${url}review/submissions/${submissionId}/record.json`);
  assert.equal(response.status(), 200);
  const record = await response.json();
  const file = join(outputDir, 'clinic-countersigned.json');
  writeFileSync(file, JSON.stringify(record, null, 2));
  const engine = await importEngine();
  await engine.init();
  const protocol = await engine.loadProtocol(readFileSync(join(repo, 'protocols/microneedling/protocol.json'), 'utf8'));
  assert.equal(record.record_type, 'prescreen.consent/2');
  assert.equal(record.information_record, information.digest);
  assert.equal(record.information_shown_at, information.information_shown_at);
  assert.ok(record.signed_at > information.read_at, 'signed after reading');
  assert.deepEqual(record.acknowledgements, [...new Set([...information.acknowledgements, ...boxes, 'photo_care'])].sort());
  // Exactly the statements of this patient's document (the engine's consentDocument) are required.
  const required = protocol.consentDocument(ELIGIBLE, { today: record.screening.today }).acknowledgements
    .filter((a) => a.required).map((a) => a.id);
  assert.deepEqual(record.required_acknowledgements, required);
  assert.equal(record.signer.method, 'drawn');
  assert.deepEqual(record.signer.strokes, strokes);
  assert.deepEqual(record.countersignature, { name: 'pat', role: 'practitioner', register: 'NMC', registration_number: '12A3456B' });
  const signedDay = record.signed_at.slice(0, 10);
  assert.equal(record.screening.today, signedDay, 'screened again on the day of signing');
  const nextDay = new Date(Date.parse(`${signedDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  assert.deepEqual(record.cooling_off, { offered: true, amount: 1, unit: 'days', treatment_not_before: nextDay });
  assert.equal(record.seal.countersignature.registration_number, 'NMC 12A3456B');

  // Python, with the public key and the seal key; the C++ CLI; the engine's JavaScript package.
  const py = spawnSync(python, ['-m', 'prescreen', 'verify', file, '--public-key', join(data, 'clinic.pub'),
    '--seal-key-file', join(data, 'keys/seal.key')], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stdout + py.stderr);
  const cli = join(repo, 'build/prescreen');
  assert.ok(existsSync(cli), 'build/prescreen (make build) is needed');
  const cpp = spawnSync(cli, ['verify', file, '--seal-key-file', join(data, 'keys/seal.key')], { encoding: 'utf8' });
  assert.equal(cpp.status, 0, cpp.stdout + cpp.stderr);
  const sealKey = readFileSync(join(data, 'keys/seal.key'), 'utf8').trim();
  assert.deepEqual(engine.verifyConsent(record, { sealKey }).problems, []);
  assert.equal(engine.verifyConsent(record, { sealKey: 'another key' }).valid, false);
  // The clinic's Ed25519 signatures, with nothing but Node's crypto and the published key.
  const pem = await (await fetch(`${url}api/public-key`)).text();
  const key = createPublicKey(pem);
  const signed = (context, message, signature) => verify(null, Buffer.from(context + message), key, Buffer.from(signature.value, 'base64'));
  assert.ok(signed('prescreen consent record\n', record.digest, record.seal.signature));
  const { signature, ...counter } = record.seal.countersignature;
  assert.ok(signed('prescreen countersignature\n', engine.canonicalJson({ digest: record.digest, ...counter }), signature));

  // A second patient signs with the typed name only (the alternative to drawing).
  const shown = `${TODAY}T09:00:00Z`;
  const second = await (await fetch(`${url}api/submissions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      submission_key: `typed-${Date.now()}-0000000000`, pack_digest: protocol.digest, answers: ELIGIBLE, today: TODAY,
      information_record: protocol.informationRecord({ acknowledged: information.acknowledgements, informationShownAt: shown, readAt: shown, today: TODAY }),
    }),
  })).json();
  await signAtConsultation(review, url, second.submission_id, { name: 'Sam Typed' });
  await review.waitForSelector('#consent-signed');
  assert.match(await review.textContent('#signed-by'), /^Sam Typed \(typed name\)$/);
  const typed = await (await review.request.get(`${url}review/submissions/${second.submission_id}/record.json`)).json();
  assert.deepEqual(typed.signer, { name: 'Sam Typed', role: 'patient', method: 'typed' });
  assert.equal(engine.verifyConsent(typed, { sealKey }).valid, true);

  // verify-store: the chain holds (user added, two received, two signed, one countersigned).
  const store = spawnSync(python, ['-m', 'prescreen.clinic', 'verify-store', '--data', data], { encoding: 'utf8' });
  assert.equal(store.status, 0, store.stdout);
  assert.equal(JSON.parse(store.stdout).audit_rows, 6);
  // The one refused signing answered 422 (Chromium logs that status); nothing else went wrong.
  assert.deepEqual(consoleErrors, ['Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
  assert.deepEqual(requests.filter((r) => !r.startsWith(url) && !r.startsWith('data:') && !r.startsWith('blob:')), []);
});

test('served as static files, the form offers no sending', async () => {
  const server = await startServer({ port: 0, mounts: defaultMounts({ engineDir, protocolsDir }) });
  try {
    const page = await openAt(server.url);
    await answerQuestionnaire(page, ELIGIBLE);
    await page.waitForTimeout(300); // the detection has answered by now
    assert.equal(await page.isVisible('#send-panel'), false);
    assert.equal(await page.$('#send-to-clinic'), null);
    assert.match(await page.textContent('.site-footer'), /Nothing is sent to the clinic/);
  } finally {
    await server.close();
  }
});
