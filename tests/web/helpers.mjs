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
  const watch = (page) => {
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  const origin = new URL(server.url).origin;
  return {
    server,
    context,
    requests,
    consoleErrors,
    url: (query = `today=${TODAY}`) => `${server.url}?${query}`,
    foreign: () => requests.filter((url) => {
      if (url.startsWith('data:') || url.startsWith('blob:')) return false;
      return new URL(url).origin !== origin || new URL(url).hostname !== '127.0.0.1';
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
