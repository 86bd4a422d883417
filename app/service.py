"""Extraction jobs: one raw message or one batch against one compiled rule set, the service's hot path.

A :class:`~mailstencil.app.jobs.Job` and its :class:`~mailstencil.app.jobs.Answer` are plain
picklable data, so the same :func:`run_job` runs in a worker thread of the service or in an
extraction worker process (:func:`serve_jobs`, started by ``app/workers.py``): it parses,
extracts and serialises the answer, turning parser failures into 4xx answers with a reason, and
returns what to count in a :class:`~mailstencil.app.jobs.Tally` the service applies to its own
metrics. It never logs message content or extracted values.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import signal
from multiprocessing.connection import Connection

from pydantic import ValidationError

from mailstencil.rules.apply import Extractor
from mailstencil.rules.dom import DomError
from mailstencil.rules.limits import Limits
from mailstencil.rules.message import MessageError, parse_message
from mailstencil.rules.shapes import from_attributes
from mailstencil.rules.typed import type_extraction

from .jobs import KEEP, LD_JSON, Answer, Job, Load, Loaded, Missing, Tally, error_body
from .jsonld import to_jsonld
from .markup import disagrees, load_extruct, read_markup
from .schemas import BatchRequest, BatchResponse, BatchResult, ExtractionResponse

__all__ = ["Rejected", "run_job", "serve_jobs"]

log = logging.getLogger("mailstencil.app.extract")

IDLE_IMPORT = 1.0
"""Seconds a worker waits for a message before it imports extruct while it has nothing to do."""


class Rejected(Exception):
    """A message the service refuses, with the HTTP status and a reason safe to return and log."""

    def __init__(self, status: int, reason: str, metric: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.metric = metric


def run_job(job: Job, extractor: Extractor) -> Answer:
    """Answer ``job`` with ``extractor`` (compiled from rule-set ``job.version``); never raises on
    bad input."""
    tally = Tally()
    if job.kind == "message":
        try:
            result = _extract(job.raw, extractor, job, tally)
        except Rejected as rej:
            return Answer(rej.status, error_body(rej.reason), tally=tally)
        if job.jsonld:
            doc = to_jsonld(result).model_dump_json(by_alias=True).encode()
            return Answer(200, doc, LD_JSON, tally)
        return Answer(200, result.model_dump_json().encode(), tally=tally)
    if job.kind == "json_batch":
        try:
            texts = BatchRequest.model_validate_json(job.raw).root
        except ValidationError as exc:
            detail = exc.errors(include_url=False, include_input=False, include_context=False)
            return Answer(422, json.dumps({"detail": detail}, default=str).encode(), tally=tally)
        entries: list[tuple[str | None, bytes | str]] = [(None, t) for t in texts]
    else:
        entries = list(job.entries)
    if len(entries) > job.max_messages:
        reason = f"batch has {len(entries)} messages; the limit is {job.max_messages}"
        return Answer(413, error_body(reason), tally=tally)
    out: list[BatchResult] = []
    for i, (name, value) in enumerate(entries):
        try:
            raw = _decode(value, job.max_bytes) if isinstance(value, str) else value
            got = _extract(raw, extractor, job, tally)
        except Rejected as rej:
            out.append(BatchResult(index=i, name=name, status=rej.status, error=rej.reason))
            continue
        out.append(BatchResult(index=i, name=name, status=200, result=got))
    failed = sum(1 for r in out if r.result is None)
    batch = BatchResponse(version=job.version, count=len(out), failed=failed, results=out)
    return Answer(200, batch.model_dump_json().encode(), tally=tally)


def _extract(raw: bytes, extractor: Extractor, job: Job, tally: Tally) -> ExtractionResponse:
    """Extract one message (raises :class:`Rejected` for input it cannot use)."""
    try:
        if not raw:
            raise Rejected(400, "empty message", "empty")
        if len(raw) > job.max_bytes:
            raise Rejected(413, f"message is {len(raw)} bytes; the limit is {job.max_bytes}", "too_large")
        try:
            msg = parse_message(raw)
            got = extractor.extract_parsed(msg)
            markup, _ = read_markup(msg.html)
            typed, typed_items = type_extraction(got.fields, got.items, msg.date, got.sender, got.around)
        except (MessageError, DomError) as exc:
            raise Rejected(422, f"not a usable RFC 822 message: {exc}", "malformed") from exc
        except RecursionError as exc:
            raise Rejected(422, "message structure nested too deeply", "malformed") from exc
        except Exception as exc:  # noqa: BLE001 - bad input must never become a 500
            log.error("extraction failed on a message: %s", type(exc).__name__)
            raise Rejected(422, f"message could not be processed ({type(exc).__name__})", "failed") from exc
    except Rejected as rej:
        tally.rejected.append(rej.metric)
        raise
    hit = bool(got.fields)
    if not got.known:
        state = "unknown"
    elif got.fallback:
        state = "known_fallback"
    else:
        state = "known_exact" if got.exact else "known_fuzzy"
    tally.extractions.append((state, "hit" if hit else "miss"))
    tally.markup.extend(m.syntax for m in markup)
    if got.cluster is not None or extractor.knows_sender(got.sender):
        tally.routed.append((got.cluster, got.sender, hit, got.fallback))
    if got.cluster is not None and got.fields:
        tally.fields.append((got.cluster, {name: vals[0] for name, vals in got.fields.items() if vals}))
    if got.cluster is not None and markup and disagrees(markup, got.fields):
        tally.disagreed.append(got.cluster)
    return from_attributes(
        ExtractionResponse,
        got,
        version=job.version,
        typed=typed,
        typed_items=typed_items,
        markup=markup,
    )


def _decode(text: str, limit: int) -> bytes:
    compact = "".join(text.split())
    if len(compact) // 4 * 3 > limit + 3:
        raise Rejected(413, f"message is over the limit of {limit} bytes", "too_large")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(400, "message is not valid base64", "bad_base64") from exc


def serve_jobs(conn: Connection, limits: Limits) -> None:
    """An extraction worker process: answer :class:`~mailstencil.app.jobs.Load` and
    :class:`~mailstencil.app.jobs.Job` messages until the service closes the pipe. extruct (about
    0.2 s of imports) is imported in the worker's first :data:`IDLE_IMPORT` seconds without a
    message, off the service's start-up, where every process of the service starts at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the service's to handle
    extractors: dict[int, Extractor] = {}  # insertion order: oldest first
    idle_import = True
    while True:
        if idle_import and not conn.poll(IDLE_IMPORT):
            load_extruct()  # else the first message with markup does it
            idle_import = False
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        reply: object
        if isinstance(msg, Load):
            version = msg.ruleset.version
            extractors.pop(version, None)
            extractors[version] = Extractor(msg.ruleset, limits)
            while len(extractors) > KEEP:
                del extractors[next(iter(extractors))]
            reply = Loaded(version)
        else:
            job: Job = msg
            found = extractors.get(job.version)
            reply = Missing(job.version) if found is None else run_job(job, found)
        conn.send(reply)
