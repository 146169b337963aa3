"""What a Protocol is as a Python object: loaded from a file, equal to another loaded from the same
pack and overrides, printed, and pickled as its JSON text (the receiving process recompiles it)."""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

from . import _core
from ._types import _restore_protocol


def from_file(path: Any, overrides: Any = None, *, translations: Any = None) -> Any:
    """Load a pack from a JSON file, with translation documents merged in. Raises OSError or ProtocolError."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path: expected str or os.PathLike, got {type(path).__name__}")
    return _core.Protocol.from_json(pathlib.Path(os.fsdecode(path)).read_bytes(), overrides, translations=translations)


def _eq(self: Any, other: Any) -> Any:
    if not isinstance(other, _core.Protocol):
        return NotImplemented
    return self.digest == other.digest and self.overrides == other.overrides


def _repr(self: Any) -> str:
    return f"Protocol(id='{self.id}', version='{self.version}', digest='{self.digest[:12]}...')"


def _reduce(self: Any) -> Any:
    return (_restore_protocol, (self.to_json(), json.dumps(self.overrides)))


_core.Protocol.from_file = staticmethod(from_file)
for _name, _method in (("__eq__", _eq), ("__hash__", lambda self: hash(self.digest)), ("__repr__", _repr),
                       ("__reduce__", _reduce)):
    setattr(_core.Protocol, _name, _method)
