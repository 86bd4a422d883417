"""The JSON shapes learning exchanges between processes, Spark tasks and the store (pydantic, never
pickle): the job's settings, a prepared sample in transit, a sender's stored state body and what a
worker returns for one sender.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from mailstencil.rules.cluster import structure_paths, text_signature
from mailstencil.rules.dom import Leaf
from mailstencil.rules.model import ClusterRules
from mailstencil.rules.shapes import from_attributes

from .defaults import DEFAULT_CAP, DEFAULT_MIN_RECIPIENTS, DEFAULT_RETENTION_DAYS
from .reservoir import ClusterStats
from .sample import Sample

__all__ = [
    "LearnJob",
    "SenderResult",
    "SenderStateBody",
    "StoredSample",
    "StoredTransit",
    "dump_state",
    "load_state",
    "sample_from_json",
    "sample_to_json",
]


class LearnJob(BaseModel):
    """Settings of one learning run, shipped to every worker as JSON."""

    model_path: str | None = None
    min_recipients: int = DEFAULT_MIN_RECIPIENTS
    cap: int = DEFAULT_CAP
    retention_days: int = DEFAULT_RETENTION_DAYS
    now: datetime

    @property
    def cutoff(self) -> datetime:
        """Samples kept before this time are past retention."""
        return self.now - timedelta(days=self.retention_days)


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


class StoredTransit(BaseModel):
    """A prepared sample in transit (engine map output)."""

    message_id: str
    sender: str
    subject: str
    date: datetime
    recipient: str
    leaves: list[tuple[str, str, str, str]]


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
    leaves = [(lf.ipath, lf.xpath, lf.text, lf.kind) for lf in s.leaves]
    return from_attributes(StoredTransit, s, leaves=leaves).model_dump_json()


def sample_from_json(text: str) -> Sample:
    """Inverse of :func:`sample_to_json`."""
    t = StoredTransit.model_validate_json(text)
    leaves = [Leaf(ip, xp, tx, kind) for ip, xp, tx, kind in t.leaves]
    return _from_parts(t.message_id, t.sender, t.subject, t.date, t.recipient, leaves)


def load_state(
    body: SenderStateBody, cutoff: datetime
) -> tuple[list[Sample], dict[str, datetime], dict[str, str], int]:
    """The retained samples of a state body still within retention: (samples, when each was kept,
    the cluster each was in, how many expired)."""
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


def dump_state(
    sender: str,
    samples: list[Sample],
    kept: dict[str, datetime],
    where: dict[str, str],
    stats: dict[str, ClusterStats],
) -> SenderStateBody:
    """Inverse of :func:`load_state`: the state body keeping ``samples`` and the cluster counts."""
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
