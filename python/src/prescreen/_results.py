"""How every result reads its JSON: attributes, hashing, pickling, repr and each class's named
fields. The compiled module holds the JSON (``to_dict``, ``to_json``, ``keys``, ``result[key]``,
equality and ``_field``) and reads a screening's outcome, dates and findings from the engine's
record; the rest is the same for every result and lives here, written once."""

from __future__ import annotations

from typing import Any

from . import _core

def _getattr(self: Any, name: str) -> Any:
    # Every top-level field is an attribute too (the named ones are properties, below).
    if name.startswith("__") or name not in self.keys():
        raise AttributeError(name)
    return self._field(name)


def _hash(self: Any) -> int:
    return hash(self.to_json())


def _reduce(self: Any) -> Any:
    # Pickled as its JSON text: the copy reads its fields from the JSON, as results read back do.
    return (_from_json, (type(self).__name__, self.to_json()))


def _repr(self: Any) -> str:
    text = self.to_json()
    return f"{type(self).__name__}({text[:197] + '...' if len(text) > 200 else text})"


def _from_json(kind: str, text: str) -> Any:
    """A result of class ``kind`` from its JSON text (unpickling)."""
    cls = getattr(_core, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, _core.Result) and cls is not _core.Result):
        raise ValueError(f"kind: not a result type: {kind}")
    return cls._from_json(text)


for _name, _method in (("__getattr__", _getattr), ("__hash__", _hash), ("__reduce__", _reduce), ("__repr__", _repr)):
    setattr(_core.Result, _name, _method)


def _field(key: str, doc: str, date: bool = False) -> property:
    # A compiled reader of this one field: a property read costs one call, as a compiled property's.
    return property(_core._field_reader(key, date), doc=doc)


def _constant(value: Any, doc: str) -> property:
    return property(lambda self: value, doc=doc)


# Each class's named fields and what they hold; each reads the JSON field of its name (dates as
# datetime.date; a RowError's code, path and message are its error's). ScreeningResult's outcome, dates, findings and finding_ids are the compiled
# module's (read from the engine's record).
_FIELDS = {
    _core.FormState: {
        "visible": "Visible item ids in questionnaire order.",
        "missing_required": "Visible required items without a valid answer.",
        "issues": "Invalid answers: dicts with item, code, path, message.",
        "ignored": "Answered items that are not visible (their answers are not used).",
        "progress": "{answered, required, answered_required, percent}.",
        "complete": "No missing required items and no issues.",
        "protocol": "{id, version, digest} of the protocol used.",
    },
    _core.ScreeningResult: {
        "missing_required": "Visible required items without a valid answer.",
        "issues": "Invalid answers (dicts with item, code, path, message).",
        "aftercare": "Aftercare instructions (dicts with id, phase, text).",
        "course": "Course plan dict or None.",
        "protocol": "{id, version, digest} of the protocol used.",
    },
    _core.Finding: {
        "rule": "Rule id.",
        "outcome": "The rule's outcome.",
        "defer_until": "datetime.date or None.",
        "message": "Plain-language message for the patient.",
        "clinician_note": "Note for the practitioner.",
        "sources": "Source ids.",
        "trace": "{answers, parameters} the rule read.",
    },
    _core.RowError: {
        "error": "{code, path, message}.",
        "code": "Error code, e.g. malformed_json.",
        "path": "JSON Pointer into the row.",
        "message": "What went wrong.",
    },
    _core.ConsentRecord: {
        "digest": "SHA-256 hex of the canonical record.",
        "valid_until": "datetime.date after which the consent has expired.",
        "signed_at": "ISO date-time of the signature.",
    },
    _core.ConsentVerification: {
        "valid": "True when no problem was found.",
        "problems": "Every problem found (dicts with code, path, message).",
    },
    _core.ConsentStatus: {
        "status": "active | expired | withdrawn | superseded | not_yet_signed | invalid.",
        "valid_until": "datetime.date or None.",
        "problems": "Verification problems (when invalid).",
    },
}
_DATES = {"defer_until", "valid_until"}
for _cls, _fields in _FIELDS.items():
    for _attribute, _doc in _fields.items():
        _key = f"error/{_attribute}" if _cls is _core.RowError and _attribute != "error" else _attribute
        setattr(_cls, _attribute, _field(_key, _doc, _attribute in _DATES))

_core.ScreeningResult.ok = _constant(True, "True (a RowError in a batch has ok = False).")
_core.ScreeningResult.error = _constant(None, "None (no error).")
_core.RowError.ok = _constant(False, "False.")
_core.RowError.outcome = _constant(None, "None.")
_core.ConsentVerification.__bool__ = lambda self: self._field("valid") is True
