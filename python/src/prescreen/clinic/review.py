"""The practitioners' review pages under ``/review/``: server-rendered (Jinja2), no scripts, the form's
Content-Security-Policy. Every page needs a session (else a redirect to the login page); every form
carries the session's CSRF token; login attempts are rate limited per address.

Routes: login/logout, the queue (refer first, then precautions, then deferred with their dates), a
submission's page (answers, findings with messages, notes, sources and traces, the consent record
and its verification, the audit trail) and its actions, the sealed record as JSON, the users (admin)."""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

import prescreen

from . import accounts, actions, audit
from .accounts import Session, User
from .clock import timestamp
from .consultation_wording import wordings
from .errors import ApiError
from .keys import load_public_key
from .schema import overrides, rescreenings, submissions, treatments, users
from .sealing import verify_signatures
from .submissions import QUEUE_RANK

HERE = Path(__file__).parent
SESSION_COOKIE = "prescreen_session"
LOGIN_COOKIE = "prescreen_login"
PAGE_SIZE = 50
OUTCOME_LABELS = {"refer": "Refer", "eligible_with_precautions": "Precautions", "deferred": "Deferred",
                  "not_eligible": "Not eligible", "incomplete": "Incomplete", "eligible": "Eligible"}
RANK_OUTCOME = {rank: outcome for outcome, rank in QUEUE_RANK.items()}

templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        trim_blocks=True, lstrip_blocks=True)


