// JavaScript side of the peer benchmark (scripts/bench.sh): json-logic-js, json-logic-engine
// (compiled), @gorules/zen-engine (native addon, one expression node) and prescreen's WebAssembly
// build, all behind the same command line and JSON output as the other peers:
//
//   node peer.mjs ENGINE suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR
//
// ENGINE: json-logic-js | json-logic-engine | zen-engine | prescreen-wasm
// Times are CPU time of the process (process.cpuUsage: the machine is shared), after a warm-up pass.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(join(repo, 'package.json'));
const [engineName, mode, ...rest] = process.argv.slice(2);
const seconds = Number(process.env.BENCH_SECONDS || 1);
const answerLimit = Number(process.env.BENCH_ANSWERS || Infinity);
const TODAY = '2026-11-25';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const maxRssKb = () => process.resourceUsage().maxRSS;
const version = (name) => JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;

async function measure(n, pass) {
  await pass();
  let passes = 0;
  const start = cpu();
  let elapsed = 0;
  do {
    await pass();
    passes++;
    elapsed = cpu() - start;
  } while (elapsed < seconds);
  return (elapsed * 1e9) / (passes * n);
}

// Each engine: compile(rule) -> evaluate(data) (sync unless `async`), and optionally a screening
// path of its own (zen: one decision graph for all 30 rules; prescreen: the pack).
async function makeEngine(name) {
  if (name === 'json-logic-js') {
    const jsonLogic = require('json-logic-js');
    return { version: version('json-logic-js'), compile: (rule) => (data) => jsonLogic.apply(rule, data) };
  }
  if (name === 'json-logic-engine') {
    const { LogicEngine } = require('json-logic-engine');
    const engine = new LogicEngine();
    return { version: version('json-logic-engine'), compile: (rule) => engine.build(rule) };
  }
  if (name === 'zen-engine') {
    const zen = require('@gorules/zen-engine');
    return {
      version: version('@gorules/zen-engine'),
      async screening(dir) {
        const engine = new zen.ZenEngine();
        const decision = engine.createDecision(JSON.parse(readFileSync(join(dir, 'zen-decision.json'), 'utf8')));
        return async (answers) => (await decision.evaluate(answers)).result;  // {rule_id: bool}
      },
    };
  }
  if (name === 'prescreen-wasm') {
    const prescreen = await import(pathToFileURL(join(repo, 'wasm', 'index.js')).href);
    await prescreen.init({ wasmBinary: readFileSync(join(repo, 'wasm', 'dist', 'prescreen.wasm')) });
    return {
      version: JSON.parse(readFileSync(join(repo, 'wasm', 'package.json'), 'utf8')).version,
      // applyLogic compiles on every call: the public API has no compile-once entry point.
      compile: (rule) => (data) => prescreen.applyLogic(rule, data),
      async screening(dir) {
        const protocol = await prescreen.loadProtocol(readFileSync(join(dir, 'synthetic-pack.json'), 'utf8'));
        return (answers) => {
          const result = protocol.screen(answers, { today: TODAY });
          return { findings: result.findings.map((f) => f.rule), outcome: result.outcome };
        };
      },
    };
  }
  throw new Error(`unknown engine ${name}`);
}

function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

const suiteCases = (path) => JSON.parse(readFileSync(path, 'utf8')).filter((c) => Array.isArray(c));

function loadScreening(dir) {
  const rules = JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8'));
  const answers = readFileSync(join(dir, 'answers.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l)
    .slice(0, answerLimit)
    .map((l) => JSON.parse(l));
  return { rules, answers };
}

// A screening function answers -> {fired: [rule ids], outcome}.
async function screener(engine, dir, rules) {
  const order = rules.outcome_order;
  const rank = rules.rules.map((r) => order.indexOf(r.outcome));
  const ids = rules.rules.map((r) => r.id);
  const describe = (firedIdx) => {
    let strictest = order.length;
    for (const r of firedIdx) strictest = Math.min(strictest, rank[r]);
    return { fired: firedIdx.map((r) => ids[r]), outcome: strictest < order.length ? order[strictest] : 'eligible' };
  };
  if (engineName === 'prescreen-wasm') {
    const screen = await engine.screening(dir);
    return { async: false, run: (a) => { const r = screen(a); return { fired: r.findings, outcome: r.outcome }; } };
  }
  if (engine.screening) {
    const evaluate = await engine.screening(dir);
    return {
      async: true,
      run: async (a) => {
        const result = await evaluate(a);
        const fired = [];
        for (let r = 0; r < ids.length; r++) if (result[ids[r]]) fired.push(r);
        return describe(fired);
      },
    };
  }
  const compiled = rules.rules.map((r) => engine.compile(r.when));
  const truthy = (v) => (Array.isArray(v) ? v.length > 0 : !!v);  // JsonLogic truthiness
  return {
    async: false,
    run: (a) => {
      const fired = [];
      for (let r = 0; r < compiled.length; r++) if (truthy(compiled[r](a))) fired.push(r);
      return describe(fired);
    },
  };
}

async function main() {
  const engine = await makeEngine(engineName);
  if (mode === 'suite-check' || mode === 'suite-time') {
    if (!engine.compile) {
      console.log(JSON.stringify({ engine: engineName, version: engine.version, unsupported: 'takes decision graphs in its own expression language, not JsonLogic' }));
      return;
    }
    const cases = suiteCases(rest[0]);
    if (mode === 'suite-check') {
      const pass = [];
      cases.forEach(([rule, data, expected], i) => {
        try {
          if (sameJson(engine.compile(rule)(data), expected)) pass.push(i);
        } catch {
          // unsupported or thrown: not counted
        }
      });
      console.log(JSON.stringify({ engine: engineName, version: engine.version, total: cases.length, pass }));
      return;
    }
    const indices = JSON.parse(readFileSync(rest[1], 'utf8'));
    const fns = indices.map((i) => engine.compile(cases[i][0]));
    const data = indices.map((i) => cases[i][1]);
    let sink = 0;
    const ns = await measure(indices.length, () => {
      for (let k = 0; k < fns.length; k++) sink += fns[k](data[k]) ? 1 : 0;
    });
    console.log(JSON.stringify({ engine: engineName, ns_per_eval: ns, evals: indices.length, max_rss_kb: maxRssKb(), sink }));
    return;
  }
  if (mode === 'screen-check' || mode === 'screen-time') {
    const dir = rest[0];
    const { rules, answers } = loadScreening(dir);
    const s = await screener(engine, dir, rules);
    if (mode === 'screen-check') {
      const out = [];
      for (const a of answers) {
        const r = s.async ? await s.run(a) : s.run(a);
        out.push(`${r.fired.join(',')}|${r.outcome}`);
      }
      process.stdout.write(out.join('\n') + '\n');
      return;
    }
    let sink = 0;
    const pass = s.async
      ? async () => { for (const a of answers) sink += (await s.run(a)).fired.length; }
      : () => { for (const a of answers) sink += s.run(a).fired.length; };
    const ns = await measure(answers.length, pass);
    const key = { 'prescreen-wasm': 'pack_js_api', 'zen-engine': 'zen_decision' }[engineName] || 'plain_jsonlogic';
    console.log(JSON.stringify({ engine: engineName, version: engine.version, ns: { [key]: ns }, screenings: answers.length, max_rss_kb: maxRssKb(), sink }));
    return;
  }
  console.error('usage: node peer.mjs ENGINE suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR');
  process.exit(2);
}

await main();
