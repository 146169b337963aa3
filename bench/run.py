#!/usr/bin/env python3
"""Side-by-side benchmark of prescreen against its peers (run by scripts/bench.sh, i.e. `make bench`).

Every engine is a separate program with the same command line (see bench/README.md):
    ENGINE suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR
Workloads:
  (a) the official JsonLogic suite (tests.json): each peer is timed on the cases both it and prescreen
      answer as expected, and prescreen native on the same cases;
  (b) screening: the 30 rules of bench/data over the answer sets. Every engine must give the same fired
      rules and outcome as prescreen for every answer set before it is timed.
Prints the tables and rewrites the "Native" and "Side by side" sections of bench/RESULTS.md (other
sections, e.g. Python, WebAssembly, Browser, are kept).
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "RESULTS.md"
NATIVE = Path(os.environ.get("BENCH_NATIVE", REPO / "build-bench" / "bench" / "bench_screen"))
NODE = os.environ.get("NODE", "node")
PROJECT_PY = str(REPO / ".venv" / "bin" / "python")
BENCH_PY = str(BENCH / ".venv" / "bin" / "python")
RUST = str(BENCH / "peers" / "rust" / "target" / "release" / "bench-datalogic")
JS_PEER = str(BENCH / "peers" / "js" / "peer.mjs")
PY_PEER = str(BENCH / "peers" / "python" / "peer.py")
TIMING_ANSWERS = os.environ.get("BENCH_ANSWERS", "1000")


def find_suite():
    for shared in (REPO.parent / "shared", Path("/work/shared")):
        path = shared / "conformance" / "jsonlogic" / "tests.json"
        if path.exists():
            return path
    sys.exit("bench: JsonLogic suite not found (../shared/conformance/jsonlogic/tests.json)")


# (label, command prefix, runtime)
ENGINES = [
    ("prescreen native", [str(NATIVE)], "C++"),
    ("prescreen Python", [PROJECT_PY, PY_PEER, "prescreen-python"], "Python 3.11"),
    ("prescreen WebAssembly", [NODE, JS_PEER, "prescreen-wasm"], "Node 20"),
    ("json-logic-js", [NODE, JS_PEER, "json-logic-js"], "Node 20"),
    ("json-logic-engine (compiled)", [NODE, JS_PEER, "json-logic-engine"], "Node 20"),
    ("@gorules/zen-engine", [NODE, JS_PEER, "zen-engine"], "Node 20 + Rust addon"),
    ("datalogic-rs", [RUST], "Rust"),
    ("zen-engine (PyPI)", [BENCH_PY, PY_PEER, "zen-engine"], "Python 3.11 + Rust ext."),
    ("panzi-json-logic (PyPI)", [BENCH_PY, PY_PEER, "panzi-json-logic"], "Python 3.11"),
]


def run(cmd, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return proc.stdout


def run_json(cmd, env_extra=None):
    out = run(cmd, env_extra).strip().splitlines()
    return json.loads(out[-1]) if out else {}


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_mb(kb):
    return f"{kb / 1024:.0f} MB" if kb else "—"


def available(label, cmd):
    exe = cmd[0]
    if os.sep in exe and not Path(exe).exists():
        return f"{exe} not built"
    if label == "prescreen WebAssembly" and not (REPO / "wasm" / "dist" / "prescreen.wasm").exists():
        return "wasm/dist/prescreen.wasm not built (make wasm)"
    return None


def suite_workload(suite, tmp):
    print(f"\n(a) JsonLogic suite {suite}: rules compiled once where the engine can, then evaluated", flush=True)
    checks = {}
    for label, cmd, _ in ENGINES:
        why = available(label, cmd)
        try:
            checks[label] = {"skip": why} if why else run_json(cmd + ["suite-check", str(suite)])
        except RuntimeError as e:
            checks[label] = {"skip": str(e)}
    native = checks["prescreen native"]
    native_pass = set(native.get("pass", []))
    total = native.get("total", 0)
    rows = []
    native_cache = {}
    for label, cmd, runtime in ENGINES:
        c = checks[label]
        if "skip" in c or "unavailable" in c:
            rows.append((label, runtime, "—", "—", "—", "—", "skipped: " + (c.get("skip") or c.get("unavailable"))))
            continue
        if "unsupported" in c:
            rows.append((label, runtime, "—", "—", "—", "—", "n/a: " + c["unsupported"]))
            continue
        passed = set(c["pass"])
        common = sorted(passed & native_pass) if label != "prescreen native" else sorted(native_pass)
        idx = Path(tmp) / f"idx-{len(common)}-{hash(tuple(common)) & 0xffffffff:x}.json"
        idx.write_text(json.dumps(common))
        try:
            t = run_json(cmd + ["suite-time", str(suite), str(idx)])
            if tuple(common) not in native_cache:
                native_cache[tuple(common)] = run_json([str(NATIVE), "suite-time", str(suite), str(idx)])["ns_per_eval"]
        except RuntimeError as e:
            rows.append((label, runtime, f"{len(passed)}/{c['total']}", "—", "—", "—", "failed: " + str(e)[:200]))
            continue
        n_ns = native_cache[tuple(common)]
        ratio = t["ns_per_eval"] / n_ns
        rows.append((label, runtime, f"{len(passed)}/{c['total']}", f"{len(common)}", fmt_ns(t["ns_per_eval"]),
                     f"{ratio:.1f}×" if label != "prescreen native" else "1.0×", fmt_mb(t.get("max_rss_kb", 0))))
    header = ("engine", "runtime", "suite cases passed", "cases timed (passed by both)", "time per evaluation",
              "prescreen native is … faster", "peak RSS")
    return header, rows, total, native_pass


def screening_workload(tmp):
    print(f"\n(b) screening: 30 rules over {DATA / 'answers.jsonl'}", flush=True)
    reference = run([str(NATIVE), "screen-check", str(DATA)]).splitlines()
    outcomes = {}
    for line in reference:
        outcomes[line.split("|")[1]] = outcomes.get(line.split("|")[1], 0) + 1
    results = {}
    for label, cmd, runtime in ENGINES:
        why = available(label, cmd)
        if why:
            results[label] = {"skip": why}
            continue
        try:
            if label != "prescreen native":
                out = run(cmd + ["screen-check", str(DATA)])
                if out.lstrip().startswith("{"):
                    results[label] = {"skip": json.loads(out).get("unavailable", out.strip())}
                    continue
                lines = out.splitlines()
                bad = [i for i, (a, b) in enumerate(zip(lines, reference)) if a != b]
                if len(lines) != len(reference) or bad:
                    first = bad[0] if bad else min(len(lines), len(reference))
                    results[label] = {"skip": f"gives different answers (line {first + 1}: "
                                              f"{lines[first] if first < len(lines) else 'missing'} vs "
                                              f"{reference[first] if first < len(reference) else 'missing'}); not timed"}
                    continue
            results[label] = run_json(cmd + ["screen-time", str(DATA)], {"BENCH_ANSWERS": TIMING_ANSWERS})
        except RuntimeError as e:
            results[label] = {"skip": "failed: " + str(e)[:300]}
    return results, len(reference), outcomes


PATH_NAMES = {
    "pack_preparsed": "pack, answers pre-parsed → decision",
    "pack_preparsed_render": "pack, answers pre-parsed → decision + JSON result",
    "pack_json": "pack, JSON answers → JSON result",
    "pack_jsonl_text": "pack, JSONL text → JSONL result",
    "plain_jsonlogic": "30 plain JsonLogic rules over parsed data",
    "zen_decision": "decision graph: one expression node with the 30 conditions",
    "pack_js_api": "pack, JS object → JS result (JSON across the boundary)",
    "pack_screen": "pack, dict → result (Protocol.screen)",
    "pack_screen_many_1_thread": "pack, screen_many, 1 thread",
    "pack_screen_many_2_threads_wall": "pack, screen_many, 2 threads (wall time)",
}


def screening_table(results):
    native = results.get("prescreen native", {})
    base = native.get("ns", {}).get("pack_preparsed")
    base_plain = native.get("ns", {}).get("plain_jsonlogic")
    rows = []
    for label, _, runtime in ENGINES:
        r = results.get(label, {})
        if "skip" in r:
            rows.append((label, runtime, "—", "—", "—", "—", "skipped: " + r["skip"]))
            continue
        order = list(PATH_NAMES)
        for key, ns in sorted(r["ns"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
            vs_pack = f"{ns / base:.1f}×" if base else "—"
            vs_plain = f"{ns / base_plain:.1f}×" if base_plain else "—"
            rows.append((label, runtime, PATH_NAMES.get(key, key), fmt_ns(ns), f"{1e9 / ns:,.0f}", vs_pack + " / " + vs_plain,
                         fmt_mb(r.get("max_rss_kb", 0))))
    header = ("engine", "runtime", "path", "time per screening (30 rules)", "screenings/s (1 core)",
              "prescreen native is … faster (pre-parsed pack / plain JsonLogic)", "peak RSS")
    return header, rows


def markdown(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def machine():
    model = ""
    try:
        for line in run(["lscpu"]).splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except Exception:
        pass
    return f"{model or platform.processor()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def tool_versions():
    versions = []
    for cmd, name in (([NODE, "--version"], "Node"), ([BENCH_PY, "--version"], ""), (["rustc", "--version"], ""),
                      (["g++", "--version"], "")):
        try:
            versions.append((name + " " + run(cmd).splitlines()[0]).strip())
        except Exception:
            pass
    return ", ".join(versions)


def replace_section(text, title, body):
    """Replace `## title` up to the next `## ` heading, or append it."""
    block = f"## {title}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip() + "\n\n" + block


def main():
    if not NATIVE.exists():
        sys.exit(f"bench: {NATIVE} not built (scripts/bench.sh builds it)")
    suite = find_suite()
    print("prescreen side-by-side benchmark — CPU time per evaluation, one core, after a warm-up pass")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        s_header, s_rows, total, native_pass = suite_workload(suite, tmp)
        print(markdown(s_header, s_rows))
        results, count, outcomes = screening_workload(tmp)
        b_header, b_rows = screening_table(results)
        print(markdown(b_header, b_rows))
    print("\nnative report (all answer sets):", flush=True)
    native_report = run([str(NATIVE), "report", str(DATA)])
    print(native_report)

    date = datetime.date.today().isoformat()
    versions = {label: r.get("version", "") for label, r in results.items() if isinstance(r, dict)}
    version_line = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    text = RESULTS.read_text() if RESULTS.exists() else (
        "# Benchmark results\n\n"
        "Produced by `make bench` (scripts/bench.sh → bench/run.py); sections other than *Native* and *Side by side* "
        "are written by their own scripts (bench/python_*, bench/wasm_*, bench/browser_*) and kept as they are.\n\n")
    text = replace_section(text, "Native", f"""
{date} on {machine()}. `build-bench/bench/bench_screen report` (Release, g++), synthetic pack
(bench/data: 40 items, 8 of them behind `enable_when`, 30 rules), {count:,} answer sets, CPU time of one thread.

