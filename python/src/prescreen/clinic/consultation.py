"""Consent at the consultation: the second step of two-step consent (docs/consent.md).

Before the visit the patient read the consent document in the form and confirmed its pre_visit
statements; the back office sealed that record on receipt (``submissions.information_record``). At
the consultation a logged-in practitioner opens "Consent at the consultation" for the submission on
the clinic's tablet: the patient reads the document again, section by section, ticks each statement
of the section beside its text (each material risk on its own), chooses each use of photographs
separately, and signs with a typed name, optionally with a drawn signature as well (vector strokes,
kept inside the record's digest; the typed name is the alternative to dragging, WCAG 2.5.7).

The engine decides everything: ``Protocol.consent`` screens the stored answers again on the day of
signing, checks the statements, the pre-visit record (this pack's, read before signing, sealed with
this back office's key), the signature and the practitioner's countersignature, and counts the
cooling-off and validity from the signing. What it refuses (``consent_not_permitted``,
``missing_acknowledgement``, ...) is shown on the page with its message, and every tick, the name and
the drawing are kept. The record is sealed by the engine, signed with the clinic's Ed25519 key like a
sent one, and stored with its ``consent_signed`` audit row in one transaction; from then on the
submission's page, the countersign action and the PDF show it like any other record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import update
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

import prescreen

from . import actions, audit, consultation_wording, sealing
from .clock import local_date, timestamp
from .errors import ApiError
from .patients import patient_key
from .schema import submissions

HERE = Path(__file__).parent
MAX_STROKES_TEXT = 400_000  # the engine allows 20,000 points; "[65535,65535]," is 14 characters each
ROLE = "patient"


@dataclass
class Refusal:
    """What the engine (or the form) refused, as shown on the page; for missing statements, the
    statements the engine's message names, so the page can link to each."""
    code: str
    path: str
    message: str
    statements: List[Mapping[str, Any]]


