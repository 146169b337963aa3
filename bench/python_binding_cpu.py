"""CPU time per row of the binding's paths on one thread (the small test pack, 50,000 synthetic rows):
process_time, so neighbours on a shared machine count far less than in wall time. Best of 5.

    .venv/bin/python bench/python_binding_cpu.py

To compare two builds in the same minute, run it once with PYTHONPATH pointing at a copy of the
other build's package (with a sitecustomize.py that drops the editable install's finder).
"""
import sys, tempfile, time
from pathlib import Path
import pandas as pd, prescreen
from prescreen import io
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python")); import synthetic
p = prescreen.Protocol.from_file(ROOT / "tests/vectors/packs/small-clinic.json")
N = 50000
rows = [a for a, _, _ in synthetic.rows(N)]
csv = str(Path(tempfile.mkdtemp()) / "rows.csv")
pd.DataFrame(rows).to_csv(csv, index=False)
frame = pd.read_csv(csv)
def best(fn, n=5):
    ts = []
    for _ in range(n):
        t = time.process_time(); fn(); ts.append(time.process_time() - t)
    return min(ts)
paths = {
    "screen_many(dicts), 1 thread": lambda: p.screen_many(rows, today="2026-11-25", threads=1),
    "screen_frame(frame in memory), 1 thread": lambda: p.screen_frame(frame, today="2026-11-25", threads=1),
    "io.read_csv + screen_many, 1 thread": lambda: p.screen_many(io.read_csv(csv, p), today="2026-11-25", threads=1),
    "screen() per row": lambda: [p.screen(r, today="2026-11-25") for r in rows[:10000]],
    "form() per row": lambda: [p.form(r, today="2026-11-25") for r in rows[:10000]],
}
paths["to_dict() per result"] = lambda: [r.to_dict() for r in p.screen_many(rows[:10000], today="2026-11-25", threads=1)]
for name, fn in paths.items():
    n = 10000 if "per r" in name else N
    print(f"{name}: {best(fn) / n * 1e6:.2f} µs CPU per row")
