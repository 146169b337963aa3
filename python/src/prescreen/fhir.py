"""HL7 FHIR R4 for prescreen packs, answers, consent records and screening results.

Every mapping is made by the C++ core (``prescreen/fhir.hpp``), so Python, JavaScript, C++ and the
CLI return the same resources; this module only converts between dicts and the core's JSON text.
See docs/fhir.md for the mapping::

    from prescreen import Protocol, fhir
    p = Protocol.from_file("protocols/microneedling/protocol.json")
    q = fhir.questionnaire(p)                                   # R4 Questionnaire (dict)
    qr = fhir.questionnaire_response(p, answers, today="2026-11-25")   # only enabled items' answers
    back = fhir.answers_from_response(p, qr)                    # {"answers": {...}, "issues": [...]}
    pack = fhir.import_questionnaire(resource)                  # a pack dict: Protocol.from_json(pack)
    fhir.consent(record), fhir.provenance(record), fhir.risk_assessment(result)

Errors: :class:`prescreen.ProtocolError` (with ``.diagnostics``, JSON Pointer paths into the input)
for input that is not what the function takes; answers that do not map back are ``issues``.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from . import _core
from ._core import Protocol

__all__ = ["questionnaire", "questionnaire_response", "answers_from_response", "import_questionnaire",
           "consent", "provenance", "risk_assessment"]

JSONLike = Union[Mapping[str, Any], str, bytes]


def _text(value: Any, argument: str) -> str:
    """JSON text of a dict, a JSON str/bytes, or an engine object with ``to_json()``."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{argument}: expected a JSON object (dict), JSON text or an engine result, got "
                        f"{type(value).__name__}: {e}") from None


def _today(today: Union[str, datetime.date]) -> str:
    if isinstance(today, datetime.date) and not isinstance(today, datetime.datetime):
        return today.isoformat()
    if isinstance(today, str):
        return today
    raise TypeError(f"today: expected an ISO date string or datetime.date, got {type(today).__name__}")


def questionnaire(protocol: Protocol, locale: Optional[str] = None) -> Dict[str, Any]:
    """The pack as an R4 Questionnaire; texts in ``locale`` (default: the pack's first locale)."""
    return json.loads(_core.fhir_questionnaire(protocol, locale or ""))


def questionnaire_response(protocol: Protocol, answers: JSONLike, today: Union[str, datetime.date],
                           locale: Optional[str] = None) -> Dict[str, Any]:
    """Answers as an R4 QuestionnaireResponse holding only valid answers to items enabled under them."""
    return json.loads(_core.fhir_questionnaire_response(protocol, _text(answers, "answers"), _today(today), locale or ""))


def answers_from_response(protocol: Protocol, response: JSONLike) -> Dict[str, Any]:
    """A QuestionnaireResponse for this pack as ``{"answers": {...}, "issues": [{code, path, message}]}``."""
    return json.loads(_core.fhir_answers_from_response(protocol, _text(response, "response")))


def import_questionnaire(resource: JSONLike) -> Dict[str, Any]:
    """An R4 Questionnaire as a pack document, loadable with ``Protocol.from_json``.

    What prescreen cannot represent is listed in ``pack["fhir"]["import_warnings"]``; errors (not a
    Questionnaire, an enableWhen naming a missing linkId, cycles, ...) raise ProtocolError.
    """
    return json.loads(_core.fhir_import_questionnaire(_text(resource, "resource")))


def consent(record: JSONLike, *, at: Optional[str] = None, events: Optional[Sequence[JSONLike]] = None,
            seal_key: Optional[str] = None) -> Dict[str, Any]:
    """A consent record as an R4 Consent, the record attached.

    With ``at`` (ISO date or date-time), the status is the record's at that time from ``events``
    (withdrawal and supersession events, later records; with ``seal_key`` only those sealed with it),
    as ``consent_status`` reads them: active, inactive once withdrawn/superseded/expired, proposed
    before signing. A record that does not verify or a refused event raises ProtocolError."""
    if at is None:
        if events or seal_key is not None:
            raise TypeError("events and seal_key need at= (the time the status is for)")
        return json.loads(_core.fhir_consent(_text(record, "record")))
    listed = "[" + ",".join(_text(e, f"events[{i}]") for i, e in enumerate(events or [])) + "]"
    return json.loads(_core.fhir_consent_at(_text(record, "record"), at, listed, seal_key))


def provenance(record: JSONLike) -> Dict[str, Any]:
    """A consent record's signature (digest and seal) as an R4 Provenance targeting the Consent."""
    return json.loads(_core.fhir_provenance(_text(record, "record")))


def risk_assessment(result: JSONLike, subject: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """A screening result as an R4 RiskAssessment; ``subject`` is a FHIR Reference to the patient."""
    return json.loads(_core.fhir_risk_assessment(_text(result, "result"), "" if subject is None else _text(subject, "subject")))
