"""Treatment sessions (refused without an active consent), follow-up dates and their calendar file,
the consent PDF, and read_submissions() for analysts (on SQLite and PostgreSQL)."""

import datetime

import pandas as pd
import pytest

from clinic_support import SERVER_NOW, TODAY, answers, submission
from prescreen import io as pio
from prescreen import report
from prescreen.clinic import accounts, read_submissions
from clinic_support import PASSWORD, csrf, login


@pytest.fixture
def office_server(sqlite_server):
    accounts.add_user(sqlite_server.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
    return sqlite_server


TREATMENT = {"session_date": "2026-11-30", "device": "Dermapen 4", "cartridge_lot": "LOT-2026-0419",
             "needle_depths": "forehead: 0.5\ncheeks: 1.0 mm", "products": "hyaluronic serum, SPF 50",
             "test_spot": "jawline, 2026-11-26", "immediate_reaction": "mild erythema"}


def test_treatment_needs_an_active_consent_and_gives_follow_ups(office_server, protocol):
    with_consent = office_server.post(submission(protocol, consent=True)).json()["submission_id"]
    without = office_server.post(submission(protocol)).json()["submission_id"]
    client, _ = login(office_server)
    token = csrf(client.get(f"/review/submissions/{with_consent}").text)
    r = client.post(f"/review/submissions/{without}/treatment", data=dict(TREATMENT, csrf_token=token))
    assert r.status_code == 409 and "no_consent" in r.text
    # Before the consent was signed it was not active.
    r = client.post(f"/review/submissions/{with_consent}/treatment", data=dict(TREATMENT, csrf_token=token, session_date="2026-11-20"))
    assert r.status_code == 409 and "consent_not_active" in r.text
    r = client.post(f"/review/submissions/{with_consent}/treatment", data=dict(TREATMENT, csrf_token=token, needle_depths="cheeks: 9"))
    assert r.status_code == 422 and "invalid_needle_depth" in r.text
    r = client.post(f"/review/submissions/{with_consent}/treatment", data=dict(TREATMENT, csrf_token=token))
    assert r.status_code == 303
    html = client.get(f"/review/submissions/{with_consent}").text
    assert "LOT-2026-0419" in html and "cheeks 1.0 mm" in html
    # Acne scars: 3 sessions 4 weeks apart -> two more after this one.
    assert "Follow-up sessions: 2026-12-28, 2027-01-25" in html
    ics = client.get(f"/review/submissions/{with_consent}/follow-ups.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20261228\r\n" in ics.text and "DTSTART;VALUE=DATE:20270125\r\n" in ics.text
    # Withdrawn consent: no more sessions.
    client.post(f"/review/submissions/{with_consent}/withdraw", data={"csrf_token": token, "reason": "moved away"})
    r = client.post(f"/review/submissions/{with_consent}/treatment", data=dict(TREATMENT, csrf_token=token, session_date="2026-12-28"))
    assert r.status_code == 409 and "withdrawn" in r.text


def test_the_next_session_waits_for_the_packs_interval_from_the_clinics_records(office_server, protocol):
    # The patient said "no previous micro-needling"; the clinic's record of 30 Nov is what the engine
    # reads before the next session (the pack's session_interval: 28 days, allowed on day 28).
    sid = office_server.post(submission(protocol, consent=True)).json()["submission_id"]
    client, _ = login(office_server)
    token = csrf(client.get(f"/review/submissions/{sid}").text)
    assert client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token)).status_code == 303
    r = client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token, session_date="2026-12-27"))
    assert r.status_code == 409 and "session_too_soon" in r.text
    assert "session_interval (deferred, clears on 2026-12-28)" in r.text
    # The same day twice is refused too; day 28 is allowed.
    r = client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token))
    assert r.status_code == 409 and "session_too_soon" in r.text
    r = client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token, session_date="2026-12-28"))
    assert r.status_code == 303
    assert "Follow-up sessions: 2027-01-25" in client.get(f"/review/submissions/{sid}").text


