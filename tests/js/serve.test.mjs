// The demo's static server (web-demo/serve.mjs) without a browser: allow-list, Host check,
// frame-ancestors, Allow on 405, slow requests cut off (issue 11/12).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';

import { HEADER_CSP, startServer } from '../../web-demo/serve.mjs';

let server;
before(async () => {
  server = await startServer({ port: 0, headersTimeout: 1000 });
});
after(() => server.close());

const port = () => new URL(server.url).port;

// A raw HTTP/1.1 request, so the Host header can be anything.
function raw(request, { wait = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port()), '127.0.0.1');
    let data = '';
    socket.setTimeout(wait, () => { socket.destroy(); resolve({ data, timedOut: true }); });
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('close', () => resolve({ data, timedOut: false }));
    socket.on('error', reject);
    if (request !== null) socket.write(request);
  });
}

test('the page, the engine and the pack are served; nothing else', async () => {
  for (const path of ['', 'index.html', 'app.js', 'styles.css', 'wasm/index.js', 'wasm/dist/prescreen.wasm',
    'protocols/microneedling/protocol.json']) {
    assert.equal((await fetch(new URL(path, server.url))).status, 200, path);
  }
  for (const path of ['serve.mjs', 'README.md', 'wasm/README.md', 'wasm/index.d.ts', 'wasm/package.json',
    'wasm/src/bindings.cpp', 'protocols/protocol.schema.json', 'protocols/microneedling/cases.json',
    'protocols/microneedling/generate_readme.py', 'protocols/test_packs.py']) {
    assert.equal((await fetch(new URL(path, server.url))).status, 404, path);
  }
});

test('frame-ancestors none and X-Frame-Options on every response', async () => {
  for (const path of ['', 'nope']) {
    const r = await fetch(new URL(path, server.url));
    assert.equal(r.headers.get('content-security-policy'), HEADER_CSP);
    assert.match(HEADER_CSP, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
  }
});

test('405 names the allowed methods', async () => {
  const r = await fetch(server.url, { method: 'POST', body: 'x' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
});

test('a request for another Host is refused (DNS rebinding)', async () => {
  const bad = await raw(`GET / HTTP/1.1\r\nHost: evil.example:${port()}\r\nConnection: close\r\n\r\n`);
  assert.match(bad.data, /^HTTP\/1\.1 400/);
  const good = await raw(`GET / HTTP/1.1\r\nHost: localhost:${port()}\r\nConnection: close\r\n\r\n`);
  assert.match(good.data, /^HTTP\/1\.1 200/);
});

test('a request whose headers never finish is cut off', async () => {
  const started = Date.now();
  const slow = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n`, { wait: 20000 });
  assert.equal(slow.timedOut, false, 'the server closed the connection');
  assert.ok(Date.now() - started < 10000, `${Date.now() - started} ms`);
});
