// Throughput of the WebAssembly engine in Node (one core), beside the native engine.
//
//   node bench/wasm_node.mjs [--seconds S] [--dist DIR] [--native PATH] [--write] [--json] [--quick]
//   --quick skips the synthetic workload (micro-needling only)
//
// Workloads:
//   micro-needling pack (protocols/microneedling/protocol.json) over its 104 patient vignettes
//   synthetic pack (bench/data, 40 items, 30 rules) over answers.jsonl — the native bench's workload
// Paths measured:
//   JS API      protocol.screen(object) → object   (JSON.stringify + engine + JSON.parse)
//   text        raw module: JSON text → JSON text   (what the native "JSONL text → JSONL result" does)
//   form()      latency of one questionnaire update (median and p99 over 1,000 calls)
// --native PATH runs the native bench program (default build-bench/bench/bench_screen when present)
// on the synthetic workload and prints the ratio. --write replaces the "WebAssembly" section of
// bench/RESULTS.md. Times are CPU time of the process (the machine is shared), like the native bench.
import {
  copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const seconds = Number(option('--seconds', '2'));
const dist = resolve(option('--dist', join(repo, 'wasm', 'dist')));
const nativeDefault = join(repo, 'build-bench', 'bench', 'bench_screen');
const native = option('--native', existsSync(nativeDefault) ? nativeDefault : '');
const write = args.includes('--write');

// The wrapper imports ./dist/prescreen.js: for another build, put a copy of it beside that build.
let packageDir = join(repo, 'wasm');
if (dist !== join(repo, 'wasm', 'dist')) {
  packageDir = mkdtempSync(join(tmpdir(), 'prescreen-bench-'));
  copyFileSync(join(repo, 'wasm', 'index.js'), join(packageDir, 'index.js'));
  symlinkSync(dist, join(packageDir, 'dist'));
  process.on('exit', () => rmSync(packageDir, { recursive: true, force: true }));
}
const prescreen = await import(pathToFileURL(join(packageDir, 'index.js')).href);
const module = await prescreen.init();

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// Runs pass() (n screenings each) until `seconds` of CPU time; returns ns per screening.
function measure(n, pass) {
  pass();
  pass();
  let passes = 0;
  const start = cpu();
  let elapsed = 0;
  do {
    pass();
    passes++;
    elapsed = cpu() - start;
  } while (elapsed < seconds);
  return (elapsed * 1e9) / (passes * n);
}

const rate = (ns) => Math.round(1e9 / ns);
const fmt = (n) => n.toLocaleString('en-GB');

// ---- workloads ---------------------------------------------------------------------------------

const mnText = readFileSync(join(repo, 'protocols/microneedling/protocol.json'), 'utf8');
const { cases } = JSON.parse(readFileSync(join(repo, 'protocols/microneedling/cases.json'), 'utf8'));
const mnCases = cases.filter((c) => !c.overrides);

const synthDir = join(repo, 'bench', 'data');
const haveSynth = !args.includes('--quick') && existsSync(join(synthDir, 'answers.jsonl'));
const synthLines = haveSynth
  ? readFileSync(join(synthDir, 'answers.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0)
  : [];
const synthAnswers = synthLines.map((l) => JSON.parse(l));

function benchPack(packText, answers, answerTexts, todays) {
  const protocol = prescreen.loadProtocol(packText);
  return protocol.then((p) => {
    const handle = module.loadProtocol(packText, '');
    const h = JSON.parse(handle).ok.handle;
    const n = answers.length;
    let sink = 0;
    const api = measure(n, () => {
      for (let i = 0; i < n; i++) sink += p.screen(answers[i], { today: todays[i] }).findings.length;
    });
    // JSON text in, JSON text out through the module's memory, as the JS API passes it
    // (TextEncoder/TextDecoder; embind's byte-by-byte string conversion is slower than a screening).
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const text = measure(n, () => {
      for (let i = 0; i < n; i++) {
        const room = answerTexts[i].length * 3;
        const at = module.inputBuffer(room);
        const { written } = encoder.encodeInto(answerTexts[i], module.HEAPU8.subarray(at, at + room));
        module.inputBuffer(written);
        const size = module.screenInMemory(h, todays[i], '');
        const out = module.outputPointer();
        sink += decoder.decode(module.HEAPU8.subarray(out, out + size)).length;
      }
    });
    module.disposeProtocol(h);
    p.dispose();
    return { api, text, sink };
  });
}

// form() latency as a patient types: the answer set grows one answer at a time. `texts: false` is
// what the patient form asks on every answer (web-demo/app.js: the wording comes once, from
// texts()); `texts: true`, the default, also localizes every visible text.
async function formLatency(packText, answers, today, texts) {
  const p = await prescreen.loadProtocol(packText);
  const keys = Object.keys(answers);
  for (let i = 0; i < 200; i++) p.form(answers, { today, texts }); // warm-up (JIT, heap)
  const samples = [];
  for (let round = 0; samples.length < 1000; round++) {
    const partial = {};
    for (const k of keys) {
      partial[k] = answers[k];
      const t0 = process.hrtime.bigint();
      p.form(partial, { today, texts });
      samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
      if (samples.length === 1000) break;
    }
  }
  p.dispose();
  samples.sort((a, b) => a - b);
  return { median: samples[500], p99: samples[990] };
}

// ---- run -------------------------------------------------------------------------------------

const wasmBytes = readFileSync(join(dist, 'prescreen.wasm'));
const glueBytes = readFileSync(join(dist, 'prescreen.js'));
const size = {
  wasm: wasmBytes.length,
  glue: glueBytes.length,
  gzip: gzipSync(wasmBytes, { level: 9 }).length + gzipSync(glueBytes, { level: 9 }).length,
};

const mn = await benchPack(
  mnText,
  mnCases.map((c) => c.answers),
  mnCases.map((c) => JSON.stringify(c.answers)),
  mnCases.map((c) => c.today),
);
const latency = await formLatency(mnText, mnCases[0].answers, mnCases[0].today, false);
const latencyWithTexts = await formLatency(mnText, mnCases[0].answers, mnCases[0].today, true);

let synth = null;
let nativeNs = null;
if (haveSynth) {
  synth = await benchPack(
    readFileSync(join(synthDir, 'synthetic-pack.json'), 'utf8'),
    synthAnswers,
    synthLines,
    synthAnswers.map(() => '2026-11-25'),
  );
  if (native) {
    // A native binary older than the engine sources measures an older engine: say so.
    const sources = readdirSync(join(repo, 'engine'), { recursive: true })
      .filter((f) => f.endsWith('.cpp')).map((f) => statSync(join(repo, 'engine', f)).mtimeMs);
    if (statSync(native).mtimeMs < Math.max(...sources)) {
      console.error(`note: ${native} is older than the engine sources; rebuild it for a fair ratio`);
    }
    try {
      const out = execFileSync(native, ['screen-time', synthDir], {
        encoding: 'utf8',
        env: { ...process.env, BENCH_SECONDS: String(seconds) },
      });
      nativeNs = JSON.parse(out.trim().split('\n').at(-1)).ns;
    } catch (error) {
      console.error(`native bench failed: ${error.message}`);
    }
  }
}

const lines = [];
lines.push(`prescreen WebAssembly in Node ${process.version} (${module.engineVersion()}), one core, CPU time, ${seconds} s per figure`);
lines.push(`  build: ${dist} — .wasm ${fmt(size.wasm)} B + glue ${fmt(size.glue)} B = ${fmt(size.gzip)} B gzipped`);
lines.push(`  micro-needling pack, ${mnCases.length} vignettes:`);
lines.push(`    JS API  protocol.screen(object)       ${mn.api.toFixed(0).padStart(8)} ns  ${fmt(rate(mn.api)).padStart(10)} screenings/s`);
lines.push(`    text    JSON text -> JSON text        ${mn.text.toFixed(0).padStart(8)} ns  ${fmt(rate(mn.text)).padStart(10)} screenings/s`);
lines.push(`    form()  per keystroke (texts: false, as the form asks): median ${latency.median.toFixed(1)} µs, p99 ${latency.p99.toFixed(1)} µs`);
lines.push(`    form()  with every visible text (texts: true):   median ${latencyWithTexts.median.toFixed(1)} µs, p99 ${latencyWithTexts.p99.toFixed(1)} µs`);
if (synth) {
  lines.push(`  synthetic pack (bench/data), ${synthAnswers.length} answer sets:`);
  lines.push(`    JS API  protocol.screen(object)       ${synth.api.toFixed(0).padStart(8)} ns  ${fmt(rate(synth.api)).padStart(10)} screenings/s`);
  lines.push(`    text    JSON text -> JSON text        ${synth.text.toFixed(0).padStart(8)} ns  ${fmt(rate(synth.text)).padStart(10)} screenings/s`);
  if (nativeNs) {
    const n = nativeNs.pack_jsonl_text;
    lines.push(`    native  JSONL text -> JSONL result    ${n.toFixed(0).padStart(8)} ns  ${fmt(rate(n)).padStart(10)} screenings/s` +
      `  (wasm text path is ${(synth.text / n).toFixed(2)}x native)`);
  }
}
if (args.includes('--json')) {
  console.log(JSON.stringify({ dist, size, microneedling: mn, formLatency: latency, formLatencyWithTexts: latencyWithTexts, synthetic: synth, native: nativeNs }));
} else {
  console.log(lines.join('\n'));
}

if (write) {
  const resultsPath = join(repo, 'bench', 'RESULTS.md');
  const today = new Date().toISOString().slice(0, 10);
  const row = (label, ns) => `| ${label} | ${ns.toFixed(0)} | ${fmt(rate(ns))} |`;
  const section = [
    '## WebAssembly',
    '',
    `Measured ${today} by \`node bench/wasm_node.mjs --write\` (Node ${process.version}, one core of a shared 2-core machine,`,
    `CPU time, ${seconds} s per figure). Build: \`.wasm\` ${fmt(size.wasm)} B + glue ${fmt(size.glue)} B, ` +
      `${fmt(size.gzip)} B gzipped (see wasm/README.md for -O2/-O3/-Os/-Oz).`,
    '',
    '| workload and path | ns per screening | screenings/s |',
    '|---|---:|---:|',
    row(`micro-needling, ${mnCases.length} vignettes: JS API \`protocol.screen(object)\``, mn.api),
    row('micro-needling: JSON text → JSON text (raw module)', mn.text),
    ...(synth ? [
      row(`synthetic 40 items / 30 rules, ${synthAnswers.length} answer sets: JS API`, synth.api),
      row('synthetic: JSON text → JSON text (raw module)', synth.text),
    ] : []),
    ...(nativeNs ? [row('synthetic: native JSONL text → JSONL result (`bench_screen`)', nativeNs.pack_jsonl_text)] : []),
    '',
    `\`form()\` per keystroke (micro-needling, answers added one at a time, 1,000 calls; \`texts: false\`, as the ` +
      `patient form asks): median ${latency.median.toFixed(1)} µs, p99 ${latency.p99.toFixed(1)} µs; with every visible ` +
      `text (\`texts: true\`): median ${latencyWithTexts.median.toFixed(1)} µs, p99 ${latencyWithTexts.p99.toFixed(1)} µs.` +
      (nativeNs && synth ? ` WebAssembly text path / native: ${(synth.text / nativeNs.pack_jsonl_text).toFixed(2)}×.` : ''),
    '',
  ].join('\n');
  let text = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n\n';
  const start = text.indexOf('## WebAssembly\n');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.replace(/\n*$/, '\n\n')}${section}`;
  }
  writeFileSync(resultsPath, text);
  console.log(`wrote the WebAssembly section of ${resultsPath}`);
}
