"""The back office as one ASGI application: the patient form (static files), the JSON API under
``/api/`` and the practitioners' review pages under ``/review/``. ``create_app(settings)`` builds it;
``python -m prescreen.clinic serve`` runs it under uvicorn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

import prescreen

from . import keys as keys_module
from .clinic_file import ClinicFile, read_clinic_file
from .clock import timestamp
from .errors import ApiError
from .http import Guard, install_error_handlers
from .intake import Intake
from .limits import Limiter
from .packs import Packs
from .settings import Settings
from .static import files
from .storage import Store
from .submissions import Receiver


@dataclass
class BackOffice:
    """Everything a request handler needs, made once at start."""
    settings: Settings
    store: Store
    packs: Packs
    keys: keys_module.Keys
    receiver: Receiver
    submission_limit: Limiter
    login_limit: Limiter
    clinic: ClinicFile = ClinicFile()


def open_back_office(settings: Settings, store: Optional[Store] = None) -> BackOffice:
    store = store or Store.open(settings.data_dir, settings.database_url)
    packs = Packs.load(settings.pack_folders())
    keys = keys_module.load_or_create(settings.data_dir)
    return BackOffice(settings, store, packs, keys, Receiver(store, packs, keys, settings.clock),
                      Limiter(settings.submission_rate, "submissions", "too_many_requests"),
                      Limiter(settings.login_rate, "login attempts", "too_many_login_attempts"),
                      read_clinic_file(settings.protocols_dir))


def store_settings(settings: Settings) -> None:
    """Create or upgrade the store and the keys (what every worker process then only opens)."""
    Store.open(settings.data_dir, settings.database_url).close()
    keys_module.load_or_create(settings.data_dir)


def app_from_environment():
    """The app of one worker process of `serve --workers N` (settings from PRESCREEN_CLINIC_SETTINGS)."""
    import json
    import os
    from pathlib import Path

    from .limits import Rate

    values = json.loads(os.environ["PRESCREEN_CLINIC_SETTINGS"])
    kw = {"database_url": values["database_url"]}
    if values.get("protocols_dir"):
        kw["protocols_dir"] = Path(values["protocols_dir"])
    if values.get("submission_rate"):
        kw["submission_rate"] = Rate.parse(values["submission_rate"])
    return create_app(Settings(Path(values["data_dir"]), **kw))


async def read_body(request: Request) -> bytes:
    chunks = []
    async for chunk in request.stream():
        chunks.append(chunk)
    return b"".join(chunks)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(settings: Settings, office: Optional[BackOffice] = None) -> FastAPI:
    office = office or open_back_office(settings)
    app = FastAPI(title="prescreen back office", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.office = office
    install_error_handlers(app)

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok", "engine_version": prescreen.engine_version, "submissions": "/api/submissions",
                "public_key": "/api/public-key", "key_id": office.keys.key_id,
                "packs": sorted(({"id": p.protocol.id, "version": p.protocol.version, "digest": p.digest}
                                 for p in office.packs.by_digest.values()), key=lambda p: (p["id"], p["version"]))}

    @app.get("/api/public-key")
    def public_key() -> Response:
        return PlainTextResponse(office.keys.public_pem, media_type="application/x-pem-file")

    async def json_body(request: Request, what: str) -> bytes:
        """A patient's JSON request: the flood limit, then the body (size-limited)."""
        office.submission_limit.take(client_address(request))
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise ApiError(415, "unsupported_media_type", "", f"send the {what} as application/json")
        return await read_body(request)

    # POST /api/submissions is answered by intake.Intake, ahead of this app (below).

    @app.post("/api/follow-ups")
    async def post_follow_ups(request: Request) -> Response:
        from .patient_copy import for_patient

        body = await json_body(request, "request")
        reply = await run_in_threadpool(for_patient, office, body, timestamp(office.settings.clock()))
        return JSONResponse(reply)

    @app.api_route("/api/submissions", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def submissions_other_methods() -> Response:
        raise ApiError(405, "method_not_allowed", "", "submissions are sent with POST", {"Allow": "POST"})

    from . import review  # the practitioners' pages (they register their own routes)
    review.install(app, office)

    mounts = []
    if settings.wasm_dir:
        mounts.append(("/wasm/", settings.wasm_dir))
    if settings.protocols_dir:
        mounts.append(("/protocols/", settings.protocols_dir))
    if settings.web_dir:
        mounts.append(("/", settings.web_dir))
    app.add_api_route("/{path:path}", files(mounts), methods=["GET", "HEAD"], include_in_schema=False)
    return Guard(Intake(app, office), settings.max_body)  # type: ignore[return-value]
