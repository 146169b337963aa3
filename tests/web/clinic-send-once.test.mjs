// Sending is idempotent end to end (the real back office, uvicorn + SQLite, in Chromium): the form
// holds one submission key per draft, so sending from the result page and then again after reading
// the consent information is one submission (the page after reading shows the receipt it already
// has, and says the clinic does not have the record of reading); a reply lost on the way (the server
// stored it, the page saw a 503) is sent again under the same key and gets the same receipt; the same
// key with other content is refused with 409 submission_key_reused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ELIGIBLE, TODAY, answerQuestionnaire, axeViolations, currentView, outputDir } from './helpers.mjs';
import { python, sendToClinic, startBackOffice } from './back_office.mjs';

let office;
let posts; // the bodies of POST /api/submissions, in order

before(async () => {
  office = await startBackOffice({ prefix: 'prescreen-send-once-', request: (r) => ({ url: r.url(), body: r.postData() }) });
});

after(async () => { await office?.stop(); });

function submissionBodies() {
  return office.requests.filter((r) => r.url.endsWith('/api/submissions') && r.body).map((r) => JSON.parse(r.body));
}

/** What verify-store counts: the submissions the back office holds. */
function storedSubmissions() {
  const run = spawnSync(python, ['-m', 'prescreen.clinic', 'verify-store', '--data', office.data], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return JSON.parse(run.stdout).submissions;
}

async function openForm() {
  const page = await office.context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(`${office.url}?today=${TODAY}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return page;
}

async function readInformation(page) {
  await page.click('button:has-text("Read the consent information")');
  for (const box of await page.$$('input[name="acknowledged"]')) await box.check();
  await page.click('button:has-text("I have read this")');
  assert.equal(await currentView(page), 'summary');
  await page.waitForSelector('#send-panel:not([hidden])');
}

test('sent from the result, then read: one submission, the same receipt on every page', async () => {
  const page = await openForm();
  await answerQuestionnaire(page, ELIGIBLE);
  await page.waitForSelector('#send-panel:not([hidden])');
  assert.match(await page.textContent('#send-after-reading'), /send after reading it: the record that you read it is then sent too/);
  const reference = await sendToClinic(page);
  assert.match(reference, /^sub_[0-9a-f]{20}$/);

  await readInformation(page);
  assert.equal(await page.$('#send-form'), null, 'no second form once sent');
  assert.equal(await page.textContent('#send-reference'), reference);
  assert.match(await page.textContent('#send-before-reading'), /before you read the consent information/);
  assert.match(await page.textContent('#summary .lead'), /^Sent to the clinic\./);
  assert.deepEqual(await axeViolations(page), []);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(outputDir, `send-once-${width}-summary.png`), fullPage: true });
  }
  // Back to the result page: the receipt again, no form.
  await page.goBack();
  await page.goBack();
  assert.equal(await currentView(page), 'result');
  await page.waitForSelector('#send-reference');
  assert.equal(await page.textContent('#send-reference'), reference);
  assert.equal(await page.$('#send-form'), null);

  assert.equal(submissionBodies().length, 1, 'one POST');
  assert.equal(storedSubmissions(), 1);
  await page.close();
});

test('a reply lost on the way: sent again under the same key, the same receipt, stored once', async () => {
  const before = storedSubmissions();
  const page = await openForm();
  let stored = null;
  // The first send reaches the clinic and is stored, but the page is told 503 (a proxy's timeout).
  await page.route('**/api/submissions', async (route) => {
    if (stored) return route.continue();
    const response = await route.fetch();
    stored = await response.json();
    assert.equal(response.status(), 201);
    return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"gateway timeout"}}' });
  });
  await answerQuestionnaire(page, ELIGIBLE);
  await readInformation(page);
  const reference = await sendToClinic(page, { name: 'Robin Retry' });
  assert.equal(reference, stored.submission_id);
  const bodies = submissionBodies().slice(-2);
  assert.equal(bodies.length, 2);
  assert.equal(bodies[0].submission_key, bodies[1].submission_key, 'the retry has the same key');
  assert.deepEqual(bodies[0], bodies[1], 'and the same content');
  assert.equal(storedSubmissions(), before + 1);

  // The same key with other content: refused, with its stable code; nothing stored.
  const reply = await fetch(`${office.url}api/submissions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...bodies[0], contact: { name: 'Someone Else', phone: '07700 900999' } }),
  });
  assert.equal(reply.status, 409);
  assert.equal((await reply.json()).error.code, 'submission_key_reused');
  assert.equal(storedSubmissions(), before + 1);
  await page.close();
});

test('the clinic answers 409 submission_key_reused: the page says it already has the form, no "try again"', async () => {
  const page = await openForm();
  // An earlier send of this draft arrived and its reply was lost; the details differ now.
  await page.route('**/api/submissions', (route) => route.fulfill({
    status: 409, contentType: 'application/json',
    body: '{"error":{"code":"submission_key_reused","path":"/submission_key","message":"this submission key was sent before with other content"}}',
  }));
  await answerQuestionnaire(page, ELIGIBLE);
  await page.waitForSelector('#send-form');
  await page.fill('#in-send_name', 'Alex Patient');
  await page.fill('#in-send_phone', '07700 900123');
  await page.click('#send-to-clinic');
  await page.waitForFunction(() => document.querySelector('#send-status')?.textContent.includes('Not sent.'));
  const status = await page.textContent('#send-status');
  assert.match(status, /^Not sent\. The clinic already has your form: an earlier send arrived/);
  assert.doesNotMatch(status, /try again/);
  assert.ok(await page.$('#send-form'), 'the form stays, nothing is lost');
  await page.close();
});

test('answers changed after sending are a new submission, under a new key', async () => {
  const before = storedSubmissions();
  const page = await openForm();
  await answerQuestionnaire(page, ELIGIBLE);
  const first = await sendToClinic(page);
  await page.click('button:has-text("Change my answers")');
  await page.click('.check-row[data-item="diabetes"] .change-link');
  await page.check('input[name="diabetes"][value="controlled"]');
  await page.click('#page-form button[type="submit"]');
  await page.click('#check-form button[type="submit"]');
  assert.equal(await currentView(page), 'result');
  await page.waitForSelector('#send-form');
  const second = await sendToClinic(page);
  assert.notEqual(second, first);
  const keys = submissionBodies().slice(-2).map((body) => body.submission_key);
  assert.notEqual(keys[0], keys[1]);
  assert.equal(storedSubmissions(), before + 2);
  await page.close();
});
