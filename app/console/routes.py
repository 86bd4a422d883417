"""The console's pages under ``/admin``: sign-in, clusters, one cluster (with corrections), rule-set
history and test-a-message.

Every page needs a session cookie (the sign-in form sets it) or the admin bearer token; without
either a GET is redirected to the sign-in page and anything else answers 401. A form posted with
a session must carry the session's CSRF token (else 403); a bearer-token request needs none (no
ambient credential to ride on). Every answer carries a strict Content-Security-Policy: the pages
load nothing but the console's own CSS and script, so a template's text can never fetch anything.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from mailstencil.rules.corrections import Correction, slot_key
from mailstencil.rules.message import MessageError, parse_message
from mailstencil.rules.model import ClusterRules
from mailstencil.rules.vocabulary import FIELDS

from ..api.deps import State, StateDep, admin_token_ok
from ..jobs import Job
from ..rulecache import RECENT_DAYS, Snapshot
from ..schemas import ExtractionResponse
from .masking import mask
from .render import safe_mail, safe_skeleton
from .session import LOGIN_COOKIE, SESSION_COOKIE, Session, Signer
from .views import cluster_rows, diff, skeleton_view, slots_by_line

__all__ = ["install"]

log = logging.getLogger("mailstencil.app.console")

HERE = Path(__file__).parent
PREFIX = "/admin"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
templates = Jinja2Templates(directory=str(HERE / "templates"))


class NeedSignIn(Exception):
    """No valid session or bearer token on a console request."""


class Auth:
    """Who a console request is: a cookie session (forms need its CSRF token) or the bearer token."""

    def __init__(self, session: Session | None) -> None:
        self.session = session

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""


def _signer(state: State) -> Signer:
    token = state.settings.admin_token
    assert token is not None  # install() mounts the console only with a token
    return Signer(token.get_secret_value(), state.settings.console_session_minutes * 60.0)


def _bearer_ok(request: Request, state: State) -> bool:
    """Whether the request carries the admin bearer token (wrong ones are rate-limited)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return admin_token_ok(state, request, given.strip())


def require_console(request: Request, state: StateDep) -> Auth:
    """The request's session or bearer token (raises :class:`NeedSignIn` without either)."""
    session = _signer(state).check(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        return Auth(session)
    if _bearer_ok(request, state):
        return Auth(None)
    raise NeedSignIn()


AuthDep = Annotated[Auth, Depends(require_console)]
CsrfForm = Annotated[str, Form(max_length=200)]


def check_csrf(auth: Auth, token: str) -> None:
    """Refuse (403) a form posted with a session but without that session's CSRF token."""
    if auth.session is not None and not secrets.compare_digest(token.encode(), auth.session.csrf.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the console's security headers."""
    context.setdefault("auth", None)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(HEADERS)
    return response


def redirect(url: str) -> RedirectResponse:
    """A 303 to ``url`` (after a form) with the console's headers."""
    response = RedirectResponse(url, status_code=303)
    response.headers.update(HEADERS)
    return response


def _safe_next(url: str) -> str:
    inside = url.startswith(PREFIX + "/") and "\\" not in url
    return url if inside else PREFIX + "/"


router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = PREFIX + "/") -> Response:
    """The sign-in form; its CSRF token also goes in a short-lived cookie (double submit)."""
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", csrf=token, next=_safe_next(next), error="")
    secure = request.url.scheme == "https"
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=900, httponly=True, samesite="strict", secure=secure, path=PREFIX
    )
    return response


