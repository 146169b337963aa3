"""Two-step consent in the back office, against a real uvicorn and SQLite: the patient's pre-visit
record (made by the engine in the browser) is sealed on receipt; at the consultation a logged-in
practitioner opens "Consent at the consultation", the patient ticks the consultation statements and
signs (typed name, drawn strokes), and the engine's record is sealed, signed and stored. Refusals are
the engine's, shown on the page with everything entered kept; the page needs a session, the act
permission and the session's CSRF token."""

import json
import re

import pytest

import prescreen
from clinic_support import PASSWORD, SERVER_NOW, TODAY, answers, csrf, error_of, login, start_server, submission
from prescreen.clinic import accounts
from prescreen.clinic.integrity import verify_store
from prescreen.clinic.sealing import verify_signatures

SHOWN = f"{TODAY}T10:20:00Z"
READ = f"{TODAY}T10:26:00Z"
SIGNED = "2026-11-27T10:00:00.000000Z"  # the server's clock (clinic_support.SERVER_NOW)


@pytest.fixture
def office_server(tmp_path):
    s = start_server(tmp_path / "data")
    for name, role in (("pat", "practitioner"), ("mia", "manager")):
        accounts.add_user(s.office.store, name, role, PASSWORD, SERVER_NOW)
    yield s
    s.stop()


def acknowledgements(protocol, stage, values=None):
    """The statements of one stage in this patient's document (the engine's consent_document)."""
    document = protocol.consent_document(values or answers(), today="2026-11-27")
    return [a for a in document["acknowledgements"] if a["stage"] == stage]


def information(protocol, **changes):
    """The pre-visit record the patient's browser makes (the same engine, no seal)."""
    request = dict(today=TODAY, acknowledged=[a["id"] for a in acknowledgements(protocol, "pre_visit")],
                   information_shown_at=SHOWN, read_at=READ)
    request.update(changes)
    return protocol.information_record(**request).to_dict()


def sent(server, protocol, values=None, **extra):
    body = submission(protocol, values, information_record=information(protocol), contact={"name": "Alex Patient"},
                      locale="en-GB", **extra)
    r = server.post(body)
    assert r.status_code == 201, r.text
    return r.json()


def consultation_fields(protocol, client, submission_id, *, drop=(), name="Alex Patient", strokes="", values=None):
    page = client.get(f"/review/submissions/{submission_id}/consent")
    assert page.status_code == 200, page.text
    required = [a["id"] for a in acknowledgements(protocol, "consultation", values) if a["required"] and a["id"] not in drop]
    return page, {"csrf_token": csrf(page.text), "signature_name": name, "strokes": strokes, "cs_role": "nurse",
                  "cs_register": "NMC", "cs_number": "12A3456B", "acknowledged": ["photo_care"] + required}


def stored(server, submission_id):
    from prescreen.clinic import actions

    with server.office.store.read() as conn:
        return actions.load(conn, submission_id)


