// Shared set-up for the browser tests: the demo server on a free port, Debian's Chromium driven by
// playwright-core with a fresh temporary profile, and the protocol pack the page uses.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { defaultMounts, startServer } from '../../web-demo/serve.mjs';

export const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const outputDir = join(repo, 'tests/web/output');
mkdirSync(outputDir, { recursive: true });

// Another engine build or pack folder can be tried with these (default: the repository's own).
export const engineDir = process.env.PRESCREEN_ENGINE_DIR ?? join(repo, 'wasm');
export const protocolsDir = process.env.PRESCREEN_PROTOCOLS_DIR ?? join(repo, 'protocols');
export const packPath = join(protocolsDir, 'microneedling/protocol.json');

/** Fixed "today" for every journey (the page reads ?today=). */
export const TODAY = '2026-11-25';

export function requireBuild() {
  const missing = [join(engineDir, 'index.js'), packPath].filter((path) => !existsSync(path));
  if (missing.length) {
    throw new Error(`browser tests need the WebAssembly package and the pack (make wasm): missing ${missing.join(', ')}`);
  }
}

export function loadPack() {
  return JSON.parse(readFileSync(packPath, 'utf8'));
}

/** The engine's ES module, loaded in Node (for verifying downloaded records). */
export async function importEngine() {
  return import(pathToFileURL(join(engineDir, 'index.js')).href);
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--lang=en-GB',
];

/**
 * Server + browser. Every request the pages make is recorded in `requests`; `foreign()` lists those
 * that left 127.0.0.1 (anything but the demo server, data: and blob: URLs).
 */
