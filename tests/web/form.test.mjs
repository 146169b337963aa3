// How the questionnaire behaves: questions appear and disappear as the engine decides (enable_when),
// invalid answers get the engine's message next to the field (aria-invalid, described-by, announced
// through the aria-live region), missing answers block Next with an error summary, one progress
// measure, and the server sends the Content-Security-Policy and the right MIME types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELIGIBLE, axeViolations, fillDate, fillPage, openForm, protocolsDir, startSession } from './helpers.mjs';
import { CSP, HEADER_CSP, defaultMounts, startServer } from '../../web-demo/serve.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function toPage(page, title) {
  await page.click('button:has-text("Start")');
  for (let i = 0; i < 10; i += 1) {
    if ((await page.textContent('#page-title')) === title) return;
    await fillPage(page, ELIGIBLE);
    await page.click('#page-form button[type="submit"]');
  }
  throw new Error(`no page "${title}"`);
}

test('a future date of birth: the engine\'s message on Next, on the fields and announced', async () => {
  const page = await openForm(session);
  await page.click('button:has-text("Start")');
  await fillDate(page, 'date_of_birth', '2030-01-01');
  const error = page.locator('#error-date_of_birth');
  assert.equal(await error.isVisible(), false, 'no message before Next');
  await page.click('#page-form button[type="submit"]');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /^Error: .*future/i);
  assert.equal(await page.getAttribute('input[name="date_of_birth-year"]', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('input[name="date_of_birth-day"]', 'aria-describedby'), /error-date_of_birth/);
  await page.waitForFunction(() => /problem/i.test(document.getElementById('announcer').textContent));
  assert.equal(await page.getAttribute('#announcer', 'aria-live'), 'polite');
  assert.match(await page.title(), /^Error: About you – /);
  // Corrected (and the rest of the page answered): the page moves on.
  await fillPage(page, ELIGIBLE);
  await page.click('#page-form button[type="submit"]');
  assert.equal(await page.isVisible('#q-date_of_birth'), false, 'moved on to the next page');
});

test('Next with missing answers: error summary, focus on it, links to the fields', async () => {
  const page = await openForm(session);
  await page.click('button:has-text("Start")');
  const title = await page.textContent('#page-title');
  await page.click('#page-form button[type="submit"]');
  assert.equal(await page.textContent('#page-title'), title);
  assert.ok(await page.isVisible('#error-summary'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  const links = await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.includes('#q-date_of_birth'), links.join(' '));
  await page.click('#error-summary a[href="#q-date_of_birth"]');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'date_of_birth-day');
  assert.deepEqual(await axeViolations(page), [], 'axe with the errors shown');
});

test('follow-up questions appear only when the engine shows them', async () => {
  const page = await openForm(session);
  await toPage(page, 'Medicines and skincare');
  const lastDose = page.locator('#q-isotretinoin_last_dose');
  const past = page.locator('#q-isotretinoin_past');
  assert.equal(await lastDose.isVisible(), false);
  await page.check('input[name="isotretinoin_current"][value="false"]');
  await past.waitFor({ state: 'visible' });
  assert.equal(await lastDose.isVisible(), false);
  await page.check('input[name="isotretinoin_past"][value="true"]');
  await lastDose.waitFor({ state: 'visible' });
  // A date is three fields, ID-day, ID-month and ID-year.
  assert.deepEqual(await page.$$eval('#q-isotretinoin_last_dose input', (els) => els.map((e) => [e.name, e.inputMode])),
    [['isotretinoin_last_dose-day', 'numeric'], ['isotretinoin_last_dose-month', 'numeric'], ['isotretinoin_last_dose-year', 'numeric']]);
  await page.check('input[name="isotretinoin_past"][value="false"]');
  await lastDose.waitFor({ state: 'hidden' });
  // Booleans are a yes/no pair named by the answer id, values true/false.
  assert.deepEqual(await page.$$eval('input[name="isotretinoin_past"]', (els) => els.map((e) => [e.type, e.value])),
    [['radio', 'true'], ['radio', 'false']]);
  // Multi-choice answers are checkboxes sharing the answer id.
  while ((await page.textContent('#page-title')) !== 'What you would like treated') {
    await page.click('#page-form button:has-text("Back")');
  }
  const areas = await page.$$eval('input[name="treatment_areas"]', (els) => els.map((e) => e.type));
  assert.ok(areas.length > 2 && areas.every((type) => type === 'checkbox'));
  const other = page.locator('#q-treatment_areas_other');
  assert.equal(await other.isVisible(), false);
  await page.check('input[name="treatment_areas"][value="other"]');
  await other.waitFor({ state: 'visible' });
});

