"""The command lines: `serve` prints the form's address, `add-user` refuses bad input, and
`python -m prescreen verify RECORD --public-key clinic.pub` checks the clinic's signatures."""

import json
import subprocess
import sys

from clinic_support import ServerProcess, submission


def run(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_serve_prints_the_address_and_verify_checks_the_signature(tmp_path, protocol):
    server = ServerProcess(tmp_path / "data")
    try:
        assert server.first_line.startswith(f"prescreen back office: http://127.0.0.1:{server.port}/")
        import httpx

        reply = httpx.post(server.url + "/api/submissions", json=submission(protocol, consent=True), timeout=30).json()
    finally:
        server.stop()
    record = tmp_path / "record.json"
    record.write_text(json.dumps(reply["sealed_record"]))
    pub = tmp_path / "data" / "clinic.pub"
    done = run("prescreen", "verify", str(record), "--public-key", str(pub),
               "--seal-key-file", str(tmp_path / "data" / "keys" / "seal.key"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == {"valid": True, "problems": []}
    # Another clinic's key: the signature does not match.
    other = tmp_path / "other"
    from prescreen.clinic.keys import load_or_create

    load_or_create(other)
    done = run("prescreen", "verify", str(record), "--public-key", str(other / "clinic.pub"))
    assert done.returncode == 1
    assert [p["code"] for p in json.loads(done.stdout)["problems"]] == ["signature_mismatch"]
    # An unsigned record (as the browser makes it).
    from clinic_support import consent_record

    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(consent_record(protocol, submission(protocol)["answers"])))
    done = run("prescreen", "verify", str(plain), "--public-key", str(pub))
    assert done.returncode == 1
    assert json.loads(done.stdout)["problems"][0]["code"] == "signature_missing"
    done = run("prescreen", "verify", str(plain), "--public-key", str(record))
    assert done.returncode == 2 and "--public-key" in done.stderr


def test_add_user_refuses_bad_input(tmp_path):
    data = str(tmp_path / "data")
    assert run("prescreen.clinic", "add-user", "pat", "--role", "practitioner", "--password-stdin", "--data", data,
               stdin="long enough password\n").returncode == 0
    again = run("prescreen.clinic", "add-user", "pat", "--role", "practitioner", "--password-stdin", "--data", data,
                stdin="long enough password\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    short = run("prescreen.clinic", "add-user", "sam", "--role", "admin", "--password-stdin", "--data", data, stdin="short\n")
    assert short.returncode == 2 and "at least 10" in short.stderr
    role = run("prescreen.clinic", "add-user", "sam", "--role", "owner", "--password-stdin", "--data", data, stdin="x" * 12)
    assert role.returncode == 2
    no_stdin = run("prescreen.clinic", "add-user", "sam", "--role", "admin", "--data", data)
    assert no_stdin.returncode == 2 and "--password-stdin" in no_stdin.stderr
