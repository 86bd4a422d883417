"""The in-memory rule cache: one immutable snapshot, swapped atomically when the store moves on.

A request takes ``cache.snapshot`` once and uses only that object, so it never mixes two rule
sets. ``refresh`` compiles a new snapshot off to the side and replaces the reference in one
assignment; when the store is unreachable the last snapshot keeps being served.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from mailstencil.rules.limits import DEFAULT_LIMITS, Limits
from mailstencil.rules.model import ClusterRules, RuleSet, SenderRuleSet
from mailstencil.rules.store import RuleStore, StoreError
from mailstencil.rules.stores import open_store

from .core.metrics import Metrics

if TYPE_CHECKING:
    from mailstencil.rules.apply import Extractor

__all__ = ["Snapshot", "RuleCache", "ClusterStats", "Prepare", "compile_here", "RECENT_DAYS"]

log = logging.getLogger("mailstencil.app.rules")


@dataclass(frozen=True)
class Snapshot:
    """A loaded rule set, split by sender, and when extraction runs in this process its extractor
    (``None`` when extraction worker processes compile their own); never mutated. The whole set is
    parsed only when an admin page first asks for it (:attr:`ruleset`), so taking in a rule set
    costs the service no parse of its clusters."""

    version: int
    rules: SenderRuleSet
    extractor: Extractor | None
    loaded_at: float

    @classmethod
    def of(cls, rules: SenderRuleSet, extractor: Extractor | None) -> Snapshot:
        """A snapshot of ``rules`` served with ``extractor``."""
        return cls(rules.version, rules, extractor, time.time())

    @cached_property
    def ruleset(self) -> RuleSet:
        """The whole rule set, parsed on first use."""
        return self.rules.ruleset()

    @cached_property
    def clusters(self) -> Mapping[str, ClusterRules]:
        """Each cluster by its key, parsed on first use."""
        return MappingProxyType({c.cluster: c for c in self.ruleset.clusters})


Prepare = Callable[[SenderRuleSet], "Extractor | None"]
"""Readies a rule set for extraction before it is served: compiles it here, or has the extraction
worker processes compile it (then ``None``)."""


def compile_here(limits: Limits = DEFAULT_LIMITS) -> Prepare:
    """A :data:`Prepare` readying the extractor in this process (it compiles each sender's
    clusters on the sender's first message; patterns RE2 refuses are left out and logged then)."""
    from mailstencil.rules.apply import Extractor  # the extraction code: only where jobs run

    def prepare(rules: SenderRuleSet) -> Extractor:
        return Extractor(rules, limits)

    return prepare


@dataclass(slots=True)
class ClusterStats:
    """Online counters since start: per cluster (routed, with a field, by fallback) and per sender
    (messages, on an unknown structure, by fallback) — the template-drift signal; and the per-field
    counts not yet added to the store's (:meth:`RuleCache.flush_counts`), which every process sees."""

    seen: dict[str, int] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    fallbacks: dict[str, int] = field(default_factory=dict)
    senders: dict[str, list[int]] = field(default_factory=dict)  # sender -> [messages, unknown, fallback]
    pending: dict[tuple[str, str], int] = field(default_factory=dict)  # (cluster, field or "") -> messages
    disagreements: dict[str, int] = field(default_factory=dict)  # cluster -> messages its markup contradicts
    examples: dict[str, dict[str, str]] = field(default_factory=dict)
    """cluster -> field -> the last value extracted: in memory only, for the console (masked there)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, cluster: str | None, sender: str, hit: bool, fallback: bool = False) -> None:
        """Count one extraction routed to ``cluster`` (``None``: no cluster of a known sender)."""
        with self._lock:
            counts = self.senders.setdefault(sender, [0, 0, 0])
            counts[0] += 1
            counts[1] += cluster is None
            counts[2] += fallback
            if cluster is None:
                return
            self.seen[cluster] = self.seen.get(cluster, 0) + 1
            self.pending[cluster, ""] = self.pending.get((cluster, ""), 0) + 1
            if hit:
                self.hits[cluster] = self.hits.get(cluster, 0) + 1
            if fallback:
                self.fallbacks[cluster] = self.fallbacks.get(cluster, 0) + 1

    def record_fields(self, cluster: str, values: dict[str, str]) -> None:
        """Count the fields one message of ``cluster`` gave and keep each one's value as its example."""
        with self._lock:
            for name in values:
                self.pending[cluster, name] = self.pending.get((cluster, name), 0) + 1
            self.examples.setdefault(cluster, {}).update(values)

    def record_disagreement(self, cluster: str) -> None:
        """Count a message of ``cluster`` whose own schema.org markup gave a value extraction missed."""
        with self._lock:
            self.disagreements[cluster] = self.disagreements.get(cluster, 0) + 1

    def disagreement_share(self, cluster: str) -> float | None:
        """Share of a cluster's messages since start whose own markup extraction disagreed with."""
        with self._lock:
            seen = self.seen.get(cluster, 0)
            return self.disagreements.get(cluster, 0) / seen if seen else None

    def take_counts(self) -> dict[tuple[str, str], int]:
        """The per-field counts not yet stored, handed over (and no longer pending here)."""
        with self._lock:
            taken, self.pending = self.pending, {}
        return taken

    def give_back(self, counts: dict[tuple[str, str], int]) -> None:
        """Counts the store did not take, pending again for the next flush."""
        with self._lock:
            for key, n in counts.items():
                self.pending[key] = self.pending.get(key, 0) + n

    def example(self, cluster: str) -> dict[str, str]:
        """The last value extracted per field of ``cluster`` (never logged, masked by the console)."""
        with self._lock:
            return dict(self.examples.get(cluster, {}))

    def rate(self, cluster: str) -> tuple[int, float | None]:
        """(messages seen since start, share with at least one field) for one cluster."""
        with self._lock:
            seen = self.seen.get(cluster, 0)
            hits = self.hits.get(cluster, 0)
        return seen, (hits / seen if seen else None)

    def fallback_share(self, cluster: str) -> float | None:
        """Share of a cluster's messages that needed the drift fallback."""
        with self._lock:
            seen = self.seen.get(cluster, 0)
            return self.fallbacks.get(cluster, 0) / seen if seen else None

    def drift(self) -> list[tuple[str, int, int, int]]:
        """(sender, messages, on unknown structures, by fallback) per known sender seen."""
        with self._lock:
            return sorted((s, c[0], c[1], c[2]) for s, c in self.senders.items())


RECENT_DAYS = 7
"""Per-field extraction rates are over the messages of the last this many UTC days (today included)."""


def _today() -> int:
    return int(time.time() // 86400)


class RuleCache:
    """Holds the current snapshot and reloads it from the store when the current version changes.

    ``prepare`` readies each new rule set (compiles it) before the swap, in the thread that
    refreshes, never in a request.
    """

    def __init__(self, store_url: str, metrics: Metrics, prepare: Prepare | None = None) -> None:
        self.store_url = store_url
        self.metrics = metrics
        self.prepare = prepare or compile_here()
        empty = SenderRuleSet.of(RuleSet())
        self.snapshot: Snapshot = Snapshot.of(empty, self.prepare(empty))
        self.loaded = False
        self.store_ok = False
        self.last_error: str | None = None
        self.last_check: float = 0.0
        self.stats = ClusterStats()
        self._store: RuleStore | None = None
        self._refresh_lock = threading.Lock()

    def store(self) -> RuleStore:
        """The open store (opened on first use, and again after it failed or was replaced under
        us; raises ``StoreError`` when it cannot be)."""
        if self._store is not None and self._store.replaced():
            log.warning("rule store was replaced or removed; reopening it")
            self.close()
        if self._store is None:
            self._store = open_store(self.store_url)
        return self._store

    def _failed(self, exc: Exception) -> None:
        """Record a store failure and drop the connection, so the next check opens it afresh."""
        self.store_ok = False
        self.last_error = f"{type(exc).__name__}: {exc}"[:300]
        self.metrics.store_up.set(0)
        self.close()

    def refresh(self, force: bool = False) -> bool:
        """Check the store and swap in its current rule set if it changed; True when swapped.

        Never raises: a failing store is recorded (``store_ok``, metrics, log) and the previous
        snapshot stays in place.
        """
        with self._refresh_lock:
            self.last_check = time.time()
            try:
                store = self.store()
                version = store.current_version()
                if self.loaded and not force and version == self.snapshot.version:
                    self._mark_ok()
                    return False
                if version == 0 and self.loaded and self.snapshot.version > 0:
                    # an emptied or re-created store: keep the rules we have rather than none
                    self._mark_ok()
                    log.warning("rule store has no rule set; keeping version %d", self.snapshot.version)
                    return False
                rules = store.load_split()
                snapshot = Snapshot.of(rules, self.prepare(rules))
            except Exception as exc:  # noqa: BLE001 - any store failure: keep serving the last rules
                self._failed(exc)
                self.metrics.reloads.labels("error").inc()
                log.warning(
                    "rule store check failed, serving version %d: %s", self.snapshot.version, self.last_error
                )
                return False
            previous = self.snapshot.version
            self.snapshot = snapshot  # the one atomic swap
            self.loaded = True
            self._mark_ok()
            self.metrics.reloads.labels("ok").inc()
            self.metrics.ruleset_version.set(snapshot.version)
            self.metrics.ruleset_clusters.set(snapshot.rules.clusters)
            log.info(
                "serving rule set version %d (%d clusters; was %d)",
                snapshot.version,
                snapshot.rules.clusters,
                previous,
            )
            return True

    def _mark_ok(self) -> None:
        self.store_ok = True
        self.last_error = None
        self.metrics.store_up.set(1)

    def ping(self) -> bool:
        """Whether the store answers right now (updates ``store_ok``)."""
        try:
            self.store().current_version()
        except Exception as exc:  # noqa: BLE001 - readiness only reports
            self._failed(exc)
            return False
        self._mark_ok()
        return True

    def flush_counts(self) -> None:
        """Add this process's pending per-field counts to the store's, in one transaction (each
        poll does, so a process writes at most once per poll); kept for the next try on failure."""
        counts = self.stats.take_counts()
        if not counts:
            return
        day = _today()
        try:
            self.store().add_field_counts(day, counts, day - RECENT_DAYS + 1)
        except Exception as exc:  # noqa: BLE001 - any store failure: the counts wait for the next poll
            self.stats.give_back(counts)
            log.warning("field counts not stored, kept for the next poll: %s", type(exc).__name__)

    def field_rates(self, cluster: str) -> dict[str, float] | None:
        """Per field, the share of the cluster's messages of the last :data:`RECENT_DAYS` days that
        gave it, over every process sharing the store (this one's pending counts added first);
        ``None`` when the store cannot be read."""
        self.flush_counts()
        try:
            counts = self.store().field_counts(cluster, _today() - RECENT_DAYS + 1)
        except Exception as exc:  # noqa: BLE001 - the page shows the rates as unknown
            log.warning("field counts unreadable: %s", type(exc).__name__)
            return None
        seen = counts.pop("", 0)
        return {name: n / seen for name, n in counts.items()} if seen else {}

    def versions(self) -> list[tuple[int, str, int, bool]]:
        """Stored versions (raises ``StoreError`` when the store is unreachable)."""
        return self.store().versions()

    def rollback(self, version: int) -> None:
        """Make ``version`` current in the store and serve it at once."""
        self.store().rollback(version)
        self.refresh(force=True)

    def close(self) -> None:
        """Close the store connection."""
        if self._store is not None:
            with contextlib.suppress(StoreError):
                self._store.close()
            self._store = None
