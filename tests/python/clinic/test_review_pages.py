"""The practitioners' review pages against a real uvicorn: login, the queue's order, a submission's
page, the actions, and the security rules (no session -> login; roles; CSRF; login rate limit; path
traversal; oversized requests)."""

import json
import re

import httpx
import pytest
from sqlalchemy import select

import prescreen
from clinic_support import PASSWORD, SERVER_NOW, answers, csrf, error_of, login, start_server, submission
from prescreen.clinic import accounts, schema
from prescreen.clinic.keys import load_public_key
from prescreen.clinic.sealing import verify_signatures

@pytest.fixture
def office_server(tmp_path):
    s = start_server(tmp_path / "data")
    for name, role in (("pat", "practitioner"), ("mia", "manager"), ("ada", "admin")):
        accounts.add_user(s.office.store, name, role, PASSWORD, SERVER_NOW)
    yield s
    s.stop()


def test_pages_without_a_session_redirect_to_login(office_server):
    for path in ("/review/", "/review/submissions/sub_0123456789abcdef0123", "/review/admin/users"):
        r = office_server.client.get(path)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/review/login?next=")
    r = office_server.client.post("/review/submissions/sub_0123456789abcdef0123/reviewed", data={"csrf_token": "x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/review/login")


def test_login_sets_a_strict_httponly_session_cookie(office_server):
    client, r = login(office_server)
    assert r.status_code == 303 and r.headers["location"] == "/review/"
    cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("prescreen_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/review/" in cookie
    assert client.get("/review/").status_code == 200
    client, r = login(office_server, password="wrong password")
    assert r.status_code == 401 and "do not match" in r.text


def test_login_without_csrf_is_refused(office_server):
    r = office_server.client.post("/review/login", data={"name": "pat", "password": PASSWORD})
    assert r.status_code == 403
    assert "csrf_failed" in r.text


def test_login_rate_limit_holds(office_server):
    codes = [login(office_server, password=f"guess {i}")[1].status_code for i in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # Even the right password is refused while the limit holds.
    assert login(office_server)[1].status_code == 429


def test_queue_orders_refer_then_precautions_then_deferred(office_server, protocol):
    sent = {}
    for name, values in (("eligible", answers()), ("deferred", answers(isotretinoin_past=True, isotretinoin_last_dose="2026-10-01")),
                         ("precautions", answers(cold_sore_history=True)), ("refer", answers(keloid_tendency=True))):
        r = office_server.post(submission(protocol, values, contact={"name": f"Patient {name}"}))
        sent[name] = r.json()["submission_id"]
    client, _ = login(office_server)
    html = client.get("/review/").text
    order = re.findall(r'<tr data-outcome="([a-z_]+)"', html)
    assert order == ["refer", "eligible_with_precautions", "deferred", "eligible"]
    assert "2027-04-01" in html  # the deferral's date is in the queue


def test_detail_page_and_countersign_then_the_record_verifies(office_server, protocol):
    r = office_server.post(submission(protocol, answers(cold_sore_history=True), consent=True, contact={"name": "Alex Patient"}))
    sid = r.json()["submission_id"]
    client, _ = login(office_server)
    page = client.get(f"/review/submissions/{sid}")
    assert page.status_code == 200
    html = page.text
    finding = next(f for f in protocol.rules if f["id"] == "hsv_history")
    assert "hsv_history" in html
    assert prescreen.Protocol  # the page holds the patient message, the clinician note and a source title
    result = protocol.screen(answers(cold_sore_history=True), today="2026-11-25").to_dict()
    f = next(x for x in result["findings"] if x["rule"] == "hsv_history")
    import html as htmlmod
    assert htmlmod.escape(f["message"], quote=True) in html
    assert htmlmod.escape(f["clinician_note"], quote=True) in html
    assert "Trace" in html
    assert "valid: digest, seal and the clinic" in html
    token = csrf(html)
    r = client.post(f"/review/submissions/{sid}/countersign", data={"csrf_token": token, "role": "nurse prescriber",
                                                                     "registration_number": "NMC 12A3456B"})
    assert r.status_code == 303
    html = client.get(f"/review/submissions/{sid}").text
    assert "NMC 12A3456B" in html and "and countersignature check out" in html
    record = client.get(f"/review/submissions/{sid}/record.json").json()
    assert record["seal"]["countersignature"]["name"] == "pat"
    key = (office_server.office.settings.data_dir / "keys" / "seal.key").read_bytes().strip()
    assert prescreen.verify_consent(record, seal_key=key).valid
    public = load_public_key(office_server.client.get("/api/public-key").content)
    assert verify_signatures(record, public) == []
    record["seal"]["countersignature"]["registration_number"] = "NMC 99Z"
    assert [p["code"] for p in verify_signatures(record, public)] == ["countersignature_mismatch"]
    # Countersigning twice is refused with a clear page.
    r = client.post(f"/review/submissions/{sid}/countersign", data={"csrf_token": token, "role": "x", "registration_number": "y"})
    assert r.status_code == 409 and "already_countersigned" in r.text


def test_actions_need_the_csrf_token(office_server, protocol):
    sid = office_server.post(submission(protocol)).json()["submission_id"]
    client, _ = login(office_server)
    r = client.post(f"/review/submissions/{sid}/reviewed", data={})
    assert r.status_code == 403 and "csrf_failed" in r.text
    r = client.post(f"/review/submissions/{sid}/reviewed", data={"csrf_token": "not the token"})
    assert r.status_code == 403
    with office_server.office.store.read() as conn:
        assert conn.execute(select(schema.submissions.c.status)).scalar() == "new"
    token = csrf(client.get("/review/").text)
    assert client.post(f"/review/submissions/{sid}/reviewed", data={"csrf_token": token}).status_code == 303
    with office_server.office.store.read() as conn:
        assert conn.execute(select(schema.submissions.c.status)).scalar() == "reviewed"


def test_practitioner_cannot_use_the_admin_pages_and_manager_cannot_act(office_server, protocol):
    client, _ = login(office_server, "pat")
    assert client.get("/review/admin/users").status_code == 403
    token = csrf(client.get("/review/").text)
    r = client.post("/review/admin/users", data={"csrf_token": token, "name": "eve", "role": "admin", "password": "x" * 12})
    assert r.status_code == 403
    with office_server.office.store.read() as conn:
        assert conn.execute(select(schema.users.c.name).where(schema.users.c.name == "eve")).first() is None
    sid = office_server.post(submission(protocol)).json()["submission_id"]
    manager, _ = login(office_server, "mia")
    assert manager.get(f"/review/submissions/{sid}").status_code == 200
    r = manager.post(f"/review/submissions/{sid}/reviewed", data={"csrf_token": csrf(manager.get("/review/").text)})
    assert r.status_code == 403
    admin, _ = login(office_server, "ada")
    r = admin.post("/review/admin/users", data={"csrf_token": csrf(admin.get("/review/admin/users").text),
                                                "name": "eve", "role": "practitioner", "password": "x" * 12})
    assert r.status_code == 303
    assert "eve" in admin.get("/review/admin/users").text


def test_override_refused_for_not_eligible_and_recorded_for_refer(office_server, protocol):
    # Pack 2.0.0: a stainless-steel allergy is not_eligible and its policy forbids any override.
    sid = office_server.post(submission(protocol, answers(stainless_steel_allergy=True, keloid_tendency=True))).json()["submission_id"]
    client, _ = login(office_server)
    html = client.get(f"/review/submissions/{sid}").text
    token = csrf(html)
    fields = {"csrf_token": token, "name": "Pat Practitioner", "role": "doctor", "register": "GMC",
              "registration_number": "7654321", "reason": "seen in clinic"}
    r = client.post(f"/review/submissions/{sid}/override", data=dict(fields, rule="stainless_steel_allergy"))
    assert r.status_code == 409 and "override_not_allowed" in r.text
    r = client.post(f"/review/submissions/{sid}/override", data=dict(fields, rule="keloid_tendency", reason=""))
    assert r.status_code == 422 and "missing_field" in r.text
    r = client.post(f"/review/submissions/{sid}/override", data=dict(fields, rule="keloid_tendency"))
    assert r.status_code == 303
    with office_server.office.store.read() as conn:
        rows = conn.execute(select(schema.overrides)).mappings().all()
    assert [(o["rule"], o["register"], o["registration_number"]) for o in rows] == [("keloid_tendency", "GMC", "7654321")]


def test_withdraw_consent(office_server, protocol):
    sid = office_server.post(submission(protocol, consent=True)).json()["submission_id"]
    client, _ = login(office_server)
    token = csrf(client.get(f"/review/submissions/{sid}").text)
    assert client.post(f"/review/submissions/{sid}/withdraw", data={"csrf_token": token, "reason": "changed mind"}).status_code == 303
    record = client.get(f"/review/submissions/{sid}/record.json").json()
    assert "withdrawal" not in record  # a withdrawal is its own sealed event (issue 12)
    assert prescreen.verify_consent(record).valid
    with office_server.office.store.read() as conn:
        row = conn.execute(select(schema.submissions).where(schema.submissions.c.id == sid)).mappings().one()
    event = json.loads(row["withdrawal"])
    assert event["reason"] == "changed mind"
    key = office_server.office.keys.seal_key
    assert prescreen.consent_status(record, "2026-11-28", [event], seal_key=key).status == "withdrawn"
    assert prescreen.consent_status(record, "2026-11-28", [], seal_key=key).status == "active"


def test_rescreen_against_a_newer_pack(tmp_path, protocol):
    newer = json.loads(protocol.to_json()) if False else json.load(open(protocol_path()))
    newer["version"] = "2.1.0"
    (tmp_path / "data" / "packs").mkdir(parents=True)
    (tmp_path / "data" / "packs" / "microneedling-2.1.0.json").write_text(json.dumps(newer))
    s = start_server(tmp_path / "data")
    try:
        accounts.add_user(s.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
        sid = s.post(submission(protocol, answers(keloid_tendency=True))).json()["submission_id"]
        client, _ = login(s)
        html = client.get(f"/review/submissions/{sid}").text
        assert "Re-screen with microneedling 2.1.0" in html
        assert client.post(f"/review/submissions/{sid}/rescreen", data={"csrf_token": csrf(html)}).status_code == 303
        with s.office.store.read() as conn:
            row = conn.execute(select(schema.rescreenings)).mappings().one()
        assert (row["outcome"], row["today"]) == ("refer", "2026-11-27")
    finally:
        s.stop()


def protocol_path():
    from clinic_support import PACK

    return PACK


@pytest.mark.parametrize("path", ["/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/wasm/..%2f..%2fREADME.md",
                                  "/protocols/%2e%2e%2fMakefile", "/serve.mjs", "/.git/config", "/web-demo/../Makefile",
                                  "/wasm/%00index.js"])
def test_path_traversal_is_refused(office_server, path):
    r = httpx.get(office_server.url + path)
    assert r.status_code == 404
    assert "root:" not in r.text and "SHELL" not in r.text


def test_oversized_form_is_refused(office_server):
    client, _ = login(office_server)
    r = client.post("/review/login", data={"name": "x" * 400_000, "password": "y", "csrf_token": "z"})
    assert r.status_code == 413


def test_pages_carry_the_forms_csp(office_server):
    r = office_server.client.get("/review/login")
    assert r.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert "<script" not in r.text
    assert r.headers["x-frame-options"] == "DENY"
