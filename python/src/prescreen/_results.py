"""How every result reads its JSON: keys, ``result[key]``, attributes, equality, pickling and each
class's named fields. The compiled module holds the JSON (``to_dict``, ``to_json``, ``keys`` and
``_field``) and reads a screening's outcome, dates and findings from the engine's record; the rest
is the same for every result and lives here, written once."""

from __future__ import annotations

from typing import Any

from . import _core

_MISSING = object()


def _getitem(self: Any, key: str) -> Any:
    if key not in self.keys():
        raise KeyError(key)
    return self._field(key)


def _getattr(self: Any, name: str) -> Any:
    # Every top-level field is an attribute too (the named ones are properties, below).
    if name.startswith("__") or name not in self.keys():
        raise AttributeError(name)
    return self._field(name)


def _eq(self: Any, other: Any) -> Any:
    if not isinstance(other, _core.Result):
        return NotImplemented
    return type(self) is type(other) and self.to_dict() == other.to_dict()


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


for _name, _method in (("__getitem__", _getitem), ("__contains__", lambda self, key: key in self.keys()),
                       ("__getattr__", _getattr), ("__eq__", _eq), ("__hash__", _hash),
                       ("__reduce__", _reduce), ("__repr__", _repr)):
    setattr(_core.Result, _name, _method)


def _field(key: str, doc: str, date: bool = False) -> property:
    return property(lambda self: self._field(key, date), doc=doc)


def _constant(value: Any, doc: str) -> property:
    return property(lambda self: value, doc=doc)


# Each class's named fields: (attribute, JSON key, date?, doc). ScreeningResult's outcome, dates,
# findings and finding_ids are the compiled module's (read from the engine's record).
_FIELDS = {
    _core.FormState: [
        ("visible", "visible", False, "Visible item ids in questionnaire order."),
        ("missing_required", "missing_required", False, "Visible required items without a valid answer."),
        ("issues", "issues", False, "Invalid answers: dicts with item, code, path, message."),
        ("ignored", "ignored", False, "Answered items that are not visible (their answers are not used)."),
        ("progress", "progress", False, "{answered, required, answered_required, percent}."),
        ("complete", "complete", False, "No missing required items and no issues."),
        ("protocol", "protocol", False, "{id, version, digest} of the protocol used."),
    ],
    _core.ScreeningResult: [
        ("missing_required", "missing_required", False, "Visible required items without a valid answer."),
        ("issues", "issues", False, "Invalid answers (dicts with item, code, path, message)."),
        ("aftercare", "aftercare", False, "Aftercare instructions (dicts with id, phase, text)."),
        ("course", "course", False, "Course plan dict or None."),
        ("protocol", "protocol", False, "{id, version, digest} of the protocol used."),
    ],
    _core.Finding: [
        ("rule", "rule", False, "Rule id."),
        ("outcome", "outcome", False, "The rule's outcome."),
        ("defer_until", "defer_until", True, "datetime.date or None."),
        ("message", "message", False, "Plain-language message for the patient."),
        ("clinician_note", "clinician_note", False, "Note for the practitioner."),
        ("sources", "sources", False, "Source ids."),
        ("trace", "trace", False, "{answers, parameters} the rule read."),
    ],
    _core.RowError: [
        ("error", "error", False, "{code, path, message}."),
        ("code", "error/code", False, "Error code, e.g. malformed_json."),
        ("path", "error/path", False, "JSON Pointer into the row."),
        ("message", "error/message", False, "What went wrong."),
    ],
    _core.ConsentRecord: [
        ("digest", "digest", False, "SHA-256 hex of the canonical record."),
        ("valid_until", "valid_until", True, "datetime.date after which the consent has expired."),
        ("signed_at", "signed_at", False, "ISO date-time of the signature."),
    ],
    _core.ConsentVerification: [
        ("valid", "valid", False, "True when no problem was found."),
        ("problems", "problems", False, "Every problem found (dicts with code, path, message)."),
    ],
    _core.ConsentStatus: [
        ("status", "status", False, "active | expired | withdrawn | superseded | not_yet_signed | invalid."),
        ("valid_until", "valid_until", True, "datetime.date or None."),
        ("problems", "problems", False, "Verification problems (when invalid)."),
    ],
}
for _cls, _fields in _FIELDS.items():
    for _attribute, _key, _date, _doc in _fields:
        setattr(_cls, _attribute, _field(_key, _doc, _date))

_core.ScreeningResult.ok = _constant(True, "True (a RowError in a batch has ok = False).")
_core.ScreeningResult.error = _constant(None, "None (no error).")
_core.RowError.ok = _constant(False, "False.")
_core.RowError.outcome = _constant(None, "None.")
_core.ConsentVerification.__bool__ = lambda self: self._field("valid") is True
