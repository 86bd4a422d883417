"""``POST /v1/extract`` (one raw message) and ``POST /v1/extract/batch`` (JSON base64 list or multipart)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...core.limits import BodyTooLarge
from ...jobs import LD_JSON, Job
from ...rulecache import Snapshot
from ...schemas import BatchResponse, ErrorResponse, ExtractionResponse, JsonLdDocument
from ...workers import Busy
from ..deps import SnapshotDep, State, StateDep, token_matches

__all__ = ["router", "RAW_TYPES", "ExtractLane", "Handler"]

router = APIRouter(prefix="/v1", tags=["extract"])  # create_app adds require_extract when configured

RAW_TYPES = ("message/rfc822", "application/octet-stream")
FORM = "application/x-www-form-urlencoded"  # curl's default for --data-binary
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")  # an RFC 5322 header field name and its colon
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (400, "empty or undecodable input"),
        (401, "missing or wrong bearer token (when one is configured)"),
        (413, "message or batch over the configured size limit"),
        (415, "unsupported Content-Type"),
        (422, "not a usable RFC 822 message"),
        (503, "every extraction worker busy and the queue full (see Retry-After)"),
    )
}
FormatQuery = Annotated[
    Literal["json", "jsonld"] | None,
    Query(description="jsonld: answer with schema.org JSON-LD (same as Accept: application/ld+json)"),
]


def _plainly_a_message(body: bytes) -> bool:
    """Whether ``body`` opens with an RFC 822 header block (field lines, folded continuations) that
    has a ``From:`` or ``Sender:`` field: a message file, not form data. Reads at most 64 KiB."""
    sender = False
    for i, line in enumerate(body[:65536].splitlines()):
        if not line.strip():  # the blank line that ends the header block
            return sender
        if i and line[:1] in (b" ", b"\t"):  # a folded continuation of the field before
            continue
        field = _FIELD.match(line)
        if field is None:
            return False
        sender = sender or field.group(1).lower() in (b"from", b"sender")
    return sender


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _wants_jsonld(accept: str, fmt: str | None) -> bool:
    """``?format=`` wins; otherwise JSON-LD when Accept ranks it above (or equal to) plain JSON."""
    if fmt is not None:
        return fmt == "jsonld"
    quality: dict[str, float] = {}
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[kind.lower()] = max(q, quality.get(kind.lower(), 0.0))
    ld = quality.get(LD_JSON, 0.0)
    return ld > 0 and ld >= quality.get("application/json", 0.0)


async def _answer(state: State, snap: Snapshot, job: Job) -> Response:
    """Run ``job`` where extraction runs, count it, and answer with what it gave."""
    answer = await state.extraction.run(snap, job)
    answer.tally.apply(state.metrics, state.cache.stats)
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)


Handler = Callable[[Request, Any], Awaitable[Response]]
"""An app's exception handler, as :class:`ExtractLane` calls it."""
_LANE_QUERIES: dict[bytes, str | None] = {b"": None, b"format=json": "json", b"format=jsonld": "jsonld"}
_LANE_HEADERS = frozenset({b"content-type", b"accept", b"authorization"})


