"""The audit chain and verify-store, on SQLite and PostgreSQL: every event is chained; an edited,
deleted or reordered audit row, a cut-off tail, or an edited or deleted submission is found."""

import json
import subprocess
import sys

import pytest
from sqlalchemy import delete, select, text, update

from clinic_support import ROOT, answers, submission
from prescreen.clinic import schema
from prescreen.clinic.integrity import verify_store


def filled(server, protocol, n=4):
    ids = []
    for i in range(n):
        r = server.post(submission(protocol, answers(keloid_tendency=bool(i % 2)), consent=not i % 2))
        assert r.status_code == 201, r.text
        ids.append(r.json()["submission_id"])
    return ids


def verify_cli(server):
    data_dir = server.office.settings.data_dir
    url = server.office.settings.database_url
    cmd = [sys.executable, "-m", "prescreen.clinic", "verify-store", "--data", str(data_dir)]
    if url:
        cmd += ["--database", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


def codes(report):
    return sorted({p["code"] for p in report["problems"]})


def test_intact_store_verifies(server, protocol):
    filled(server, protocol)
    code, report = verify_cli(server)
    assert code == 0, report
    assert report == {"valid": True, "audit_rows": 4, "submissions": 4, "problems": []}


def test_edited_audit_row_is_found(server, protocol):
    filled(server, protocol)
    with server.office.store.write() as conn:
        conn.execute(update(schema.audit).where(schema.audit.c.seq == 2).values(actor="someone else"))
    code, report = verify_cli(server)
    assert code == 1
    assert codes(report) == ["row_changed"]
    assert report["problems"][0]["seq"] == 2


def test_deleted_audit_row_is_found(server, protocol):
    filled(server, protocol)
    with server.office.store.write() as conn:
        conn.execute(delete(schema.audit).where(schema.audit.c.seq == 2))
    code, report = verify_cli(server)
    assert code == 1
    assert "missing_rows" in codes(report) and "broken_link" in codes(report)


def test_deleted_last_audit_row_is_found(server, protocol):
    ids = filled(server, protocol)
    with server.office.store.write() as conn:
        conn.execute(delete(schema.audit).where(schema.audit.c.seq == 4))
    report = verify_store(server.office.store)
    assert not report["valid"]
    assert "tail_missing" in codes(report)
    assert any(p.get("submission_id") == ids[3] for p in report["problems"])


def test_reordered_audit_rows_are_found(server, protocol):
    filled(server, protocol)
    # Swap rows 2 and 3 wholesale except their sequence numbers (what reordering a log amounts to).
    with server.office.store.write() as conn:
        rows = {r["seq"]: dict(r) for r in conn.execute(select(schema.audit)).mappings()}
        for seq, other in ((2, 3), (3, 2)):
            values = {k: v for k, v in rows[other].items() if k != "seq"}
            conn.execute(update(schema.audit).where(schema.audit.c.seq == seq).values(**values))
    code, report = verify_cli(server)
    assert code == 1
    assert "broken_link" in codes(report) and "row_changed" in codes(report)


def test_edited_or_deleted_submission_is_found(server, protocol):
    ids = filled(server, protocol)
    with server.office.store.write() as conn:
        conn.execute(update(schema.submissions).where(schema.submissions.c.id == ids[0])
                     .values(result=json.dumps({"outcome": "eligible"})))
        conn.execute(delete(schema.submissions).where(schema.submissions.c.id == ids[1]))
    report = verify_store(server.office.store)
    assert codes(report) == ["submission_changed", "submission_missing"]
    assert {p["submission_id"] for p in report["problems"]} == {ids[0], ids[1]}
