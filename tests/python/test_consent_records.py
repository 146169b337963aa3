"""Consent records that cannot be forged, through Python and the Python CLI (issue 12; docs/consent.md)."""

import json
import os
import subprocess
import sys

import pytest

from conftest import BASE, REQUEST, ROOT, SMALL_PACK, TODAY, answers

KEY = "back-office-key"
WITHDRAWAL = {"at": "2026-12-01T09:00:00Z", "recorded_by": {"name": "Sam Reception", "role": "reception"},
              "reason": "changed my mind"}


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "prescreen", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


@pytest.fixture
def sealed(pack):
    return pack.consent(BASE, today=TODAY, seal_key=KEY, **REQUEST).to_dict()


def test_every_single_bit_change_fails_verification(prescreen, sealed):
    text = json.dumps(sealed, separators=(",", ":"), ensure_ascii=False).encode()
    assert prescreen.verify_consent(text, seal_key=KEY).valid
    valid = 0
    for i in range(len(text)):
        for bit in range(8):
            mutated = bytearray(text)
            mutated[i] ^= 1 << bit
            v = prescreen.verify_consent(bytes(mutated), seal_key=KEY)
            valid += v.valid
            assert v.problems, (i, bit)
    assert valid == 0


@pytest.mark.parametrize("blank", ["", " ", "\t\n", b"", b"\n"])
def test_empty_keys_refused_in_every_python_entry_point(prescreen, pack, sealed, blank):
    calls = [
        lambda: prescreen.verify_consent(sealed, seal_key=blank),
        lambda: prescreen.verify_consent("{not json", seal_key=blank),
        lambda: prescreen.consent_status(sealed, "2026-12-01", seal_key=blank),
        lambda: prescreen.withdraw_consent(sealed, seal_key=blank, **WITHDRAWAL),
        lambda: prescreen.verify_consent_event({}, seal_key=blank),
        lambda: pack.consent(BASE, today=TODAY, seal_key=blank, **REQUEST),
    ]
    for call in calls:
        with pytest.raises(prescreen.UsageError) as e:
            call()
        assert e.value.code == "empty_seal_key"


def test_withdrawal_and_supersession_events(prescreen, pack, sealed):
    event = prescreen.withdraw_consent(sealed, seal_key=KEY, **WITHDRAWAL)
    assert event["record_digest"] == sealed["digest"] and event["seal"]["algorithm"] == "HMAC-SHA-256"
    assert prescreen.verify_consent_event(event, seal_key=KEY).valid
    assert prescreen.consent_status(sealed, "2026-12-02", [event], seal_key=KEY).status == "withdrawn"
    # Forgeries: the event moved to 2099, or made without the key.
    moved = {**event, "at": "2099-01-01T00:00:00Z"}
    s = prescreen.consent_status(sealed, "2026-12-02", [moved], seal_key=KEY)
    assert s.status == "active" and s.problems[0]["path"] == "/events/0/digest"
    forged = prescreen.withdraw_consent(sealed, **WITHDRAWAL)
    s = prescreen.consent_status(sealed, "2026-12-02", [forged], seal_key=KEY)
    assert s.status == "active" and s.problems[0]["code"] == "seal_missing"
    # An unsealed later record with its own digest does not supersede a sealed consent.
    later = pack.consent(BASE, today="2026-12-10", **{**REQUEST, "signed_at": "2026-12-10T10:00:00Z",
                                                      "information_shown_at": "2026-12-10T09:00:00Z"}).to_dict()
    assert prescreen.consent_status(sealed, "2026-12-11", [later]).status == "superseded"
    s = prescreen.consent_status(sealed, "2026-12-11", [later], seal_key=KEY)
    assert s.status == "active" and s.problems[0]["code"] == "seal_missing"
    sealed_later = pack.consent(BASE, today="2026-12-10", seal_key=KEY, **{**REQUEST, "signed_at": "2026-12-10T10:00:00Z",
                                                                            "information_shown_at": "2026-12-10T09:00:00Z"})
    sup = prescreen.supersede_consent(sealed, sealed_later, recorded_by={"name": "Sam"}, seal_key=KEY)
    assert sup["superseded_by"] == sealed_later.digest and sup["at"] == "2026-12-10T10:00:00Z"
    assert prescreen.consent_status(sealed, "2026-12-11", [sup], seal_key=KEY).status == "superseded"


