"""Protocol.consent and Protocol.information_record: their Python arguments checked and named, then
given to the engine as one request object (the form the WebAssembly package gives too), which the
engine reads and refuses field by field with a code and a JSON Pointer path."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Dict, Optional



def _ids(value: Any, argument: str) -> Any:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(f"{argument}: expected a list of acknowledgement ids")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{argument}[{i}]: expected str, got {type(item).__name__}")
    return list(value)


def _instant(value: Any, argument: str) -> Any:
    # The module writes a date or date-time as ISO text; the engine validates the text.
    if isinstance(value, (str, datetime.date)) or type(value).__name__ == "datetime64":
        return value
    raise TypeError(f"{argument}: expected an ISO date or date-time string, datetime.date or datetime.datetime, "
                    f"got {type(value).__name__}")


def _optional_str(value: Any, argument: str) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{argument}: expected str, got {type(value).__name__}")
    return value


def consent(self: Any, answers: Any, *, today: Any, acknowledged: Any, signature: Any, signed_at: Any,
            information_shown_at: Any, patient_reference: Any = None, practitioner_override: Any = None,
            seal_key: Any = None, locale: Any = None, countersignature: Any = None, information_record: Any = None,
            procedure: Any = None) -> Any:
    """Screen again and return the canonical consent record; UsageError (a ValueError) with code
    consent_not_permitted when the outcome does not permit consent."""
    if not isinstance(signature, Mapping):
        raise TypeError("signature: expected a mapping like {'name': ..., 'role': 'patient'}")
    if practitioner_override is not None and (isinstance(practitioner_override, (str, bytes)) or
                                              not isinstance(practitioner_override, (Mapping, Sequence))):
        raise TypeError("practitioner_override: expected None, a mapping {'finding': ..., 'name': ..., ...} or a list of them")
    request: Dict[str, Any] = {
        "acknowledged": _ids(acknowledged, "acknowledged"), "signature": signature,
        "signed_at": _instant(signed_at, "signed_at"),
        "information_shown_at": _instant(information_shown_at, "information_shown_at"),
        "patient_reference": _optional_str(patient_reference, "patient_reference"),
        "practitioner_override": practitioner_override, "countersignature": countersignature,
        "procedure": procedure,
    }
    return self._consent(answers, request, today=today, locale=locale, seal_key=seal_key,
                         information_record=information_record)


def information_record(self: Any, *, today: Any, acknowledged: Any, information_shown_at: Any, read_at: Any,
                       patient_reference: Any = None, seal_key: Any = None, locale: Any = None) -> Any:
    """The pre-visit record of two-step consent: the information was shown and read (pre_visit
    acknowledgements), in the language the patient read (``locale``, recorded)."""
    request = {"acknowledged": _ids(acknowledged, "acknowledged"),
               "information_shown_at": _instant(information_shown_at, "information_shown_at"),
               "read_at": _instant(read_at, "read_at"),
               "patient_reference": _optional_str(patient_reference, "patient_reference")}
    return self._information_record(request, today=today, locale=locale, seal_key=seal_key)
