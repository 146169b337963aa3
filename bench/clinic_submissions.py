"""Back-office benchmark (prescreen.clinic, SQLite with WAL + synchronous=FULL, on this machine's cores):

1. submissions per second, each re-screened twice (patient's day and the server's), its consent record
   made again, sealed (HMAC) and signed (Ed25519), a signed receipt, stored with its audit row:
   (a) the service alone (Receiver.receive from 50 threads: the group commit at work) and
   (b) over HTTP to a real uvicorn on 127.0.0.1 from 50 concurrent clients (the client shares the cores);
2. the review queue page with 100,000 stored submissions: server time of GET /review/ (first page and a
   deep page), read from the app's own timing header, median of 20.

    .venv/bin/python bench/clinic_submissions.py [--n 3000] [--stored 100000] [--write-results]

Before and after on the same load (the machine is shared): ``--compare-with COMMIT`` takes the back
office package of that commit (``git archive``, into build/bench-clinic/), then measures it and this
checkout's package in turn, ``--rounds`` times each, with the load average at each run:

    .venv/bin/python bench/clinic_submissions.py --n 2000 --compare-with 254f6a8 --rounds 2
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python" / "clinic"))

import httpx  # noqa: E402

import prescreen  # noqa: E402
from clinic_support import PACK, SERVER_NOW, ServerProcess, answers, consent_record, send_all, start_server  # noqa: E402
from prescreen.clinic import accounts, audit  # noqa: E402
from prescreen.clinic.schema import submissions  # noqa: E402

PACKAGE = "prescreen.clinic"  # the back office measured (--package: an older copy, for --compare-with)


def bodies(protocol, n):
    variants = [answers(), answers(keloid_tendency=True), answers(cold_sore_history=True),
                answers(isotretinoin_past=True, isotretinoin_last_dose="2026-10-01")]
    records = {0: consent_record(protocol, variants[0]), 2: consent_record(protocol, variants[2])}
    browser = [protocol.screen(v, today="2026-11-25").to_dict() for v in variants]
    out = []
    for i in range(n):
        v = i % len(variants)
        body = {"submission_key": uuid.uuid4().hex, "pack_digest": protocol.digest, "answers": variants[v],
                "today": "2026-11-25", "browser_result": browser[v]}
        if v in records:
            body["consent_record"] = records[v]
        out.append(body)
    return out


def service_rate(protocol, n):
    open_back_office = importlib.import_module(PACKAGE + ".app").open_back_office
    Settings = importlib.import_module(PACKAGE + ".settings").Settings
    office = open_back_office(Settings(Path(tempfile.mkdtemp(prefix="bench-clinic-")), clock=lambda: SERVER_NOW))
    raw = [json.dumps(b).encode() for b in bodies(protocol, n)]
    started = time.perf_counter()
    with ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(office.receiver.receive, raw))
    elapsed = time.perf_counter() - started
    assert all(r.status == 201 for r in replies)
    office.store.close()
    return n / elapsed


def http_rate(protocol, n, workers=1):
    data = Path(tempfile.mkdtemp(prefix="bench-clinic-http-"))
    server = ServerProcess(data, "--workers", str(workers), module=PACKAGE,
                           env={"PYTHONPATH": os.environ.get("BENCH_PACKAGE_PATH", "")})
    try:
        payload = [json.dumps(b).encode() for b in bodies(protocol, n)]
        send_all(server.url, payload[:50], clients=50)  # warm-up
        started = time.perf_counter()
        replies = send_all(server.url, payload[50:], clients=50)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert sum(1 for _, s, _ in replies if s == 201) == n - 50
    return (n - 50) / elapsed


def old_package(commit):
    """The back office package of ``commit`` as its own importable package, inside the checkout (its
    settings find the form and the packs from where it lies): (package name, folder for sys.path)."""
    full = subprocess.run(["git", "-C", str(ROOT), "rev-parse", commit], check=True, capture_output=True, text=True).stdout.strip()
    folder = ROOT / "build" / "bench-clinic" / full[:12]
    name = "clinic_" + full[:12]
    if not (folder / name / "__init__.py").is_file():
        scratch = Path(tempfile.mkdtemp(dir=ROOT / "build"))
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", full, "python/src/prescreen/clinic"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
        folder.mkdir(parents=True, exist_ok=True)
        (scratch / "python" / "src" / "prescreen" / "clinic").rename(folder / name)
        main = folder / name / "__main__.py"  # `serve --workers N` names its app by module path
        main.write_text(main.read_text().replace('"prescreen.clinic.app:', f'"{name}.app:'))
    return name, folder


def load_average():
    return os.getloadavg()[0]


def compare(args):
    """Old and new package in turn, each in a fresh process, --rounds times."""
    name, folder = old_package(args.compare_with)
    runs = []
    for round_number in range(args.rounds):
        for label, package, path in (("before", name, str(folder)), ("after", PACKAGE, "")):
            load = load_average()
            env = {**os.environ, "BENCH_PACKAGE_PATH": path,
                   "PYTHONPATH": os.pathsep.join(p for p in (path, os.environ.get("PYTHONPATH", "")) if p)}
            out = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--only-submissions", "--package", package,
                                  "--json"], env=env, check=True, capture_output=True, text=True).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            runs.append((label, round_number + 1, load, figures))
            print(f"{label:6s} round {round_number + 1}: load {load:5.2f}  service {figures['service']:5.0f}/s  "
                  f"HTTP {figures['http']:5.0f}/s  HTTP --workers 2 {figures['http2']:5.0f}/s", flush=True)
    return runs


def queue_times(protocol, stored):
    data = Path(tempfile.mkdtemp(prefix="bench-clinic-queue-"))
    s = start_server(data)
    try:
        # A few real submissions, then copies of them under new ids and keys, each with its audit row.
        templates = [s.post(b).json()["submission_id"] for b in bodies(protocol, 8)]
        with s.office.store.read() as conn:
            rows = [dict(r) for r in conn.execute(submissions.select().where(submissions.c.id.in_(templates))).mappings()]
        started = time.perf_counter()
        made = len(rows)
        while made < stored:
            with s.office.store.write() as conn:
                batch = []
                for _ in range(min(5000, stored - made)):
                    row = dict(rows[made % len(rows)])
                    row.pop("seq")
                    row["id"] = "sub_" + uuid.uuid4().hex[:20]
                    row["submission_key"] = uuid.uuid4().hex
                    batch.append(row)
                    made += 1
                conn.execute(submissions.insert(), batch)
                for row in batch:
                    audit.append(conn, at=row["received_at"], event="received", actor="patient", submission_id=row["id"],
                                 details={"bench_copy": True})
        fill = time.perf_counter() - started
        accounts.add_user(s.office.store, "bench", "practitioner", "bench password 1", SERVER_NOW)
        client = httpx.Client(base_url=s.url, timeout=60)
        page = client.get("/review/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/review/login", data={"name": "bench", "password": "bench password 1", "csrf_token": token})

        def median(path):
            times = []
            for _ in range(21):
                r = client.get(path)
                assert r.status_code == 200, r.status_code
                times.append(float(r.headers["x-server-time-ms"]))
            return statistics.median(times[1:])

        return fill, median("/review/"), median("/review/?page_number=1000")
    finally:
        s.stop()


def main():
    global PACKAGE
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--stored", type=int, default=100_000)
    ap.add_argument("--only-submissions", action="store_true", help="skip the queue page")
    ap.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    ap.add_argument("--compare-with", metavar="COMMIT", help="measure COMMIT's package and this one in turn")
    ap.add_argument("--rounds", type=int, default=2, help="with --compare-with: runs of each")
    ap.add_argument("--package", default=PACKAGE, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compare_with:
        compare(args)
        return
    PACKAGE = args.package
    protocol = prescreen.Protocol.from_file(PACK)
    service = service_rate(protocol, args.n)
    http = http_rate(protocol, args.n)
    http2 = http_rate(protocol, args.n, workers=2)
    if args.json:
        print(json.dumps({"service": service, "http": http, "http2": http2}))
        return
    fill, first, deep = queue_times(protocol, args.stored) if not args.only_submissions else (0, float("nan"), float("nan"))
    host = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite (WAL, synchronous=FULL)"
    lines = [
        f"submissions, service (50 threads, group commit)          {service:8.0f} /s  (target >= 500)",
        f"submissions, HTTP to uvicorn (50 clients, same cores)    {http:8.0f} /s  (target >= 500)",
        f"submissions, HTTP, serve --workers 2                     {http2:8.0f} /s  (target >= 500)",
        f"review queue, {args.stored:,} stored, first page          {first:8.1f} ms server time  (target < 100)",
        f"review queue, {args.stored:,} stored, page 1000            {deep:8.1f} ms server time",
        f"(filling {args.stored:,} rows with audit rows took {fill:.0f} s)",
    ]
    print(host)
    print("\n".join(lines))
    if args.write_results:
        section = (f"\n## Back office (prescreen.clinic)\n\n{time.strftime('%Y-%m-%d')} on {host}. "
                   "`.venv/bin/python bench/clinic_submissions.py` (each submission re-screened on two dates, its consent "
                   "record made again, sealed and signed, a signed receipt and the audit row, one transaction per group commit).\n\n"
                   "```\n" + "\n".join(lines) + "\n```\n")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(section)


if __name__ == "__main__":
    main()
