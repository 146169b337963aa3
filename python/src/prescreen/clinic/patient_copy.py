"""What the patient takes home after a session: the follow-up dates of the course plan.

Two ways, both from the same stored dates (treatment.follow_up_dates): the practitioner prints the
patient's copy from the review page and hands it over, and the patient's own form asks with
``POST /api/follow-ups {"submission_key"}`` (the random key only the patient's browser holds, sent in
the body, never in a URL) and gets the dates and a calendar file. Before the first session there are
no dates yet: that is the usual state of a form just sent, so it is an answer (200, ``last_session``
null, no dates), not an error the patient's page would have to tell apart from a failure."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import select

from .errors import ApiError, pointer
from .schema import submissions, treatments
from .submissions import KEY_PATTERN, parse_json_object


def latest_follow_ups(conn, submission_id: str) -> Optional[Dict[str, Any]]:
    """The last recorded session and the follow-up dates it gave, or None before the first session."""
    row = conn.execute(select(treatments.c.session_date, treatments.c.follow_ups)
                       .where(treatments.c.submission_id == submission_id)
                       .order_by(treatments.c.session_date.desc(), treatments.c.at.desc()).limit(1)).first()
    if row is None:
        return None
    dates: List[str] = json.loads(row.follow_ups)
    return {"last_session": row.session_date, "follow_ups": dates}


def for_patient(office, body: bytes, stamp: str) -> Dict[str, Any]:
    """The reply to ``POST /api/follow-ups``: {"submission_id", "last_session", "follow_ups", "calendar"}
    (``last_session`` and ``calendar`` null and no dates before the first session)."""
    from .treatment import calendar

    document = parse_json_object(body)
    for name in document:
        if name != "submission_key":
            raise ApiError(422, "unknown_field", pointer(name), f"unknown field {name!r} (expected: submission_key)")
    key = document.get("submission_key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ApiError(422, "invalid_submission_key", "/submission_key",
                       "submission_key must be the key the form sent the submission with")
    with office.store.read() as conn:
        found = conn.execute(select(submissions.c.id).where(submissions.c.submission_key == key)).first()
        latest = latest_follow_ups(conn, found.id) if found else None
    if found is None:
        raise ApiError(404, "not_found", "/submission_key", "no submission was sent with this key")
    if latest is None:
        return {"submission_id": found.id, "last_session": None, "follow_ups": [], "calendar": None}
    return {"submission_id": found.id, **latest, "calendar": calendar(found.id, latest["follow_ups"], stamp, office.clinic.name)}


def course_text(result: Mapping[str, Any]) -> Dict[str, Any]:
    """The course plan's own words for the printed copy (the pack's text, never Python's)."""
    course = result.get("course") if isinstance(result.get("course"), Mapping) else {}
    follow_up = course.get("follow_up") if isinstance(course.get("follow_up"), Mapping) else {}
    return {"text": course.get("text"), "follow_up_text": follow_up.get("text")}
