"""Answer sets, submissions and servers for the back office's tests (fixtures in conftest.py)."""

from __future__ import annotations

import copy
import datetime
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "protocols" / "microneedling" / "protocol.json"
TODAY = "2026-11-25"
# The server's clock in these tests: a fixed instant a few days after the patient's day.
SERVER_NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone.utc)

# A healthy 36-year-old with acne scars on the face (the same as tests/web/helpers.mjs ELIGIBLE).
ELIGIBLE = {
    "date_of_birth": "1990-05-14", "sex": "female", "clinic": "margaret_street",
    "treatment_areas": ["face"], "indication": "acne_scars",
    "active_cold_sore": False, "active_infection": False, "active_acne": False, "rosacea": "none",
    "eczema_psoriasis": "none", "sunburn_recent": False, "skin_cancer_area": False, "suspicious_lesion": False,
    "recent_scar": False, "isotretinoin_current": False, "isotretinoin_past": False, "topical_retinoid": False,
    "topical_steroid_area": False, "anticoagulant": False, "pregnant": False, "breastfeeding": False,
    "cold_sore_history": False, "keloid_tendency": False, "bleeding_disorder": False, "diabetes": "none",
    "immunosuppressed": False, "chemotherapy_current": False, "radiotherapy_area": False, "autoimmune_skin": False,
    "cardiac_device": False, "injectables_recent": False, "resurfacing_recent": False,
    "stainless_steel_allergy": False, "metal_allergy_other": False, "anaesthetic_allergy": False,
    # Pack 2.0.0 (mn-ref-v2): the new questions, each with its 'nothing to report' answer.
    "skin_type": "II", "pih_history": False, "melasma": False, "vitiligo_lichen_planus": "none",
    "sarcoidosis_granuloma": False, "herpes_other_area": "none", "permanent_filler_area": "none",
    "threads_implants_area": "none", "surgery_area": False, "previous_microneedling": False, "home_device": False,
    "hair_removal_recent": False, "self_tan_recent": False, "chlorhexidine_allergy": False, "latex_allergy": False,
    "product_ingredient_allergy": False,
}


def answers(**changes):
    out = copy.deepcopy(ELIGIBLE)
    out.update(changes)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]





def consent_record(protocol, values, today=TODAY, name="Alex Patient"):
    """The record the browser makes (the same engine, no seal), countersigned by the practitioner
    taking consent as the micro-needling pack demands (signature.countersign)."""
    ack = [a["id"] for a in protocol.document["consent"]["acknowledgements"]]
    return protocol.consent(values, today=today, acknowledged=ack, signature={"name": name, "role": "patient"},
                            signed_at=f"{today}T10:31:00Z", information_shown_at=f"{today}T10:20:00Z",
                            countersignature={"name": "Sam Lee", "role": "nurse"}).to_dict()


def submission(protocol, values=None, *, key=None, today=TODAY, consent=False, browser=True, **extra):
    values = answers() if values is None else values
    body = {"submission_key": key or uuid.uuid4().hex, "pack_digest": protocol.digest, "answers": values, "today": today}
    if browser:
        body["browser_result"] = protocol.screen(values, today=today).to_dict()
    if consent:
        body["consent_record"] = consent_record(protocol, values, today)
    body.update(extra)
    return body


# ---------------------------------------------------------------- PostgreSQL

def _as_postgres(cmd):
    """postgres refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql; scripts/setup.sh installs it)")
    return str(found[-1])


class PostgresCluster:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="prescreen-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "prescreen", "-E", "UTF8",
                                     "--no-sync"]), check=True, capture_output=True)
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                                     f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
                                     "start"]), check=True, capture_output=True)
        self.count = 0

    def new_database(self) -> str:
        import psycopg

        self.count += 1
        name = f"t{self.count}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=prescreen dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://prescreen@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)








# ---------------------------------------------------------------- a real uvicorn in this process

class Server:
    def __init__(self, app, office):
        import uvicorn

        self.office = office
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def post(self, body, **kw):
        return self.client.post("/api/submissions", json=body, **kw)

    def stop(self):
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)
        self.office.store.close()


def start_server(data_dir, database_url=None, **settings):
    from prescreen.clinic.app import create_app, open_back_office
    from prescreen.clinic.settings import Settings

    settings.setdefault("clock", lambda: SERVER_NOW)
    config = Settings(Path(data_dir), database_url=database_url, **settings)
    office = open_back_office(config)
    return Server(create_app(config, office), office)








def error_of(response):
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "path", "message"}, body
    return body["error"]["code"], body["error"]["path"], body["error"]["message"]


# ---------------------------------------------------------------- the server as its own process

class ServerProcess:
    """`python -m prescreen.clinic serve` on 127.0.0.1 (what `make demo` runs), for load and crash tests."""

    def __init__(self, data_dir, *extra, port=None, database_url=None, module="prescreen.clinic", env=None):
        """``module``/``env``: another copy of the package (bench/clinic_submissions.py --compare-with)."""
        import sys

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", module, "serve", "--data", str(data_dir), "--port", str(self.port), *extra]
        if database_url:
            cmd += ["--database", database_url]
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, **env} if env else None)
        self.first_line = self.process.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise RuntimeError(f"the back office did not start: {self.first_line}{self.process.stdout.read()}")
            time.sleep(0.1)

    def kill(self):
        """SIGKILL: no shutdown, no flush — what a power cut or the OOM killer does."""
        self.process.kill()
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.stdout.close()


def send_all(url, bodies, *, clients=50, stop=None):
    """POST every body from `clients` concurrent keep-alive connections (one thread each, the
    standard library's HTTP client: lighter than an async client on two shared cores);
    [(body index, status, reply)] for each request that got an answer (a refused connection or a
    cut-off reply gives none). A body may be given as its JSON bytes already (the benchmark does, so
    the client spends less of the shared cores)."""
    import http.client
    import json as _json
    import queue as _queue
    from urllib.parse import urlsplit

    host = urlsplit(url)
    work = _queue.Queue()
    for item in enumerate(bodies):
        work.put(item)
    out, lock = [], threading.Lock()

    def worker():
        conn = None
        while not (stop is not None and stop.is_set()):
            try:
                i, body = work.get_nowait()
            except _queue.Empty:
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                conn.request("POST", "/api/submissions", body=body if isinstance(body, bytes) else _json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                continue
            try:
                reply = _json.loads(raw)
            except ValueError:
                reply = None
            with lock:
                out.append((i, response.status, reply))
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# ---------------------------------------------------------------- the review pages

PASSWORD = "correct horse battery"


def csrf(html):
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(server, name="pat", password=PASSWORD):
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/review/login")
    r = client.post("/review/login", data={"name": name, "password": password, "csrf_token": csrf(page.text),
                                           "next": "/review/"})
    return client, r