@router.post("/login")
def login(
    request: Request,
    state: StateDep,
    token: Annotated[str, Form(max_length=1000)],
    csrf: CsrfForm = "",
    next: Annotated[str, Form(max_length=2000)] = PREFIX + "/",
) -> Response:
    """Check the admin token and start a session (an HTTP-only, SameSite=Strict, signed cookie)."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not csrf or not secrets.compare_digest(csrf.encode(), expected.encode()):
        raise HTTPException(403, "the sign-in form's CSRF token is missing or wrong; reload the page")
    client = request.client.host if request.client else ""
    wait = state.sign_ins.retry_after(client)
    if wait is not None:
        log.warning("console: sign-in refused, too many wrong tokens from one client")
        error = f"Too many wrong tokens; try again in {math.ceil(wait)} s."
        held = page(request, "login.html", status=429, csrf=csrf, next=_safe_next(next), error=error)
        held.headers["Retry-After"] = str(math.ceil(wait))
        return held
    admin = state.settings.admin_token
    if admin is None or not secrets.compare_digest(token.encode(), admin.get_secret_value().encode()):
        state.sign_ins.fail(client)
        log.warning("console: sign-in with a wrong token")
        return page(request, "login.html", status=401, csrf=csrf, next=_safe_next(next), error="Wrong token.")
    state.sign_ins.clear(client)
    cookie, _ = _signer(state).issue()
    response = redirect(_safe_next(next))
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=state.settings.console_session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=secure,
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    log.info("console: signed in")
    return response


@router.post("/logout")
def logout(auth: AuthDep, csrf: CsrfForm = "") -> Response:
    """End the session (the cookie is cleared)."""
    check_csrf(auth, csrf)
    response = redirect(PREFIX + "/login")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/")
def home(auth: AuthDep) -> Response:
    """The console starts at the clusters page."""
    return redirect(PREFIX + "/clusters")


async def _store(fn: Any, *args: Any) -> Any:
    try:
        return await anyio.to_thread.run_sync(fn, *args)
    except Exception as exc:  # noqa: BLE001 - any store failure is a 503 with its reason
        raise HTTPException(503, f"rule store unreachable: {type(exc).__name__}") from exc


@router.get("/clusters")
async def clusters(
    request: Request,
    state: StateDep,
    auth: AuthDep,
    q: Annotated[str, Query(max_length=320)] = "",
    sort: Annotated[Literal["volume", "problems"], Query()] = "volume",
) -> Response:
    """Every cluster of the rule set served, searchable by sender, by volume or by problems."""
    snap = state.cache.snapshot
    await _parsed(snap)
    rows = cluster_rows(snap.ruleset, state.cache.stats, q, sort)
    corrections = await _store(lambda: state.cache.store().corrections())
    report = await _store(lambda: state.cache.store().report_as_of(snap.version))
    corrected = sum(r.corrected for c in snap.ruleset.clusters for r in [*c.rules, *c.unnamed])
    return page(
        request,
        "clusters.html",
        auth=auth,
        rows=rows,
        q=q,
        sort=sort,
        version=snap.version,
        total=len(snap.ruleset.clusters),
        corrections=len(corrections),
        corrected=corrected,
        learned=_model_corrections(report),
    )


def _model_corrections(report: str | None) -> int | None:
    """How many corrected slots the role model of the learning run behind a version was trained
    with, as that run's report records it (``None``: no run, or a model that does not say)."""
    count = json.loads(report).get("model_corrections") if report else None
    return count if isinstance(count, int) else None


async def _parsed(snap: Snapshot) -> Mapping[str, ClusterRules]:
    """``snap``'s clusters by key, parsed off the event loop (the first page to ask for a new rule
    set parses it whole; the service takes it in unparsed)."""
    return await anyio.to_thread.run_sync(lambda: snap.clusters)


def _cluster(clusters: Mapping[str, ClusterRules], key: str) -> ClusterRules:
    c = clusters.get(key)
    if c is None:
        raise HTTPException(404, "no cluster with this key in the rule set being served")
    return c


def _skeleton_mail(state: State, c: ClusterRules) -> str:
    """The cluster's skeleton HTML made safe, its slots marked (``""`` when learning wrote none, or
    the store cannot be read: the page then shows the text lines)."""
    if not c.skeleton_id:
        return ""
    try:
        html = state.cache.store().skeleton_html(c.skeleton_id)
    except Exception as exc:  # noqa: BLE001 - any store failure leaves the text skeleton
        log.warning("console: skeleton HTML unreadable (%s)", type(exc).__name__)
        return ""
    return safe_skeleton(html, slots_by_line(c))


