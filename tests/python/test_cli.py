"""python -m prescreen end to end: screen a JSONL file, report, lint, verify; exit codes."""

import json
import os
import subprocess
import sys

import pytest

from conftest import BASE, REQUEST, ROOT, SMALL_PACK, TODAY, answers


def cli(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "prescreen", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


@pytest.fixture
def jsonl(tmp_path):
    rows = [answers(clinic_note="x") if False else BASE, answers(pregnant=True), answers(drug_past=True, drug_last_dose="2026-08-31"),
            answers(cold_sores="history")]
    lines = [json.dumps(r) for r in rows]
    lines.insert(2, "{this is not json")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_help_documents_exit_codes():
    out = cli("--help")
    assert out.returncode == 0
    assert "exit codes" in out.stdout and "4  screen: some rows could not be screened" in out.stdout
    for sub in ("screen", "report", "lint", "verify"):
        assert sub in out.stdout
        assert "exit codes" in cli(sub, "--help").stdout
    assert cli().returncode == 2


def test_screen_jsonl_to_stdout(jsonl, pack):
    out = cli("screen", jsonl, "--protocol", SMALL_PACK, "--today", TODAY)
    assert out.returncode == 4, out.stderr  # one bad line
    rows = [json.loads(l) for l in out.stdout.splitlines()]
    assert [r["outcome"] for r in rows] == ["eligible", "deferred", None, "deferred", "eligible_with_precautions"]
    assert rows[2]["error_code"] == "malformed_json"
    assert rows[3]["defer_until"] == "2027-02-28"
    assert rows[3]["protocol_digest"] == pack.digest
    assert "1 of 5 rows could not be screened" in out.stderr
    assert "\r" not in out.stderr  # no progress bar when stderr is not a terminal


def test_screen_full_results_match_api(jsonl, pack):
    out = cli("screen", jsonl, "-p", SMALL_PACK, "--today", TODAY, "--full", "--progress")
    lines = [json.loads(l) for l in out.stdout.splitlines()]
    expected = pack.screen_many(jsonl.read_text().splitlines(), today=TODAY)
    assert lines == [r.to_dict() for r in expected]
    assert "rows" in out.stderr  # --progress forces the counter


def test_screen_all_good_exit_0_and_files(tmp_path, pack):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(dict(r, clinic=c)) for r, c in
                             [(BASE, "north"), (answers(pregnant=True), "south")]) + "\n")
    for name in ("out.csv", "out.jsonl", "out.parquet"):
        out = cli("screen", src, "-p", SMALL_PACK, "--today", TODAY, "-o", tmp_path / name, "--keep", "clinic")
        assert out.returncode == 0, out.stderr
    from prescreen import io

    frame = io.read_results(tmp_path / "out.csv")
    assert frame["clinic"].tolist() == ["north", "south"]
    assert frame["outcome"].tolist() == ["eligible", "deferred"]
    report = tmp_path / "report.html"
    out = cli("report", tmp_path / "out.parquet", "-o", report)
    assert out.returncode == 0, out.stderr
    text = report.read_text()
    assert "<h3>North</h3>" in text and "<h3>South</h3>" in text and "2 forms" in text  # by clinic, from --keep


def test_screen_csv_input(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("patient,date_of_birth,sex,areas,pregnant,drug_current,drug_past,cream,steel_allergy,blood_thinner,cold_sores\n"
                   "A,1990-05-15,female,face;neck,no,no,no,no,no,no,never\n"
                   "B,1990-05-15,female,face,yes,no,no,no,no,no,never\n")
    out = cli("screen", src, "-p", SMALL_PACK, "--today", TODAY, "--keep", "patient")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(l) for l in out.stdout.splitlines()]
    assert [(r["patient"], r["outcome"]) for r in rows] == [("A", "eligible"), ("B", "deferred")]


def test_screen_stdin(pack):
    out = cli("screen", "-", "-p", SMALL_PACK, "--today", TODAY, stdin=json.dumps(BASE) + "\n")
    assert out.returncode == 0 and json.loads(out.stdout)["outcome"] == "eligible"


def test_screen_errors(tmp_path, jsonl):
    assert cli("screen", jsonl, "-p", SMALL_PACK, "--today", "2026-02-30").returncode == 2
    assert cli("screen", jsonl, "-p", SMALL_PACK, "--today", TODAY, "--override", "nope").returncode == 2
    assert cli("screen", tmp_path / "missing.jsonl", "-p", SMALL_PACK, "--today", TODAY).returncode == 3
    assert cli("screen", jsonl, "-p", tmp_path / "missing.json", "--today", TODAY).returncode == 3
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    out = cli("screen", jsonl, "-p", bad, "--today", TODAY)
    assert out.returncode == 1 and "does not load" in out.stderr
    assert cli("screen", jsonl, "-p", SMALL_PACK, "--today", TODAY, "--threads", "0").returncode == 2
    assert cli("screen", jsonl, "-p", SMALL_PACK, "--today", TODAY, "--format", "csv").returncode == 2
    assert cli("screen", jsonl, "-p", SMALL_PACK, "--today", TODAY, "-o", tmp_path / "nodir" / "x.csv").returncode == 3


def test_lint(tmp_path):
    out = cli("lint", SMALL_PACK)
    assert out.returncode == 0 and out.stdout.strip().endswith(": ok")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "prescreen-protocol/1"}')
    out = cli("lint", bad, "--json")
    assert out.returncode == 1
    diagnostics = json.loads(out.stdout)
    assert diagnostics and {"code", "path", "message"} <= set(diagnostics[0])
    assert cli("lint", tmp_path / "nope.json").returncode == 3
    assert cli("lint", SMALL_PACK, "--override", "drug_washout=99").returncode == 1


def test_verify(tmp_path, pack):
    record = pack.consent(BASE, today=TODAY, seal_key="k", **REQUEST).to_dict()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    out = cli("verify", path)
    assert out.returncode == 0 and json.loads(out.stdout)["valid"] is True
    key = tmp_path / "key"
    key.write_text("k\n")
    assert cli("verify", path, "--seal-key-file", key).returncode == 0
    assert cli("verify", path, "--seal-key-env", "PS_KEY", env={"PS_KEY": "wrong"}).returncode == 1
    out = cli("verify", path, "--at", "2028-01-01")
    assert out.returncode == 1 and json.loads(out.stdout)["status"]["status"] == "expired"
    assert cli("verify", path, "--at", "2027-01-01").returncode == 0
    record["screening"]["outcome"] = "refer"
    path.write_text(json.dumps(record))
    out = cli("verify", path)
    assert out.returncode == 1 and json.loads(out.stdout)["problems"][0]["code"] == "digest_mismatch"
    path.write_text("{not json")
    assert cli("verify", path).returncode == 1
    assert cli("verify", tmp_path / "none.json").returncode == 3
