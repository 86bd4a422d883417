"""Bounded memory of a sender across nights: KMV distinct-count sketches and the sample reservoir.

Message and recipient counts accumulate in KMV sketches (exact up to :data:`SKETCH_SIZE`,
estimates beyond; adding a hash twice changes nothing, so re-runs are idempotent). The reservoir
keeps at most ``cap`` samples per cluster: the ones with the smallest hash of their Message-ID,
so re-runs keep the same ones.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime

import xxhash
from pydantic import BaseModel, Field

from .sample import Sample

__all__ = ["SKETCH_SIZE", "ClusterStats", "Sketch", "cap_by_group", "h64", "sample_order"]

SKETCH_SIZE = 256
_MAX64 = float(2**64)


def h64(text: str) -> int:
    """The 64-bit hash sketches and the reservoir rank by."""
    return int(xxhash.xxh64_intdigest(text.encode("utf-8", "surrogatepass")))


class Sketch(BaseModel):
    """A KMV distinct-count sketch: the smallest :data:`SKETCH_SIZE` 64-bit hashes seen."""

    mins: list[int] = Field(default_factory=list)

    def add_hashes(self, hashes: Iterable[int]) -> None:
        """Merge hashes in (idempotent: adding a hash twice changes nothing)."""
        self.mins = heapq.nsmallest(SKETCH_SIZE, set(self.mins) | set(hashes))

    def merge(self, other: Sketch) -> None:
        """Union with another sketch."""
        self.add_hashes(other.mins)

    def count(self) -> int:
        """Distinct items: exact below :data:`SKETCH_SIZE`, an estimate above."""
        if len(self.mins) < SKETCH_SIZE:
            return len(self.mins)
        return round((SKETCH_SIZE - 1) / (self.mins[-1] / _MAX64))


class ClusterStats(BaseModel):
    """Accumulated counts of one cluster across nights (hashes only, no identities)."""

    messages: Sketch = Field(default_factory=Sketch)
    recipients: Sketch = Field(default_factory=Sketch)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def add(self, samples: list[Sample]) -> None:
        """Count samples in."""
        if not samples:
            return
        self.messages.add_hashes(h64(s.message_id) for s in samples)
        self.recipients.add_hashes(h64(s.reader) for s in samples)
        lo, hi = min(s.date for s in samples), max(s.date for s in samples)
        self.first_seen = lo if self.first_seen is None else min(self.first_seen, lo)
        self.last_seen = hi if self.last_seen is None else max(self.last_seen, hi)

    def merge(self, other: ClusterStats) -> None:
        """Fold another cluster's counts in (a cluster that was merged into this one)."""
        self.messages.merge(other.messages)
        self.recipients.merge(other.recipients)
        for when in (other.first_seen, other.last_seen):
            if when is not None:
                self.first_seen = when if self.first_seen is None else min(self.first_seen, when)
                self.last_seen = when if self.last_seen is None else max(self.last_seen, when)


def sample_order(s: Sample) -> tuple[datetime, str]:
    """The canonical order of a sender's samples (engines group in arbitrary order)."""
    return (s.date, s.message_id)


def _rank(s: Sample) -> int:
    return h64("keep:" + s.message_id)


def cap_by_group(groups: Iterable[list[Sample]], cap: int) -> list[Sample]:
    """At most ``cap`` samples of each group (the smallest Message-ID hashes), in canonical order."""
    out: list[Sample] = []
    for members in groups:
        out.extend(heapq.nsmallest(cap, members, key=lambda s: (_rank(s), s.message_id)))
    return sorted(out, key=sample_order)
