"""Analyst paths side by side: rows/s and peak memory for the same synthetic export (the small
test pack, ~3 % bad values) reaching the engine each way an analyst would send it.

    .venv/bin/python bench/python_analyst_paths.py [--rows 200000] [--repeat 1] [--write]

Each path runs in a fresh process (peak memory = that process's max RSS, interpreter and pandas
included); the time counts reading the file and screening, not writing results (but for screen_parquet and the
CLI, which write their Parquet result file). CPU s is the process's CPU time over the same span (all
threads; on a machine shared with other work it moves less than the wall time). --repeat N runs each
path N times and gives the medians. --write records the table in bench/RESULTS.md under "Python
analyst paths".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "tests" / "vectors" / "packs" / "small-clinic.json"
META = ["clinic_branch", "submitted_on", "gp_name"]
TODAY = "2026-11-25"

PATHS = {
    "dicts: screen_many(list of typed dicts)": """
import sys; sys.path.insert(0, str(ROOT / "tests" / "python")); import synthetic
rows = [a for a, _, _ in synthetic.rows(N)]
t = time.perf_counter(); c = time.process_time(); out = p.screen_many(rows, today=TODAY)""",
    "pd.read_csv + screen_frame": """
t = time.perf_counter(); c = time.process_time(); out = p.screen_frame(pd.read_csv(CSV), today=TODAY, keep=META)""",
    "pd.read_csv(dtype=str) + screen_frame": """
t = time.perf_counter(); c = time.process_time(); out = p.screen_frame(pd.read_csv(CSV, dtype=str), today=TODAY, keep=META)""",
    "screen_frame, per-row today (column)": """
frame = pd.read_csv(CSV)
t = time.perf_counter(); c = time.process_time(); out = p.screen_frame(frame, today="submitted_on", keep=META)""",
    "screen_frame on a frame in memory": """
frame = pd.read_csv(CSV)
t = time.perf_counter(); c = time.process_time(); out = p.screen_frame(frame, today=TODAY, keep=META)""",
    "io.read_csv + screen_many": """
from prescreen import io
t = time.perf_counter(); c = time.process_time(); out = p.screen_many(io.read_csv(CSV, p, keep=META), today=TODAY)""",
    "pd.read_parquet + screen_frame": """
t = time.perf_counter(); c = time.process_time(); out = p.screen_frame(pd.read_parquet(PARQUET), today=TODAY, keep=META)""",
    "screen_parquet: CSV file to Parquet file, streamed (written)": """
t = time.perf_counter(); c = time.process_time(); s = p.screen_parquet(CSV, PARQUET + ".results", today=TODAY, keep=META); out = range(s.rows)""",
    "dask (threads, 4 partitions) + prescreen.dask.screen": """
import dask.dataframe as dd, prescreen.dask
t = time.perf_counter(); c = time.process_time()
out = prescreen.dask.screen(dd.read_csv(CSV, dtype=str, blocksize=len(open(CSV, 'rb').read()) // 4 + 1), p,
                            today=TODAY, keep=META).compute(scheduler="threads")""",
}

CHILD = """
import time, resource, json, sys
from pathlib import Path
import pandas as pd, prescreen
ROOT = Path({root!r}); CSV = {csv!r}; PARQUET = {parquet!r}; N = {n}; TODAY = {today!r}; META = {meta!r}
p = prescreen.Protocol.from_file({pack!r})
{body}
elapsed = time.perf_counter() - t; cpu = time.process_time() - c
assert len(out) == N
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_path(body: str, csv: str, parquet: str, n: int) -> dict:
    code = CHILD.format(root=str(ROOT), csv=csv, parquet=parquet, n=n, today=TODAY, meta=META, pack=str(PACK), body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(csv: str, n: int, folder: str) -> dict:
    # Measured from a fresh parent, so RUSAGE_CHILDREN's peak is the CLI's own.
    code = f"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.executable, "-m", "prescreen", "screen", {csv!r}, "-p", {str(PACK)!r}, "--today", {TODAY!r},
                "--keep", {",".join(META)!r}, "-o", {os.path.join(folder, "out.parquet")!r}], check=True, capture_output=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per path; the table gives medians")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests" / "python"))
    import pandas as pd
    import synthetic

    with tempfile.TemporaryDirectory() as folder:
        csv = os.path.join(folder, "export.csv")
        parquet = os.path.join(folder, "export.parquet")
        synthetic.write(csv, args.rows)
        pd.read_csv(csv, dtype=str).to_parquet(parquet)
        rows = []
        runs = [(name, lambda body=body: run_path(body, csv, parquet, args.rows)) for name, body in PATHS.items()]
        # The CLI's run includes interpreter start and writing Parquet.
        runs.append(("CLI: python -m prescreen screen x.csv -o y.parquet (whole run)", lambda: run_cli(csv, args.rows, folder)))
        for name, run in runs:
            results = [run() for _ in range(max(1, args.repeat))]
            r = {key: statistics.median(x[key] for x in results) for key in results[0]}
            rows.append((name, r))
            print(f"{name:55s} {args.rows / r['seconds']:>10,.0f} rows/s  {r['cpu']:>6.2f} CPU s  {r['peak_mb']:>6,.0f} MB",
                  flush=True)
    base = args.rows / rows[4][1]["seconds"]
    repeat = f", medians of {args.repeat} runs" if args.repeat > 1 else ""
    table = [f"{args.rows:,} rows of the small test pack (~3 % bad values), {os.cpu_count()} cores, "
             f"`bench/python_analyst_paths.py`{repeat}; ratio = rows/s over `screen_frame` on a frame in memory; "
             "CPU s = the process's CPU time (all threads) over the timed span.", "",
             "| path | rows/s | ratio | CPU s | peak MB |", "|---|---:|---:|---:|---:|"]
    for name, r in rows:
        rate = args.rows / r["seconds"]
        table.append(f"| {name} | {rate:,.0f} | {rate / base:.2f} | {r['cpu']:.2f} | {r['peak_mb']:,.0f} |")
    print("\n".join(table))
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from results_md import replace_section

        replace_section('Python analyst paths', table)


if __name__ == "__main__":
    main()
