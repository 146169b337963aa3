// The form served by the clinic's back office (python -m prescreen.clinic serve, a real uvicorn on
// 127.0.0.1 with SQLite) in Debian's Chromium: a patient answers, signs and presses "Send to the
// clinic"; a practitioner signs in, finds the submission in the queue and countersigns; the sealed
// record then verifies in Python (with the public key), in the C++ CLI, in the engine's JavaScript
// package, and its Ed25519 signatures with Node's own crypto. Served as plain static files, the same
// page offers no sending at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultMounts, startServer } from '../../web-demo/serve.mjs';
import { ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, engineDir, importEngine, outputDir, protocolsDir, repo, requireBuild } from './helpers.mjs';
import { PASSWORD, python, startBackOffice } from './back_office.mjs';

let office;  // the back office and its browser (back_office.mjs)
let url;
let data;
let context;
let requests;
let consoleErrors;

before(async () => {
  requireBuild();
  office = await startBackOffice({ prefix: 'prescreen-clinic-' });
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

test('patient sends, practitioner countersigns, the sealed record verifies everywhere', async () => {
  const page = await openAt(url);
  await answerQuestionnaire(page, ELIGIBLE);
  await page.waitForSelector('#send-panel:not([hidden])');
  const statement = await page.textContent('#send-panel');
  assert.match(statement, /your answers to these questions and the result shown on this page will be sent to Margaret Street/);
  assert.match(statement, /Nothing is sent unless you press the button/);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, 'clinic-result-send.png'), fullPage: true });
  const before = requests.filter((r) => r.includes('/api/submissions')).length;
  assert.equal(before, 0, 'nothing is sent before the patient presses send');

  await page.click('button:has-text("Continue to consent")');
  const boxes = await page.$$eval('input[name="acknowledged"]', (els) => els.map((el) => el.value));
  for (const id of boxes) await page.check(`input[name="acknowledged"][value="${id}"]`);
  await page.fill('input[name="signature_name"]', 'Alex Patient');
  await page.click('button:has-text("Sign consent")');
  assert.equal(await currentView(page), 'summary');
  await page.waitForSelector('#send-panel:not([hidden])');
  assert.match(await page.textContent('#send-panel'), /and your signed consent record will be sent/);
  await page.click('#send-to-clinic');
  await page.waitForSelector('#send-reference');
  const submissionId = await page.textContent('#send-reference');
  assert.match(await page.textContent('#summary .lead'), /^Sent to the clinic\./);
  assert.match(submissionId, /^sub_[0-9a-f]{20}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-sealed')]);
  const sealedFile = join(outputDir, 'clinic-sealed-by-patient.json');
  await download.saveAs(sealedFile);
  assert.ok(JSON.parse(readFileSync(sealedFile, 'utf8')).seal.signature.value);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(outputDir, 'clinic-summary-sent.png'), fullPage: true });

  // The practitioner.
  const review = await context.newPage();
  await review.goto(`${url}review/`);
  assert.match(review.url(), /\/review\/login\?next=/);
  await review.screenshot({ path: join(outputDir, 'clinic-login.png') });
  await review.fill('#name', 'pat');
  await review.fill('#password', PASSWORD);
  await review.click('button:has-text("Sign in")');
  await review.waitForSelector('#queue');
  assert.deepEqual(await axeViolations(review), []);
  await review.screenshot({ path: join(outputDir, 'clinic-queue.png'), fullPage: true });
  await review.click(`tr[data-id="${submissionId}"] a`);
  await review.waitForSelector('#consent-verification');
  assert.match(await review.textContent('#consent-verification'), /^valid/);
  await review.fill('#cs-number', 'NMC 12A3456B');
  await review.click('button:has-text("Countersign the consent")');
  await review.waitForSelector('#countersigned');
  assert.match(await review.textContent('#countersigned'), /pat \(practitioner, NMC 12A3456B\)/);
  assert.match(await review.textContent('#consent-verification'), /and countersignature check out/);
  assert.deepEqual(await axeViolations(review), []);
  await review.screenshot({ path: join(outputDir, 'clinic-detail.png'), fullPage: true });

  const response = await review.request.get(`${url}review/submissions/${submissionId}/record.json`);
  assert.equal(response.status(), 200);
  const record = await response.json();
  const file = join(outputDir, 'clinic-countersigned.json');
  writeFileSync(file, JSON.stringify(record, null, 2));
  assert.equal(record.seal.countersignature.registration_number, 'NMC 12A3456B');

  // Python, with the public key and the seal key.
  const py = spawnSync(python, ['-m', 'prescreen', 'verify', file, '--public-key', join(data, 'clinic.pub'),
    '--seal-key-file', join(data, 'keys/seal.key')], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stdout + py.stderr);
  // The C++ command-line tool (make build).
  const cli = join(repo, 'build/prescreen');
  assert.ok(existsSync(cli), 'build/prescreen (make build) is needed');
  const cpp = spawnSync(cli, ['verify', file, '--seal-key-file', join(data, 'keys/seal.key')], { encoding: 'utf8' });
  assert.equal(cpp.status, 0, cpp.stdout + cpp.stderr);
  // The engine's JavaScript package.
  const engine = await importEngine();
  await engine.init();
  const sealKey = readFileSync(join(data, 'keys/seal.key'), 'utf8').trim();
  assert.deepEqual(engine.verifyConsent(record, { sealKey }).problems, []);
  assert.equal(engine.verifyConsent(record, { sealKey: 'another key' }).valid, false);
  // The clinic's Ed25519 signatures, with nothing but Node's crypto and the published key.
  const pem = await (await fetch(`${url}api/public-key`)).text();
  assert.equal(pem, readFileSync(join(data, 'clinic.pub'), 'utf8'));
  const key = createPublicKey(pem);
  const signed = (context, message, signature) => verify(null, Buffer.from(context + message), key, Buffer.from(signature.value, 'base64'));
  assert.ok(signed('prescreen consent record\n', record.digest, record.seal.signature));
  const { signature, ...counter } = record.seal.countersignature;
  assert.ok(signed('prescreen countersignature\n', engine.canonicalJson({ digest: record.digest, ...counter }), signature));
  assert.ok(!signed('prescreen consent record\n', record.digest.replace(/^./, (c) => (c === '0' ? '1' : '0')), record.seal.signature));

  // verify-store: the chain holds (received, countersigned, and the user added).
  const store = spawnSync(python, ['-m', 'prescreen.clinic', 'verify-store', '--data', data], { encoding: 'utf8' });
  assert.equal(store.status, 0, store.stdout);
  assert.equal(JSON.parse(store.stdout).audit_rows, 3);
  assert.deepEqual(consoleErrors, []);
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
