"""The store's tables (SQLAlchemy Core). One definition serves SQLite and PostgreSQL; Alembic's
migrations (``migrations/versions``) create exactly these. JSON documents are kept as text written by
the engine's canonical JSON, so what is stored is byte for byte what was digested."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

# Packs the back office has served, by digest: a submission can always be replayed against its pack.
packs = Table(
    "packs", metadata,
    Column("digest", String(64), primary_key=True),
    Column("protocol_id", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("stored_at", String(40), nullable=False),
)

submissions = Table(
    "submissions", metadata,
    Column("seq", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("submission_key", String(128), nullable=False, unique=True),
    Column("request_digest", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("received_on", String(10), nullable=False),  # the server's date on receipt
    Column("today", String(10), nullable=False),  # the day the patient screened
    Column("pack_digest", String(64), ForeignKey("packs.digest"), nullable=False),
    Column("protocol_id", String(200), nullable=False),
    Column("protocol_version", String(100), nullable=False),
    Column("outcome", String(40), nullable=False),  # the server's screening on the patient's day
    Column("defer_until", String(10)),
    Column("outcome_on_receipt", String(40), nullable=False),  # the server's screening on its own date
    Column("queue_rank", Integer, nullable=False),  # refer 0, precautions 1, deferred 2, others after
    Column("flags", Text, nullable=False),  # JSON list: browser_result_differs, result_changed_since_today
    Column("answers", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("result_on_receipt", Text, nullable=False),
    Column("browser_result", Text),
    Column("consent_record", Text),  # sealed and signed by the back office (sent, or signed at the consultation)
    Column("consent_digest", String(64)),
    Column("contact", Text),
    Column("patient_key", String(64)),  # who it is from (patients.py), None when unknown
    Column("receipt", Text, nullable=False),
    Column("status", String(20), nullable=False),  # new | reviewed
    Column("reviewed_at", String(40)),
    Column("reviewed_by", String(100)),
    Column("countersignature", Text),
    Column("withdrawal", Text),
    Column("information_record", Text),  # the pre-visit record (two-step consent), sealed on receipt
    Column("locale", String(35)),  # the language the patient read the form in (None: the pack's default)
)
Index("submissions_queue", submissions.c.status, submissions.c.queue_rank, submissions.c.seq)
Index("submissions_received", submissions.c.received_at)
Index("submissions_patient", submissions.c.patient_key)


def _kept_with_submission(name: str, id_column: Column, *columns: Column) -> Table:
    """A table of what staff record about a submission (rescreenings, overrides, treatments): its
    own id, the submission it belongs to (indexed), its columns, then when (``at``) and by whom (``by``)."""
    return Table(
        name, metadata,
        id_column,
        Column("submission_id", String(40), ForeignKey("submissions.id"), nullable=False, index=True),
        *columns,
        Column("at", String(40), nullable=False),
        Column("by", String(100), nullable=False),
    )


# Later screenings of a submission (against a newer pack version), kept beside the first.
rescreenings = _kept_with_submission(
    "rescreenings",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pack_digest", String(64), ForeignKey("packs.digest"), nullable=False),
    Column("today", String(10), nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("result", Text, nullable=False),
)

overrides = _kept_with_submission(
    "overrides",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(100), nullable=False),
    Column("register", String(100), nullable=False),
    Column("registration_number", String(100), nullable=False),
    Column("reason", Text, nullable=False),
)

treatments = _kept_with_submission(
    "treatments",
    Column("id", String(40), primary_key=True),
    Column("consent_digest", String(64), nullable=False),
    Column("session_date", String(10), nullable=False),
    Column("record", Text, nullable=False),  # device, cartridge lot, depths, products, test spot, reaction
    Column("follow_ups", Text, nullable=False),  # JSON list of ISO dates
)

# The audit log: every event, each row holding the digest of the one before (a hash chain).
audit = Table(
    "audit", metadata,
    Column("seq", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("event", String(40), nullable=False),
    Column("submission_id", String(40), index=True),
    Column("actor", String(100), nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_digest", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
)

# One row: the chain's head. Writers lock it (FOR UPDATE on PostgreSQL; SQLite's write lock), so
# several servers on one PostgreSQL database append to one chain, and truncation is detected.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer().with_variant(BigInteger(), "postgresql"), nullable=False),
    Column("digest", String(64), nullable=False),
)

users = Table(
    "users", metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
)

sessions = Table(
    "sessions", metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_name", String(100), ForeignKey("users.name"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

__all__ = ["metadata", "packs", "submissions", "rescreenings", "overrides", "treatments", "audit", "audit_head",
           "users", "sessions", "UniqueConstraint"]
