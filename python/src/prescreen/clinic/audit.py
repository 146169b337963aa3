"""The audit log: every event appended in the same transaction as the change it records, each row
holding the digest of the row before it. The digest is SHA-256 of the engine's canonical JSON of the
row (seq, at, event, submission, actor, details, previous digest), so editing, deleting or reordering
any row breaks the chain, and the head row (the last seq and digest) catches a cut-off tail."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

import prescreen

from .schema import audit, audit_head
from .storage import insert_many

GENESIS = "0" * 64
_MOVE_HEAD = (update(audit_head).where(audit_head.c.id == 1)
              .values(seq=bindparam("new_seq"), digest=bindparam("new_digest")))
# Writers lock the head row (FOR UPDATE on PostgreSQL; SQLite's write transaction holds the lock already).
_READ_HEAD = select(audit_head.c.seq, audit_head.c.digest).where(audit_head.c.id == 1).with_for_update()

EVENTS = ("received", "reviewed", "overridden", "consent_signed", "countersigned", "withdrawn", "rescreened",
          "treatment_recorded", "user_added")


def row_digest(seq: int, at: str, event: str, submission_id: Optional[str], actor: str, details: Mapping[str, Any],
               prev_digest: str) -> str:
    document = {"seq": seq, "at": at, "event": event, "submission_id": submission_id, "actor": actor,
                "details": details, "prev": prev_digest}
    return prescreen.sha256_hex(prescreen.canonical_json(document))


class Event(NamedTuple):
    """One event to append: when, what, who, about which submission, and its details."""
    at: str
    event: str
    actor: str
    submission_id: Optional[str] = None
    details: Optional[Mapping[str, Any]] = None


def append(conn: Connection, *, at: str, event: str, actor: str, submission_id: Optional[str] = None,
           details: Optional[Mapping[str, Any]] = None) -> int:
    """Append one event inside the caller's write transaction; returns its seq."""
    return append_many(conn, [Event(at, event, actor, submission_id, details)])[0]


def append_many(conn: Connection, events: Sequence[Event]) -> List[int]:
    """Append events, in order, inside the caller's write transaction (the group commit's batch): the
    head is read and moved once and the rows are inserted in one statement. Returns their seqs."""
    for e in events:
        if e.event not in EVENTS:
            raise ValueError(f"event: unknown audit event {e.event!r}")
    if not events:
        return []
    head = conn.execute(_READ_HEAD).first()
    seq, prev = (0, GENESIS) if head is None else (head.seq, head.digest)
    rows: List[Dict[str, Any]] = []
    seqs: List[int] = []
    for e in events:
        details = dict(e.details or {})
        seq += 1
        digest = row_digest(seq, e.at, e.event, e.submission_id, e.actor, details, prev)
        rows.append(dict(seq=seq, at=e.at, event=e.event, submission_id=e.submission_id, actor=e.actor,
                         details=prescreen.canonical_json(details), prev_digest=prev, digest=digest))
        seqs.append(seq)
        prev = digest
    if head is None:
        conn.execute(audit_head.insert(), dict(id=1, seq=seq, digest=prev))
    else:
        conn.execute(_MOVE_HEAD, dict(new_seq=seq, new_digest=prev))
    insert_many(conn, audit, rows)
    return seqs


def verify_chain(conn: Connection) -> List[Dict[str, Any]]:
    """Every problem in the chain ([] when it holds): {code, seq, message}."""
    problems: List[Dict[str, Any]] = []
    expected_seq, prev = 1, GENESIS
    rows = conn.execute(select(audit).order_by(audit.c.seq)).mappings()
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            problems.append({"code": "missing_rows", "seq": expected_seq,
                             "message": f"rows {expected_seq}..{seq - 1} are missing (deleted)" if seq > expected_seq
                             else f"row {seq} is out of order"})
        if row["prev_digest"] != prev:
            problems.append({"code": "broken_link", "seq": seq,
                             "message": f"row {seq} does not follow the row before it (deleted, inserted or reordered rows)"})
        try:
            details = json.loads(row["details"])
        except ValueError:
            details = None
        recomputed = row_digest(seq, row["at"], row["event"], row["submission_id"], row["actor"], details,
                                row["prev_digest"]) if details is not None else None
        if recomputed != row["digest"] or prescreen.canonical_json(details) != row["details"]:
            problems.append({"code": "row_changed", "seq": seq,
                             "message": f"row {seq} ({row['event']}) was changed after it was written"})
        expected_seq, prev = seq + 1, row["digest"]
    head = conn.execute(select(audit_head.c.seq, audit_head.c.digest).where(audit_head.c.id == 1)).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            problems.append({"code": "head_missing", "seq": last_seq, "message": "the chain's head row is missing"})
    elif head.seq != last_seq or head.digest != prev:
        problems.append({"code": "tail_missing", "seq": head.seq,
                         "message": f"the chain should end at row {head.seq} but ends at row {last_seq} (rows deleted from the end)"})
    return problems


def events_of(conn: Connection, submission_id: str) -> Iterable[Mapping[str, Any]]:
    return conn.execute(select(audit).where(audit.c.submission_id == submission_id).order_by(audit.c.seq)).mappings().all()