def named_statements(message: str, consent: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    """The acknowledgements an engine message names ("not acknowledged: risk_a, risk_b"), in document order."""
    named = {part.strip() for part in message.rpartition(":")[2].split(",")}
    return [ack for ack in consent.get("acknowledgements", []) if ack.get("id") in named]


def consent_texts(protocol: prescreen.Protocol, answers: Mapping[str, Any], today: str,
                  locale: Optional[str] = None) -> Dict[str, Any]:
    """The consent document as this patient reads it, from the engine (consent_document): only the
    acknowledgements that apply to this screening (a keloid patient confirms the keloid risk, others
    never see it), each with its stage and whether it is required at signing, in ``locale``."""
    return protocol.consent_document(dict(answers), today=today, locale=locale)


def has_texts(protocol: prescreen.Protocol, locale: str) -> bool:
    """Whether this loaded protocol has texts in ``locale`` (a declared translation the back office
    could not load has none), asked of the engine (about a millisecond; not cached, because two
    back offices in one process may load the same pack with different translations)."""
    try:
        protocol.texts(locale=locale)
        return True
    except ValueError:
        return False


def patient_locale(row: Mapping[str, Any]) -> Optional[str]:
    """The language the patient read the consent information in (the pre-visit record's, sealed or
    kept unsealed), else the language they filled in the form in."""
    if row["information_record"]:
        locale = json.loads(row["information_record"]).get("locale")
        if isinstance(locale, str) and locale:
            return locale
    return row["locale"] or None


def consent_language(pack, row: Mapping[str, Any], asked: Optional[str]):
    """(the wording to show, the languages offered): the practitioner's choice (``asked``), else the
    patient's; only languages the pack's loaded protocol has texts in and the page has wording for."""
    document = json.loads(pack.text)
    loaded = [t for t in consultation_wording.pack_locales(document) if has_texts(pack.protocol, t)]
    choices = consultation_wording.offered(document, loaded)
    return consultation_wording.choose(asked, patient_locale(row), choices), choices


def document_view(consent: Mapping[str, Any], information: Optional[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Sections in document order, each with its statements: those to tick now, and the pre_visit ones
    the patient already confirmed before the visit (only when a pre-visit record holds them)."""
    confirmed = set(information.get("acknowledgements", [])) if information else set()
    by_section: Dict[str, List[Mapping[str, Any]]] = {}
    for ack in consent.get("acknowledgements", []):
        by_section.setdefault(ack.get("section") or "", []).append(ack)
    view = []
    for section in consent.get("sections", []):
        acks = by_section.pop(section.get("id"), [])
        view.append({"id": section.get("id"), "title": section.get("title", ""),
                     "paragraphs": [p.strip() for p in str(section.get("text", "")).split("\n\n") if p.strip()],
                     "confirmed": [a for a in acks if a["id"] in confirmed],
                     "required": [a for a in acks if a["id"] not in confirmed and a.get("required", True)],
                     "optional": [a for a in acks if a["id"] not in confirmed and not a.get("required", True)]})
    for section_id, acks in by_section.items():  # statements outside any section, at the end
        view.append({"id": section_id or "other", "title": "", "paragraphs": [], "confirmed": [],
                     "required": [a for a in acks if a.get("required", True)],
                     "optional": [a for a in acks if not a.get("required", True)]})
    return view


def read_strokes(text: str) -> Optional[List[Any]]:
    """The drawn signature from the form's hidden field: None when nothing was drawn. The engine
    checks the points themselves (integers 0..65535, at most 20,000)."""
    text = (text or "").strip()
    if not text or text == "[]":
        return None
    if len(text) > MAX_STROKES_TEXT:
        raise ApiError(422, "signature_too_large", "/signature/strokes", "the drawn signature has too many points: clear it and sign again")
    try:
        strokes = prescreen.parse_json(text)
    except (ValueError, TypeError) as e:
        raise ApiError(422, "invalid_strokes", "/signature/strokes", f"the drawn signature could not be read: {e}") from None
    if not isinstance(strokes, list):
        raise ApiError(422, "invalid_strokes", "/signature/strokes", "the drawn signature must be a list of strokes")
    return strokes or None


def countersignature_of(user, fields: Mapping[str, str]) -> Dict[str, str]:
    """The logged-in practitioner as the engine's countersignature (register and number when given)."""
    signer = {"name": user.name, "role": (fields.get("cs_role") or "").strip() or user.role}
    for key, field in (("register", "cs_register"), ("registration_number", "cs_number")):
        value = (fields.get(field) or "").strip()
        if value:
            signer[key] = value
    return signer


# The Procedure block: the page's field for each of the engine's `procedure` fields (docs/consent.md).
PROCEDURE_FIELDS = (("device_model", "device"), ("device_cartridge_lot", "cartridge_lot"),
                    ("needle_depth_range", "needle_depth"), ("topical_products", "products"))


def procedure_of(fields: Mapping[str, str]) -> Optional[Dict[str, str]]:
    """The Procedure block as the engine's `procedure` (device, cartridge lot, needle depth, products),
    each as typed; blank fields are left out, and None (no procedure recorded) when all are blank.
    The depth is asked in mm, so the unit is written into the record with it."""
    procedure = {}
    for key, field in PROCEDURE_FIELDS:
        value = (fields.get(field) or "").strip()
        if value:
            procedure[key] = value
    depth = procedure.get("needle_depth_range")
    if depth and not depth.lower().endswith("mm"):
        procedure["needle_depth_range"] = depth + " mm"
    return procedure or None


def sign(office, user, submission_id: str, fields: Mapping[str, str], acknowledged: Sequence[str],
         locale: Optional[str] = None) -> Dict[str, Any]:
    """The engine's signed, sealed record for this submission, stored with its audit row; ``locale``
    is the language the patient read the document in at signing (recorded inside the digest)."""
    now = office.settings.clock()
    signed_at = timestamp(now)
    with office.store.read() as conn:
        row = actions.load(conn, submission_id)
    if row["consent_record"]:
        raise ApiError(409, "already_signed", "", "this submission has a signed consent already")
    pack = office.packs.get(row["pack_digest"])
    if pack is None:
        raise ApiError(409, "unknown_pack", "", "the pack this submission was screened with is no longer served here")
    answers = json.loads(row["answers"])
    information = sealed_information(row)
    signature: Dict[str, Any] = {"name": fields.get("signature_name", ""), "role": ROLE}
    strokes = read_strokes(fields.get("strokes", ""))
    if strokes is not None:
        signature["strokes"] = strokes
    # Without a sealed pre-visit record: first shown when the patient's page showed it (a record kept
    # unsealed), else when this page was (one-step consent).
    kept = json.loads(row["information_record"]) if row["information_record"] else {}
    shown_at = "" if information else (kept.get("information_shown_at") or fields.get("shown_at") or signed_at)
    try:
        record = pack.protocol.consent(
            answers, today=local_date(now), acknowledged=list(acknowledged), signature=signature, signed_at=signed_at,
            information_shown_at=shown_at, information_record=information,
            countersignature=countersignature_of(user, fields), procedure=procedure_of(fields),
            seal_key=office.keys.seal_key, locale=locale).to_dict()
    except (ValueError, TypeError) as e:
        raise ApiError(422, getattr(e, "code", None) or "consent_refused", getattr(e, "path", None) or "", str(e)) from None
    record["seal"]["signature"] = sealing.sign(office.keys.signing_key, sealing.RECORD_CONTEXT, record["digest"])
    text = prescreen.canonical_json(record)
    contact = json.loads(row["contact"]) if row["contact"] else None
    with office.store.write() as conn:
        current = actions.load(conn, submission_id)
        if current["consent_record"]:  # signed on another tablet meanwhile
            raise ApiError(409, "already_signed", "", "this submission has a signed consent already")
        conn.execute(update(submissions).where(submissions.c.id == submission_id).values(
            consent_record=text, consent_digest=record["digest"], patient_key=patient_key(answers, record, contact)))
        audit.append(conn, at=signed_at, event="consent_signed", actor=user.name, submission_id=submission_id,
                     details={"consent_digest": record["digest"], "record_text_digest": prescreen.sha256_hex(text),
                              "signed_at": signed_at, "method": record["signer"].get("method"),
                              "information_record": record.get("information_record")})
    return record


def sealed_information(row: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The stored pre-visit record when the back office sealed it (the engine's consent() requires
    that); None for none, or for one kept unsealed (read in a language this server cannot load)."""
    if not row["information_record"]:
        return None
    record = json.loads(row["information_record"])
    return record if isinstance(record.get("seal"), Mapping) else None


def cooling_off_period(protocol: prescreen.Protocol, consent_document: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The pack's cooling-off period ({amount, unit}) for the page, from the engine's parameters."""
    name = consent_document.get("cooling_off")
    parameter = protocol.parameters.get(name) if name else None
    if not isinstance(parameter, Mapping):
        return None
    amount = parameter.get("value", parameter.get("default"))
    return {"amount": amount, "unit": parameter.get("unit", "days")} if isinstance(amount, int) else None


def install(app, office, *, require, checked_form, page) -> None:
    """The routes: the page (GET), signing (POST), and the signature pad's script."""

    def context(row, session, *, problem: Optional[Refusal] = None, fields: Optional[Mapping[str, str]] = None,
                ticked: Sequence[str] = (), asked: Optional[str] = None) -> Dict[str, Any]:
        pack = office.packs.get(row["pack_digest"])
        if pack is None:
            raise ApiError(409, "unknown_pack", "", "the pack this submission was screened with is no longer served here")
        now = office.settings.clock()
        answers = json.loads(row["answers"])
        information = sealed_information(row)
        unsealed = json.loads(row["information_record"]) if row["information_record"] and information is None else None
        record = actions.sealed_record(row)
        # Once signed, the page speaks the language the record says the patient read.
        words, languages = consent_language(pack, row, asked or (record or {}).get("locale"))
        consent = consent_texts(pack.protocol, answers, local_date(now), words.locale)
        document = json.loads(pack.text).get("consent", {})
        contact = json.loads(row["contact"]) if row["contact"] else {}
        cooling = cooling_off_period(pack.protocol, document)
        return dict(user=session.user, csrf_token=session.csrf_token, row=row, consent=consent, record=record,
                    sections=document_view(consent, information), information=information, unsealed=unsealed, contact=contact,
                    cooling=cooling, problem=problem, fields=fields or {},
                    ticked=set(ticked), shown_at=(fields or {}).get("shown_at") or timestamp(now),
                    words=words, t=words.say, count=words.count, languages=languages, patient_locale=patient_locale(row),
                    language_name=consultation_wording.language_name,
                    cooling_period=words.period(cooling["amount"], cooling["unit"]) if cooling and cooling["amount"] else None,
                    clinic_device=office.clinic.device)

    @app.get("/review/submissions/{submission_id}/consent")
    def consultation_page(request: Request, submission_id: str) -> Response:
        session = require(request, "act")
        _check_id(submission_id)
        with office.store.read() as conn:
            row = actions.load(conn, submission_id)
        return page("consultation.html", **context(row, session, asked=request.query_params.get("lang")))

    @app.post("/review/submissions/{submission_id}/consent")
    async def consultation_sign(request: Request, submission_id: str) -> Response:
        session = require(request, "act")
        _check_id(submission_id)
        form = await checked_form(request, session, max_fields=300)
        fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "acknowledged"}
        acknowledged = [v for v in form.getlist("acknowledged") if isinstance(v, str)]
        # The language the page was shown in (its hidden field), checked against what is offered.
        with office.store.read() as conn:
            row = actions.load(conn, submission_id)
        pack = office.packs.get(row["pack_digest"])
        locale = consent_language(pack, row, fields.get("locale"))[0].locale if pack is not None else None
        try:
            sign(office, session.user, submission_id, fields, acknowledged, locale=locale)
        except ApiError as e:
            if e.status != 422:
                raise
            # Shown on the page with everything the patient entered, so nothing is lost.
            with office.store.read() as conn:
                row = actions.load(conn, submission_id)
            refusal = Refusal(e.code, e.path, e.message, [])
            shown = context(row, session, problem=refusal, fields=fields, ticked=acknowledged, asked=locale)
            if e.code == "missing_acknowledgement":
                refusal.statements = named_statements(e.message, shown["consent"])
            return page("consultation.html", 422, **shown)
        return RedirectResponse(f"/review/submissions/{submission_id}/consent", status_code=303)

    @app.get("/review/static/signature.js")
    def signature_script() -> Response:
        return FileResponse(HERE / "static" / "signature.js", media_type="text/javascript; charset=utf-8")


def _check_id(submission_id: str) -> None:
    if not (submission_id.startswith("sub_") and len(submission_id) <= 40 and submission_id[4:].isalnum()):
        raise ApiError(404, "not_found", "", "no such submission")
