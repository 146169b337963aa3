// form() and screen() latency in Chromium: the WebAssembly engine as the patient's page uses it.
//
//   node bench/browser_latency.mjs [--calls 1000] [--write]
//
// Serves the demo (web-demo/serve.mjs) on 127.0.0.1, opens it in Debian's Chromium (headless,
// playwright-core), waits for the page to load the engine and the micro-needling pack, then times
// single calls inside the page with performance.now() (the server sends COOP/COEP, so the page is
// cross-origin isolated and the timer resolution is 5 µs rather than 100 µs). Answer sets rotate
// through a complete eligible patient, a deferred one, a not-eligible one and a half-finished form
// (what form() sees while the patient is typing). With --write, the "## Browser" section of
// bench/RESULTS.md is replaced with the table printed here (other sections are kept).
//
// Also: form() per keystroke in Arabic (the pack loaded with its Arabic translation, as the page
// does with ?lang=ar), and the page's weight: every response the page loads (HTML, CSS, JS, wasm,
// pack, the chosen locale's translation and wording, the clinic file), gzipped (level 9), in en-GB
// and in Arabic: the static page, and the page served by the clinic's back office with send.js.
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { defaultMounts, startServer } from '../web-demo/serve.mjs';
import { CHROMIUM_ARGS, ELIGIBLE, TODAY, repo } from '../tests/web/helpers.mjs';
import { startBackOffice } from '../tests/web/back_office.mjs';

const args = process.argv.slice(2);
const calls = Number(args[args.indexOf('--calls') + 1]) || 1000;
const write = args.includes('--write');
const WARM_UP = 500;

const half = Object.fromEntries(Object.entries(ELIGIBLE).slice(0, 14));
const answerSets = [
  ELIGIBLE,
  { ...ELIGIBLE, isotretinoin_past: true, isotretinoin_last_dose: '2026-08-25' },
  { ...ELIGIBLE, stainless_steel_allergy: true },
  half,
];

const server = await startServer({ port: 0, mounts: defaultMounts() });
const userDataDir = mkdtempSync(join(tmpdir(), 'prescreen-bench-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
});
/** What a fresh page load fetches, by kind, raw and gzipped; with `send`, also send.js, which the page
 * fetches from the clinic's back office when it shows "Send to the clinic". */
