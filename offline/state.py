"""Incremental learning state: per sender, a capped reservoir of prepared samples plus counts.

A night relearns only the senders that received mail: their new samples are merged with the
retained reservoir (deduplicated by Message-ID), the sender is relearned with
:func:`offline.learn.learn_sender`, and the reservoir is cut back to ``cap`` samples per cluster
(the ones with the smallest hash of their Message-ID, so re-runs keep the same ones). Learning must
see variable values across messages to tell constant from variable text, so a retained sample
*does* hold values: it is dropped ``retention_days`` after it was first kept, and recipients are
stored only as hashes. Message and recipient counts accumulate across nights in KMV sketches
(exact up to :data:`SKETCH_SIZE`, estimates beyond), which also makes re-runs idempotent.
Everything here is JSON (pydantic), never pickle.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

import xxhash
from pydantic import BaseModel, Field

from rules.cluster import ClusterCandidate, choose_or_join, structure_paths, text_signature
from rules.dom import Leaf
from rules.model import ClusterRules

from .clustering import cluster_samples
from .defaults import DEFAULT_CAP, DEFAULT_RETENTION_DAYS
from .learn import learn_sender
from .roles import RoleModel
from .sample import Sample, prepare_checked

__all__ = [
    "SKETCH_SIZE",
    "DEFAULT_CAP",
    "DEFAULT_RETENTION_DAYS",
    "LearnJob",
    "Sketch",
    "ClusterStats",
    "StoredSample",
    "SenderStateBody",
    "SenderResult",
    "prepare_private",
    "privatize",
    "sample_to_json",
    "sample_from_json",
    "sample_order",
    "night_sender",
    "prune_state",
]

SKETCH_SIZE = 256
_MAX64 = float(2**64)


class LearnJob(BaseModel):
    """Settings of one learning run, shipped to every worker as JSON."""

    model_path: str | None = None
    min_recipients: int = 5
    cap: int = DEFAULT_CAP
    retention_days: int = DEFAULT_RETENTION_DAYS
    now: datetime

    @property
    def cutoff(self) -> datetime:
        """Samples kept before this time are past retention."""
        return self.now - timedelta(days=self.retention_days)


def _h64(text: str) -> int:
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
        self.messages.add_hashes(_h64(s.message_id) for s in samples)
        self.recipients.add_hashes(_h64(s.reader) for s in samples)
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


class StoredSample(BaseModel):
    """A retained sample: leaves as (path index, xpath, text, kind); the recipient only as a hash."""

    message_id: str
    subject: str
    date: datetime
    recipient: str
    kept: datetime
    cluster: str = ""
    leaves: list[tuple[int, str, str, str]]


class SenderStateBody(BaseModel):
    """The JSON body of one sender's learning state."""

    format: str = "mailstencil.state/1"
    sender: str
    ipaths: list[str] = Field(default_factory=list, description="index-free paths the leaves refer to")
    samples: list[StoredSample] = Field(default_factory=list)
    clusters: dict[str, ClusterStats] = Field(default_factory=dict)

    def oldest_kept(self) -> datetime | None:
        """When the oldest retained sample was kept."""
        return min((s.kept for s in self.samples), default=None)


class SenderResult(BaseModel):
    """What a worker returns for one sender: its clusters, its new state and counts (no values)."""

    sender: str
    relearned: bool
    clusters: list[ClusterRules] = Field(default_factory=list)
    state: str = ""
    oldest_kept: datetime | None = None
    fresh: int = 0
    duplicates: int = 0
    expired: int = 0
    retained: int = 0


def _recipient_hash(recipient: str) -> str:
    return f"r:{xxhash.xxh64_hexdigest(recipient.strip().lower().encode())}" if recipient else ""


def privatize(s: Sample) -> Sample:
    """A copy of a sample with the recipient replaced by a hash (learning only needs to tell
    recipients apart) and no file name kept."""
    if s.recipient.startswith("r:") and not s.name:
        return s
    return replace(s, name="", recipient=_recipient_hash(s.recipient))


