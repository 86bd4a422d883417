"""What the service and its extraction workers hand each other: a :class:`Job`, its :class:`Answer`
and the :class:`Tally` it counts, and the messages that load a rule set into a worker process.

Plain picklable data, and a module the service imports without the extraction code: parsing and
matching (``app/service.py``) are imported only where jobs run, a worker process or, with worker
threads, the service itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mailstencil.rules.model import SenderRuleSet

if TYPE_CHECKING:
    from .core.metrics import Metrics
    from .rulecache import ClusterStats

__all__ = ["Job", "Answer", "Tally", "Load", "Loaded", "Missing", "error_body", "LD_JSON", "KEEP"]

LD_JSON = "application/ld+json"
KEEP = 2  # rule sets each worker process keeps loaded: the served one and the one before


class _Wire:
    """Pickled as its constructor's arguments, its slots in field order: a slots dataclass's own
    pickle lists ``dataclasses.fields()`` and sets each field apart, on every trip through a
    worker's pipe."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[Any], tuple[object, ...]]:
        names: tuple[str, ...] = self.__slots__  # the subclass's: its fields, in order
        return type(self), tuple(getattr(self, name) for name in names)


@dataclass(frozen=True, slots=True)
class Job(_Wire):
    """One request's extraction work: a raw message, a JSON batch body, or multipart batch entries."""

    kind: Literal["message", "json_batch", "entries"]
    version: int
    """The rule-set version the request took; its answer comes from exactly that version."""
    max_bytes: int
    max_messages: int = 1
    jsonld: bool = False
    raw: bytes = b""
    entries: tuple[tuple[str | None, bytes], ...] = ()


@dataclass(slots=True)
class Tally(_Wire):
    """What a job counts, applied to the service's metrics and cluster statistics by the service."""

    rejected: list[str] = field(default_factory=list)
    extractions: list[tuple[str, str]] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    routed: list[tuple[str | None, str, bool, bool]] = field(default_factory=list)
    fields: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (cluster, first value per field)
    disagreed: list[str] = field(default_factory=list)  # clusters of messages whose own markup disagreed

    def apply(self, metrics: Metrics, stats: ClusterStats) -> None:
        """Count this job in ``metrics`` and ``stats``."""
        for reason in self.rejected:
            metrics.rejected.labels(reason).inc()
        for state, result in self.extractions:
            metrics.extraction_count(state, result).inc()
        for syntax in self.markup:
            metrics.markup.labels(syntax).inc()
        for cluster, sender, hit, fallback in self.routed:
            stats.record(cluster, sender, hit, fallback)
        for cluster, values in self.fields:
            stats.record_fields(cluster, values)
        for cluster in self.disagreed:
            metrics.disagreements.inc()
            stats.record_disagreement(cluster)


@dataclass(frozen=True, slots=True)
class Answer(_Wire):
    """A job's HTTP answer, serialised, and its tally."""

    status: int
    body: bytes
    media_type: str = "application/json"
    tally: Tally = field(default_factory=Tally)


def error_body(detail: object) -> bytes:
    """The JSON body of a refusal: ``{"detail": ...}``."""
    return json.dumps({"detail": detail}).encode()


@dataclass(frozen=True, slots=True)
class Load(_Wire):
    """Keep this rule set (each sender's clusters in JSON, parsed on the sender's first message)."""

    ruleset: SenderRuleSet


@dataclass(frozen=True, slots=True)
class Loaded(_Wire):
    """The rule set of ``version`` is loaded (each sender's clusters compile on its first message)."""

    version: int


@dataclass(frozen=True, slots=True)
class Missing(_Wire):
    """The worker holds no rule set of this version: send it a :class:`Load` first."""

    version: int