test('one progress measure, and the tab\'s title names the step', async () => {
  const page = await openForm(session);
  await page.click('button:has-text("Start")');
  const label = await page.textContent('#progress-label');
  assert.match(label, /^Page 1 of \d+$/);
  assert.doesNotMatch(await page.textContent('#view'), /%/);
  assert.match(await page.title(), /^About you – Fairfield Skin Clinic$/);
  await fillPage(page, ELIGIBLE);
  await page.click('#page-form button[type="submit"]');
  assert.match(await page.textContent('#progress-label'), /^Page 2 of \d+$/);
  assert.equal(await page.title(), `${await page.textContent('#page-title')} – Fairfield Skin Clinic`);
});

test('server: CSP header and meta agree, wasm MIME type, no directory escapes', async () => {
  const base = session.server.url;
  const page = await fetch(base);
  assert.equal(page.headers.get('content-security-policy'), HEADER_CSP);
  assert.ok(HEADER_CSP.startsWith(CSP) && HEADER_CSP.endsWith("frame-ancestors 'none'"));
  const html = await page.text();
  assert.ok(html.includes(`content="${CSP}"`), 'the <meta> CSP is the same policy');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts');
  assert.doesNotMatch(html, /https?:\/\//, 'no absolute URLs');
  const wasm = await fetch(new URL('wasm/dist/prescreen.wasm', base));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const pack = await fetch(new URL('protocols/microneedling/protocol.json', base));
  assert.match(pack.headers.get('content-type'), /^application\/json/);
  for (const path of ['wasm/../../etc/passwd', 'wasm/%2e%2e/%2e%2e/etc/passwd', 'serve.mjs', '..%2fMakefile',
    'README.md', 'wasm/src/bindings.cpp', 'wasm/package.json', 'wasm/README.md', 'protocols/test_packs.py',
    'protocols/microneedling/cases.json', 'protocols/microneedling/README.md']) {
    assert.equal((await fetch(new URL(path, base))).status, 404, path);
  }
});

test('?today= sets the day the engine screens on', async () => {
  for (const [today, future] of [['2026-11-25', true], ['2027-03-01', false]]) {
    const page = await openForm(session, { query: `today=${today}` });
    await page.click('button:has-text("Start")');
    await fillPage(page, { ...ELIGIBLE, date_of_birth: '2026-12-01' });
    await page.click('#page-form button[type="submit"]');
    const text = await page.textContent('#view');
    assert.equal(/future/i.test(text), future, `${today}: ${text.slice(0, 200)}`);
    await page.close();
  }
});

test('an impossible ?today= gets the engine\'s refusal, not a broken page', async () => {
  const page = await session.context.newPage();
  await page.goto(session.url('today=2026-02-30'));
  await page.waitForSelector('h1:has-text("Sorry, something went wrong")');
  assert.match(await page.textContent('#view'), /call the clinic/);
  await page.close();
});

test('without the engine the page says so plainly', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'prescreen-no-engine-'));
  const server = await startServer({ port: 0, mounts: defaultMounts({ engineDir: empty, protocolsDir }) });
  session.allowServer(server.url);
  try {
    const page = await session.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('h1:has-text("Sorry, something went wrong")');
    assert.match(await page.textContent('#view'), /could not be loaded/);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  } finally {
    await server.close();
    rmSync(empty, { recursive: true, force: true });
  }
});

test('no request left 127.0.0.1', () => {
  assert.ok(session.requests.length > 0);
  assert.deepEqual(session.foreign(), []);
});