```
{native_report.strip()}
```
""")
    text = replace_section(text, "Side by side", f"""
{date} on {machine()}; {tool_versions()}.
Engines: {version_line}.
Every time is CPU time per evaluation on one core after a warm-up pass (the machine is shared with builds,
so wall time would be noisier); "… faster" is the peer's time divided by prescreen native's.

### (a) Official JsonLogic suite (`shared/conformance/jsonlogic/tests.json`, {total} cases)

Each engine is timed on the cases that both it and prescreen native answer as expected (rules compiled once
where the engine has a compile step: prescreen native, json-logic-engine, datalogic-rs; prescreen Python and
WebAssembly go through the public `apply_logic`/`applyLogic`, which compiles on every call).

{markdown(s_header, s_rows)}

### (b) Screening workload: 30 rules over the synthetic answer sets

Checked first: every engine gives the same fired rules and outcome as prescreen for all {count:,} answer sets
(outcomes: {", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items()))}); then timed over the first
{TIMING_ANSWERS} answer sets. Peers evaluate the 30 conditions as plain JsonLogic over parsed answer objects
(`bench/data/rules.json`); the zen engines evaluate one decision graph with an expression node holding the same
30 conditions translated to ZEN expressions (`bench/data/zen-decision.json`); prescreen's pack paths also compute
visibility of the 8 conditional items and required answers.

{markdown(b_header, b_rows)}
""")
    RESULTS.write_text(text)
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
