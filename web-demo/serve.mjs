// Static server for the patient pre-consultation form. Local only (127.0.0.1), no dependencies,
// nothing fetched from anywhere else. Three mounts, read-only:
//   /            → web-demo/        (the page)
//   /wasm/       → wasm/            (the ES module wrapper index.js and the build in wasm/dist/)
//   /protocols/  → protocols/       (the protocol packs)
// Only the files the page needs are served (an allow-list per mount: no sources, tests or READMEs).
// Every response carries the page's Content-Security-Policy, so the header and the page's <meta>
// tag agree, plus frame-ancestors 'none' (which only a header can carry: no framing, no
// click-jacking); WebAssembly compilation needs 'wasm-unsafe-eval' (docs: TOOLCHAIN.md, trap 5).
// Requests must name this server in Host (no DNS rebinding) and arrive promptly (slow requests are
// cut off); anything but GET/HEAD is 405 with Allow.
//
//   node web-demo/serve.mjs [--port 8080] [--host 127.0.0.1]
// or import { startServer } from './serve.mjs' (the browser tests do, with port 0 = any free port).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..');

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The header's policy: the page's, and no page may frame this one. */
export const HEADER_CSP = `${CSP}; frame-ancestors 'none'`;

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// What the page loads, per mount (paths relative to the mount): the allow-list.
const PAGE_FILES = new Set([
  '', 'index.html', 'privacy.html', 'styles.css', 'app.js', 'clinic-api.js', 'send.js', 'dom.js', 'words.js', 'dates.js', 'clinic.js',
  'keepsake.js', 'draft.js', 'text/en-GB.json', 'text/ar.json', 'text/pl.json', 'text/es.json',
]);
const ENGINE_FILES = new Set(['index.js', 'dist/prescreen.js', 'dist/prescreen.wasm']);
// A pack, its translations (translations/<locale>.json, docs/languages.md) and the clinic file.
const PACK_FILE = /^([A-Za-z0-9_-]+\/protocol\.json|[A-Za-z0-9_-]+\/translations\/[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\.json|clinic\.json)$/;

/**
 * Default mounts, longest prefix first: [prefix, directory, allowed(relativePath)].
 * `engineDir`/`protocolsDir` let a caller point elsewhere.
 */
export function defaultMounts({ engineDir = join(repo, 'wasm'), protocolsDir = join(repo, 'protocols') } = {}) {
  return [
    ['/wasm/', engineDir, (rel) => ENGINE_FILES.has(rel)],
    ['/protocols/', protocolsDir, (rel) => PACK_FILE.test(rel)],
    ['/', here, (rel) => PAGE_FILES.has(rel)],
  ];
}

function resolvePath(mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const [prefix, dir, allowed = () => true] of mounts) {
    if (!decoded.startsWith(prefix)) continue;
    if (!allowed(decoded.slice(prefix.length))) return null;
    const rel = normalize(decoded.slice(prefix.length));
    const full = resolve(dir, '.' + sep + rel);
    // Never serve outside the mount (no "..", no absolute paths).
    if (full !== resolve(dir) && !full.startsWith(resolve(dir) + sep)) return null;
    return { full, prefix };
  }
  return null;
}

function send(res, status, body, type = 'text/plain; charset=utf-8', extra = {}) {
  res.writeHead(status, {
    ...extra,
    'Content-Type': type,
    'Content-Security-Policy': HEADER_CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    // Cross-origin isolation: nothing here loads from another origin anyway, and it gives
    // performance.now() its fine resolution (bench/browser_latency.mjs times single engine calls).
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(body);
}

/**
 * What is sent for a file, lighter than the file on disk with the same meaning (the page weight,
 * bench/browser_latency.mjs): JSON (packs, translations, wording, the clinic file) without its
 * indentation, and the page's own scripts (the `/` mount) without their comment lines and blank
 * lines. The scripts hold no multi-line strings, so a line that starts a comment is a comment (the
 * browser tests run the page as served). The back office serves the same (clinic/static.py `slim`,
 * checked against this one in tests/web/static.test.mjs).
 */
export function slim(prefix, file, body) {
  const kind = extname(file).toLowerCase();
  if (kind === '.json') {
    try {
      return Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    } catch {
      return body; // not JSON after all: sent as it is
    }
  }
  if (kind !== '.js' || prefix !== '/') return body;
  const kept = [];
  let inBlock = false;
  for (const line of body.toString('utf8').split('\n')) {
    const trimmed = line.trim();
    if (inBlock) {
      if (trimmed.endsWith('*/')) inBlock = false;
      continue;
    }
    if (trimmed.startsWith('/*')) {
      inBlock = !trimmed.endsWith('*/');
      continue;
    }
    if (trimmed === '' || trimmed.startsWith('//')) continue;
    kept.push(line);
  }
  return Buffer.from(`${kept.join('\n')}\n`);
}

export function startServer({
  port = 8080, host = '127.0.0.1', mounts = defaultMounts(), quiet = true, headersTimeout = 10_000,
} = {}) {
  let hosts = new Set();
  // Node checks the request timeouts every connectionsCheckingInterval (30 s by default).
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, headersTimeout) }, async (req, res) => {
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) return send(res, 400, 'unknown host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'method not allowed\n', undefined, { Allow: 'GET, HEAD' });
    }
    const url = new URL(req.url, 'http://localhost');
    const found = resolvePath(mounts, url.pathname);
    if (!found) return send(res, 404, 'not found\n');
    let file = found.full;
    try {
      const info = await stat(file);
      if (info.isDirectory()) file = join(file, 'index.html');
      const body = slim(found.prefix, file, await readFile(file));
      const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
      if (!quiet) console.log(`${req.method} ${url.pathname} 200`);
      return send(res, 200, req.method === 'HEAD' ? undefined : body, type);
    } catch {
      if (!quiet) console.log(`${req.method} ${url.pathname} 404`);
      return send(res, 404, 'not found\n');
    }
  });
  // A client that sends its request slowly (or never) is cut off rather than holding a socket.
  server.headersTimeout = headersTimeout;
  server.requestTimeout = headersTimeout + 5_000;
  server.keepAliveTimeout = 5_000;
  server.setTimeout(30_000, (socket) => socket.destroy());
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      hosts = new Set([`${host}:${actual}`, `127.0.0.1:${actual}`, `localhost:${actual}`, `[::1]:${actual}`]
        .map((h) => h.toLowerCase()));
      resolvePromise({ server, url: `http://${host}:${actual}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const port = Number(opt('--port', process.env.PORT ?? 8080));
  const host = opt('--host', '127.0.0.1');
  const mounts = defaultMounts({
    engineDir: opt('--engine-dir', undefined),
    protocolsDir: opt('--protocols-dir', undefined),
  });
  const { url } = await startServer({ port, host, mounts, quiet: !args.includes('--verbose') });
  console.log(`prescreen demo: ${url}  (Ctrl+C to stop)`);
  console.log(`  deterministic date for testing: ${url}?today=2026-11-25`);
}
