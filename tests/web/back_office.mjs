// The real back office for browser tests: `python -m prescreen.clinic serve` (uvicorn on 127.0.0.1
// with SQLite in a fresh data folder, one practitioner account) and a Chromium context that records
// the requests it makes and the page's console errors. Shared by the tests that send to the clinic.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, repo } from './helpers.mjs';

export const python = join(repo, '.venv/bin/python');
export const PASSWORD = 'practitioner password 1';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Start the back office and a browser. `request(r)` turns each request into what is recorded.
 * Returns { url, port, data, firstLine, context, requests, consoleErrors, stop() }. */
export async function startBackOffice({ prefix, request = (r) => r.url() }) {
  const data = mkdtempSync(join(tmpdir(), prefix));
  const added = spawnSync(python, ['-m', 'prescreen.clinic', 'add-user', 'pat', '--role', 'practitioner', '--password-stdin',
    '--data', data], { input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  const port = await freePort();
  const office = spawn(python, ['-m', 'prescreen.clinic', 'serve', '--data', data, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise((resolve) => office.stdout.once('data', (chunk) => resolve(String(chunk))));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i += 1) {
    try { if ((await fetch(`${url}api/health`)).ok) break; } catch { /* starting */ }
    await new Promise((r) => { setTimeout(r, 100); });
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'prescreen-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    acceptDownloads: true, locale: 'en-GB', timezoneId: 'Europe/London', viewport: { width: 1280, height: 900 },
  });
  const requests = [];
  const consoleErrors = [];
  context.on('request', (r) => requests.push(request(r)));
  context.on('page', (page) => {
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });
  async function stop() {
    await context.close();
    office.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return { url, port, data, firstLine, context, requests, consoleErrors, stop };
}

/** A practitioner signs in on `page` (the login form of the back office). */
export async function signIn(page, url) {
  await page.goto(`${url}review/login`);
  await page.fill('#name', 'pat');
  await page.fill('#password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForSelector('#queue');
}

/**
 * Consent at the consultation on the clinic's tablet (`page`, signed in): every statement to
 * confirm is ticked, photographs for the clinical record only, the typed name, and a drawn
 * signature when `draw` (pointer strokes on the canvas). Returns the page on the "Consent signed" view.
 */
export async function signAtConsultation(page, url, submissionId, { name = 'Alex Patient', draw = false, skip = [] } = {}) {
  await page.goto(`${url}review/submissions/${submissionId}/consent`);
  await page.waitForSelector('#consultation-form');
  // Each section is a disclosure, closed at first: the patient opens each one to read it and tick.
  for (const summary of await page.$$('#consultation-form details.consent-details:not([open]) > summary')) await summary.click();
  const boxes = await page.$$eval('#consultation-form fieldset.acks input[name="acknowledged"]',
    (els) => els.filter((el) => el.closest('fieldset').querySelector('legend').textContent.startsWith('Please confirm')).map((el) => el.value));
  for (const id of boxes) if (!skip.includes(id)) await page.check(`#ack-${id}`);
  if (await page.$('#ack-photo_care')) await page.check('#ack-photo_care');
  await page.fill('#signature-name', name);
  await page.fill('#cs-register', 'NMC');
  await page.fill('#cs-number-consult', '12A3456B');
  if (draw) {
    const box = await page.locator('#signature-canvas').boundingBox();
    // Two strokes: a wave and a dot, as a finger would draw them.
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i += 1) await page.mouse.move(box.x + 20 + i * 15, box.y + box.height / 2 + (i % 2 ? -20 : 20));
    await page.mouse.up();
    await page.mouse.move(box.x + box.width - 30, box.y + 30);
    await page.mouse.down();
    await page.mouse.up();
  }
  await page.click('#sign-consent');
  return boxes;
}

/**
 * The patient sends from the summary or result view: name and phone (the two the clinic needs to
 * call back), optionally email, then "Send to the clinic"; waits for the receipt's reference.
 */
export async function sendToClinic(page, { name = 'Alex Patient', phone = '07700 900123', email = '' } = {}) {
  await page.waitForSelector('#send-form');
  await page.fill('#in-send_name', name);
  await page.fill('#in-send_phone', phone);
  if (email) await page.fill('#in-send_email', email);
  await page.click('#send-to-clinic');
  await page.waitForSelector('#send-reference');
  return page.textContent('#send-reference');
}
