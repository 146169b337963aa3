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
BEFORE = """Before: main at a929c6b (2 Dec 2026), measured on the idle machine minutes before the change
(05:35 UTC, load average 0.5), CPU time, the same peers' binaries:

| workload | prescreen native | json-logic-engine (compiled) | datalogic-rs |
|---|---|---|---|
| official suite, per evaluation | 62 ns | 16.9 ns | 12.9 ns |
| 30 plain JsonLogic rules over parsed data | 1.99 µs (LogicData made inside the timed loop) | 0.71 µs | 1.34 µs |

What changed (the engine's JsonLogic compiler and evaluator): constants folded at compile time (an operation whose arguments are all
literals and which reads nothing else is evaluated once; one that fails is left to fail at run time);
`var` of a literal path in free data fused into its comparison, `in` or range test like answer slots
(CmpPathConst, InPathConst, InConstPath, BetweenPath), read in place from the JSON with non-throwing
accessors; `missing`/`missing_some` with literal keys split once at compile time and tested without
building the list; rules made only of such tests of top-level keys (under and/or/!/!!/if) run without
setting up an evaluator; map/filter tested without building their list; `var` and arithmetic off
eval_rest's large frame; a path walked in the caller's Value; LogicData's key table 16 bytes an entry
and at most two thirds full. The benchmark now makes each answer set's LogicData before timing (as
datalogic-rs's ParsedData and json-logic-engine's parsed objects are made before theirs): in the
before figure about 0.8 µs of the 1.99 µs was that preparation (a profile: LogicData's constructor,
its depth check and the walk of the object's keys 41 %).

The pack paths, before / after, alternating runs in the same minutes (load average about 3): JSONL text
2,271 / 2,258 / 2,142 ns against 2,276 / 2,246 / 2,283 ns; pre-parsed 245 / 232 / 230 ns against 248 /
243 / 234 ns (within 3 %)."""


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
