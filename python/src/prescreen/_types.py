"""Error types and small value types shared by the compiled module and the Python layer."""

from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Any, Iterator, List, Optional

__all__ = ["Diagnostic", "ProtocolError", "UsageError", "InvalidRow"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a stable ``code``, a JSON Pointer ``path`` and a ``message`` for whoever fixes it.

    Also readable like the C++ JSON object: ``d["code"]``, ``dict(d)``, ``d.to_dict()``.
    """

    code: str
    path: str
    message: str

    def to_dict(self) -> dict:
        """``{"code", "path", "message"}`` exactly as the C++ engine serialises it."""
        return {"code": self.code, "path": self.path, "message": self.message}

    def __getitem__(self, key: str) -> str:
        if key in ("code", "path", "message"):
            return getattr(self, key)
        raise KeyError(key)

    def keys(self) -> List[str]:
        return ["code", "path", "message"]

    def __iter__(self) -> Iterator[str]:  # so dict(d) works
        return iter(self.keys())

    def __str__(self) -> str:
        return f"{self.code} at '{self.path}': {self.message}"


class ProtocolError(ValueError):
    """A protocol pack (or JsonLogic rule) that cannot be loaded.

    A subclass of :class:`ValueError`, so ``except ValueError`` also catches it. ``diagnostics`` lists
    every problem found at once, each a :class:`Diagnostic` with ``code``, ``path`` and ``message``.
    """

    def __init__(self, message: str, diagnostics: Optional[List[Diagnostic]] = None):
        super().__init__(message)
        self.diagnostics: List[Diagnostic] = list(diagnostics or [])

    def to_dict(self) -> dict:
        """The engine's error envelope ``{"error": {code, path, message, diagnostics}}``, exactly the
        C++ ``ProtocolError::to_json()`` (docs/errors.md)."""
        from . import _core

        return _core._protocol_error_envelope([d.to_dict() for d in self.diagnostics])

    def __reduce__(self):
        return (type(self), (str(self), self.diagnostics))


class UsageError(ValueError):
    """Misuse reported by the engine (e.g. consent refused: ``code == "consent_not_permitted"``).

    A subclass of :class:`ValueError`; ``diagnostic`` (also ``code``, ``path``) says what was wrong.
    """

    def __init__(self, message: str, diagnostic: Optional[Diagnostic] = None):
        super().__init__(message)
        self.diagnostic = diagnostic or Diagnostic("usage_error", "", message)

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def path(self) -> str:
        return self.diagnostic.path

    @property
    def diagnostics(self) -> List[Diagnostic]:
        return [self.diagnostic]

    def __reduce__(self):
        return (type(self), (str(self), self.diagnostic))


@dataclass(frozen=True)
class InvalidRow:
    """A row a reader could not read (e.g. a malformed CSV line). Passed to ``screen_many`` it becomes a
    ``RowError`` in its place, so no input row is ever dropped."""

    code: str
    path: str
    message: str
    line: Optional[int] = None

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "path": self.path, "message": self.message}}


@functools.lru_cache(maxsize=8)
def _restore_protocol(text: str, overrides: str) -> Any:
    """Unpickle a Protocol (see ``Protocol.__reduce__``): recompile the pack from its JSON text,
    once per process (a Protocol is immutable: the tasks of a Dask or multiprocessing worker that
    each receive the same pickled pack share one compiled copy)."""
    from . import _core

    return _core._load_state(text, overrides)
