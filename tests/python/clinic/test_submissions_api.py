"""POST /api/submissions against a real uvicorn, on SQLite and on PostgreSQL: the happy path, retries,
and every error code with its JSON Pointer path; nothing is written when a request is refused."""

import json

import prescreen
import pytest
from sqlalchemy import func, select

from clinic_support import ELIGIBLE, SERVER_NOW, TODAY, answers, consent_record, error_of, submission


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One SQLite server for the requests that must be refused (none of them may write anything)."""
    from clinic_support import start_server

    s = start_server(tmp_path_factory.mktemp("refusals") / "data")
    yield s
    s.stop()


def count(server, table_name="submissions"):
    from prescreen.clinic import schema

    with server.office.store.read() as conn:
        return conn.execute(select(func.count()).select_from(getattr(schema, table_name))).scalar()


def test_health_names_the_served_pack_and_the_public_key(server, protocol):
    r = server.client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert {"id": "microneedling", "version": protocol.version, "digest": protocol.digest} in body["packs"]
    pem = server.client.get(body["public_key"]).text
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_eligible_submission_with_consent_is_stored_sealed_and_receipted(server, protocol):
    body = submission(protocol, consent=True, contact={"name": "Alex Patient", "phone": "07700 900123"})
    r = server.post(body)
    assert r.status_code == 201, r.text
    reply = r.json()
    assert reply["submission_id"].startswith("sub_")
    receipt = reply["receipt"]
    assert receipt["submission_id"] == reply["submission_id"]
    assert receipt["submission_key"] == body["submission_key"]
    assert receipt["outcome"] == "eligible"
    assert receipt["flags"] == []
    assert receipt["received_at"].startswith("2026-11-27T10:00:00")
    sealed = reply["sealed_record"]
    assert sealed["digest"] == body["consent_record"]["digest"]
    assert receipt["consent_digest"] == sealed["digest"]
    # The engine's own seal with the back office's key, and the clinic's Ed25519 signature.
    key = (server.office.settings.data_dir / "keys" / "seal.key").read_bytes().strip()
    assert prescreen.verify_consent(sealed, seal_key=key).valid
    assert not prescreen.verify_consent(sealed, seal_key=b"another key").valid
    from prescreen.clinic.keys import load_public_key
    from prescreen.clinic.sealing import verify_signatures

    public = load_public_key(server.client.get("/api/public-key").content)
    assert verify_signatures(sealed, public) == []
    assert count(server) == 1


def test_refer_submission_without_consent(server, protocol):
    r = server.post(submission(protocol, answers(anticoagulant=True)))
    assert r.status_code == 201, r.text
    assert r.json()["receipt"]["outcome"] == "refer"
    assert "sealed_record" not in r.json()


def test_retry_with_the_same_key_gives_the_same_submission(server, protocol):
    body = submission(protocol, consent=True)
    first = server.post(body)
    again = server.post(body)
    reordered = server.client.post("/api/submissions", content=json.dumps(dict(reversed(list(body.items())))),
                                   headers={"content-type": "application/json"})
    assert (first.status_code, again.status_code, reordered.status_code) == (201, 200, 200)
    assert again.json() == first.json() == reordered.json()
    assert count(server) == 1
    assert count(server, "audit") == 1


def test_same_key_for_a_different_submission_is_refused(server, protocol):
    body = submission(protocol)
    assert server.post(body).status_code == 201
    other = dict(body, answers=answers(keloid_tendency=True))
    r = server.post(other)
    assert r.status_code == 409
    assert error_of(r)[:2] == ("submission_key_reused", "/submission_key")
    assert count(server) == 1


def test_the_forms_repeats_of_one_key(server, protocol):
    """What the patient's form sends under its one key per draft: a repeat with the pre-visit record and
    contact gets the same receipt and reply (200) however often it comes, key order aside; the same key
    later with the record of reading added, or with other contact details, is refused (409) with the
    stable code and path, and nothing more is stored."""
    pre_visit = [a["id"] for a in protocol.consent_document(answers(), today=TODAY)["acknowledgements"]
                 if a["stage"] == "pre_visit"]
    info = protocol.information_record(today=TODAY, acknowledged=pre_visit, information_shown_at=f"{TODAY}T09:00:00Z",
                                       read_at=f"{TODAY}T09:05:00Z", locale="en-GB").to_dict()
    contact = {"name": "Alex Patient", "phone": "07700 900123"}
    body = submission(protocol, locale="en-GB", contact=contact, information_record=info)
    first = server.post(body)
    assert first.status_code == 201, first.text
    repeats = [server.post(body) for _ in range(3)]
    assert [r.status_code for r in repeats] == [200, 200, 200]
    assert all(r.json() == first.json() for r in repeats)
    assert first.json()["receipt"]["information_digest"] == info["digest"]

    plain = submission(protocol, locale="en-GB", contact=contact)  # sent from the result page, before reading
    assert server.post(plain).status_code == 201
    for changed in (dict(plain, information_record=info), dict(plain, contact=dict(contact, phone="07700 900999"))):
        r = server.post(changed)
        assert r.status_code == 409
        assert error_of(r)[:2] == ("submission_key_reused", "/submission_key")
    assert count(server) == 2
    assert count(server, "audit") == 2


def test_browser_result_that_differs_is_stored_and_flagged(server, protocol):
    body = submission(protocol)
    body["browser_result"] = dict(body["browser_result"], outcome="not_eligible")
    r = server.post(body)
    assert r.status_code == 201
    assert r.json()["receipt"]["flags"] == ["browser_result_differs"]
    from prescreen.clinic import schema

    with server.office.store.read() as conn:
        row = conn.execute(select(schema.submissions)).mappings().one()
    assert json.loads(row["browser_result"])["outcome"] == "not_eligible"
    assert row["outcome"] == "eligible"  # the server's own screening, never the browser's


def test_screened_on_the_patients_day_and_on_the_servers(server, protocol):
    # An isotretinoin course stopped on 2026-05-27: 6 months' wait ends 2026-11-27, the server's date.
    values = answers(isotretinoin_past=True, isotretinoin_last_dose="2026-05-27")
    r = server.post(submission(protocol, values))
    assert r.status_code == 201
    assert r.json()["receipt"]["outcome"] == "deferred"
    assert r.json()["receipt"]["flags"] == ["result_changed_since_today"]
    from prescreen.clinic import schema

    with server.office.store.read() as conn:
        row = conn.execute(select(schema.submissions)).mappings().one()
    assert (row["today"], row["outcome"], row["defer_until"]) == (TODAY, "deferred", "2026-11-27")
    assert (row["received_on"], row["outcome_on_receipt"]) == ("2026-11-27", "eligible")


@pytest.mark.parametrize("raw, status, code, path", [
    (b"{not json", 400, "malformed_json", ""),
    (b'{"a": NaN}', 400, "malformed_json", ""),
    (b"\xff\xfe", 400, "malformed_json", ""),
    (b"[1, 2]", 400, "not_an_object", ""),
    (b"[" * 200000 + b"]" * 200000, 413, "body_too_large", ""),
])
def test_malformed_bodies(shared, raw, status, code, path):
    r = shared.client.post("/api/submissions", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status
    assert error_of(r)[:2] == (code, path)
    assert count(shared) == 0


def test_oversized_body_without_a_length_is_cut_off(shared):
    def chunks():
        for _ in range(100):
            yield b" " * 10000  # 1 MB in all, sent chunked (no Content-Length)
    r = shared.client.post("/api/submissions", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert error_of(r)[0] == "body_too_large"
    assert count(shared) == 0


def test_deeply_nested_body_is_a_clear_error(shared, protocol):
    raw = b'{"submission_key": "' + b"k" * 20 + b'", "answers": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    r = shared.client.post("/api/submissions", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)[0] == "nesting_too_deep"


def _bad(protocol, **changes):
    body = submission(protocol)
    for k, v in changes.items():
        if v is ...:
            body.pop(k)
        else:
            body[k] = v
    return body


@pytest.mark.parametrize("changes, status, code, path", [
    ({"submission_key": ...}, 422, "missing_field", "/submission_key"),
    ({"answers": ...}, 422, "missing_field", "/answers"),
    ({"today": ...}, 422, "missing_field", "/today"),
    ({"pack_digest": ...}, 422, "missing_field", "/pack_digest"),
    ({"extra": 1}, 422, "unknown_field", "/extra"),
    ({"answers": [1]}, 422, "wrong_type", "/answers"),
    ({"today": 20261125}, 422, "wrong_type", "/today"),
    ({"submission_key": "short"}, 422, "invalid_submission_key", "/submission_key"),
    ({"submission_key": "../../etc/passwd-0123456789"}, 422, "invalid_submission_key", "/submission_key"),
    ({"pack_digest": "abc"}, 422, "invalid_pack_digest", "/pack_digest"),
    ({"pack_digest": "0" * 64}, 422, "unknown_pack", "/pack_digest"),
    ({"today": "2026-02-30"}, 422, "invalid_date", "/today"),
    ({"today": "2026-11-29"}, 422, "today_in_future", "/today"),
    ({"consent_record": "yes"}, 422, "wrong_type", "/consent_record"),
    ({"contact": {"phone": 7700}}, 422, "wrong_type", "/contact/phone"),
])
def test_field_errors(shared, protocol, changes, status, code, path):
    r = shared.post(_bad(protocol, **changes))
    assert r.status_code == status, r.text
    assert error_of(r)[:2] == (code, path)
    assert count(shared) == 0 and count(shared, "audit") == 0


def test_today_may_be_one_day_after_the_servers_date(server, protocol):
    assert server.post(submission(protocol, today="2026-11-28")).status_code == 201


def test_answers_that_fail_validation(shared, protocol):
    r = shared.post(submission(protocol, answers(pregnant="maybe"), browser=False))
    assert r.status_code == 422
    code, path, message = error_of(r)
    assert (code, path) == ("invalid_answers", "/answers/pregnant")
    assert "wrong_type" in message
    r = shared.post(submission(protocol, answers(date_of_birth="1990-02-30"), browser=False))
    assert error_of(r)[:2] == ("invalid_answers", "/answers/date_of_birth")
    assert count(shared) == 0


def test_consent_record_that_fails_verification(shared, protocol):
    body = submission(protocol, consent=True)
    body["consent_record"]["signer"]["name"] = "Someone Else"  # changed after signing
    r = shared.post(body)
    assert r.status_code == 422
    assert error_of(r)[:2] == ("consent_invalid", "/consent_record/digest")
    assert count(shared) == 0


def test_consent_record_for_other_answers_is_refused(shared, protocol):
    body = submission(protocol, consent=True)
    body["consent_record"] = consent_record(protocol, answers(cold_sore_history=True))
    r = shared.post(body)
    assert r.status_code == 422
    assert error_of(r)[:2] == ("consent_mismatch", "/consent_record/answers_digest")


def test_consent_record_when_the_outcome_does_not_permit_consent(shared, protocol):
    body = submission(protocol, answers(anticoagulant=True))
    body["consent_record"] = consent_record(protocol, ELIGIBLE)
    r = shared.post(body)
    assert r.status_code == 422
    assert error_of(r)[0] in ("consent_not_permitted", "consent_mismatch")


def test_wrong_media_type_and_unknown_api_paths(shared, protocol):
    r = shared.client.post("/api/submissions", content=json.dumps(submission(protocol)),
                           headers={"content-type": "text/plain"})
    assert r.status_code == 415 and error_of(r)[0] == "unsupported_media_type"
    r = shared.client.get("/api/nothing-here")
    assert r.status_code == 404 and error_of(r)[0] == "not_found"
    r = shared.client.get("/api/submissions")
    assert r.status_code == 405 and error_of(r)[0] == "method_not_allowed"


def test_flood_from_one_address_is_limited(tmp_path, protocol):
    from clinic_support import start_server
    from prescreen.clinic.limits import Rate

    s = start_server(tmp_path / "data", submission_rate=Rate(3, 0.5))
    try:
        codes = [s.post(submission(protocol)).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        r = s.post(submission(protocol))
        assert r.status_code == 429
        code, path, message = error_of(r)
        assert (code, path) == ("too_many_requests", "")
        assert r.headers["retry-after"] == "2"
        assert count(s) == 3
    finally:
        s.stop()


def test_duplicate_keys_in_a_body_are_refused_not_last_wins(shared, protocol):
    # The engine's strict reader (issue 12): a forged second "answers" cannot override the first.
    raw = (b'{"submission_key": "' + b"d" * 20 + b'", "answers": {}, "answers": {"pregnant": false}, '
           b'"pack_digest": "' + b"0" * 64 + b'", "today": "2026-11-25"}')
    r = shared.client.post("/api/submissions", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)[:2] == ("duplicate_key", "/answers")