class ExtractLane:
    """ASGI middleware answering a plain ``POST /v1/extract`` itself, as :func:`extract` would,
    without FastAPI's routing, dependency and validation machinery (about half the service's CPU
    a request). A request it does not plainly accept (another query, a missing or wrong token, a
    refused Content-Type or form body) goes on to the FastAPI route, which answers it as always;
    refusals raised here (a body over the limit, a full queue) get the app's own handlers."""

    def __init__(self, app: ASGIApp, state: State, handlers: Mapping[Any, Handler]) -> None:
        self.app = app
        self.state = state
        self.handlers = handlers  # the app's handlers of BodyTooLarge and Busy
        # the route it stands in for: in the scope, as routing would have left it (metrics label)
        self.route = next(r for r in router.routes if getattr(r, "endpoint", None) is extract)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plain = scope["type"] == "http" and scope["path"] == "/v1/extract" and scope["method"] == "POST"
        fmt = _LANE_QUERIES.get(scope.get("query_string", b""), "") if plain else ""
        if fmt == "":  # not for the lane
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _LANE_HEADERS and name not in headers:
                headers[name] = value.decode("latin-1")
        media = _media_type(headers.get(b"content-type", ""))
        if (media and media not in RAW_TYPES and media != FORM) or not self._authorized(headers):
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        try:
            raw = await _read_body(receive)
            if media == FORM and not _plainly_a_message(raw):
                await self.app(scope, _replay(raw, receive), send)
                return
            snap = self.state.cache.snapshot
            jsonld = _wants_jsonld(headers.get(b"accept", ""), fmt)
            job = Job("message", snap.version, self.state.settings.max_message_bytes, raw=raw, jsonld=jsonld)
            response = await _answer(self.state, snap, job)
        except ClientDisconnect:
            return
        except (BodyTooLarge, Busy) as exc:  # what the app's own handlers answer (413, 503)
            response = await self.handlers[type(exc)](Request(scope), exc)
        await response(scope, receive, send)

    def _authorized(self, headers: dict[bytes, str]) -> bool:
        """Whether the request may extract: no token configured, or the right bearer token."""
        token = self.state.settings.extract_token
        if token is None:
            return True
        scheme, _, given = headers.get(b"authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token_matches(token, given.strip())


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (raises ``ClientDisconnect`` when the client goes away first)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` handing over ``body`` (already read from it) first, as the request's one message."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


@router.post(
    "/extract",
    response_model=ExtractionResponse,
    summary="Extract fields from one raw RFC 822 message",
    responses={
        200: {
            "description": "the extraction (JSON), or schema.org JSON-LD with ?format=jsonld / Accept",
            "content": {LD_JSON: {"schema": JsonLdDocument.model_json_schema(by_alias=True)}},
        },
        **_ERRORS,
    },
    openapi_extra={"requestBody": {"required": True, "content": {t: _BINARY for t in RAW_TYPES}}},
)
async def extract(request: Request, state: StateDep, snap: SnapshotDep, format: FormatQuery = None) -> Any:
    """The raw message is the body (``message/rfc822`` or ``application/octet-stream``; also without
    a Content-Type, or as ``application/x-www-form-urlencoded`` — what ``curl --data-binary`` sends —
    when the body plainly is a message)."""
    media = _media_type(request.headers.get("content-type", ""))
    if media and media not in RAW_TYPES and media != FORM:
        raise HTTPException(415, f"send the raw message as {' or '.join(RAW_TYPES)}, not {media[:80]!r}")
    raw = await request.body()
    if media == FORM and not _plainly_a_message(raw):
        raise HTTPException(
            415,
            f"an {FORM} body is read as a raw message only when it starts with RFC 822 headers that name "
            f"its sender (From:); send the message as {' or '.join(RAW_TYPES)}",
        )
    limit = state.settings.max_message_bytes
    jsonld = _wants_jsonld(request.headers.get("accept", ""), format)
    job = Job("message", snap.version, limit, raw=raw, jsonld=jsonld)
    return await _answer(state, snap, job)


@router.post(
    "/extract/batch",
    response_model=BatchResponse,
    summary="Extract fields from many messages",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "format": "byte"},
                        "description": "base64 of each raw message",
                    }
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "messages": {"type": "array", "items": {"type": "string", "format": "binary"}}
                        },
                        "description": "one file part per raw message (any field name)",
                    }
                },
            },
        }
    },
)
async def extract_batch(request: Request, state: StateDep, snap: SnapshotDep) -> Any:
    """A JSON list of base64 messages, or multipart with one file per message; one result each.

    A bad message gets its own status and reason in its result; the batch as a whole still
    answers 200, and every result comes from the same rule-set version.
    """
    media = _media_type(request.headers.get("content-type", ""))
    settings = state.settings
    sizes = (settings.max_message_bytes, settings.max_batch_messages)
    if media == "application/json":  # parsed in the job: a large batch takes a while to parse
        return await _answer(state, snap, Job("json_batch", snap.version, *sizes, raw=await request.body()))
    if media != "multipart/form-data":
        raise HTTPException(415, "send a JSON list of base64 messages or multipart/form-data")
    entries: list[tuple[str | None, bytes]] = []
    most = sizes[1] + 1
    async with request.form(max_files=most, max_fields=most, max_part_size=sizes[0]) as form:
        for field, value in form.multi_items():
            if isinstance(value, UploadFile):
                entries.append((value.filename or field, await value.read()))
            else:
                entries.append((field, value.encode("utf-8", "surrogatepass")))
    if not entries:
        raise HTTPException(400, "multipart batch has no parts")
    return await _answer(state, snap, Job("entries", snap.version, *sizes, entries=tuple(entries)))
