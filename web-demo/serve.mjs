// Static server for the patient pre-consultation form. Local only (127.0.0.1), no dependencies,
// nothing fetched from anywhere else. Three mounts, read-only:
//   /            → web-demo/        (the page)
//   /wasm/       → wasm/            (the ES module wrapper index.js and the build in wasm/dist/)
//   /protocols/  → protocols/       (the protocol packs)
// Every response carries the page's Content-Security-Policy, so the header and the page's <meta>
// tag agree; WebAssembly compilation needs 'wasm-unsafe-eval' (docs: TOOLCHAIN.md, trap 5).
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

/** Default mounts, longest prefix first. `engineDir`/`protocolsDir` let a caller point elsewhere. */
export function defaultMounts({ engineDir = join(repo, 'wasm'), protocolsDir = join(repo, 'protocols') } = {}) {
  return [
    ['/wasm/', engineDir],
    ['/protocols/', protocolsDir],
    ['/', here],
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
  for (const [prefix, dir] of mounts) {
    if (!decoded.startsWith(prefix)) continue;
    const rel = normalize(decoded.slice(prefix.length));
    const full = resolve(dir, '.' + sep + rel);
    // Never serve outside the mount (no "..", no absolute paths).
    if (full !== resolve(dir) && !full.startsWith(resolve(dir) + sep)) return null;
    return full;
  }
  return null;
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': CSP,
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

export function startServer({ port = 8080, host = '127.0.0.1', mounts = defaultMounts(), quiet = true } = {}) {
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    const url = new URL(req.url, 'http://localhost');
    let file = resolvePath(mounts, url.pathname);
    if (!file) return send(res, 404, 'not found\n');
    try {
      const info = await stat(file);
      if (info.isDirectory()) file = join(file, 'index.html');
      // Server-side code and tests are not part of the site.
      if (file === join(here, 'serve.mjs')) return send(res, 404, 'not found\n');
      const body = await readFile(file);
      const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
      if (!quiet) console.log(`${req.method} ${url.pathname} 200`);
      return send(res, 200, req.method === 'HEAD' ? undefined : body, type);
    } catch {
      if (!quiet) console.log(`${req.method} ${url.pathname} 404`);
      return send(res, 404, 'not found\n');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
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