def test_the_patient_gets_the_follow_up_dates(office_server, protocol):
    body = submission(protocol, consent=True)
    sid = office_server.post(body).json()["submission_id"]
    patient = office_server.client
    r = patient.post("/api/follow-ups", json={"submission_key": body["submission_key"]})
    assert r.status_code == 200  # before the first session: no dates yet (the form asks right after sending)
    assert r.json() == {"submission_id": sid, "last_session": None, "follow_ups": [], "calendar": None}
    client, _ = login(office_server)
    token = csrf(client.get(f"/review/submissions/{sid}").text)
    assert client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token)).status_code == 303
    # The patient's own form asks with its key (in the body, not the URL).
    r = patient.post("/api/follow-ups", json={"submission_key": body["submission_key"]})
    assert r.status_code == 200
    reply = r.json()
    assert reply["submission_id"] == sid and reply["last_session"] == "2026-11-30"
    assert reply["follow_ups"] == ["2026-12-28", "2027-01-25"]
    assert "DTSTART;VALUE=DATE:20261228\r\n" in reply["calendar"]
    r = patient.post("/api/follow-ups", json={"submission_key": "x" * 20})
    assert r.status_code == 404 and r.json()["error"] == {"code": "not_found", "path": "/submission_key",
                                                            "message": "no submission was sent with this key"}
    r = patient.post("/api/follow-ups", json={"submission_key": body["submission_key"], "extra": 1})
    assert r.status_code == 422 and r.json()["error"]["path"] == "/extra"
    r = patient.post("/api/follow-ups", content=b"[1]", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_an_object"
    # The printed copy the practitioner hands over: the same dates and the pack's course text.
    html = client.get(f"/review/submissions/{sid}").text
    assert 'id="patient-copy-link"' in html
    copy = client.get(f"/review/submissions/{sid}/patient-copy")
    assert copy.status_code == 200
    assert '<time datetime="2026-12-28">28 December 2026</time>' in copy.text and "25 January 2027" in copy.text
    assert '<html lang="en-GB" dir="ltr">' in copy.text and 'id="last-session"><time datetime="2026-11-30">30 November 2026<' in copy.text
    assert httpx_get_without_login(office_server, f"/review/submissions/{sid}/patient-copy").status_code in (303, 307)


def test_the_patient_copy_is_in_the_patients_language(office_server, protocol):
    """A patient who filled in the form in Arabic gets the printed copy in Arabic, right to left: the
    page's words from the consultation wording, the dates in words, the course plan from the pack's
    Arabic translation (the engine's screening in that language)."""
    from prescreen.clinic.consultation_wording import wordings

    arabic = wordings()["ar"]
    sid = office_server.post(submission(protocol, consent=True, locale="ar")).json()["submission_id"]
    client, _ = login(office_server)
    token = csrf(client.get(f"/review/submissions/{sid}").text)
    assert client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token)).status_code == 303
    copy = client.get(f"/review/submissions/{sid}/patient-copy").text
    assert '<html lang="ar" dir="rtl">' in copy
    assert f"<h1>{arabic.say('copy_title')}</h1>" in copy
    assert '<time datetime="2026-12-28">28 ديسمبر 2026</time>' in copy and "25 يناير 2027" in copy
    assert arabic.say("copy_confirm") in copy
    course = office_server.office.packs.get(protocol.digest).protocol.screen(answers(), today=TODAY, locale="ar").to_dict()["course"]
    assert course["text"] and course["text"] in copy
    english = protocol.screen(answers(), today=TODAY).to_dict()["course"]["text"]
    assert english not in copy


def httpx_get_without_login(server, path):
    import httpx

    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        return anonymous.get(path)


def test_consent_pdf(office_server, protocol):
    sid = office_server.post(submission(protocol, consent=True)).json()["submission_id"]
    client, _ = login(office_server)
    r = client.get(f"/review/submissions/{sid}/consent.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and b"%%EOF" in r.content[-32:]
    assert len(r.content) > 2000


def test_read_submissions_has_the_result_table_columns(database, protocol):
    from clinic_support import start_server

    data_dir, url = database
    s = start_server(data_dir, url)
    try:
        ids = [s.post(submission(protocol, v, consent=c)).json()["submission_id"] for v, c in
               ((answers(), True), (answers(keloid_tendency=True), False),
                (answers(isotretinoin_past=True, isotretinoin_last_dose="2026-10-01"), False))]
    finally:
        s.stop()
    frame = read_submissions(url or data_dir)
    assert list(frame.columns[: len(pio.RESULT_COLUMNS)]) == pio.RESULT_COLUMNS
    assert list(frame["submission_id"]) == ids
    assert list(frame["outcome"]) == ["eligible", "refer", "deferred"]
    assert frame["defer_until"].iloc[2] == pd.Timestamp("2027-04-01")
    assert frame["today"].iloc[0] == pd.Timestamp("2026-11-25")
    assert frame["findings"].iloc[1] == ["keloid_tendency"]
    assert frame["protocol_digest"].iloc[0] == protocol.digest
    assert list(frame["consent_digest"].notna()) == [True, False, False]
    assert len(read_submissions(url or data_dir, since=datetime.date(2026, 11, 28))) == 0
    assert len(read_submissions(url or data_dir, since="2026-11-27")) == 3
    # prescreen.report works on it.
    out = data_dir / "report.html"
    report.html_report(frame, out, title="Submissions")
    assert "Referred to a clinician" in out.read_text(encoding="utf-8")  # the outcome by its readable name