export async function startSession() {
  requireBuild();
  const server = await startServer({ port: 0, mounts: defaultMounts({ engineDir, protocolsDir }) });
  const userDataDir = mkdtempSync(join(tmpdir(), 'prescreen-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    viewport: { width: 1280, height: 900 },
  });
  const requests = [];
  const consoleErrors = [];
  // Every request any page or worker of the context makes (context-level, so none is missed).
  context.on('request', (request) => requests.push(request.url()));
  const watch = (page) => {
    // The page asks before leaving with unsaved answers (beforeunload): a test that reloads or
    // navigates away means to leave. Any other dialog is unexpected and dismissed.
    page.on('dialog', (dialog) => (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()));
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  const origins = new Set([new URL(server.url).origin]);
  return {
    server,
    context,
    requests,
    consoleErrors,
    url: (query = `today=${TODAY}`) => `${server.url}?${query}`,
    /** Another demo server of this test file whose requests count as local. */
    allowServer: (url) => origins.add(new URL(url).origin),
    foreign: () => requests.filter((url) => {
      if (url.startsWith('data:') || url.startsWith('blob:')) return false;
      return !origins.has(new URL(url).origin) || new URL(url).hostname !== '127.0.0.1';
    }),
    async close() {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Open the form and wait until the engine has loaded. */
export async function openForm(session, { query, page } = {}) {
  const tab = page ?? await session.context.newPage();
  await tab.goto(session.url(query));
  await tab.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return tab;
}

// ---------------------------------------------------------------- answer sets and drivers

/** A healthy 36-year-old with acne scars on the face: nothing in the pack should fire. */
export const ELIGIBLE = Object.freeze({
  date_of_birth: '1990-05-14', sex: 'female', clinic: 'margaret_street',
  treatment_areas: ['face'], indication: 'acne_scars',
  active_cold_sore: false, active_infection: false, active_acne: false, rosacea: 'none',
  eczema_psoriasis: 'none', sunburn_recent: false, skin_cancer_area: false, suspicious_lesion: false,
  recent_scar: false,
  isotretinoin_current: false, isotretinoin_past: false, topical_retinoid: false,
  topical_steroid_area: false, anticoagulant: false,
  pregnant: false, breastfeeding: false, cold_sore_history: false, keloid_tendency: false,
  bleeding_disorder: false, diabetes: 'none', immunosuppressed: false, chemotherapy_current: false,
  radiotherapy_area: false, autoimmune_skin: false, cardiac_device: false,
  injectables_recent: false, resurfacing_recent: false,
  stainless_steel_allergy: false, metal_allergy_other: false, anaesthetic_allergy: false,
  // Pack 2.0.0 (mn-ref-v2): the new questions, each with its 'nothing to report' answer.
  skin_type: 'II', pih_history: false, melasma: false, vitiligo_lichen_planus: 'none',
  sarcoidosis_granuloma: false, herpes_other_area: 'none', permanent_filler_area: 'none',
  threads_implants_area: 'none', surgery_area: false, previous_microneedling: false, home_device: false,
  hair_removal_recent: false, self_tan_recent: false, chlorhexidine_allergy: false, latex_allergy: false,
  product_ingredient_allergy: false,
});

/** The kind of view the page shows now: welcome, question, check, result, information, summary. */
export async function currentView(page) {
  return page.evaluate(() => {
    if (document.getElementById('summary')) return 'summary';
    if (document.getElementById('information-form')) return 'information';
    if (document.getElementById('result')) return 'result';
    if (document.getElementById('check-form')) return 'check';
    if (document.getElementById('page-form')) return 'question';
    return 'welcome';
  });
}

/** Set the controls of every visible question on the current page from `answers` (by input name). */
export async function fillPage(page, answers) {
  // Questions can appear as others are answered (enable_when), so go round until nothing changes.
  const done = new Set();
  for (let round = 0; round < 20; round += 1) {
    const visible = await page.$$eval('#page-form .question[data-item]:not([hidden])',
      (els) => els.map((el) => ({ id: el.dataset.item, type: el.dataset.type })));
    const todo = visible.filter((q) => !done.has(q.id) && q.type !== 'display' && answers[q.id] !== undefined);
    if (!todo.length) return;
    for (const { id, type } of todo) {
      done.add(id);
      const value = answers[id];
      const sel = (v) => `#page-form input[name="${id}"][value="${v}"]`;
      if (type === 'boolean' || type === 'choice') await page.check(sel(String(value)));
      else if (type === 'multi-choice') for (const v of value) await page.check(sel(v));
      else if (type === 'date') await fillDate(page, id, value);
      else await page.fill(`#page-form [name="${id}"]`, String(value));
    }
  }
}

/** A date typed the GOV.UK way: ISO "1990-05-14" into ID-day "14", ID-month "5", ID-year "1990". */
export async function fillDate(page, id, iso) {
  const [year, month, day] = iso.split('-');
  await page.fill(`[name="${id}-day"]`, String(Number(day)));
  await page.fill(`[name="${id}-month"]`, String(Number(month)));
  await page.fill(`[name="${id}-year"]`, year);
}

/**
 * From the welcome view, answer every page and stop at the result. `onView(name)` runs on each new
 * view (for axe checks and screenshots). Throws with the page's error summary if a page will not move on.
 */
export async function answerQuestionnaire(page, answers, { onView = async () => {}, started = false } = {}) {
  if (!started) {
    await onView('welcome');
    await page.click('button:has-text("Start")');
  }
  for (let step = 1; step <= 30; step += 1) {
    const view = await currentView(page);
    if (view === 'result') {
      await onView('result');
      return;
    }
    if (view === 'check') {
      await onView('check');
      await page.click('#check-form button[type="submit"]');
      continue;
    }
    const title = await page.textContent('#page-title');
    await fillPage(page, answers);
    await onView(`page-${step}`);
    await page.click('#page-form button[type="submit"]');
    if ((await currentView(page)) === 'question' && (await page.textContent('#page-title')) === title) {
      const summary = await page.textContent('#error-summary');
      throw new Error(`page "${title}" would not move on: ${summary}`);
    }
  }
  throw new Error('no result after 30 pages');
}

/** Result view attributes and visible texts. */
export async function readResult(page) {
  return page.$eval('#result', (el) => ({
    outcome: el.dataset.outcome,
    deferUntil: el.dataset.deferUntil,
    headline: el.querySelector('h1').textContent,
    text: el.textContent,
    canConsent: [...el.querySelectorAll('button')].some((b) => /consent/i.test(b.textContent)),
  }));
}

/** Independent calendar-month addition, clamped to the month's last day (31 Aug + 6 = 28 Feb). */
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const index = (m - 1) + months;
  const year = y + Math.floor(index / 12);
  const month = ((index % 12) + 12) % 12;
  const last = [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
/** "2027-02-25" → "25 February 2027", written out independently of the page. */
export function longDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

// ---------------------------------------------------------------- accessibility

const axeSource = readFileSync(join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the current view: serious and critical violations (WCAG 2.0/2.1 A and AA rules plus
 * best practices). The page's CSP forbids inline scripts, so axe is evaluated through the DevTools
 * protocol (page.evaluate), which the CSP does not govern, instead of page.addScriptTag.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}
