"""The patient form's files, served read-only as web-demo/serve.mjs serves them: ``/`` the page,
``/wasm/`` the WebAssembly package, ``/protocols/`` the packs. Nothing outside a mount is served (no
"..", no absolute paths, no NUL), and server-side files are not part of the site."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import List, Optional, Tuple
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from .errors import ApiError

TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm",
         ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8"}
HIDDEN = {"serve.mjs", "README.md"}


def slim(prefix: str, full: Path, data: bytes) -> bytes:
    """What is sent for a file, lighter with the same meaning, as web-demo/serve.mjs's ``slim``
    (tests/web/static.test.mjs checks the two agree): JSON without its indentation, and the page's own
    scripts (the ``/`` mount) without comment lines and blank lines (they hold no multi-line strings)."""
    kind = full.suffix.lower()
    if kind == ".json":
        try:
            return json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except ValueError:
            return data
    if kind != ".js" or prefix != "/":
        return data
    kept, in_block = [], False
    for line in data.decode("utf-8").split("\n"):
        trimmed = line.strip()
        if in_block:
            in_block = not trimmed.endswith("*/")
            continue
        if trimmed.startswith("/*"):
            in_block = not trimmed.endswith("*/")
            continue
        if trimmed and not trimmed.startswith("//"):
            kept.append(line)
    return ("\n".join(kept) + "\n").encode("utf-8")


def resolve(mounts: List[Tuple[str, Path]], raw_path: str) -> Optional[Tuple[str, Path]]:
    path = unquote(raw_path)
    if "\0" in path or "\\" in path:
        return None
    for prefix, folder in mounts:
        if not path.startswith(prefix):
            continue
        parts = [p for p in path[len(prefix):].split("/") if p]
        if any(p in ("..", ".") or p.startswith(".") for p in parts):
            return None
        root = folder.resolve()
        full = (root.joinpath(*parts)).resolve()
        if full != root and root not in full.parents:
            return None
        if full.is_dir():
            full = full / "index.html"
        if prefix == "/" and full.name in HIDDEN:
            return None
        return (prefix, full) if full.is_file() else None
    return None


def files(mounts: List[Tuple[str, Path]]):
    async def serve(request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            raise ApiError(404, "not_found", "", f"no such API path: {request.url.path}")
        found = resolve(mounts, request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or request.url.path)
        if found is None:
            return PlainTextResponse("not found\n", status_code=404)
        prefix, full = found
        kind = TYPES.get(full.suffix.lower()) or mimetypes.guess_type(full.name)[0] or "application/octet-stream"
        # The form's clinic-api.js looks for this header to offer "Send to the clinic".
        headers = {"X-Prescreen-Clinic": "/api/submissions"} if full.suffix == ".html" else None
        if full.suffix.lower() in (".js", ".json"):
            return Response(slim(prefix, full, full.read_bytes()), media_type=kind, headers=headers)
        return FileResponse(full, media_type=kind, headers=headers)
    return serve
