#!/usr/bin/env python3
"""Benchmark of the Python package: Protocol.screen_many throughput (rows per second, wall time).

Workloads: the micro-needling pack with its patient vignettes (protocols/microneedling/cases.json)
cycled to N rows, and the synthetic pack (bench/data) with its answer sets. Paths measured:
list of dicts, JSON text lines (parsed by the engine), pandas DataFrame, generator via iter_screen,
one screen() call per row, and the cost of converting results back (to_dict).

    .venv/bin/python bench/python_screen_many.py [--rows 200000] [--threads 2] [--write]

--write replaces (or appends) the "## Python" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"


def best_of(fn, repeat=3):
    times = []
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def workloads():
    import prescreen

    found = []
    mn = ROOT / "protocols" / "microneedling" / "protocol.json"
    cases = ROOT / "protocols" / "microneedling" / "cases.json"
    if mn.exists() and cases.exists():
        data = json.loads(cases.read_text())
        rows = [c["answers"] for c in data["cases"] if not c.get("overrides")]
        found.append(("micro-needling pack", prescreen.Protocol.from_file(mn), rows, "2026-11-25",
                      f"{len(rows)} vignettes from cases.json"))
    synth = ROOT / "bench" / "data" / "synthetic-pack.json"
    answers = ROOT / "bench" / "data" / "answers.jsonl"
    if synth.exists() and answers.exists():
        rows = [json.loads(l) for l in answers.read_text().splitlines() if l.strip()]
        found.append(("synthetic pack", prescreen.Protocol.from_file(synth), rows, "2026-11-25",
                      f"{len(rows)} answer sets from bench/data/answers.jsonl"))
    return found


def run(args):
    import prescreen

    lines = []
    out = lines.append
    for name, protocol, base, today, origin in workloads():
        n = args.rows
        rows = [base[i % len(base)] for i in range(n)]
        texts = [json.dumps(r) for r in base]
        text_rows = [texts[i % len(texts)] for i in range(n)]
        out(f"### {name} ({len(protocol.items)} items, {len(protocol.rules)} rules; {origin}, cycled to {n:,} rows)")
        out("")
        out("| path | threads | rows/s | µs per row |")
        out("|---|---|---|---|")

        def row(label, threads, seconds, count):
            out(f"| {label} | {threads} | {count / seconds:,.0f} | {seconds / count * 1e6:.2f} |")
            print(f"{name:22} {label:52} threads={threads}: {count / seconds:12,.0f} rows/s", file=sys.stderr)

        protocol.screen_many(rows[:5000], today=today, threads=args.threads)  # warm-up
        for threads in sorted({1, args.threads}):
            t, res = best_of(lambda: protocol.screen_many(rows, today=today, threads=threads))
            assert len(res) == n
            row("`screen_many(list of dicts)`", threads, t, n)
        t, _ = best_of(lambda: protocol.screen_many(text_rows, today=today, threads=args.threads))
        row("`screen_many(JSON text lines)` (engine parses)", args.threads, t, n)
        t, _ = best_of(lambda: sum(1 for _ in protocol.iter_screen(iter(rows), today=today, threads=args.threads)))
        row("`iter_screen(generator of dicts)`", args.threads, t, n)
        try:
            import pandas as pd

            frame = pd.DataFrame(rows)
            t, res = best_of(lambda: protocol.screen_many(frame, today=today, threads=args.threads))
            row("`screen_many(DataFrame)` (column-wise)", args.threads, t, n)
        except ImportError:
            pass
        m = min(n, 20_000)
        t, _ = best_of(lambda: [protocol.screen(r, today=today) for r in rows[:m]], repeat=1)
        row("`screen()` per row, Python loop", 1, t, m)
        results = protocol.screen_many(rows[:m], today=today, threads=args.threads)
        t, _ = best_of(lambda: [r.outcome for r in results], repeat=1)
        row("reading `.outcome` of every result", 1, t, m)
        t, _ = best_of(lambda: [r.to_dict() for r in results], repeat=1)
        row("`to_dict()` of every result", 1, t, m)
        try:
            from prescreen import io

            t, _ = best_of(lambda: io.results_frame(results), repeat=1)
            row("`io.results_frame(results)` (the writers' and reports' table)", 1, t, m)
        except ImportError:
            pass
        out("")
    return lines


def write_section(lines, args):
    import prescreen

    cpu = ""
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    head = [
        "## Python",
        "",
        f"{datetime.date.today().isoformat()} on {cpu or platform.processor()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, prescreen {prescreen.__version__} (engine {prescreen.engine_version}), "
        f"load average {os.getloadavg()[0]:.1f} when finished. "
        "`bench/python_screen_many.py` (wall time, best of 3). Plain dict rows are read straight into the "
        "engine's answer entries under the GIL in chunks of 1024 (row keys found by address once seen); "
        "`threads` threads screen each chunk with the GIL released: threads - 1 workers and the calling thread, "
        "which joins them once it has read the next chunk. Each result keeps the engine's screening record "
        "(outcome, deferral, findings, aftercare and course choices, issues: a few hundred bytes) and writes "
        "its JSON only when asked (`to_json`, `to_dict`, attributes other than outcome, defer_until, "
        "finding_ids, consent_permitted and today); the result table of the writers and reports is read "
        "from the record.",
        "",
    ]
    section = "\n".join(head + lines).rstrip() + "\n"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"^## Python\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--write", action="store_true", help="write the Python section of bench/RESULTS.md")
    args = parser.parse_args()
    lines = run(args)
    print("\n".join(lines))
    if args.write:
        write_section(lines, args)


if __name__ == "__main__":
    main()