def _cluster_page(
    request: Request, state: State, auth: Auth, key: str, revealed: str = "", note: str = ""
) -> Response:
    c = _cluster(state.cache.snapshot.clusters, key)
    examples = state.cache.stats.example(key)
    shown = {name: (value if name == revealed else mask(value)) for name, value in examples.items()}
    rules = sorted(c.rules, key=lambda r: -r.confidence)
    return page(
        request,
        "cluster.html",
        auth=auth,
        c=c,
        lines=skeleton_view(c),
        mail=_skeleton_mail(state, c),
        rules=[(slot_key(c, r), r) for r in rules],
        unnamed=[(slot_key(c, r), r) for r in c.unnamed],
        examples=shown,
        revealed=revealed,
        rates=state.cache.field_rates(key),
        recent_days=RECENT_DAYS,
        fields=sorted(FIELDS),
        version=state.cache.snapshot.version,
        note=note,
    )


@router.get("/cluster")
def cluster(
    request: Request,
    state: StateDep,
    auth: AuthDep,
    key: Annotated[str, Query(max_length=400)],
    note: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """One cluster: its skeleton with the slots named, its rules, masked examples, corrections."""
    return _cluster_page(request, state, auth, key, note=note)


@router.post("/cluster/reveal")
def reveal(
    request: Request,
    state: StateDep,
    auth: AuthDep,
    key: Annotated[str, Form(max_length=400)],
    field: Annotated[str, Form(max_length=100)],
    csrf: CsrfForm = "",
) -> Response:
    """Show one field's example value unmasked, once; the fact is logged, never the value."""
    check_csrf(auth, csrf)
    _cluster(state.cache.snapshot.clusters, key)
    if field not in FIELDS:
        raise HTTPException(422, "unknown field name")
    log.info("console: example value of field %s revealed in cluster %s", field, key)
    return _cluster_page(request, state, auth, key, revealed=field)


def _publish_correction(state: State, correction: Correction) -> int:
    """Store the correction, publish the current rule set with every correction applied (read and
    written in one transaction, so a learning run publishing meanwhile is not undone), serve it."""
    store = state.cache.store()
    store.add_correction(correction)
    version = store.republish()
    state.cache.refresh(force=True)
    return version


@router.post("/cluster/correct")
async def correct(
    state: StateDep,
    auth: AuthDep,
    key: Annotated[str, Form(max_length=400)],
    slot: Annotated[str, Form(max_length=40)],
    action: Annotated[Literal["rename", "name", "not_field"], Form()],
    field: Annotated[str, Form(max_length=100)] = "",
    csrf: CsrfForm = "",
) -> Response:
    """Rename a slot's field, name an unnamed slot, or mark a slot not a field: stored, and a new
    rule-set version with it applied is published and served at once."""
    check_csrf(auth, csrf)
    c = _cluster(await _parsed(state.cache.snapshot), key)
    rule = next((r for r in [*c.rules, *c.unnamed] if slot_key(c, r) == slot), None)
    if rule is None:
        raise HTTPException(404, "no such slot in this cluster")
    name = field.strip()
    if action != "not_field" and name not in FIELDS:
        raise HTTPException(422, "unknown field name; pick one of the vocabulary (rules/fields.json)")
    correction = Correction(
        cluster=key, slot=slot, field=None if action == "not_field" else name, previous=rule.field
    )
    version = await _store(_publish_correction, state, correction)
    log.info("console: slot %s of cluster %s corrected (%s); version %d", slot, key, action, version)
    what = "not a field" if action == "not_field" else name
    return redirect(f"{PREFIX}/cluster?{_query(key=key, note=f'Saved: {what} (version {version}).')}")


def _query(**params: str) -> str:
    return urlencode(params)


@router.get("/history")
async def history(
    request: Request,
    state: StateDep,
    auth: AuthDep,
    a: Annotated[int | None, Query(ge=1)] = None,
    b: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Rule-set versions, what changed between two of them, and roll back."""
    rows = await _store(state.cache.versions)
    changes = None
    if a is not None and b is not None:
        if not {a, b} <= {v for v, *_ in rows}:
            raise HTTPException(404, "no such rule-set version")
        old = await _store(lambda: state.cache.store().load(a))
        new = await _store(lambda: state.cache.store().load(b))
        changes = diff(old, new)
    return page(
        request,
        "history.html",
        auth=auth,
        versions=list(reversed(rows)),
        changes=changes,
        serving=state.cache.snapshot.version,
    )


@router.post("/history/rollback")
async def rollback(
    state: StateDep, auth: AuthDep, version: Annotated[int, Form(ge=1)], csrf: CsrfForm = ""
) -> Response:
    """Make an earlier version current and serve it at once."""
    check_csrf(auth, csrf)
    rows = await _store(state.cache.versions)
    if version not in {v for v, *_ in rows}:
        raise HTTPException(404, f"no rule set version {version}")
    await _store(state.cache.rollback, version)
    log.info("console: rolled back to version %d", version)
    return redirect(f"{PREFIX}/history")


@router.get("/test")
def test_form(request: Request, auth: AuthDep) -> Response:
    """Paste or upload a raw message."""
    return page(request, "test.html", auth=auth, result=None, error="")


@router.post("/test")
async def test_message(
    request: Request,
    state: StateDep,
    auth: AuthDep,
    raw: Annotated[str, Form(max_length=30_000_000)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
    csrf: CsrfForm = "",
) -> Response:
    """Extract a pasted or uploaded message (not counted in the service's statistics): its
    cluster, its fields and the rule each came from."""
    check_csrf(auth, csrf)
    if upload is not None and upload.filename:
        data = await upload.read()
    else:
        data = raw.replace("\r\n", "\n").encode()
    snap = state.cache.snapshot
    job = Job("message", snap.version, state.settings.max_message_bytes, raw=data)
    answer = await state.extraction.run(snap, job)
    if answer.status != 200:
        error = str(json.loads(answer.body).get("detail", "the message could not be read"))
        return page(request, "test.html", status=answer.status, auth=auth, result=None, error=error)
    result = ExtractionResponse.model_validate_json(answer.body)
    c = (await _parsed(snap)).get(result.cluster or "")
    source = {}
    if c is not None:
        for r in sorted(c.rules, key=lambda r: r.confidence):
            source[r.field] = r
    mail = await anyio.to_thread.run_sync(_rendered, data, result.fields)
    return page(request, "test.html", auth=auth, result=result, source=source, mail=mail, error="")


def _rendered(raw: bytes, fields: dict[str, list[str]]) -> str:
    """The message's HTML body made safe, values highlighted (``""`` for a text-only message)."""
    try:
        html = parse_message(raw).html
    except MessageError:
        return ""
    return safe_mail(html, fields) if html else ""


def _invalid(exc: RequestValidationError) -> str:
    """What was wrong with a console request: each field and why (never the value sent)."""
    wrong = [
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
        for e in exc.errors()
    ]
    return "Invalid request. " + "; ".join(wrong)


def install(application: FastAPI) -> None:
    """Mount the console (pages, its static files, and the sign-in redirect)."""
    application.include_router(router)
    application.mount(PREFIX + "/static", StaticFiles(directory=str(HERE / "static")), name="console-static")

    @application.exception_handler(HTTPException)
    async def console_error(request: Request, exc: HTTPException) -> Response:
        # console pages answer errors as a page; everything else as the API always has
        if not request.url.path.startswith(PREFIX + "/"):
            return await http_exception_handler(request, exc)
        response = page(
            request, "error.html", status=exc.status_code, status_code=exc.status_code, detail=exc.detail
        )
        response.headers.update(exc.headers or {})
        return response

    @application.exception_handler(RequestValidationError)
    async def console_invalid(request: Request, exc: RequestValidationError) -> Response:
        # a console form or link with a bad field is answered as a page; the API keeps its JSON
        if not request.url.path.startswith(PREFIX + "/"):
            return await request_validation_exception_handler(request, exc)
        return page(request, "error.html", status=422, status_code=422, detail=_invalid(exc))

    @application.exception_handler(NeedSignIn)
    async def sign_in(request: Request, _: NeedSignIn) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(f"{PREFIX}/login?{_query(next=target)}")
        response = Response(
            json.dumps({"detail": "sign in to the console or send the admin bearer token"}),
            status_code=401,
            media_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
        response.headers.update(HEADERS)
        return response
