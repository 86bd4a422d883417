"""Group a sender's messages into template clusters (structure first, then constant Subject words).

Assignment goes through :func:`rules.cluster.choose_cluster`, the same function extraction uses,
so a message lands in the same cluster at learning and at extraction time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rules.cluster import SIMILARITY, ClusterCandidate, choose_cluster, cluster_id, jaccard

from .sample import Sample

__all__ = ["Cluster", "cluster_samples"]

SUBJECT_SUPPORT = 0.1


@dataclass(slots=True)
class Cluster:
    """One template cluster of one sender."""

    key: str
    sender: str
    paths: frozenset[str]
    subject: frozenset[str]
    members: list[Sample] = field(default_factory=list)


def _leaders(samples: list[Sample]) -> dict[frozenset[str], frozenset[str]]:
    """Map each distinct structure to its leader: the most frequent structure it is similar to."""
    freq = Counter(s.paths for s in samples)
    leaders: list[frozenset[str]] = []
    out: dict[frozenset[str], frozenset[str]] = {}
    for paths, _ in freq.most_common():
        best = max(leaders, key=lambda lead: jaccard(lead, paths), default=None)
        if best is not None and jaccard(best, paths) >= SIMILARITY:
            out[paths] = best
        else:
            leaders.append(paths)
            out[paths] = paths
    return out


def _subject_signatures(group: list[Sample], min_size: int) -> list[frozenset[str]]:
    """Constant-Subject-word signatures of the templates sharing one structure."""
    df: Counter[str] = Counter()
    for s in group:
        df.update(s.words)
    threshold = max(2.0, SUBJECT_SUPPORT * len(group))
    sigs = Counter(frozenset(w for w in s.words if df[w] >= threshold) for s in group)
    kept = [sig for sig, n in sigs.items() if n >= min_size]
    if not kept:
        kept = [sigs.most_common(1)[0][0]]
    return kept


def cluster_samples(samples: Iterable[Sample], min_size: int = 5) -> list[Cluster]:
    """Cluster samples per sender; every sample lands in exactly one cluster."""
    by_sender: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_sender[s.sender].append(s)
    clusters: list[Cluster] = []
    for sender in sorted(by_sender):
        members = by_sender[sender]
        leaders = _leaders(members)
        groups: dict[frozenset[str], list[Sample]] = defaultdict(list)
        for s in members:
            groups[leaders[s.paths]].append(s)
        mine: list[Cluster] = []
        for lead, group in groups.items():
            for sig in _subject_signatures(group, min_size):
                mine.append(Cluster(cluster_id(sender, lead, sig), sender, lead, sig))
        cands = [ClusterCandidate(c.paths, c.subject, 0) for c in mine]
        for s in members:
            chosen = choose_cluster(cands, s.paths, s.words)
            if chosen is None:  # cannot happen: the sample's own leader is a candidate
                chosen = (0, False)
            mine[chosen[0]].members.append(s)
        clusters.extend(c for c in mine if c.members)
    return clusters
