"""The back office's one error shape: ``{"error": {"code", "path", "message"}}`` with a 4xx status
(or 503/507 when the store cannot take the write). Codes are stable; paths are JSON Pointers into
the request body ("" = the whole body)."""

from __future__ import annotations

from typing import Any, Dict


class ApiError(Exception):
    def __init__(self, status: int, code: str, path: str, message: str, headers: Dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.path = path
        self.message = message
        self.headers = headers or {}

    def body(self) -> Dict[str, Any]:
        return {"error": {"code": self.code, "path": self.path, "message": self.message}}


def pointer(*parts: Any) -> str:
    """A JSON Pointer from path parts (RFC 6901 escaping of ~ and /)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