def prepare_private(name: str, raw: bytes) -> Sample | str:
    """The per-message step: :func:`offline.sample.prepare_checked`, then :func:`privatize`
    (the reason, a fixed phrase, for a message it skips)."""
    s = prepare_checked(name, raw)
    return s if isinstance(s, str) else privatize(s)


def _from_parts(
    message_id: str, sender: str, subject: str, date: datetime, recipient: str, leaves: list[Leaf]
) -> Sample:
    return Sample(
        name="",
        message_id=message_id,
        sender=sender,
        subject=subject,
        date=date,
        recipient=recipient,
        leaves=leaves,
        paths=structure_paths(leaves),
        signature=text_signature(subject, leaves),
    )


def sample_to_json(s: Sample) -> str:
    """A prepared sample as JSON (how samples travel between processes and Spark tasks)."""
    return StoredTransit(
        message_id=s.message_id,
        sender=s.sender,
        subject=s.subject,
        date=s.date,
        recipient=s.recipient,
        leaves=[(lf.ipath, lf.xpath, lf.text, lf.kind) for lf in s.leaves],
    ).model_dump_json()


def sample_from_json(text: str) -> Sample:
    """Inverse of :func:`sample_to_json`."""
    t = StoredTransit.model_validate_json(text)
    leaves = [Leaf(ip, xp, tx, kind) for ip, xp, tx, kind in t.leaves]
    return _from_parts(t.message_id, t.sender, t.subject, t.date, t.recipient, leaves)


class StoredTransit(BaseModel):
    """A prepared sample in transit (engine map output)."""

    message_id: str
    sender: str
    subject: str
    date: datetime
    recipient: str
    leaves: list[tuple[str, str, str, str]]


def sample_order(s: Sample) -> tuple[datetime, str]:
    """The canonical order of a sender's samples (engines group in arbitrary order)."""
    return (s.date, s.message_id)


def _rank(s: Sample) -> int:
    return _h64("keep:" + s.message_id)


def _cap_by_group(groups: Iterable[list[Sample]], cap: int) -> list[Sample]:
    out: list[Sample] = []
    for members in groups:
        out.extend(heapq.nsmallest(cap, members, key=lambda s: (_rank(s), s.message_id)))
    return sorted(out, key=sample_order)


def _candidates(clusters: list[ClusterRules]) -> list[ClusterCandidate]:
    return [ClusterCandidate(frozenset(c.paths), frozenset(c.signature), c.messages) for c in clusters]


def _assign(clusters: list[ClusterRules], samples: list[Sample]) -> list[list[Sample]]:
    """Each sample's cluster, chosen the way extraction chooses it."""
    cands = _candidates(clusters)
    parts: list[list[Sample]] = [[] for _ in clusters]
    for s in samples:
        chosen = choose_or_join(cands, s.paths, s.signature) if cands else None
        if chosen is not None:
            parts[chosen[0]].append(s)
    return parts


def _load(
    body: SenderStateBody, cutoff: datetime
) -> tuple[list[Sample], dict[str, datetime], dict[str, str], int]:
    kept: dict[str, datetime] = {}
    cluster: dict[str, str] = {}
    out: list[Sample] = []
    expired = 0
    for st in body.samples:
        if st.kept < cutoff:
            expired += 1
            continue
        leaves = [Leaf(body.ipaths[i], xp, tx, kind) for i, xp, tx, kind in st.leaves]
        out.append(_from_parts(st.message_id, body.sender, st.subject, st.date, st.recipient, leaves))
        kept[st.message_id] = st.kept
        cluster[st.message_id] = st.cluster
    return out, kept, cluster, expired