def test_pre_visit_record_sealed_on_receipt_then_signed_at_the_consultation(office_server, protocol):
    reply = sent(office_server, protocol)
    sid = reply["submission_id"]
    info = information(protocol)
    assert reply["receipt"]["information_digest"] == info["digest"]
    assert "sealed_record" not in reply  # nothing is signed before the visit
    row = stored(office_server, sid)
    kept = json.loads(row["information_record"])
    assert kept["digest"] == info["digest"] and kept["seal"]["algorithm"] == "HMAC-SHA-256"
    assert prescreen.verify_consent(kept, seal_key=office_server.office.keys.seal_key).valid
    assert row["locale"] == "en-GB" and row["consent_record"] is None

    client, _ = login(office_server)
    detail = client.get(f"/review/submissions/{sid}")
    assert f'href="/review/submissions/{sid}/consent"' in detail.text
    assert f"first shown {SHOWN}, confirmed {READ}" in detail.text
    strokes = [[[10, 12], [40, 30], [80, 18]], [[100, 50]]]
    page, fields = consultation_fields(protocol, client, sid, strokes=json.dumps(strokes))
    # Every section with its text; each consultation statement a checkbox of its own; the pre-visit
    # statements shown as confirmed, not asked again.
    for section in protocol.consent_document(answers(), today="2026-11-27")["sections"]:
        assert f'id="section-{section["id"]}"' in page.text
    # Finding-specific statements apply only where their finding fired: none for this patient.
    assert 'value="finding_keloid"' not in page.text
    for ack in acknowledgements(protocol, "consultation"):
        assert f'name="acknowledged" value="{ack["id"]}"' in page.text
    for ack in acknowledgements(protocol, "pre_visit"):
        assert f'value="{ack["id"]}"' not in page.text and f'data-ack="{ack["id"]}"' in page.text
    assert '<script type="module" src="/review/static/signature.js"></script>' in page.text
    assert client.get("/review/static/signature.js").headers["content-type"].startswith("text/javascript")

    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 303 and r.headers["location"] == f"/review/submissions/{sid}/consent"
    done = client.get(f"/review/submissions/{sid}/consent")
    assert "Consent signed" in done.text and 'id="consultation-form"' not in done.text
    assert re.search(r'id="treatment-not-before">2026-11-28 ', done.text), "cooling-off counts from the signing"

    record = json.loads(stored(office_server, sid)["consent_record"])
    keys = office_server.office.keys
    assert prescreen.verify_consent(record, seal_key=keys.seal_key).valid
    assert verify_signatures(record, keys.public_key) == []
    assert record["information_record"] == info["digest"]
    assert record["information_shown_at"] == SHOWN and record["signed_at"] == SIGNED
    assert record["screening"]["today"] == "2026-11-27" and record["screening"]["outcome"] == "eligible"
    assert record["signer"] == {"name": "Alex Patient", "role": "patient", "method": "drawn", "strokes": strokes}
    assert record["countersignature"] == {"name": "pat", "role": "nurse", "register": "NMC", "registration_number": "12A3456B"}
    assert record["cooling_off"]["treatment_not_before"] == "2026-11-28"
    expected = {a["id"] for a in acknowledgements(protocol, "pre_visit")} | \
        {a["id"] for a in acknowledgements(protocol, "consultation") if a["required"]} | {"photo_care"}
    assert set(record["acknowledgements"]) == expected
    assert "photo_marketing" not in record["acknowledgements"]  # each photo use chosen on its own

    # The detail page, the countersign action and the store's check see the record like any other.
    detail = client.get(f"/review/submissions/{sid}")
    assert re.search(r'id="consent-verification">valid', detail.text)
    assert 'id="consent-taken-by">pat (nurse, NMC 12A3456B)' in detail.text
    r = client.post(f"/review/submissions/{sid}/countersign",
                    data={"csrf_token": csrf(detail.text), "role": "nurse", "registration_number": "12A3456B"})
    assert r.status_code == 303
    assert verify_signatures(json.loads(client.get(f"/review/submissions/{sid}/record.json").text), keys.public_key) == []
    assert client.get(f"/review/submissions/{sid}/consent.pdf").content.startswith(b"%PDF")
    check = verify_store(office_server.office.store)
    assert check["valid"], check["problems"]

    # Signed once only.
    again = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert again.status_code == 409 and "already_signed" in again.text


def test_refusals_are_the_engines_and_nothing_entered_is_lost(office_server, protocol):
    sid = sent(office_server, protocol)["submission_id"]
    client, _ = login(office_server)
    first = acknowledgements(protocol, "consultation")[0]["id"]
    _, fields = consultation_fields(protocol, client, sid, drop=("risk_infection",), name="Alex Patient",
                                    strokes="[[[5,5],[9,9]]]")
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422
    assert 'id="refusal-code">missing_acknowledgement<' in r.text and "risk_infection" in r.text
    assert re.search(r'<ul id="refusal-statements"><li><a href="#ack-risk_infection">I understand that infection', r.text)
    assert r.text.startswith("<!doctype html>") and "<title>Error: " in r.text
    assert 'value="Alex Patient"' in r.text and 'value="[[[5,5],[9,9]]]"' in r.text and 'value="12A3456B"' in r.text
    assert re.search(rf'value="{first}" id="ack-{first}" checked', r.text)
    assert not re.search(r'value="risk_infection" id="ack-risk_infection" checked', r.text)
    # Each section is a disclosure, closed at first; the one holding the refused statement opens itself.
    opened = re.findall(r'<details class="consent-details" id="details-([a-z_]+)" open>', r.text)
    assert opened == ["risks"], opened
    first_view = client.get(f"/review/submissions/{sid}/consent").text
    assert re.findall(r'<details class="consent-details" id="details-([a-z_]+)" open>', first_view) == []
    assert re.search(r'<summary><h2 id="section-risks-title">Risks</h2> <span class="section-asks">\d+ statements to confirm</span></summary>', first_view)

    _, fields = consultation_fields(protocol, client, sid, name="  \u200b ")
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422 and 'id="refusal-code">missing_signature<' in r.text

    for strokes, code in (("[[[1,2]", "invalid_strokes"), ('{"x": 1}', "invalid_strokes")):
        _, fields = consultation_fields(protocol, client, sid, strokes=strokes)
        r = client.post(f"/review/submissions/{sid}/consent", data=fields)
        assert r.status_code == 422 and f'id="refusal-code">{code}<' in r.text, r.text[-1500:]
    _, fields = consultation_fields(protocol, client, sid, strokes="[[[70000,1]]]")
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422 and "/signature/strokes" in r.text
    assert stored(office_server, sid)["consent_record"] is None

    # A deferred patient (isotretinoin now): the engine refuses consent at the consultation.
    deferred = sent(office_server, protocol, answers(isotretinoin_current=True))["submission_id"]
    _, fields = consultation_fields(protocol, client, deferred)
    r = client.post(f"/review/submissions/{deferred}/consent", data=fields)
    assert r.status_code == 422 and 'id="refusal-code">consent_not_permitted<' in r.text
    assert stored(office_server, deferred)["consent_record"] is None


