"""``verify-store``: the audit chain holds, and every stored submission matches what its `received`
audit row recorded (so an edited or deleted submission is found too). A consent signed later, at the
consultation, is checked against its own `consent_signed` audit row instead (the submission had no
consent record when it was received)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from sqlalchemy import select

import prescreen

from . import audit
from .schema import audit as audit_table
from .schema import submissions
from .storage import Store
from .submissions import content_digest


def verify_store(store: Store) -> Dict[str, Any]:
    with store.read() as conn:
        problems: List[Dict[str, Any]] = audit.verify_chain(conn)
        received = {}
        for row in conn.execute(select(audit_table.c.seq, audit_table.c.submission_id, audit_table.c.details)
                                .where(audit_table.c.event == "received")):
            try:
                received[row.submission_id] = (row.seq, json.loads(row.details))
            except ValueError:
                pass  # already reported as a changed row
        signed = {}
        for row in conn.execute(select(audit_table.c.submission_id, audit_table.c.details)
                                .where(audit_table.c.event == "consent_signed")):
            try:
                signed[row.submission_id] = json.loads(row.details)
            except ValueError:
                pass  # already reported as a changed row
        count = 0
        for row in conn.execute(select(submissions.c.id, submissions.c.answers, submissions.c.result,
                                       submissions.c.result_on_receipt, submissions.c.consent_record,
                                       submissions.c.receipt, submissions.c.information_record)):
            count += 1
            entry = received.pop(row.id, None)
            if entry is None:
                problems.append({"code": "submission_not_in_audit", "submission_id": row.id,
                                 "message": f"submission {row.id} has no `received` row in the audit log"})
                continue
            at_consultation = signed.get(row.id)
            if at_consultation is not None and prescreen.sha256_hex(row.consent_record or "") != at_consultation.get("record_text_digest"):
                problems.append({"code": "consent_changed", "submission_id": row.id,
                                 "message": f"the consent signed at the consultation for {row.id} was changed after signing"})
            received_record = None if at_consultation is not None else row.consent_record
            digest = content_digest(row.answers, row.result, row.result_on_receipt, received_record, row.receipt,
                                    row.information_record)
            if digest != entry[1].get("content_digest"):
                problems.append({"code": "submission_changed", "submission_id": row.id, "seq": entry[0],
                                 "message": f"submission {row.id} was changed after it was received"})
        for submission_id, (seq, _) in received.items():
            problems.append({"code": "submission_missing", "submission_id": submission_id, "seq": seq,
                             "message": f"submission {submission_id} (audit row {seq}) is missing from the store"})
        rows = conn.execute(select(audit_table.c.seq).order_by(audit_table.c.seq.desc()).limit(1)).scalar() or 0
    return {"valid": not problems, "audit_rows": rows, "submissions": count, "problems": problems}
