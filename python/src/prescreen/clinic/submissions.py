"""Receiving a submission: ``POST /api/submissions``.

The browser's result is never trusted. The server checks the body field by field (JSON Pointer paths),
screens the answers with the very pack the browser used (its digest must be one this server serves) on
the patient's ``today`` (what the patient saw) and on its own date, makes the consent record again and
seals and signs it, then stores everything with a signed receipt and the audit row in ONE transaction:
either all of it is written or nothing is. A retry with the same submission key gets the stored
answer (200); the same key with a different body is refused (409).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

import orjson
from sqlalchemy import bindparam, select

import prescreen

from . import audit, sealing
from .clock import Clock, local_date, timestamp
from .errors import ApiError, pointer
from .keys import Keys
from .packs import Pack, Packs
from .patients import patient_key
from .schema import packs as packs_table
from .schema import submissions
from .group_commit import GroupCommit
from .storage import Store, insert_many

FIELDS = ("submission_key", "pack_digest", "answers", "today", "browser_result", "consent_record", "information_record",
          "contact", "locale")
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}$")
REQUIRED = ("submission_key", "pack_digest", "answers", "today")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# The review queue's order: refer first, then precautions, then deferred (with their dates), then the rest.
QUEUE_RANK = {"refer": 0, "eligible_with_precautions": 1, "deferred": 2, "not_eligible": 3, "incomplete": 4,
              "eligible": 5}
# Built once (SQLAlchemy caches their compiled form): the lookup by key, and the batch's stored keys.
_BY_KEY = (select(submissions.c.id, submissions.c.request_digest, submissions.c.receipt, submissions.c.consent_record)
           .where(submissions.c.submission_key == bindparam("key")))
_KEYS_STORED = (select(submissions.c.submission_key, submissions.c.id)
                .where(submissions.c.submission_key.in_(bindparam("keys", expanding=True))))
CONTACT_FIELDS = 20
CONTACT_TEXT = 500


@dataclass
class Reply:
    status: int
    body: Dict[str, Any]


def parse_json_object(body: bytes) -> Dict[str, Any]:
    """A request body that must be one JSON object: read_body without its fingerprint."""
    return read_body(body)[0]


def read_body(body: bytes) -> Tuple[Dict[str, Any], str]:
    """A request body that must be one JSON object, and its fingerprint for idempotency (SHA-256 of
    the engine's canonical JSON: key order and spacing do not matter). Read once by the engine's one
    strict reader (as the CLI, Python and JavaScript read JSON): duplicate keys, NaN/Infinity, lone
    surrogates, invalid UTF-8 and nesting too deep are refused with the engine's code and path."""
    try:
        document, canonical = prescreen._core._parse_json_canonical(body)
    except prescreen.UsageError as e:
        raise ApiError(400, e.code, e.path, f"the body is not valid JSON: {e}") from None
    if not isinstance(document, dict):
        raise ApiError(400, "not_an_object", "", f"the body must be a JSON object, got {type(document).__name__}")
    return document, prescreen.sha256_hex(canonical)


def stored_json(value: Any) -> str:
    """JSON text of a document kept as it came (answers, the browser's result, contact), keys sorted."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def parse_body(body: bytes) -> Tuple[Dict[str, Any], str]:
    """The submission in a body, checked field by field, and the body's fingerprint."""
    document, digest = read_body(body)
    for name in document:
        if name not in FIELDS:
            raise ApiError(422, "unknown_field", pointer(name), f"unknown field {name!r} (expected: {', '.join(FIELDS)})")
    for name in REQUIRED:
        if name not in document:
            raise ApiError(422, "missing_field", pointer(name), f"the field {name!r} is required")
    expect = {"submission_key": str, "pack_digest": str, "answers": dict, "today": str}
    for name, kind in expect.items():
        if not isinstance(document[name], kind):
            raise ApiError(422, "wrong_type", pointer(name),
                           f"{name} must be {'a string' if kind is str else 'an object'}, got {type(document[name]).__name__}")
    for name in ("browser_result", "consent_record", "information_record", "contact"):
        if document.get(name) is not None and not isinstance(document[name], dict):
            raise ApiError(422, "wrong_type", pointer(name), f"{name} must be an object or null")
    locale = document.get("locale")
    if locale is not None and (not isinstance(locale, str) or not LOCALE_PATTERN.match(locale)):
        raise ApiError(422, "invalid_locale", "/locale", "locale must be a language tag such as en-GB or ar, or null")
    if not KEY_PATTERN.match(document["submission_key"]):
        raise ApiError(422, "invalid_submission_key", "/submission_key",
                       "submission_key must be 16 to 128 letters, digits, '-' or '_' (e.g. a random UUID)")
    if not DIGEST_PATTERN.match(document["pack_digest"]):
        raise ApiError(422, "invalid_pack_digest", "/pack_digest", "pack_digest must be 64 lower-case hex digits (SHA-256)")
    for name, value in (document.get("contact") or {}).items():
        if not isinstance(value, str) or len(value) > CONTACT_TEXT or len(name) > 100:
            raise ApiError(422, "wrong_type", pointer("contact", name), f"contact fields are texts of at most {CONTACT_TEXT} characters")
    if len(document.get("contact") or {}) > CONTACT_FIELDS:
        raise ApiError(422, "too_many_fields", "/contact", f"contact has at most {CONTACT_FIELDS} fields")
    return document, digest


def summary(result: Mapping[str, Any]) -> Dict[str, Any]:
    """What a result says, for comparing two screenings: outcome, date and findings."""
    return {"outcome": result.get("outcome"), "defer_until": result.get("defer_until"),
            "findings": sorted(f.get("rule") for f in result.get("findings") or [] if isinstance(f, dict))}


def summary_of(result: prescreen.ScreeningResult) -> Dict[str, Any]:
    """summary() of the engine's own result, read from the result object without parsing its JSON."""
    until = result.defer_until
    return {"outcome": result.outcome, "defer_until": until.isoformat() if until else None,
            "findings": sorted(result.finding_ids)}


def content_digest(answers: str, result: str, result_on_receipt: str, consent_record: Optional[str], receipt: str,
                   information_record: Optional[str] = None) -> str:
    """Digest of a submission's unchangeable columns, kept in its `received` audit row (verify-store).
    The pre-visit record joins only when there is one, so digests of earlier submissions still hold."""
    parts = [answers, result, result_on_receipt, consent_record or "", receipt]
    if information_record:
        parts.append(information_record)
    return prescreen.sha256_hex("\n".join(parts))


class Receiver:
    def __init__(self, store: Store, packs: Packs, keys: Keys, clock: Clock):
        self.store = store
        self.packs = packs
        self.keys = keys
        self.clock = clock
        self._stored_packs: set = set()
        self._writer = GroupCommit(store, self._write_batch)

    def receive(self, body: bytes) -> Reply:
        document, digest = parse_body(body)
        try:
            return self._receive(document, digest)
        except ApiError as e:
            # A retry is answered from the store, even when this server would now refuse it (a pack it
            # no longer serves, say). Looked up only here: a new submission's key is checked by the
            # writer, in the transaction that stores it, so the common case costs no query of its own.
            if e.status >= 500 or e.code == "submission_key_reused":
                raise
            stored = self._stored(document["submission_key"], digest)
            if stored:
                return stored
            raise

    def _receive(self, document: Dict[str, Any], digest: str) -> Reply:
        pack = self.packs.get(document["pack_digest"])
        if pack is None:
            raise ApiError(422, "unknown_pack", "/pack_digest",
                           "this pack is not served here (the form may be out of date: reload it and send again)")
        protocol = pack.protocol
        now = self.clock()
        server_today = local_date(now)
        today = document["today"]
        try:
            protocol.screen({}, today=today)
        except (TypeError, ValueError) as e:
            raise ApiError(422, "invalid_date", "/today", f"today must be an ISO date YYYY-MM-DD: {e}") from None
        latest = prescreen.apply_logic({"date_add": [server_today, 1, "days"]})
        if today > latest:
            raise ApiError(422, "today_in_future", "/today",
                           f"today ({today}) is after the clinic's date ({server_today}) plus one day")
        answers = document["answers"]
        # One engine pass: the screening's own issues are the form's (docs/errors.md), so no separate form().
        try:
            result = protocol.screen(answers, today=today)
        except (TypeError, ValueError) as e:
            raise ApiError(422, "invalid_answers", "/answers", str(e)) from None
        result_json = result.to_json()
        issues = result.issues
        if issues:
            issue = issues[0]
            raise ApiError(422, "invalid_answers", pointer("answers", issue.get("item", "")),
                           f"{issue.get('code')}: {issue.get('message')}")
        on_receipt = result if server_today == today else protocol.screen(answers, today=server_today)
        on_receipt_json = on_receipt.to_json()
        flags: List[str] = []
        if summary_of(result) != summary_of(on_receipt):
            flags.append("result_changed_since_today")
        browser = document.get("browser_result")
        if browser is not None and summary(browser) != summary_of(result):
            flags.append("browser_result_differs")

        sealed = None
        record = document.get("consent_record")
        if record is not None:
            screening = record.get("screening") if isinstance(record.get("screening"), dict) else {}
            if record.get("protocol", {}).get("digest") if isinstance(record.get("protocol"), dict) else None:
                if record["protocol"]["digest"] != pack.digest:
                    raise ApiError(422, "consent_mismatch", "/consent_record/protocol/digest",
                                   "the consent record was made with another pack than pack_digest")
            if screening.get("today") not in (None, today):
                raise ApiError(422, "consent_mismatch", "/consent_record/screening/today",
                               "the consent record was made on another day than today")
            sealed = sealing.seal_record(protocol, answers, record, self.keys)
        # Two-step consent: the record that the patient read the consent document before the visit,
        # sealed here so that the consultation's consent() can rely on it.
        information = document.get("information_record")
        if information is not None:
            information = sealing.seal_information(protocol, information, self.keys, today)

        return self._store(document, digest, pack, now, server_today, result, result_json, on_receipt.outcome,
                           on_receipt_json, flags, sealed, information)

    # -- storing ---------------------------------------------------------------------------------

    def _stored(self, key: str, digest: str) -> Optional[Reply]:
        with self.store.read() as conn:
            row = conn.execute(_BY_KEY, {"key": key}).first()
        if row is None:
            return None
        if row.request_digest != digest:
            raise ApiError(409, "submission_key_reused", "/submission_key",
                           "this submission key was already used for a different submission")
        return Reply(200, self._reply_body(row.id, row.receipt, row.consent_record))

    @staticmethod
    def _reply_body(submission_id: str, receipt: str, consent_record: Optional[str]) -> Dict[str, Any]:
        body: Dict[str, Any] = {"submission_id": submission_id, "receipt": json.loads(receipt)}
        if consent_record:
            body["sealed_record"] = json.loads(consent_record)
        return body

    def _store(self, document, digest, pack: Pack, now, server_today, result, result_json, outcome_on_receipt,
               on_receipt_json, flags, sealed, information=None) -> Reply:
        submission_id = "sub_" + secrets.token_hex(10)
        received_at = timestamp(now)
        outcome = result.outcome
        until = result.defer_until
        receipt: Dict[str, Any] = {
            "receipt_type": "prescreen.receipt/1", "submission_id": submission_id,
            "submission_key": document["submission_key"], "received_at": received_at, "request_digest": digest,
            "pack_digest": pack.digest, "outcome": outcome, "flags": flags,
            "consent_digest": sealed["digest"] if sealed else None,
        }
        if information:
            receipt["information_digest"] = information["digest"]
        receipt["signature"] = sealing.sign(self.keys.signing_key, sealing.RECEIPT_CONTEXT, prescreen.canonical_json(receipt))
        receipt_json = prescreen.canonical_json(receipt)
        answers_json = stored_json(document["answers"])
        sealed_json = prescreen.canonical_json(sealed) if sealed else None
        information_json = prescreen.canonical_json(information) if information else None
        row = dict(
            id=submission_id, submission_key=document["submission_key"], request_digest=digest, received_at=received_at,
            received_on=server_today, today=document["today"], pack_digest=pack.digest, protocol_id=pack.protocol.id,
            protocol_version=pack.protocol.version, outcome=outcome, defer_until=until.isoformat() if until else None,
            outcome_on_receipt=outcome_on_receipt, queue_rank=QUEUE_RANK.get(outcome, 9),
            flags=json.dumps(flags), answers=answers_json, result=result_json, result_on_receipt=on_receipt_json,
            browser_result=stored_json(document["browser_result"]) if document.get("browser_result") is not None else None,
            consent_record=sealed_json, consent_digest=sealed["digest"] if sealed else None,
            contact=stored_json(document["contact"]) if document.get("contact") else None,
            patient_key=patient_key(document["answers"], sealed, document.get("contact")),
            receipt=receipt_json, status="new", information_record=information_json, locale=document.get("locale"))
        details = {"submission_key": document["submission_key"], "request_digest": digest,
                   "content_digest": content_digest(answers_json, result_json, on_receipt_json, sealed_json, receipt_json,
                                                     information_json),
                   "outcome": outcome, "flags": flags, "consent_digest": row["consent_digest"]}
        written = self._writer.submit((row, details, pack))
        self._stored_packs.add(pack.digest)  # only once a transaction holding it has committed
        if written is not None:  # the same key was stored first, by a retry in flight or another server
            return self._stored(document["submission_key"], digest) or Reply(503, ApiError(
                503, "store_busy", "", "please send again").body())
        body: Dict[str, Any] = {"submission_id": submission_id, "receipt": receipt}
        if sealed:
            body["sealed_record"] = sealed
        return Reply(201, body)

    def _write_batch(self, conn, items) -> List[Optional[str]]:
        """Inside the group commit's transaction: the batch's submissions, their packs (once) and their
        audit rows, a few statements for the whole batch. For each item, the id already stored under
        its key (then nothing is written for it), else None."""
        stored = dict(conn.execute(_KEYS_STORED, {"keys": [row["submission_key"] for row, _, _ in items]}).all())
        results: List[Optional[str]] = []
        rows, events = [], []
        for row, details, pack in items:
            key = row["submission_key"]
            if key in stored:  # stored before, or earlier in this batch (two sends of one key in flight)
                results.append(stored[key])
                continue
            stored[key] = row["id"]
            results.append(None)
            self._store_pack(conn, pack, row["received_at"])
            rows.append(row)
            events.append(audit.Event(row["received_at"], "received", "patient", row["id"], details))
        if rows:
            insert_many(conn, submissions, rows)
            audit.append_many(conn, events)
        return results

    def _store_pack(self, conn, pack: Pack, at: str) -> None:
        if pack.digest in self._stored_packs:
            return
        exists = conn.execute(select(packs_table.c.digest).where(packs_table.c.digest == pack.digest)).first()
        if exists is None:
            conn.execute(packs_table.insert(), dict(digest=pack.digest, protocol_id=pack.protocol.id,
                                                    version=pack.protocol.version, text=pack.text, stored_at=at))

