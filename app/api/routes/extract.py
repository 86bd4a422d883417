"""``POST /v1/extract`` (one raw message) and ``POST /v1/extract/batch`` (JSON base64 list or multipart)."""

from __future__ import annotations

import base64
import binascii
import re
from functools import partial
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ...jsonld import to_jsonld
from ...rulecache import Snapshot
from ...schemas import (
    BatchRequest,
    BatchResponse,
    BatchResult,
    ErrorResponse,
    ExtractionResponse,
    JsonLdDocument,
)
from ...service import Rejected, extract_message
from ..deps import SnapshotDep, State, StateDep

__all__ = ["router", "RAW_TYPES"]

router = APIRouter(prefix="/v1", tags=["extract"])  # create_app adds require_extract when configured

RAW_TYPES = ("message/rfc822", "application/octet-stream")
FORM = "application/x-www-form-urlencoded"  # curl's default for --data-binary
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")  # an RFC 5322 header field name and its colon
LD_JSON = "application/ld+json"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (400, "empty or undecodable input"),
        (401, "missing or wrong bearer token (when one is configured)"),
        (413, "message or batch over the configured size limit"),
        (415, "unsupported Content-Type"),
        (422, "not a usable RFC 822 message"),
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


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _wants_jsonld(request: Request, fmt: str | None) -> bool:
    """``?format=`` wins; otherwise JSON-LD when Accept ranks it above (or equal to) plain JSON."""
    if fmt is not None:
        return fmt == "jsonld"
    quality: dict[str, float] = {}
    for part in request.headers.get("accept", "").split(","):
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


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": reason})


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
    media = _media_type(request)
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
    run = partial(extract_message, raw, snap, limit, state.metrics, state.cache.stats)
    try:
        result = await anyio.to_thread.run_sync(run, limiter=state.extraction)
    except Rejected as rej:
        return _error(rej.status, rej.reason)
    if _wants_jsonld(request, format):
        doc = to_jsonld(result)
        return JSONResponse(doc.model_dump(by_alias=True, mode="json"), media_type=LD_JSON)
    return result


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
    media = _media_type(request)
    entries: list[tuple[str | None, bytes | str]] = []
    if media == "application/json":
        body = await request.body()
        try:  # off the event loop: a large batch takes a while to parse
            batch = await anyio.to_thread.run_sync(
                BatchRequest.model_validate_json, body, limiter=state.extraction
            )
        except ValidationError as exc:
            detail = exc.errors(include_url=False, include_input=False, include_context=False)
            return JSONResponse(status_code=422, content={"detail": detail})
        entries = [(None, s) for s in batch.root]
    elif media == "multipart/form-data":
        limit = state.settings.max_batch_messages + 1
        async with request.form(
            max_files=limit, max_fields=limit, max_part_size=state.settings.max_message_bytes
        ) as form:
            for field, value in form.multi_items():
                if isinstance(value, UploadFile):
                    entries.append((value.filename or field, await value.read()))
                else:
                    entries.append((field, value.encode("utf-8", "surrogatepass")))
        if not entries:
            return _error(400, "multipart batch has no parts")
    else:
        raise HTTPException(415, "send a JSON list of base64 messages or multipart/form-data")
    if len(entries) > state.settings.max_batch_messages:
        return _error(
            413, f"batch has {len(entries)} messages; the limit is {state.settings.max_batch_messages}"
        )
    answer = await anyio.to_thread.run_sync(
        partial(_run_batch, entries, snap, state), limiter=state.extraction
    )
    return Response(answer, media_type="application/json")


def _run_batch(entries: list[tuple[str | None, bytes | str]], snap: Snapshot, state: State) -> bytes:
    """The batch's :class:`BatchResponse` as JSON, extracted and serialised in a worker thread so
    the event loop stays free for other requests (a batch of large messages answers megabytes)."""
    limit = state.settings.max_message_bytes
    out: list[BatchResult] = []
    for i, (name, value) in enumerate(entries):
        try:
            raw = _decode(value, limit) if isinstance(value, str) else value
            result = extract_message(raw, snap, limit, state.metrics, state.cache.stats)
        except Rejected as rej:
            out.append(BatchResult(index=i, name=name, status=rej.status, error=rej.reason))
            continue
        out.append(BatchResult(index=i, name=name, status=200, result=result))
    failed = sum(1 for r in out if r.result is None)
    return (
        BatchResponse(version=snap.version, count=len(out), failed=failed, results=out)
        .model_dump_json()
        .encode()
    )


def _decode(text: str, limit: int) -> bytes:
    compact = "".join(text.split())
    if len(compact) // 4 * 3 > limit + 3:
        raise Rejected(413, f"message is over the limit of {limit} bytes", "too_large")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(400, "message is not valid base64", "bad_base64") from exc
