"""Treatment records, one per session: device, the sterile single-use cartridge's lot, needle depth
per area, products, test spot and immediate reaction. A record needs the consent it relies on to be
active on the session's date (the engine's consent_status); the course plan from the screening gives
the follow-up appointments (dates from the engine's date_add), also as a calendar file. A further
session is screened first with the clinic's last session filled in (session_history)."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any, Dict, List, Mapping

from sqlalchemy import func, select

import prescreen

from . import audit
from .actions import consent_events, signed_consent
from .accounts import User
from .clock import timestamp
from .errors import ApiError
from .schema import packs as packs_table
from .schema import treatments
from .session_history import check_interval, last_session_on_or_before

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEPTH = re.compile(r"^\s*([^:]{1,60}):\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")


def parse_depths(text: str) -> Dict[str, float]:
    """ "forehead: 0.5" per line -> {"forehead": 0.5} (millimetres)."""
    depths: Dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = DEPTH.match(line)
        if not m:
            raise ApiError(422, "invalid_needle_depth", f"/needle_depths/{number - 1}",
                           f"line {number}: write AREA: DEPTH in mm, e.g. 'cheeks: 1.0'")
        depth = float(m.group(2))
        if not 0 < depth <= 3.0:
            raise ApiError(422, "invalid_needle_depth", f"/needle_depths/{number - 1}", f"line {number}: depth must be over 0 and at most 3.0 mm")
        depths[m.group(1).strip()] = depth
    if not depths:
        raise ApiError(422, "missing_field", "/needle_depths", "give the needle depth for each treated area")
    return depths


def record_treatment(office, user: User, submission_id: str, fields: Mapping[str, str]) -> str:
    for name in ("session_date", "device", "cartridge_lot", "needle_depths", "immediate_reaction"):
        if not fields.get(name, "").strip():
            raise ApiError(422, "missing_field", f"/{name}", f"{name.replace('_', ' ')} is required")
    session_date = fields["session_date"].strip()
    try:
        if not DATE.match(session_date):
            raise ValueError
        prescreen.apply_logic({"date_add": [session_date, 0, "days"]})
    except ValueError:
        raise ApiError(422, "invalid_date", "/session_date", "session date must be YYYY-MM-DD (a real day)") from None
    record = {"device": fields["device"].strip(), "cartridge_lot": fields["cartridge_lot"].strip(),
              "needle_depths_mm": parse_depths(fields["needle_depths"]),
              "products": [p.strip() for p in fields.get("products", "").split(",") if p.strip()],
              "test_spot": fields.get("test_spot", "").strip() or "not done",
              "immediate_reaction": fields["immediate_reaction"].strip()}
    now = timestamp(office.settings.clock())
    with office.store.write() as conn:
        row, consent = signed_consent(conn, submission_id, "a treatment needs a signed consent: this submission has none")
        status = prescreen.consent_status(consent, f"{session_date}T12:00:00Z", consent_events(row),
                                          seal_key=office.keys.seal_key)
        if status.status != "active":
            raise ApiError(409, "consent_not_active", "/session_date",
                           f"the consent is {status.status} on {session_date}: no treatment can be recorded against it")
        # The session-interval rule, with the clinic's own records (session_history), by the pack the
        # patient screened with (kept in the store when this server no longer serves it).
        pack = office.packs.get(row["pack_digest"])
        protocol = pack.protocol if pack is not None else prescreen.Protocol.from_json(
            conn.execute(select(packs_table.c.text).where(packs_table.c.digest == row["pack_digest"])).scalar_one())
        check_interval(protocol, json.loads(row["answers"]), last_session_on_or_before(conn, submission_id, session_date),
                       session_date, submission_id)
        done = conn.execute(select(func.count()).select_from(treatments).where(treatments.c.submission_id == submission_id)).scalar()
        follow_ups = follow_up_dates(json.loads(row["result"]).get("course"), session_date, done + 1)
        treatment_id = "trt_" + secrets.token_hex(8)
        conn.execute(treatments.insert(), dict(id=treatment_id, submission_id=submission_id, consent_digest=consent["digest"],
                                               session_date=session_date, record=prescreen.canonical_json(record),
                                               follow_ups=json.dumps(follow_ups), at=now, by=user.name))
        audit.append(conn, at=now, event="treatment_recorded", actor=user.name, submission_id=submission_id,
                     details={"treatment_id": treatment_id, "session_date": session_date, "consent_digest": consent["digest"],
                              "cartridge_lot": record["cartridge_lot"]})
    return treatment_id


def follow_up_dates(course: Any, session_date: str, session_number: int) -> List[str]:
    """The course plan's remaining sessions after this one, interval_weeks apart."""
    if not isinstance(course, Mapping) or not isinstance(course.get("interval_weeks"), int):
        return []
    remaining = max(0, int(course.get("sessions", 0)) - session_number)
    return [prescreen.apply_logic({"date_add": [session_date, 7 * course["interval_weeks"] * i, "days"]})
            for i in range(1, remaining + 1)]


def _ics_text(text: str) -> str:
    """A TEXT value of an iCalendar property (RFC 5545 3.3.11): backslash, semicolon, comma and
    line breaks escaped, so a clinic's name cannot end the property or add one."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def calendar(submission_id: str, dates: List[str], stamp: str, clinic: str) -> str:
    """An iCalendar file (RFC 5545) with one all-day event per follow-up date."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//prescreen//back office//EN", "CALSCALE:GREGORIAN"]
    stamp_text = stamp[:19].replace("-", "").replace(":", "") + "Z"
    for number, day in enumerate(dates, start=1):
        compact = day.replace("-", "")
        lines += ["BEGIN:VEVENT", f"UID:{submission_id}-{compact}-{number}@prescreen", f"DTSTAMP:{stamp_text}",
                  f"DTSTART;VALUE=DATE:{compact}", f"SUMMARY:Micro-needling follow-up session {number}",
                  f"DESCRIPTION:{_ics_text(clinic)}: your next micro-needling session. Please call to confirm the time.",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
