"""The session interval across a patient's submissions (patients.py): a patient who fills in the form
again is held to the pack's interval from the session recorded under the earlier submission; another
patient is not. On SQLite and PostgreSQL, with the migration that adds the patient key (and fills it
in for stored submissions) and the schema the migrations make checked against schema.py."""

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from sqlalchemy import select

from clinic_support import PASSWORD, SERVER_NOW, TODAY, answers, consent_record, csrf, login, submission
from prescreen.clinic import accounts
from prescreen.clinic.patients import normalised_name
from prescreen.clinic.schema import metadata, submissions
from prescreen.clinic.storage import MIGRATIONS

SESSION = {"device": "Dermapen 4", "cartridge_lot": "LOT-2026-0419", "needle_depths": "cheeks: 1.0",
           "immediate_reaction": "mild erythema"}


def send(server, protocol, name, **changes):
    values = answers(**changes)
    body = submission(protocol, values)
    body["consent_record"] = consent_record(protocol, values, TODAY, name=name)
    r = server.post(body)
    assert r.status_code == 201, r.text
    return r.json()["submission_id"]


def record(client, submission_id, day):
    token = csrf(client.get(f"/review/submissions/{submission_id}").text)
    return client.post(f"/review/submissions/{submission_id}/treatment",
                       data=dict(SESSION, session_date=day, csrf_token=token))


def test_the_interval_counts_from_the_patients_session_under_another_submission(server, protocol):
    accounts.add_user(server.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
    first = send(server, protocol, "Alex Patient")
    again = send(server, protocol, "  alex   PATIENT ")  # the same patient, the form filled in again
    other = send(server, protocol, "Sam Other")  # same date of birth, another name
    younger = send(server, protocol, "Alex Patient", date_of_birth="1995-02-03")  # another person
    client, _ = login(server)
    assert record(client, first, "2026-11-30").status_code == 303
    # 10 days later under the new submission: the pack's 28 days from 30 Nov still hold.
    r = record(client, again, "2026-12-10")
    assert r.status_code == 409 and "session_too_soon" in r.text
    assert f"the clinic&#39;s last session (2026-11-30, recorded under submission {first})" in r.text
    assert "session_interval (deferred, clears on 2026-12-28)" in r.text
    # Other patients are not held to it.
    assert record(client, other, "2026-12-01").status_code == 303
    assert record(client, younger, "2026-12-01").status_code == 303
    # Day 28 is allowed; then the interval counts from that session, under either submission.
    assert record(client, again, "2026-12-28").status_code == 303
    r = record(client, first, "2027-01-05")
    assert r.status_code == 409 and f"(2026-12-28, recorded under submission {again})" in r.text
    with server.office.store.read() as conn:
        keys = dict(conn.execute(select(submissions.c.id, submissions.c.patient_key)).all())
    assert keys[first] == keys[again] and len(keys[first]) == 64
    assert len({keys[first], keys[other], keys[younger]}) == 3


def test_a_submission_without_a_name_has_no_patient_key(server, protocol):
    r = server.post(submission(protocol))
    assert r.status_code == 201
    with server.office.store.read() as conn:
        assert conn.execute(select(submissions.c.patient_key)).scalar_one() is None
    assert normalised_name("  Zoë   ÅNGSTRÖM ") == "zoë ångström"
    assert normalised_name("   ") is None and normalised_name(None) is None


def test_the_migration_fills_in_stored_submissions_and_matches_the_schema(server, protocol):
    first = send(server, protocol, "Alex Patient")
    second = send(server, protocol, "ALEX PATIENT")
    store = server.office.store
    with store.read() as conn:
        before = dict(conn.execute(select(submissions.c.id, submissions.c.patient_key)).all())
    assert before[first] == before[second] is not None
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.connect() as conn:
        conn.info["write"] = True
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")  # a store made before the patient key
        conn.commit()
    store.migrate()  # what the server does on start
    with store.read() as conn:
        assert dict(conn.execute(select(submissions.c.id, submissions.c.patient_key)).all()) == before
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
