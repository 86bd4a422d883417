"""Extraction of one raw message against one rule-set snapshot: the service's hot path.

It turns parser failures into :class:`Rejected` (a 4xx with a reason) and records metrics; it
never logs message content or extracted values.
"""

from __future__ import annotations

import logging

from rules.dom import DomError
from rules.message import MessageError, parse_message
from rules.typed import type_extraction

from .core.metrics import Metrics
from .markup import read_markup
from .rulecache import ClusterStats, Snapshot
from .schemas import ExtractionResponse

__all__ = ["Rejected", "extract_message"]

log = logging.getLogger("mailstencil.app.extract")


class Rejected(Exception):
    """A message the service refuses, with the HTTP status and a reason safe to return and log."""

    def __init__(self, status: int, reason: str, metric: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.metric = metric


def extract_message(
    raw: bytes, snap: Snapshot, max_bytes: int, metrics: Metrics, stats: ClusterStats
) -> ExtractionResponse:
    """Extract one message with ``snap`` (raises :class:`Rejected` for input it cannot use)."""
    try:
        if not raw:
            raise Rejected(400, "empty message", "empty")
        if len(raw) > max_bytes:
            raise Rejected(413, f"message is {len(raw)} bytes; the limit is {max_bytes}", "too_large")
        try:
            msg = parse_message(raw)
            got = snap.extractor.extract_parsed(msg)
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
        metrics.rejected.labels(rej.metric).inc()
        raise
    hit = bool(got.fields)
    if not got.known:
        state = "unknown"
    elif got.fallback:
        state = "known_fallback"
    else:
        state = "known_exact" if got.exact else "known_fuzzy"
    metrics.extractions.labels(state, "hit" if hit else "miss").inc()
    for m in markup:
        metrics.markup.labels(m.syntax).inc()
    if got.cluster is not None or snap.extractor.knows_sender(got.sender):
        stats.record(got.cluster, got.sender, hit, got.fallback)
    return ExtractionResponse(
        message_id=got.message_id,
        sender=got.sender,
        subject=got.subject,
        cluster=got.cluster,
        known=got.known,
        exact=got.exact,
        fallback=got.fallback,
        version=snap.version,
        fields=got.fields,
        typed=typed,
        confidence=got.confidence,
        items=got.items,
        typed_items=typed_items,
        markup=markup,
        cut_short=got.cut_short,
    )
