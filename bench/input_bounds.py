"""Hostile input, exact figures (issue 12): how long and how much memory the engine spends on input
made to exhaust it, in the CLI and in Python. The tests hold generous bounds; this prints the figures.

    .venv/bin/python bench/input_bounds.py [--cli build/prescreen] [--gigabytes 1.5]

1. One JSONL line of 1.5 GB (then a normal line) piped to the native CLI's `screen`: the line is
   skipped as it is read (`document_too_large`), the next one screened; peak RSS of the CLI process.
2. A 1 MiB line of 130,000 unknown three-character keys: CLI, and Python given it as text and as a dict.
3. A dict with a 4,000,000-element list (over the 1 MiB answers limit): refused before it is read.
4. JsonLogic made to explode: nested `some` over 3,000 elements and `reduce` doubling with `merge`:
   stopped by the evaluation budget (`evaluation_budget_exceeded`).
Each figure is CPU time of the work (the machine may be shared) and, where said, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "tests" / "vectors" / "packs" / "small-clinic.json"
TODAY = "2026-11-25"

CHILD_LONG_LINE = """
import json, resource, subprocess, sys, threading, time
cli, pack, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
proc = subprocess.Popen([cli, "screen", "--protocol", pack, "--today", "2026-11-25"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out = []
reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
reader.start()
chunk = b" " * (1 << 24)
proc.stdin.write(b'{"pregnant": true,')
for _ in range(size // len(chunk)):
    proc.stdin.write(chunk)
proc.stdin.write(b'"x": 1}\\n{}\\n')
proc.stdin.close()
reader.join()
proc.wait()
rows = [json.loads(line) for line in out[0].splitlines()]
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rows": [r.get("error", {}).get("code") or r.get("outcome") for r in rows],
                  "peak_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "wall_s": time.perf_counter() - start}))
"""


def cpu(fn):
    start = time.process_time()
    value = fn()
    return value, time.process_time() - start


def long_line(cli: str, gigabytes: float) -> None:
    size = int(gigabytes * (1 << 30))
    out = subprocess.run([sys.executable, "-c", CHILD_LONG_LINE, cli, str(PACK), str(size)], capture_output=True,
                         text=True, check=True)
    r = json.loads(out.stdout)
    print(f"1. CLI, one {gigabytes:g} GB line then a normal one   rows {r['rows']}   CLI peak RSS {r['peak_mb']:,.0f} MB "
          f"(bound: 200 MB)   CLI CPU {r['cpu_s']:.2f} s   wall {r['wall_s']:.1f} s")


def unknown_keys(cli: str, prescreen) -> None:
    import itertools
    import string

    # Three-character keys ("aaa", "aab", ...) with value 1: 8 bytes each, 130,000 of them just under 1 MiB.
    alphabet = string.ascii_letters + string.digits
    keys = {"".join(k): 1 for k in itertools.islice(itertools.product(alphabet, repeat=3), 130_000)}
    text = json.dumps(keys, separators=(",", ":"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([cli, "screen", "--protocol", str(PACK), "--today", TODAY], input=text + "\n",
                          capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    p = prescreen.Protocol.from_file(PACK)
    (as_text,), text_cpu = cpu(lambda: p.screen_many([text], today=TODAY))
    (as_dict,), dict_cpu = cpu(lambda: p.screen_many([keys], today=TODAY))
    code = json.loads(done.stdout).get("outcome") or json.loads(done.stdout).get("error", {}).get("code")
    print(f"2. {len(keys):,} unknown keys in one {len(text) / 1048576:.2f} MiB line (bound: 1 s)   CLI {cli_cpu * 1000:,.0f} ms "
          f"CPU, whole process ({code}, {len(done.stdout) / 1048576:.1f} MiB written)   Python text {text_cpu * 1000:,.0f} ms ({getattr(as_text, 'outcome', None) or as_text.code})   "
          f"Python dict {dict_cpu * 1000:,.0f} ms ({getattr(as_dict, 'outcome', None) or as_dict.code})")


def huge_list(prescreen) -> None:
    p = prescreen.Protocol.from_file(PACK)
    row = {"areas": ["ab"] * 4_000_000}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (result,), spent = cpu(lambda: p.screen_many([row], today=TODAY))
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"3. dict with a 4,000,000-element list   {result.code}   {spent * 1000:,.1f} ms CPU   peak RSS grew {grown:,.0f} MB "
          f"(was 45 s and 8 GB)")


def exploding_logic(prescreen) -> None:
    data = {"a": list(range(3000))}
    nested = {"some": [{"var": "a"}, {"some": [{"val": [[2], "a"]}, False]}]}
    doubling = {"reduce": [{"var": "a"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}
    for name, rule, dialect in (("nested some over 3,000 x 3,000", nested, "core"),
                                ("reduce doubling with merge", doubling, "json-logic-js")):
        start = time.process_time()
        try:
            prescreen.apply_logic(rule, data, dialect=dialect)
            outcome = "finished"
        except prescreen.ProtocolError as e:  # the rule's run-time error, with its code
            outcome = e.diagnostics[0].code
        spent = time.process_time() - start
        print(f"4. JsonLogic, {name:32s} {outcome}   {spent * 1000:,.1f} ms CPU (bound: 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default=str(ROOT / "build" / "prescreen"))
    parser.add_argument("--gigabytes", type=float, default=1.5)
    args = parser.parse_args()
    import prescreen

    long_line(args.cli, args.gigabytes)
    unknown_keys(args.cli, prescreen)
    huge_list(prescreen)
    exploding_logic(prescreen)


if __name__ == "__main__":
    main()