@pytest.mark.parametrize("bad, code, path", [
    ({"record_type": "prescreen.consent/2", "x": float("nan")}, "not_finite", "/x"),
    ({"record_type": "prescreen.consent/2", "x": 2 ** 64}, "out_of_range", "/x"),
    ({"record_type": "prescreen.consent/2", "signer": {"name": "\ud800"}}, "invalid_text", "/signer/name"),
    ('{"record_type": "prescreen.consent/2", "x": NaN}', "malformed_json", ""),
    ('{"a": "\\ud800"}', "malformed_json", ""),
    ('{"a": 1, "a": 2}', "duplicate_key", "/a"),
    ("[" * 300 + "]" * 300, "nesting_too_deep", ""),
])
def test_verify_never_raises_for_a_bad_record(prescreen, bad, code, path):
    v = prescreen.verify_consent(bad)
    assert not v.valid and v.problems[0]["code"] == code and v.problems[0]["path"].startswith(path)


def test_deep_python_record_is_invalid_not_a_traceback(prescreen):
    deep = {"record_type": "prescreen.consent/2"}
    node = deep
    for _ in range(1000):
        node["x"] = {}
        node = node["x"]
    v = prescreen.verify_consent(deep)
    assert not v.valid and v.problems[0]["code"] == "nesting_too_deep"


def test_duplicate_key_forgery_refused(prescreen, sealed):
    text = json.dumps(sealed)
    forged = '{"signer": {"name": "Someone Else", "role": "patient"}, ' + text[1:]
    v = prescreen.verify_consent(forged, seal_key=KEY)
    assert not v.valid and v.problems[0]["code"] == "duplicate_key" and v.problems[0]["path"] == "/signer"


def test_forbidden_override_refused(prescreen, pack):
    override = {"finding": "steel", "name": "Dr Lee", "role": "doctor", "register": "GMC",
                "registration_number": "1234567", "reason": "x", "patient_informed": True}
    with pytest.raises(prescreen.UsageError) as e:
        pack.consent(answers(steel_allergy=True), today=TODAY, practitioner_override=override, **REQUEST)
    assert e.value.code == "override_not_allowed" and e.value.path == "/practitioner_override/finding"


def test_two_step_consent(prescreen):
    pack = json.loads(SMALL_PACK.read_text())
    pack["consent"]["acknowledgements"].append(
        {"id": "read_information", "text": "I have read the information.", "stage": "pre_visit"})
    p = prescreen.Protocol.from_json(pack)
    info = p.information_record(today=TODAY, acknowledged=["read_information"],
                                information_shown_at="2026-11-20T18:00:00Z", read_at="2026-11-20T18:10:00Z",
                                patient_reference="P-0001")
    assert info.to_dict()["record_type"] == "prescreen.consent-information/1"
    record = p.consent(BASE, today=TODAY, information_record=info,
                       countersignature={"name": "Dr Lee", "role": "doctor"}, **REQUEST).to_dict()
    assert record["information_record"] == info.digest
    assert record["countersignature"]["name"] == "Dr Lee"
    assert prescreen.verify_consent(record).valid


def test_cli_verify_keys_fail_closed(tmp_path, sealed):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(sealed))
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    for args, env in [(["--seal-key-file", empty], None), (["--seal-key-env", "PS_KEY"], {"PS_KEY": ""}),
                      (["--seal-key-env", "PS_KEY"], {"PS_KEY": "  "})]:
        out = cli("verify", path, *args, env=env)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "empty_seal_key" in out.stderr
    good = tmp_path / "good.key"
    good.write_text(KEY + "\n")
    assert cli("verify", path, "--seal-key-file", good).returncode == 0


def test_cli_verify_duplicates_and_nan_are_invalid(tmp_path, sealed):
    path = tmp_path / "record.json"
    path.write_text('{"signer": {"name": "Someone Else", "role": "patient"}, ' + json.dumps(sealed)[1:])
    out = cli("verify", path)
    assert out.returncode == 1 and json.loads(out.stdout)["problems"][0]["code"] == "duplicate_key"
    path.write_text('{"record_type": "prescreen.consent/2", "x": NaN}')
    out = cli("verify", path)
    assert out.returncode == 1 and json.loads(out.stdout)["problems"][0]["code"] == "malformed_json"
    assert "Traceback" not in out.stderr


