"""Group a sender's messages into template clusters (structure first, then constant text).

Assignment goes through :func:`mailstencil.rules.cluster.choose_cluster`, the same function extraction uses,
so a message lands in the same cluster at learning and at extraction time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mailstencil.rules.cluster import (
    FALLBACK_SIMILARITY,
    SIMILARITY,
    ClusterCandidate,
    Mark,
    choose_or_join,
    cluster_id,
    jaccard,
    similarity,
    structure_hash,
)

from .defaults import DEFAULT_MIN_RECIPIENTS
from .sample import Sample

__all__ = ["Cluster", "cluster_samples"]

SUBJECT_SUPPORT = 0.1
BODY_SIMILARITY = 0.3
REFINE_DEPTH = 2
SENTENCE_WORDS = 4
BLOCK_TEXTS = 3


@dataclass(slots=True)
class Cluster:
    """One template cluster of one sender."""

    key: str
    sender: str
    paths: frozenset[str]
    signature: frozenset[Mark]
    members: list[Sample] = field(default_factory=list)


def _leaders(samples: list[Sample]) -> dict[frozenset[str], frozenset[str]]:
    """Map each distinct structure to its leader: the most frequent structure it is similar to."""
    freq = Counter(s.paths for s in samples)
    leaders: list[frozenset[str]] = []
    out: dict[frozenset[str], frozenset[str]] = {}
    for paths, _ in freq.most_common():
        best = max(leaders, key=lambda lead: similarity(lead, paths), default=None)
        if best is not None and similarity(best, paths) >= SIMILARITY:
            out[paths] = best
        else:
            leaders.append(paths)
            out[paths] = paths
    return out


def _signatures(group: list[Sample], min_recipients: int) -> list[frozenset[Mark]]:
    """Constant-text signatures of the templates that share one structure.

    First by constant Subject words (seen in at least ``SUBJECT_SUPPORT`` of the group and by
    ``min_recipients`` recipients), then, within one Subject, by body text: signatures sharing
    less than ``BODY_SIMILARITY`` of their text are different templates (or languages), and so
    are signatures with alternative sentences or blocks (see :func:`_alternatives`). Groups
    seen by fewer than ``min_recipients`` messages get no signature of their own: their messages
    join the best match.
    """
    who: dict[Mark, set[str]] = defaultdict(set)
    for s in group:
        for tok in s.signature:
            who[tok].add(s.reader)
    need = max(float(min_recipients), SUBJECT_SUPPORT * len(group))
    subject_const = {t for t, r in who.items() if t.kind == "subject" and len(r) >= need}
    body_const = {t for t, r in who.items() if t.kind != "subject" and len(r) >= min_recipients}
    by_subject: dict[frozenset[Mark], Counter[frozenset[Mark]]] = defaultdict(Counter)
    for s in group:
        by_subject[s.signature & subject_const][s.signature & body_const] += 1
    out: list[frozenset[Mark]] = []
    for subj, bodies in by_subject.items():
        if sum(bodies.values()) < min_recipients:
            continue
        leaders: list[tuple[frozenset[Mark], frozenset[Mark], int]] = []
        where = _bodies_of(bodies)
        for body, n in bodies.most_common():
            for k, (lead, seen, size) in enumerate(leaders):
                if jaccard(body, lead) >= BODY_SIMILARITY and not _alternatives(seen, body, where):
                    leaders[k] = (lead & body, seen | body, size + n)
                    break
            else:
                leaders.append((body, body, n))
        out.extend(subj | lead for lead, _, size in leaders if size >= min_recipients)
    if not out:
        out.append(max(by_subject, key=lambda k: sum(by_subject[k].values())))
    return out


def _sentence(mark: Mark) -> bool:
    """A signature text that reads as template prose: words, most in lower case, no digits
    (not a product, a name or an amount that many readers happen to share)."""
    if any(c.isdigit() for c in mark.text):
        return False
    alpha = [w for w in mark.text.split() if w.isalpha()]
    return len(alpha) >= SENTENCE_WORDS and 2 * sum(1 for w in alpha if w.islower()) >= len(alpha)


def _bodies_of(bodies: Counter[frozenset[Mark]]) -> dict[Mark, frozenset[int]]:
    """Per body text, the bodies (by index) that show it: which texts ever meet in one message."""
    out: dict[Mark, set[int]] = defaultdict(set)
    for k, body in enumerate(bodies):
        for t in body:
            out[t].add(k)
    return {t: frozenset(ks) for t, ks in out.items()}


def _alternatives(seen: frozenset[Mark], body: frozenset[Mark], where: dict[Mark, frozenset[int]]) -> bool:
    """Whether ``body`` has a sentence where the leader's messages have another, or a block where
    they have another block, never both in one message (``where``: :func:`_bodies_of`): an
    optional block is there or not, an alternative is another template."""
    mine = [t for t in body - seen if _sentence(t)]
    theirs = [t for t in seen - body if _sentence(t)]
    if any(not where[x] & where[y] for x in mine for y in theirs):
        return True
    a, b = _block(body - seen, where), _block(seen - body, where)
    return bool(a and b and not a & b)


def _block(texts: frozenset[Mark], where: dict[Mark, frozenset[int]]) -> frozenset[int]:
    """The bodies that show the largest block of ``texts``: at least ``BLOCK_TEXTS`` short texts
    without digits that always come together (a flight's labels where a hotel's stand); empty
    when there is none. A product and its variant are two texts, and texts that happen to meet
    in some messages do not always come together."""
    size: Counter[frozenset[int]] = Counter(
        where[t] for t in texts if t.kind == "text" and not any(c.isdigit() for c in t.text)
    )
    best = max(size.items(), key=lambda kv: (kv[1], sorted(kv[0])), default=(frozenset(), 0))
    return best[0] if best[1] >= BLOCK_TEXTS else frozenset()


def _refine(
    group: list[Sample], lead: frozenset[str], base: frozenset[Mark], min_recipients: int, depth: int
) -> list[frozenset[Mark]]:
    """Signatures of a group, refined within each part: a word that is rare in a group of many
    templates can be constant in a smaller group of a few."""
    sigs = [base | sig for sig in _signatures(group, min_recipients)]
    if depth == 0 or len(sigs) == 1 and sigs[0] == base:
        return sigs
    cands = [ClusterCandidate(lead, sig, 0) for sig in sigs]
    parts: list[list[Sample]] = [[] for _ in sigs]
    for s in group:
        chosen = choose_or_join(cands, s.paths, s.signature)
        parts[chosen[0] if chosen else 0].append(s)
    out: list[frozenset[Mark]] = []
    for sig, part in zip(sigs, parts, strict=True):
        if len(part) < len(group) and len(part) >= 2 * min_recipients:
            out.extend(_refine(part, lead, sig, min_recipients, depth - 1))
        else:
            out.append(sig)
    return out


def _join_small(groups: dict[frozenset[str], list[Sample]], min_recipients: int) -> None:
    """Structures seen by fewer than ``min_recipients`` readers join the sender's most similar
    structure that is seen by enough, when it shares at least ``FALLBACK_SIMILARITY`` of their paths:
    a rare variant of a template (a code block in a chat message) is that template, not a template
    of its own that no night could learn. Extraction finds the same cluster by its fallback."""
    big = [lead for lead, g in groups.items() if len({s.reader for s in g}) >= min_recipients]
    for lead in [lead for lead in groups if lead not in big]:
        near = max(big, key=lambda b: (similarity(b, lead), len(groups[b]), structure_hash(b)), default=None)
        if near is not None and similarity(near, lead) >= FALLBACK_SIMILARITY:
            groups[near].extend(groups.pop(lead))


def cluster_samples(samples: Iterable[Sample], min_recipients: int = DEFAULT_MIN_RECIPIENTS) -> list[Cluster]:
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
        _join_small(groups, min_recipients)
        mine: list[Cluster] = []
        for lead, group in groups.items():
            for sig in _refine(group, lead, frozenset(), min_recipients, REFINE_DEPTH):
                mine.append(Cluster(cluster_id(sender, lead, sig), sender, lead, sig))
        cands = [ClusterCandidate(c.paths, c.signature, 0) for c in mine]
        for s in members:
            chosen = choose_or_join(cands, s.paths, s.signature)
            if chosen is None:  # cannot happen: the sample's own leader, or the one it joined
                chosen = (0, False)
            mine[chosen[0]].members.append(s)
        clusters.extend(c for c in mine if c.members)
    return clusters
