#!/usr/bin/env python3
"""The general JsonLogic evaluator against the two fastest peers, one run, ratios printed (issue 18).

A subset of `make bench` (bench/run.py, whose workloads and checks it reuses): (a) the official suite,
time per evaluation on the cases both engines pass; (b) the screening workload, where the peers run the
30 conditions as plain JsonLogic and prescreen native runs them both as plain JsonLogic and through the
pack paths (pre-parsed and JSONL, to see that those stay as fast). With --write it replaces the
"JsonLogic evaluator" section of bench/RESULTS.md.

    BENCH_NATIVE=build/bench/bench_screen python3 bench/logic_bench.py [--write]
"""
import datetime
import sys
import tempfile

import run as bench  # bench/run.py

PEERS = ("prescreen native", "json-logic-engine (compiled)", "datalogic-rs")

# Recorded by `make bench` on 2026-11-25 (bench/RESULTS.md, "Side by side"), before this evaluator.
BEFORE = """| workload | prescreen native | json-logic-engine (compiled) | datalogic-rs |
|---|---|---|---|
| official suite, per evaluation | 179 ns | 74 ns | 44 ns |
| 30 plain JsonLogic rules over parsed data | 9.56 µs | 1.99 µs | 4.64 µs |
| pack, answers pre-parsed → decision | 301 ns | | |
| pack, JSONL text → JSONL result | 4.79 µs | | |

The same machine minutes apart, main's evaluator (`/work/main/build/bench/bench_screen`, built 2026-12-01)
against this one, `bench_screen` CPU time, load average about 10: official suite 173 / 151 ns (before) against
166 / 145 ns (after) per evaluation; 30 plain rules 6.51 µs against 4.59 µs; pre-parsed pack 573 / 719 ns
against 629 / 634 ns; JSONL 3.50 µs against 3.81 µs (these two paths did not change; the spread is the
machine's). The plain-rules path is about 30 % faster (top-level keys found by a hash computed at compile
time, no result value built for truthiness, no allocation to check the data's depth); the target of issue 18,
at least as fast as both peers, is **not** reached on either workload."""


def main():
    bench.ENGINES = [e for e in bench.ENGINES if e[0] in PEERS]
    if not bench.NATIVE.exists():
        sys.exit(f"logic_bench: {bench.NATIVE} not built (make build, then BENCH_NATIVE=build/bench/bench_screen)")
    suite = bench.find_suite()
    print(f"machine: {bench.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        s_header, s_rows, _, _ = bench.suite_workload(suite, tmp)
        suite_table = bench.markdown(s_header, s_rows)
        print(suite_table)
        results, count, _ = bench.screening_workload(tmp)
        b_header, b_rows = bench.screening_table(results)
        screen_table = bench.markdown(b_header, b_rows)
        print(screen_table)
    if "--write" in sys.argv:
        body = f"""
Written by `bench/logic_bench.py --write` ({datetime.date.today().isoformat()}, {bench.machine()}; the machine was
shared with other builds, so figures move by tens of percent between runs). One run, CPU time per evaluation
on one core after a warm-up pass, prescreen native from `{bench.NATIVE}` (Release).

Before (recorded by `make bench` on 2026-11-25, the evaluator of main at that date):

{BEFORE}

After, in one run:

(a) official suite

{suite_table}

(b) screening workload ({count:,} answer sets checked, {bench.TIMING_ANSWERS} timed)

{screen_table}
"""
        text = bench.RESULTS.read_text()
        bench.RESULTS.write_text(bench.replace_section(text, "JsonLogic evaluator", body))
        print(f"wrote the 'JsonLogic evaluator' section of {bench.RESULTS}")


if __name__ == "__main__":
    main()