def test_a_finding_adds_its_own_statement_which_must_be_confirmed(office_server, protocol):
    herpes = answers(cold_sore_history=True)  # eligible with precautions: hsv_history
    assert "finding_herpes" in [a["id"] for a in acknowledgements(protocol, "consultation", herpes)]
    sid = sent(office_server, protocol, herpes)["submission_id"]
    client, _ = login(office_server)
    page, fields = consultation_fields(protocol, client, sid, values=herpes, drop=("finding_herpes",))
    assert 'name="acknowledged" value="finding_herpes"' in page.text
    assert 'value="finding_keloid"' not in page.text  # another finding's statement: not this patient's
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422 and 'id="refusal-code">missing_acknowledgement<' in r.text
    assert '<a href="#ack-finding_herpes">' in r.text
    fields["acknowledged"].append("finding_herpes")
    assert client.post(f"/review/submissions/{sid}/consent", data=fields).status_code == 303
    record = json.loads(stored(office_server, sid)["consent_record"])
    assert "finding_herpes" in record["required_acknowledgements"] and "finding_herpes" in record["acknowledgements"]
    assert record["screening"]["findings"] == ["hsv_history"]


def test_the_page_needs_a_session_the_act_permission_and_the_csrf_token(office_server, protocol):
    sid = sent(office_server, protocol)["submission_id"]
    path = f"/review/submissions/{sid}/consent"
    r = office_server.client.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login?next=")
    r = office_server.client.post(path, data={"csrf_token": "x", "signature_name": "Alex Patient"})
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login")
    manager, _ = login(office_server, "mia")
    assert manager.get(path).status_code == 403
    client, _ = login(office_server)
    _, fields = consultation_fields(protocol, client, sid)
    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    for data in (without, dict(without, csrf_token="not the session's token")):
        r = client.post(path, data=data)
        assert r.status_code == 403 and "csrf_failed" in r.text
    assert stored(office_server, sid)["consent_record"] is None


def test_a_pre_visit_record_that_does_not_verify_is_refused_on_receipt(office_server, protocol):
    changed = dict(information(protocol), read_at=f"{TODAY}T10:27:00Z")
    r = office_server.post(submission(protocol, information_record=changed))
    assert r.status_code == 422
    code, path, message = error_of(r)
    assert (code, path) == ("information_invalid", "/information_record/digest")
    assert "does not verify" in message
    r = office_server.post(submission(protocol, information_record=submission(protocol)["browser_result"]))
    assert r.status_code == 422 and error_of(r)[0] == "information_invalid"
    r = office_server.post(submission(protocol, locale="not a locale!"))
    assert r.status_code == 422 and error_of(r)[:2] == ("invalid_locale", "/locale")


def arabic_information():
    """A pre-visit record read in Arabic, made by the engine's JavaScript package with the pack's
    Arabic translation (as the patient's page makes it)."""
    import subprocess

    from clinic_support import ROOT

    script = f"""
      import {{ readFileSync }} from 'node:fs';
      const engine = await import('{(ROOT / 'wasm/index.js').as_uri()}');
      const read = (p) => readFileSync('{ROOT}/protocols/microneedling/' + p, 'utf8');
      const protocol = await engine.loadProtocol(read('protocol.json'), {{ translations: [read('translations/ar.json')] }});
      const ids = protocol.consentDocument({{}}, {{ today: '{TODAY}', locale: 'ar' }}).acknowledgements
        .filter((a) => a.stage === 'pre_visit').map((a) => a.id);
      process.stdout.write(JSON.stringify(protocol.informationRecord({{
        acknowledged: ids, informationShownAt: '{SHOWN}', readAt: '{READ}', today: '{TODAY}', locale: 'ar' }})));
    """
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_record_read_in_arabic_is_made_again_and_sealed_with_the_packs_translation(office_server, protocol):
    # The back office loads each pack with the translations beside it (packs.py), so a record read
    # in Arabic is made again in Arabic (its locale is inside the digest) and sealed like any other.
    info = arabic_information()
    assert info["locale"] == "ar"
    r = office_server.post(submission(protocol, information_record=info, locale="ar"))
    assert r.status_code == 201, r.text
    sid = r.json()["submission_id"]
    kept = json.loads(stored(office_server, sid)["information_record"])
    assert kept["digest"] == info["digest"] and kept["locale"] == "ar"
    assert kept["seal"]["algorithm"] == "HMAC-SHA-256"
    client, _ = login(office_server)
    page, fields = consultation_fields(protocol, client, sid)
    for ack in (a["id"] for a in acknowledgements(protocol, "pre_visit")):  # confirmed before the visit
        assert f'name="acknowledged" value="{ack}"' not in page.text
    assert client.post(f"/review/submissions/{sid}/consent", data=fields).status_code == 303
    record = json.loads(stored(office_server, sid)["consent_record"])
    assert record["information_record"] == kept["digest"]
    assert prescreen.verify_consent(record, seal_key=office_server.office.keys.seal_key).valid