def test_cli_verify_with_events(tmp_path, prescreen, sealed):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(sealed))
    event = tmp_path / "withdrawal.json"
    event.write_text(json.dumps(prescreen.withdraw_consent(sealed, seal_key=KEY, **WITHDRAWAL)))
    key = tmp_path / "k"
    key.write_text(KEY)
    out = cli("verify", path, "--seal-key-file", key, "--at", "2026-12-02", "--event", event)
    assert out.returncode == 1 and json.loads(out.stdout)["status"]["status"] == "withdrawn"
    out = cli("verify", path, "--seal-key-file", key, "--at", "2026-12-02")
    assert out.returncode == 0 and json.loads(out.stdout)["status"]["status"] == "active"


def test_jsonl_reader_splits_on_newline_only(tmp_path, prescreen, pack):
    from prescreen import io as pio

    path = tmp_path / "cr.jsonl"
    # A bare CR inside a line is JSON white space; CRLF endings still work.
    path.write_bytes(b'{"sex":\r"female"}\n{"sex": "male"}\r\n{"a": 1, "a": 2}\n')
    rows = list(pio.read_jsonl(path))
    assert len(rows) == 3
    assert rows[0] == {"sex": "female"} and rows[1] == {"sex": "male"}
    assert isinstance(rows[2], prescreen.InvalidRow) and rows[2].code == "duplicate_key"
    raw = list(pio.read_jsonl(path, raw=True))
    assert raw == ['{"sex":\r"female"}', '{"sex": "male"}', '{"a": 1, "a": 2}']
    results = pack.screen_many(raw, today=TODAY)
    assert len(results) == 3


def test_consent_request_forms_and_refusals(prescreen):
    # Python's keyword arguments become one request object, read by the engine as JavaScript's is
    # (docs/consent.md, "Requests"): the same record whichever form a value takes, each misuse named.
    import datetime

    pack = json.loads(SMALL_PACK.read_text())
    pack["consent"]["acknowledgements"].append(
        {"id": "read_information", "text": "I have read the information.", "stage": "pre_visit"})
    p = prescreen.Protocol.from_json(pack)
    shown = datetime.datetime(2026, 11, 20, 18, 0, tzinfo=datetime.timezone.utc)
    info = p.information_record(today=TODAY, acknowledged=("read_information",), information_shown_at=shown,
                                read_at="2026-11-20T18:10:00Z", patient_reference=REQUEST.get("patient_reference", "P-0001"))
    assert info.to_dict()["information_shown_at"] == "2026-11-20T18:00:00+00:00"
    by_object = p.consent(BASE, today=TODAY, information_record=info, **REQUEST)
    by_text = p.consent(BASE, today=TODAY, information_record=info.to_json(), **REQUEST)
    by_dict = p.consent(BASE, today=TODAY, information_record=info.to_dict(), **REQUEST)
    assert by_object.digest == by_text.digest == by_dict.digest
    with pytest.raises(prescreen.UsageError, match="^duplicate_key: information_record: ") as e:
        p.consent(BASE, today=TODAY, information_record='{"a": 1, "a": 2}', **REQUEST)
    assert (e.value.code, e.value.path) == ("duplicate_key", "/a")
    with pytest.raises(TypeError, match="^practitioner_override"):
        p.consent(BASE, today=TODAY, practitioner_override="Dr Lee", **REQUEST)
    with pytest.raises(TypeError, match="^patient_reference: expected str, got int"):
        p.consent(BASE, today=TODAY, **{**REQUEST, "patient_reference": 7})
    with pytest.raises(TypeError, match="^read_at"):
        p.information_record(today=TODAY, acknowledged=["read_information"], information_shown_at=shown, read_at=None)
    with pytest.raises(TypeError, match=r"^acknowledged\[0\]: expected str, got int"):
        p.information_record(today=TODAY, acknowledged=[1], information_shown_at=shown, read_at=shown)
