#!/usr/bin/env python3
"""Thread scaling of Protocol.screen_many: 1 thread against 2, on batches of 1,000 rows and more.

The machine is shared, so one run each would mostly measure the neighbours: the two thread counts
are run alternately, many rounds, and the median of each is compared (wall time); the fastest round
of each is printed beside it. The load average is printed too.

    .venv/bin/python bench/python_threads.py [--rounds 15] [--sizes 1000,10000,100000] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    import prescreen

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    protocol = prescreen.Protocol.from_file(ROOT / "protocols" / "microneedling" / "protocol.json")
    cases = json.loads((ROOT / "protocols" / "microneedling" / "cases.json").read_text())["cases"]
    base = [c["answers"] for c in cases if not c.get("overrides")]
    today = "2026-11-25"
    print(f"micro-needling pack, {len(base)} vignettes cycled; screen_many(list of dicts), wall time, "
          f"median of {args.rounds} alternating rounds; load average {os.getloadavg()[0]:.1f} at start")
    print("(best: the fastest round of each, the figure least disturbed by the neighbours)")
    print(f"{'rows':>8} | {'1 thread rows/s':>16} | {f'{args.threads} threads rows/s':>17} | scaling | "
          f"{'best 1 thread':>13} | {f'best {args.threads} threads':>14} | scaling")
    for n in (int(s) for s in args.sizes.split(",")):
        rows = [base[i % len(base)] for i in range(n)]
        repeat = max(1, 20_000 // n)  # small batches: several calls per timing, so the timer is not the noise
        protocol.screen_many(rows, today=today, threads=args.threads)  # warm-up
        times = {1: [], args.threads: []}
        for _ in range(args.rounds):
            for threads in (1, args.threads):
                start = time.perf_counter()
                for _ in range(repeat):
                    results = protocol.screen_many(rows, today=today, threads=threads)
                times[threads].append((time.perf_counter() - start) / repeat)
                assert len(results) == n
        one = n / statistics.median(times[1])
        many = n / statistics.median(times[args.threads])
        best_one, best_many = n / min(times[1]), n / min(times[args.threads])
        print(f"{n:>8,} | {one:>16,.0f} | {many:>17,.0f} | {many / one:>6.2f}x | "
              f"{best_one:>13,.0f} | {best_many:>14,.0f} | {best_many / best_one:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
