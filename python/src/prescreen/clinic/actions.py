"""What practitioners do to a submission, each change written with its audit row in one transaction:
mark reviewed, countersign the consent, withdraw consent, record an override, re-screen against a
newer pack version. Every refusal is an ApiError with a stable code."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import select, update

import prescreen

from . import audit, sealing
from .accounts import User
from .clock import local_date, timestamp
from .errors import ApiError
from .schema import overrides, rescreenings, submissions
from .schema import packs as packs_table


def load(conn, submission_id: str) -> Mapping[str, Any]:
    row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", "", f"no submission {submission_id}")
    return row


def sealed_record(row: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The stored consent record as the patient and the clinic get it: sealed, signed, with the
    countersignature when there is one (a detached signature: it changes neither digest nor seal).
    A withdrawal is not part of the record but its own sealed event (consent_events)."""
    if not row["consent_record"]:
        return None
    record = json.loads(row["consent_record"])
    if row["countersignature"]:
        record["seal"]["countersignature"] = json.loads(row["countersignature"])
    return record


def consent_events(row: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The record's sealed events (its withdrawal, when there is one), for consent_status."""
    return [json.loads(row["withdrawal"])] if row["withdrawal"] else []


def mark_reviewed(office, user: User, submission_id: str) -> None:
    now = timestamp(office.settings.clock())
    with office.store.write() as conn:
        row = load(conn, submission_id)
        if row["status"] == "reviewed":
            raise ApiError(409, "already_reviewed", "", f"reviewed already by {row['reviewed_by']} at {row['reviewed_at']}")
        conn.execute(update(submissions).where(submissions.c.id == submission_id)
                     .values(status="reviewed", reviewed_at=now, reviewed_by=user.name))
        audit.append(conn, at=now, event="reviewed", actor=user.name, submission_id=submission_id)


def signed_consent(conn, submission_id: str, none: str) -> Tuple[Mapping[str, Any], Dict[str, Any]]:
    """The submission and its sealed consent record; 409 no_consent (`none` says why one is needed)
    when the patient has not signed."""
    row = load(conn, submission_id)
    record = sealed_record(row)
    if record is None:
        raise ApiError(409, "no_consent", "", none)
    return row, record


def countersign(office, user: User, submission_id: str, *, role: str, registration_number: str) -> None:
    if not registration_number.strip():
        raise ApiError(422, "missing_field", "/registration_number", "give your professional registration number")
    now = timestamp(office.settings.clock())
    with office.store.write() as conn:
        row, record = signed_consent(conn, submission_id, "this submission has no signed consent to countersign")
        if row["withdrawal"]:
            raise ApiError(409, "consent_withdrawn", "", "the patient has withdrawn this consent")
        if row["countersignature"]:
            raise ApiError(409, "already_countersigned", "", "this consent is countersigned already")
        signed = sealing.countersign(record, office.keys, name=user.name, role=role.strip() or user.role,
                                     registration_number=registration_number.strip(), at=now)
        counter = signed["seal"]["countersignature"]
        conn.execute(update(submissions).where(submissions.c.id == submission_id)
                     .values(countersignature=prescreen.canonical_json(counter)))
        audit.append(conn, at=now, event="countersigned", actor=user.name, submission_id=submission_id,
                     details={"consent_digest": record["digest"], "registration_number": counter["registration_number"],
                              "signature": counter["signature"]["value"]})


def withdraw(office, user: User, submission_id: str, *, reason: str) -> None:
    now = timestamp(office.settings.clock())
    with office.store.write() as conn:
        row = load(conn, submission_id)
        if not row["consent_record"]:
            raise ApiError(409, "no_consent", "", "this submission has no consent to withdraw")
        if row["withdrawal"]:
            raise ApiError(409, "consent_withdrawn", "", "this consent is withdrawn already")
        # The engine's sealed withdrawal event, bound to the record's digest (docs/consent.md).
        withdrawal = prescreen.withdraw_consent(sealed_record(row), at=now, recorded_by={"name": user.name, "role": user.role},
                                                reason=reason.strip() or "withdrawn by the patient",
                                                seal_key=office.keys.seal_key)
        conn.execute(update(submissions).where(submissions.c.id == submission_id)
                     .values(withdrawal=prescreen.canonical_json(withdrawal)))
        audit.append(conn, at=now, event="withdrawn", actor=user.name, submission_id=submission_id, details=withdrawal)


def override_policy(pack_document: Mapping[str, Any], rule: Mapping[str, Any], finding_outcome: str) -> Optional[str]:
    """Why an override of this finding is refused, or None when the pack allows it.

    A pack may say per rule (``"override": {"allowed": false}``) or in ``policy.overrides``; until
    packs carry that, findings whose outcome is ``not_eligible`` are never overridable."""
    per_rule = rule.get("override")
    if isinstance(per_rule, Mapping) and "allowed" in per_rule:
        return None if per_rule["allowed"] else "the pack marks this finding as not overridable"
    policy = pack_document.get("policy")
    if isinstance(policy, Mapping) and isinstance(policy.get("overrides"), Mapping):
        allowed = policy["overrides"].get("outcomes")
        if isinstance(allowed, list):
            return None if finding_outcome in allowed else f"the pack allows no override of {finding_outcome} findings"
    if finding_outcome == "not_eligible":
        return "a not_eligible finding cannot be overridden (the pack has no override policy)"
    return None


def record_override(office, user: User, submission_id: str, *, rule: str, name: str, role: str, register: str,
                    registration_number: str, reason: str) -> None:
    fields = {"name": name, "role": role, "register": register, "registration_number": registration_number, "reason": reason}
    for key, value in fields.items():
        if not value.strip():
            raise ApiError(422, "missing_field", f"/{key}", f"an override records the practitioner's {key.replace('_', ' ')}")
    now = timestamp(office.settings.clock())
    with office.store.write() as conn:
        row = load(conn, submission_id)
        findings = {f["rule"]: f for f in json.loads(row["result"]).get("findings", [])}
        if rule not in findings:
            raise ApiError(422, "unknown_finding", "/rule", f"the screening has no finding {rule!r}")
        pack = office.packs.get(row["pack_digest"])
        document = json.loads(pack.text) if pack else {}
        rule_def = next((r for r in document.get("rules", []) if r.get("id") == rule), {})
        refused = override_policy(document, rule_def, findings[rule]["outcome"])
        if refused:
            raise ApiError(409, "override_not_allowed", "/rule", refused)
        conn.execute(overrides.insert(), dict(submission_id=submission_id, rule=rule, at=now, by=user.name,
                                               **{k: v.strip() for k, v in fields.items()}))
        audit.append(conn, at=now, event="overridden", actor=user.name, submission_id=submission_id,
                     details={"rule": rule, **{k: v.strip() for k, v in fields.items()}})


def rescreen(office, user: User, submission_id: str) -> str:
    """Screen the submission's answers with the newest served version of its pack, on today's date."""
    now = office.settings.clock()
    with office.store.write() as conn:
        row = load(conn, submission_id)
        newer = office.packs.newer_than(row["pack_digest"])
        if newer is None:
            raise ApiError(409, "no_newer_pack", "", f"no newer version of {row['protocol_id']} than {row['protocol_version']} is served")
        today = local_date(now)
        result = newer.protocol.screen(json.loads(row["answers"]), today=today)
        if conn.execute(select(packs_table.c.digest).where(packs_table.c.digest == newer.digest)).first() is None:
            conn.execute(packs_table.insert(), dict(digest=newer.digest, protocol_id=newer.protocol.id,
                                                    version=newer.protocol.version, text=newer.text, stored_at=timestamp(now)))
        conn.execute(rescreenings.insert(), dict(submission_id=submission_id, pack_digest=newer.digest, today=today,
                                                  outcome=result.outcome, result=result.to_json(), at=timestamp(now),
                                                  by=user.name))
        audit.append(conn, at=timestamp(now), event="rescreened", actor=user.name, submission_id=submission_id,
                     details={"pack_digest": newer.digest, "version": newer.protocol.version, "today": today,
                              "outcome": result.outcome})
        return result.outcome
