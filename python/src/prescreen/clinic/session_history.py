"""The clinic's own treatment records as an answer the engine screens: before a further session, the
patient's answers are screened again on the session's date with the clinic's last recorded session
filled in, so the pack's session-interval rule (its waiting period, its message and its date) decides,
never Python.

The pack names the two answers the records stand for (the micro-needling pack's
``previous_microneedling`` and ``previous_microneedling_date``); the patient's own answer is kept when
it names a later session (one at another clinic, say).

The clinic's last session is the patient's, under any of their submissions (patients.py says how a
patient is recognised): a patient who fills in the form again before a further session is still
held to the interval from the session recorded under the earlier submission."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, NamedTuple, Optional

from sqlalchemy import select

import prescreen

from .errors import ApiError
from .schema import submissions, treatments

# The pack's answer ids for "a professional session on the area before" and its date.
PREVIOUS_SESSION = "previous_microneedling"
PREVIOUS_SESSION_DATE = "previous_microneedling_date"
BARRING = ("deferred", "not_eligible")


class LastSession(NamedTuple):
    session_date: str
    submission_id: str  # the submission it was recorded under


def last_session_on_or_before(conn, submission_id: str, day: str) -> Optional[LastSession]:
    """The latest session the clinic recorded for this submission's patient (under any of their
    submissions) on or before ``day`` (ISO dates compare as text), or None."""
    key = conn.execute(select(submissions.c.patient_key).where(submissions.c.id == submission_id)).scalar()
    same_patient = submissions.c.patient_key == key if key else submissions.c.id == submission_id
    row = conn.execute(select(treatments.c.session_date, treatments.c.submission_id)
                       .select_from(treatments.join(submissions, treatments.c.submission_id == submissions.c.id))
                       .where(same_patient, treatments.c.session_date <= day)
                       .order_by(treatments.c.session_date.desc(), treatments.c.at.desc()).limit(1)).first()
    return LastSession(row.session_date, row.submission_id) if row else None


def answers_with_clinic_session(answers: Mapping[str, Any], last_session: str) -> Dict[str, Any]:
    """The patient's answers with the clinic's last session as the previous session, unless the patient
    already gave a later one."""
    merged = dict(answers)
    own = merged.get(PREVIOUS_SESSION_DATE) if merged.get(PREVIOUS_SESSION) is True else None
    merged[PREVIOUS_SESSION] = True
    if not isinstance(own, str) or own < last_session:
        merged[PREVIOUS_SESSION_DATE] = last_session
    return merged


def check_interval(protocol: prescreen.Protocol, answers: Mapping[str, Any], last: Optional[LastSession],
                   session_date: str, submission_id: Optional[str] = None) -> None:
    """Refuse a session the engine defers once the clinic's last session is known (409, with the
    findings' own dates and, when it was recorded under another submission, that submission's id);
    nothing to check before the first session."""
    if last is None:
        return
    last_session = last.session_date
    result = protocol.screen(answers_with_clinic_session(answers, last_session), today=session_date)
    # Only a finding that bars the session counts: a wait (deferred) or not_eligible. The form's
    # follow-up questions about the earlier session (e.g. a reaction to it) stay unanswered here and
    # make the result "incomplete": the practitioner recorded that session, so that is no refusal.
    if result.outcome not in BARRING:
        return
    findings: List[Dict[str, Any]] = [f for f in result.to_dict()["findings"] if f["outcome"] in BARRING]
    reasons = "; ".join(f"{f['rule']} ({f['outcome']}" + (f", clears on {f['defer_until']})" if f.get("defer_until") else ")")
                        for f in findings)
    under = f", recorded under submission {last.submission_id}" if last.submission_id != submission_id else ""
    raise ApiError(409, "session_too_soon", "/session_date",
                   f"screened on {session_date} with the clinic's last session ({last_session}{under}): "
                   f"{result.outcome}: {reasons}")
