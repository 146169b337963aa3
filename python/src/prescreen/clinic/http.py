"""HTTP plumbing shared by the API and the review pages: the security headers every response carries
(the form's Content-Security-Policy), the request-body limit (checked before and while reading), and
the error envelope for every failure, so no request ends in a bare 500 or a stack trace."""

from __future__ import annotations

import logging
import time
from typing import Any, Dict

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError

log = logging.getLogger("prescreen.clinic")

# The same policy as web-demo/index.html and web-demo/serve.mjs; the review pages add nothing to it.
CSP = "; ".join([
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' data: blob:",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


class Guard:
    """ASGI middleware: headers on every response; bodies over the limit refused with 413 (by
    Content-Length before reading, or as soon as the streamed bytes pass it)."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # Server time of the request so far (bench/clinic_submissions.py reads it).
                headers.append((b"x-server-time-ms", f"{(time.perf_counter() - started) * 1000:.2f}".encode()))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        def too_large() -> ApiError:
            return ApiError(413, "body_too_large", "", f"the request body is larger than {self.max_body} bytes")

        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = -1
                if length < 0 or length > self.max_body:
                    response = error_response(too_large() if length >= 0 else
                                              ApiError(400, "bad_request", "", "invalid Content-Length"))
                    return await response(scope, receive, send_with_headers)
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise too_large()  # inside the handler that reads the body: its error handler answers 413
            return message

        await self.app(scope, counted_receive, send_with_headers)


def install_error_handlers(app: Any) -> None:
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> Response:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        first: Dict[str, Any] = (error.errors() or [{}])[0]
        path = "".join(f"/{p}" for p in first.get("loc", ())[1:])
        return error_response(ApiError(422, "invalid_request", path, str(first.get("msg", "invalid request"))))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
            return error_response(ApiError(error.status_code, code, "", str(error.detail)))
        return PlainTextResponse(f"{error.detail}\n", status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(ApiError(500, "internal_error", "", "the clinic's server failed; nothing was saved"))
