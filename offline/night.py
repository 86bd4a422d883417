"""One night of one sender: the unit of incremental learning an engine distributes.

A night relearns only the senders that received mail: their new samples are merged with the
retained reservoir (deduplicated by Message-ID), the sender is clustered once and relearned with
:mod:`mailstencil.offline.learn` from at most ``cap`` samples per cluster, and the reservoir is cut back to
``cap`` samples per cluster (:mod:`mailstencil.offline.reservoir`). Learning must see variable values across
messages to tell constant from variable text, so a retained sample *does* hold values: it is
dropped ``retention_days`` after it was first kept, and recipients are stored only as hashes
(:mod:`mailstencil.offline.privacy`). Counts accumulate across nights in KMV sketches, which also makes
re-runs idempotent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mailstencil.rules.cluster import ClusterCandidate, choose_or_join
from mailstencil.rules.model import ClusterRules

from .clustering import cluster_samples
from .learn import learn_clusters
from .reservoir import ClusterStats, cap_by_group, sample_order
from .roles import RoleModel
from .sample import Sample
from .transport import LearnJob, SenderResult, SenderStateBody, dump_state, load_state

__all__ = ["night_sender", "prune_state"]


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


def night_sender(
    sender: str, new: list[Sample], state: str | None, model: RoleModel | None, job: LearnJob
) -> SenderResult:
    """One night of one sender (pure, deterministic): merge new samples into the retained
    reservoir, relearn the sender, cut the reservoir back, accumulate counts."""
    body = SenderStateBody.model_validate_json(state) if state else SenderStateBody(sender=sender)
    retained, kept, old_cluster, expired = load_state(body, job.cutoff)
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
    # clustered once; learning reads at most ``cap`` members of each cluster, however big the night
    capped = [replace(c, members=cap_by_group([c.members], job.cap)) for c in cluster_samples(pool, k)]
    clusters = learn_clusters(capped, model, k)
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
    reservoir = cap_by_group(parts, job.cap)
    out = dump_state(sender, reservoir, kept, where, stats)
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