async function pageWeight(query, { base = server.url, browser = context, send = false } = {}) {
  const page = await browser.newPage();
  const bodies = [];
  page.on('response', (response) => bodies.push(response.body().then((body) => ({ url: response.url(), body })).catch(() => null)));
  await page.goto(`${base}?${query}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  if (send) await page.evaluate(() => import('/send.js'));
  await page.waitForLoadState('networkidle');
  await page.close();
  const kinds = {};
  for (const entry of (await Promise.all(bodies)).filter(Boolean)) {
    const path = new URL(entry.url).pathname;
    const kind = path.endsWith('.wasm') ? 'wasm'
      : path.endsWith('.js') || path.endsWith('.mjs') ? 'JavaScript'
        : path.endsWith('.css') ? 'CSS'
          : path.includes('/translations/') ? 'pack translation'
            : path.endsWith('protocol.json') ? 'pack'
              : path.includes('/text/') ? 'page wording'
                : path.endsWith('clinic.json') ? 'clinic file'
                  : path === '/' || path.endsWith('.html') ? 'HTML' : 'other';
    kinds[kind] ??= { raw: 0, gzip: 0, files: 0 };
    kinds[kind].raw += entry.body.length;
    kinds[kind].gzip += gzipSync(entry.body, { level: 9 }).length;
    kinds[kind].files += 1;
  }
  return kinds;
}

try {
  const page = context.pages()[0] ?? await context.newPage();
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  await page.goto(`${server.url}?today=${TODAY}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  const pageReadyMs = Date.now() - started;

  const result = await page.evaluate(async ({ answerSets, calls, today, WARM_UP }) => {
    const engine = await import('/wasm/index.js');
    const text = await (await fetch('/protocols/microneedling/protocol.json')).text();
    let t = performance.now();
    const protocol = await engine.loadProtocol(text);
    const loadMs = performance.now() - t;
    // Warm-up as a patient's page gets it: V8 first runs wasm on its baseline compiler and tiers hot
    // functions up in the background, which finishes while the patient reads the first question.
    // Timing the first calls after load would measure the compiler, not the engine.
    const time = async (fn) => {
      for (let i = 0; i < WARM_UP; i += 1) fn(answerSets[i % answerSets.length]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const samples = new Float64Array(calls);
      for (let i = 0; i < calls; i += 1) {
        const answers = answerSets[i % answerSets.length];
        const start = performance.now();
        fn(answers);
        samples[i] = performance.now() - start;
      }
      samples.sort();
      const at = (q) => samples[Math.min(calls - 1, Math.ceil(q * calls) - 1)];
      const mean = samples.reduce((a, b) => a + b, 0) / calls;
      return { median: at(0.5), p99: at(0.99), max: samples[calls - 1], mean };
    };
    const arabicText = await (await fetch('/protocols/microneedling/translations/ar.json')).text();
    t = performance.now();
    const arabic = await engine.loadProtocol(text, { translations: [arabicText] });
    const loadArabicMs = performance.now() - t;
    return {
      isolated: crossOriginIsolated,
      loadMs,
      loadArabicMs,
      keystroke: await time((answers) => protocol.form(answers, { today, texts: false })),
      keystrokeArabic: await time((answers) => arabic.form(answers, { today, locale: 'ar', texts: false })),
      form: await time((answers) => protocol.form(answers, { today })),
      formArabic: await time((answers) => arabic.form(answers, { today, locale: 'ar' })),
      texts: await time(() => protocol.texts()),
      textsArabic: await time(() => arabic.texts({ locale: 'ar' })),
      screen: await time((answers) => protocol.screen(answers, { today })),
      userAgent: navigator.userAgent,
    };
  }, { answerSets, calls, today: TODAY, WARM_UP });
  const weights = { 'en-GB': await pageWeight(`today=${TODAY}`), ar: await pageWeight(`today=${TODAY}&lang=ar`) };
  // The same page served by the clinic's back office (python -m prescreen.clinic serve), send.js included.
  const office = await startBackOffice({ prefix: 'prescreen-bench-office-' });
  let served;
  try {
    const at = { base: office.url, browser: office.context, send: true };
    served = { 'en-GB': await pageWeight(`today=${TODAY}`, at), ar: await pageWeight(`today=${TODAY}&lang=ar`, at) };
  } finally {
    await office.stop();
  }

  const wasmBytes = readFileSync(join(repo, 'wasm/dist/prescreen.wasm')).length;
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const total = (kinds, key) => Object.values(kinds).reduce((sum, k) => sum + k[key], 0);
  let chrome = '?';
  try {
    chrome = /([\d.]+)/.exec(execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[1];
  } catch { /* keep '?' */ }
  const load = loadAtStart.toFixed(1);
  const row = (name, t) => `| ${name} | ${us(t.median)} | ${us(t.p99)} | ${us(t.max)} | ${us(t.mean)} |`;
  const met = (ok) => (ok ? '**met**' : '**not met**');
  const gzipTotals = ['en-GB', 'ar'].flatMap((locale) => [total(weights[locale], 'gzip'), total(served[locale], 'gzip')]);
  const sendJs = (locale) => served[locale].JavaScript.gzip - weights[locale].JavaScript.gzip;
  const table = [
    `Chromium ${chrome} headless (Debian), ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores shared with other work (load average ${load}`,
    `when the run started); ${calls} calls each after ${WARM_UP} warm-up calls and a 500 ms pause (tier-up),`,
    `answer sets rotating: complete eligible, deferred, not eligible, half-finished. Timer: performance.now() in a`,
    `cross-origin-isolated page (${result.isolated ? '5 µs resolution' : 'NOT isolated: 100 µs resolution'}).`,
    `Reproduce: \`node bench/browser_latency.mjs --write\` (after \`make wasm\`).`,
    '',
    '| call | median | p99 | max | mean |',
    '|---|---|---|---|---|',
    row('**per keystroke, as the page calls it:** `form(answers, {today, texts: false})`', result.keystroke),
    row("per keystroke in Arabic: `form(answers, {today, locale: 'ar', texts: false})`", result.keystrokeArabic),
    row('`form(answers, {today})` with the visible items\' texts', result.form),
    row("`form(answers, {today, locale: 'ar'})` with texts, Arabic translation loaded", result.formArabic),
    row('`texts()`: all the wording, once per page load', result.texts),
    row("`texts({locale: 'ar'})`", result.textsArabic),
    `| \`screen(answers, {today})\` | ${us(result.screen.median)} | ${us(result.screen.p99)} | ${us(result.screen.max)} | ${us(result.screen.mean)} |`,
    '',
    `Page weight: every response of a fresh load, gzipped at level 9 (target: under 300 KB). The page loads`,
    `only the chosen language's translation and wording. Both servers send JSON without indentation and the`,
    `page's own scripts without comment lines (\`slim\` in web-demo/serve.mjs and clinic/static.py; the`,
    `engine's files as built). Static page (web-demo/serve.mjs):`,
    '',
    '| part | en-GB raw | en-GB gzipped | ar raw | ar gzipped |',
    '|---|---|---|---|---|',
    ...[...new Set([...Object.keys(weights['en-GB']), ...Object.keys(weights.ar)])].map((kind) => {
      const [e, a] = [weights['en-GB'][kind] ?? { raw: 0, gzip: 0 }, weights.ar[kind] ?? { raw: 0, gzip: 0 }];
      return `| ${kind} | ${kb(e.raw)} | ${kb(e.gzip)} | ${kb(a.raw)} | ${kb(a.gzip)} |`;
    }),
    `| **total** | ${kb(total(weights['en-GB'], 'raw'))} | **${kb(total(weights['en-GB'], 'gzip'))}** | ${kb(total(weights.ar, 'raw'))} | **${kb(total(weights.ar, 'gzip'))}** |`,
    `| served by the back office, send.js included | ${kb(total(served['en-GB'], 'raw'))} | **${kb(total(served['en-GB'], 'gzip'))}** | ${kb(total(served.ar, 'raw'))} | **${kb(total(served.ar, 'gzip'))}** |`,
    '',
    `Served by the back office the page also asks its own address with HEAD and loads send.js when it shows`,
    `"Send to the clinic" (${kb(sendJs('en-GB'))} gzipped, counted above).`,
    '',
    `\`loadProtocol\` with the Arabic translation: ${result.loadArabicMs.toFixed(1)} ms.`,
    `\`loadProtocol\` of the pack in the page: ${result.loadMs.toFixed(1)} ms. Page opened to form ready (engine`,
    `fetched, compiled, pack loaded): ${pageReadyMs} ms. \`prescreen.wasm\`: ${(wasmBytes / 1024).toFixed(0)} KB.`,
    '',
    `Issue 15's targets, this run: \`form()\` per keystroke p99 under 1 ms ${met(result.keystroke.p99 < 1 && result.keystrokeArabic.p99 < 1)}`,
    `(p99 ${us(result.keystroke.p99)}, Arabic ${us(result.keystrokeArabic.p99)}: the page fetches the wording once with \`texts()\``,
    `and asks \`form()\` for the questionnaire state alone on every answer); page weight under 300 KB`,
    `${met(Math.max(...gzipTotals) < 300 * 1024)} (static: ${kb(gzipTotals[0])} gzipped in en-GB, ${kb(gzipTotals[2])} in Arabic;`,
    `served by the back office with send.js: ${kb(gzipTotals[1])} in en-GB, ${kb(gzipTotals[3])} in Arabic).`,
    ...(loadAtStart > cpus().length
      ? ['', `With the machine this busy, the p99 and max are mostly time slices lost to other processes (a call`,
        `that is descheduled waits a whole slice), not engine work; the medians are the engine. Rerun on an idle`,
        `machine for a clean tail.`]
      : []),
  ].join('\n');
  console.log(table);

  if (write) {
    // Same convention as bench/run.py: a section runs from its "## " heading to the next one.
    const file = join(repo, 'bench/RESULTS.md');
    let text;
    try { text = readFileSync(file, 'utf8'); } catch { text = '# Benchmark results\n\n'; }
    const date = new Date().toISOString().slice(0, 10);
    const block = `## Browser\n\n${date}. ${table}\n\n`;
    const section = /^## Browser\n[\s\S]*?(?=^## |(?![\s\S]))/m;
    text = section.test(text) ? text.replace(section, () => block) : `${text.trimEnd()}\n\n${block}`;
    writeFileSync(file, text);
    console.log(`\nwrote the Browser section of ${file}`);
  }
} finally {
  await context.close();
  await server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
