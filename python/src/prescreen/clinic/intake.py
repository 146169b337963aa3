"""``POST /api/submissions`` as a plain ASGI handler, ahead of FastAPI's routing, middleware and
dependency machinery: it is the one request the clinic's tablets send in bulk, and for it those
layers cost more than the engine's screening and sealing (bench/clinic_submissions.py).

Same checks and replies as any API route: the flood limit per address, ``application/json``, the
body limit (``http.Guard`` wraps this handler, so its headers and limits apply), the error envelope
for every failure (never a bare 500). The work itself runs on a pool of threads of its own: many
submissions in flight let the group commit put many of them into one transaction. Every other
method and path goes on to the FastAPI app."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import ApiError

log = logging.getLogger("prescreen.clinic")

PATH = "/api/submissions"
THREADS = 64  # more than the 50 tablets a clinic may have sending at once


def encode(status: int, body: Dict[str, Any], headers: Dict[str, str]) -> Tuple[int, bytes, List[Tuple[bytes, bytes]]]:
    data = orjson.dumps(body)
    extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    return status, data, extra


class Intake:
    def __init__(self, app: ASGIApp, office: Any):
        self.app = app
        self.office = office
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="prescreen-intake")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        try:
            body = await self._read(scope, receive)
            status, data, extra = await asyncio.get_running_loop().run_in_executor(self.pool, self._receive, body)
        except ApiError as e:
            status, data, extra = encode(e.status, e.body(), e.headers)
        except Exception:  # never a bare 500 or a stack trace for the sender
            log.exception("unexpected error on POST %s", PATH)
            status, data, extra = encode(500, ApiError(500, "internal_error", "", "the clinic's server failed; nothing was saved").body(), {})
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())] + extra})
        await send({"type": "http.response.body", "body": data})

    async def _read(self, scope: Scope, receive: Receive) -> bytes:
        """The flood limit, the media type, then the body (Guard's receive stops it at the size limit)."""
        client = scope.get("client")
        self.office.submission_limit.take(client[0] if client else "unknown")
        kind = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                kind = value.split(b";")[0].strip().lower()
                break
        if kind != b"application/json":
            raise ApiError(415, "unsupported_media_type", "", "send the submission as application/json")
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ApiError(400, "bad_request", "", "the sender closed the connection before the body was sent")
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _receive(self, body: bytes) -> Tuple[int, bytes, List[Tuple[bytes, bytes]]]:
        try:
            reply = self.office.receiver.receive(body)
        except ApiError as e:
            return encode(e.status, e.body(), e.headers)
        return encode(reply.status, reply.body, {})

    def close(self) -> None:
        self.pool.shutdown(wait=False)