def _dump(
    sender: str,
    samples: list[Sample],
    kept: dict[str, datetime],
    where: dict[str, str],
    stats: dict[str, ClusterStats],
) -> SenderStateBody:
    ipaths: dict[str, int] = {}
    stored = []
    for s in samples:
        leaves = [(ipaths.setdefault(lf.ipath, len(ipaths)), lf.xpath, lf.text, lf.kind) for lf in s.leaves]
        stored.append(
            StoredSample(
                message_id=s.message_id,
                subject=s.subject,
                date=s.date,
                recipient=s.recipient,
                kept=kept[s.message_id],
                cluster=where.get(s.message_id, ""),
                leaves=leaves,
            )
        )
    return SenderStateBody(sender=sender, ipaths=list(ipaths), samples=stored, clusters=stats)


def night_sender(
    sender: str, new: list[Sample], state: str | None, model: RoleModel | None, job: LearnJob
) -> SenderResult:
    """One night of one sender (pure, deterministic): merge new samples into the retained
    reservoir, relearn the sender, cut the reservoir back, accumulate counts."""
    body = SenderStateBody.model_validate_json(state) if state else SenderStateBody(sender=sender)
    retained, kept, old_cluster, expired = _load(body, job.cutoff)
    fresh_by_id: dict[str, Sample] = {}
    duplicates = 0
    for s in sorted(new, key=sample_order):
        if s.message_id in kept or s.message_id in fresh_by_id:
            duplicates += 1
        else:
            fresh_by_id[s.message_id] = s
    fresh = list(fresh_by_id.values())
    if not fresh and not expired and state:
        return SenderResult(sender=sender, relearned=False, duplicates=duplicates, retained=len(retained))
    for s in fresh:
        kept[s.message_id] = job.now
    pool = sorted(retained + fresh, key=sample_order)
    k = job.min_recipients
    # bounded learning input: at most ``cap`` samples per (pre-)cluster, however big the night
    learn_in = _cap_by_group((c.members for c in cluster_samples(pool, k)), job.cap)
    clusters = learn_sender(learn_in, model, k)
    # counts: fresh samples count in; old clusters' counts follow their retained samples
    stats: dict[str, ClusterStats] = {c.cluster: ClusterStats() for c in clusters}
    parts = _assign(clusters, pool)
    where: dict[str, str] = {}
    for c, members in zip(clusters, parts, strict=True):
        for s in members:
            where[s.message_id] = c.cluster
        stats[c.cluster].add([s for s in members if s.message_id in fresh_by_id])
    for old_key, old_stats in sorted(body.clusters.items()):
        if old_key in stats:
            stats[old_key].merge(old_stats)
            continue
        # a cluster that was re-keyed or merged: its counts go where most of its samples went
        votes: dict[str, int] = {}
        for s in retained:
            if old_cluster.get(s.message_id) == old_key and s.message_id in where:
                votes[where[s.message_id]] = votes.get(where[s.message_id], 0) + 1
        if votes:
            stats[max(sorted(votes), key=lambda key: votes[key])].merge(old_stats)
    published = []
    for c in clusters:
        st = stats[c.cluster]
        published.append(
            c.model_copy(
                update={
                    "messages": st.messages.count(),
                    "recipients": st.recipients.count(),
                    "first_seen": st.first_seen,
                    "last_seen": st.last_seen,
                }
            )
        )
    reservoir = _cap_by_group(parts, job.cap)
    out = _dump(sender, reservoir, kept, where, stats)
    return SenderResult(
        sender=sender,
        relearned=True,
        clusters=sorted(published, key=lambda c: c.cluster),
        state=out.model_dump_json(),
        oldest_kept=out.oldest_kept(),
        fresh=len(fresh),
        duplicates=duplicates,
        expired=expired,
        retained=len(out.samples),
    )


def prune_state(state: str, job: LearnJob) -> tuple[str, datetime | None, int]:
    """Drop retained samples past retention from a state that is not relearned tonight:
    (new body, its oldest kept time, samples dropped)."""
    body = SenderStateBody.model_validate_json(state)
    keep = [s for s in body.samples if s.kept >= job.cutoff]
    dropped = len(body.samples) - len(keep)
    body = body.model_copy(update={"samples": keep})
    return body.model_dump_json(), body.oldest_kept(), dropped