def text(value: Any, locale: str = "en-GB") -> str:
    """A pack text: a plain string or {locale: string}."""
    if isinstance(value, Mapping):
        return str(value.get(locale) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


templates.filters["text"] = text
templates.globals["outcome_label"] = lambda o: OUTCOME_LABELS.get(o, o)
# Date-times in words for the practitioner's (English) parts: "25 November 2026, 09:05 UTC", not ISO.
templates.filters["when"] = lambda iso: wordings()["en-GB"].when(iso)


class Redirect(Exception):
    def __init__(self, url: str):
        self.url = url


def page(name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=http_status)


def install(app, office) -> None:
    store = office.store

    def show(name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        """A page, with the clinic's name from the clinic file (base.html's title and header)."""
        return page(name, http_status, clinic=office.clinic.name, **context)
    secure = False  # served on 127.0.0.1 by default; behind TLS a proxy should set Secure

    def session_of(request: Request) -> Optional[Session]:
        return accounts.find_session(store, request.cookies.get(SESSION_COOKIE), office.settings.clock())

    def require(request: Request, action: str = "review") -> Session:
        session = session_of(request)
        if session is None:
            raise Redirect("/review/login?next=" + quote(request.url.path))
        if not session.user.can(action):
            raise ApiError(403, "forbidden", "", f"the {session.user.role} role cannot do this")
        return session

    @contextmanager
    def stored_submission(submission_id: str) -> Iterator[Tuple[Any, Mapping[str, Any]]]:
        """The open read of the store and the submission's row (404 when the id is not one or no
        submission has it). The caller has checked the session first (require)."""
        _check_id(submission_id)
        with store.read() as conn:
            yield conn, actions.load(conn, submission_id)

    def consent_on_file(submission_id: str) -> Tuple[Mapping[str, Any], Dict[str, Any]]:
        """The submission's row and its sealed consent record (actions.sealed_record); 404 when it has none."""
        with stored_submission(submission_id) as (_, row):
            record = actions.sealed_record(row)
        if record is None:
            raise ApiError(404, "no_consent", "", "this submission has no consent record")
        return row, record

    async def checked_form(request: Request, session: Optional[Session], max_fields: int = 50):
        """The posted form (all values, repeated names kept) once its CSRF token matches the session's."""
        form = await request.form(max_files=0, max_fields=max_fields)
        token = form.get("csrf_token")
        expected = session.csrf_token if session else request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not isinstance(token, str) or not secrets.compare_digest(token, expected):
            raise ApiError(403, "csrf_failed", "/csrf_token", "the form's security token is missing or wrong: reload the page and try again")
        return form

    async def form_of(request: Request, session: Optional[Session]) -> Dict[str, str]:
        form = await checked_form(request, session)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    @app.exception_handler(Redirect)
    async def _redirect(request: Request, r: Redirect) -> Response:
        return RedirectResponse(r.url, status_code=303)

    previous_api_error = app.exception_handlers.get(ApiError)

    async def _api_error(request: Request, error: ApiError) -> Response:
        if request.url.path.startswith("/review/"):
            session = session_of(request)
            response = show("error.html", error.status, error=error, user=session.user if session else None,
                            csrf_token=session.csrf_token if session else "")
            response.headers.update(error.headers)
            return response
        return await previous_api_error(request, error)

    app.add_exception_handler(ApiError, _api_error)

    # ---------------------------------------------------------------- login

    @app.get("/review/login")
    def login_page(request: Request, next: str = "/review/") -> Response:
        token = secrets.token_urlsafe(32)
        response = show("login.html", csrf_token=token, next=_safe_next(next), user=None, problem=None)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/review/")
        return response

    @app.post("/review/login")
    async def login(request: Request) -> Response:
        office.login_limit.take(request.client.host if request.client else "unknown")
        fields = await form_of(request, None)
        user = accounts.check_password(store, fields.get("name", ""), fields.get("password", ""))
        if user is None:
            token = secrets.token_urlsafe(32)
            response = show("login.html", 401, csrf_token=token, next=_safe_next(fields.get("next", "/review/")),
                            user=None, problem="That name and password do not match an account.")
            response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/review/")
            return response
        session = accounts.start_session(store, user, office.settings.clock(), office.settings.session_hours)
        response = RedirectResponse(_safe_next(fields.get("next", "/review/")), status_code=303)
        response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict", secure=secure,
                            path="/review/", max_age=int(office.settings.session_hours * 3600))
        response.delete_cookie(LOGIN_COOKIE, path="/review/")
        return response

    @app.post("/review/logout")
    async def logout(request: Request) -> Response:
        session = require(request)
        await form_of(request, session)
        accounts.end_session(store, session.token)
        response = RedirectResponse("/review/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/review/")
        return response

    # ---------------------------------------------------------------- the queue

    @app.get("/review/")
    def queue(request: Request, page_number: int = 1, status: str = "new") -> Response:
        session = require(request)
        status = "reviewed" if status == "reviewed" else "new"
        page_number = max(1, min(page_number, 100_000))
        with store.read() as conn:
            counts = {RANK_OUTCOME.get(rank, "other"): n for rank, n in conn.execute(
                select(submissions.c.queue_rank, func.count()).where(submissions.c.status == status)
                .group_by(submissions.c.queue_rank))}
            rows = conn.execute(
                select(submissions.c.id, submissions.c.received_at, submissions.c.today, submissions.c.outcome,
                       submissions.c.defer_until, submissions.c.flags, submissions.c.consent_digest,
                       submissions.c.countersignature, submissions.c.withdrawal, submissions.c.contact)
                .where(submissions.c.status == status)
                .order_by(submissions.c.queue_rank, submissions.c.seq)
                .limit(PAGE_SIZE).offset((page_number - 1) * PAGE_SIZE)).mappings().all()
        total = sum(counts.values())
        entries = [dict(r, flags=json.loads(r["flags"]), name=(json.loads(r["contact"]) or {}).get("name", "") if r["contact"] else "")
                   for r in rows]
        return show("queue.html", user=session.user, csrf_token=session.csrf_token, entries=entries, counts=counts,
                    total=total, status=status, page_number=page_number,
                    pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), labels=OUTCOME_LABELS)

    # ---------------------------------------------------------------- one submission

    @app.get("/review/submissions/{submission_id}")
    def detail(request: Request, submission_id: str) -> Response:
        session = require(request)
        with stored_submission(submission_id) as (conn, row):
            events = audit.events_of(conn, submission_id)
            override_rows = conn.execute(select(overrides).where(overrides.c.submission_id == submission_id)
                                         .order_by(overrides.c.id)).mappings().all()
            rescreen_rows = conn.execute(select(rescreenings).where(rescreenings.c.submission_id == submission_id)
                                         .order_by(rescreenings.c.id)).mappings().all()
            treatment_rows = conn.execute(select(treatments).where(treatments.c.submission_id == submission_id)
                                          .order_by(treatments.c.session_date)).mappings().all()
        pack = office.packs.get(row["pack_digest"])
        document = json.loads(pack.text) if pack else {}
        result = json.loads(row["result"])
        record = actions.sealed_record(row)
        verification = status = signatures = None
        if record:
            verification = prescreen.verify_consent(record, seal_key=office.keys.seal_key).to_dict()
            signatures = verify_signatures(record, office.keys.public_key)
            status = prescreen.consent_status(record, timestamp(office.settings.clock()), actions.consent_events(row),
                                              seal_key=office.keys.seal_key).to_dict()
        sources = {s.get("id"): s for s in document.get("sources", [])} if isinstance(document.get("sources"), list) else \
            {k: v for k, v in (document.get("sources") or {}).items()}
        rules = {r.get("id"): r for r in document.get("rules", [])}
        findings = []
        for f in result.get("findings", []):
            findings.append(dict(f, refused_override=actions.override_policy(document, rules.get(f["rule"], {}), f["outcome"]),
                                 source_texts=[(s, _source_text(sources.get(s))) for s in f.get("sources", [])]))
        newer = office.packs.newer_than(row["pack_digest"])
        return show("detail.html", user=session.user, csrf_token=session.csrf_token, row=row, result=result,
                    findings=findings, answers=_answer_rows(document, json.loads(row["answers"])),
                    flags=json.loads(row["flags"]), browser=json.loads(row["browser_result"]) if row["browser_result"] else None,
                    on_receipt=json.loads(row["result_on_receipt"]), record=record, verification=verification,
                    signatures=signatures, status=status, events=events, overrides=override_rows,
                    rescreenings=rescreen_rows, treatments=[dict(t, record=json.loads(t["record"]),
                                                               follow_ups=json.loads(t["follow_ups"])) for t in treatment_rows],
                    contact=json.loads(row["contact"]) if row["contact"] else {}, newer=newer,
                    information=json.loads(row["information_record"]) if row["information_record"] else None,
                    record_json=json.dumps(record, indent=2, ensure_ascii=False) if record else "")

    @app.get("/review/submissions/{submission_id}/record.json")
    def record_json(request: Request, submission_id: str) -> Response:
        require(request)
        _, record = consent_on_file(submission_id)
        return JSONResponse(record, headers={"Content-Disposition": f'attachment; filename="consent-{submission_id}.json"'})

    async def act(request: Request, submission_id: str, do) -> Response:
        session = require(request, "act")
        _check_id(submission_id)
        fields = await form_of(request, session)
        do(session.user, fields)
        return RedirectResponse(f"/review/submissions/{submission_id}", status_code=303)

    @app.post("/review/submissions/{submission_id}/reviewed")
    async def reviewed(request: Request, submission_id: str) -> Response:
        return await act(request, submission_id, lambda user, f: actions.mark_reviewed(office, user, submission_id))

    @app.post("/review/submissions/{submission_id}/countersign")
    async def countersign(request: Request, submission_id: str) -> Response:
        return await act(request, submission_id, lambda user, f: actions.countersign(
            office, user, submission_id, role=f.get("role", ""), registration_number=f.get("registration_number", "")))

    @app.post("/review/submissions/{submission_id}/withdraw")
    async def withdraw(request: Request, submission_id: str) -> Response:
        return await act(request, submission_id, lambda user, f: actions.withdraw(office, user, submission_id,
                                                                                  reason=f.get("reason", "")))

    @app.post("/review/submissions/{submission_id}/override")
    async def override(request: Request, submission_id: str) -> Response:
        return await act(request, submission_id, lambda user, f: actions.record_override(
            office, user, submission_id, **{k: f.get(k, "") for k in
                                            ("rule", "name", "role", "register", "registration_number", "reason")}))

    @app.post("/review/submissions/{submission_id}/rescreen")
    async def rescreen(request: Request, submission_id: str) -> Response:
        return await act(request, submission_id, lambda user, f: actions.rescreen(office, user, submission_id))

    @app.get("/review/submissions/{submission_id}/consent.pdf")
    def consent_pdf(request: Request, submission_id: str) -> Response:
        from . import consent_pdf as pdf

        require(request)
        row, record = consent_on_file(submission_id)
        pack = office.packs.get(row["pack_digest"])
        if pack is None:
            raise ApiError(404, "unknown_pack", "", "the pack this submission was screened with is not served here")
        # In the language the patient signed in: the engine's document in that language, the PDF's words too.
        from .consultation import consent_language

        words, _ = consent_language(pack, row, record.get("locale"))
        document = pack.protocol.consent_document(json.loads(row["answers"]), today=record["screening"]["today"],
                                                  locale=words.locale)
        body = pdf.render(document, record, submission_id, words, office.clinic.name)
        return Response(body, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="consent-{submission_id}.pdf"'})

    @app.post("/review/submissions/{submission_id}/treatment")
    async def treatment(request: Request, submission_id: str) -> Response:
        from .treatment import record_treatment

        return await act(request, submission_id, lambda user, f: record_treatment(office, user, submission_id, f))

    @app.get("/review/submissions/{submission_id}/follow-ups.ics")
    def follow_ups(request: Request, submission_id: str) -> Response:
        from .treatment import calendar

        require(request)
        _check_id(submission_id)
        with store.read() as conn:
            rows = conn.execute(select(treatments.c.follow_ups).where(treatments.c.submission_id == submission_id)
                                .order_by(treatments.c.session_date.desc(), treatments.c.at.desc()).limit(1)).first()
        if rows is None:
            raise ApiError(404, "no_treatment", "", "no treatment is recorded yet, so there are no follow-up dates")
        return Response(calendar(submission_id, json.loads(rows.follow_ups), timestamp(office.settings.clock()),
                                 office.clinic.name),
                        media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="follow-ups-{submission_id}.ics"'})

    @app.get("/review/submissions/{submission_id}/patient-copy")
    def patient_copy(request: Request, submission_id: str) -> Response:
        """The follow-up dates on a page to print and hand to the patient (patient_copy)."""
        from . import consultation_wording
        from .consultation import consent_language
        from .patient_copy import course_text, latest_follow_ups

        require(request)
        with stored_submission(submission_id) as (conn, row):
            latest = latest_follow_ups(conn, submission_id)
        if latest is None:
            raise ApiError(404, "no_treatment", "", "no treatment is recorded yet, so there are no follow-up dates")
        # In the patient's language (the pre-visit record's, else the form's): the page's words from the
        # consultation wording, the course plan's from the pack's translation (the engine's screening).
        pack = office.packs.get(row["pack_digest"])
        words, _ = consent_language(pack, row, None) if pack else (consultation_wording.wordings()["en-GB"], [])
        result = json.loads(row["result"])
        if pack and words.locale != "en-GB":
            result = pack.protocol.screen(json.loads(row["answers"]), today=row["today"], locale=words.locale).to_dict()
        return show("patient_copy.html", submission_id=submission_id, latest=latest, course=course_text(result),
                    words=words, t=words.say)

    # ---------------------------------------------------------------- admin

    @app.get("/review/admin/users")
    def user_list(request: Request) -> Response:
        session = require(request, "admin")
        with store.read() as conn:
            rows = conn.execute(select(users.c.name, users.c.role, users.c.created_at, users.c.disabled)
                                .order_by(users.c.name)).mappings().all()
        return show("users.html", user=session.user, csrf_token=session.csrf_token, users=rows, key_id=office.keys.key_id,
                    problem=None)

    @app.post("/review/admin/users")
    async def add_user(request: Request) -> Response:
        session = require(request, "admin")
        fields = await form_of(request, session)
        try:
            accounts.add_user(store, fields.get("name", ""), fields.get("role", ""), fields.get("password", ""),
                              office.settings.clock())
        except ValueError as e:
            raise ApiError(422, "invalid_user", "", str(e)) from None
        return RedirectResponse("/review/admin/users", status_code=303)

    from . import consultation  # consent at the consultation (two-step consent)
    consultation.install(app, office, require=require, checked_form=checked_form, page=show)

    @app.get("/review/static/review.css")
    def stylesheet() -> Response:
        return FileResponse(HERE / "static" / "review.css", media_type="text/css; charset=utf-8")

    @app.get("/review")
    def review_root() -> Response:
        return RedirectResponse("/review/", status_code=303)


def _safe_next(target: str) -> str:
    """Only a path inside the review pages (no open redirect to another site)."""
    if not target.startswith("/review/") or "//" in target or "\\" in target or ".." in target:
        return "/review/"
    return target


def _check_id(submission_id: str) -> None:
    if not (submission_id.startswith("sub_") and len(submission_id) <= 40 and submission_id[4:].isalnum()):
        raise ApiError(404, "not_found", "", "no such submission")


def _source_text(source: Any) -> str:
    if isinstance(source, Mapping):
        return text(source.get("citation") or source.get("title") or source.get("text") or "")
    return text(source)


def _answer_rows(document: Mapping[str, Any], answers: Mapping[str, Any]) -> List[Dict[str, str]]:
    """(question, answer) in questionnaire order, choices shown by their labels."""
    out = []
    for item in document.get("items", []):
        if item.get("id") not in answers:
            continue
        value = answers[item["id"]]
        labels = {o.get("value"): text(o.get("label")) for o in item.get("options", []) if isinstance(o, Mapping)}
        if isinstance(value, list):
            shown = ", ".join(labels.get(v, str(v)) for v in value)
        elif isinstance(value, bool):
            shown = "Yes" if value else "No"
        else:
            shown = labels.get(value, str(value))
        out.append({"id": item["id"], "question": text(item.get("text")), "answer": shown})
    return out
