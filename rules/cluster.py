"""X-cluster keys: which template a message was rendered from.

A message's structure is the set of tag-only, index-free paths of its leaves: repeated rows add no
new paths, so an order with 1 or 12 items has the same structure. Structures that share
``SIMILARITY`` of their paths (see :func:`similarity`) are one template (optional blocks add or
remove a few paths); a structure too rare to learn joins the sender's most similar one when they
share ``FALLBACK_SIMILARITY``, the bar extraction's fallback uses too. One sender often renders
several templates into one layout; the constant text of the Subject and body tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import xxhash

from .dom import Leaf
from .marks import Mark
from .text import tokenize

__all__ = [
    "SIMILARITY",
    "FALLBACK_SIMILARITY",
    "strip_classes",
    "structure_paths",
    "structure_hash",
    "subject_words",
    "Mark",
    "text_signature",
    "jaccard",
    "similarity",
    "ClusterCandidate",
    "choose_cluster",
    "choose_or_join",
    "cluster_id",
]

SIMILARITY = 0.9
FALLBACK_SIMILARITY = 0.6
_CLASS = re.compile(r"\.[^/]+")
_MAX_SIGNATURE_TEXT = 120
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(r"\[[^\[\]]*\]|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»|「[^」]*」")


@lru_cache(maxsize=1 << 16)
def strip_classes(ipath: str) -> str:
    """An index-free path without its CSS classes (``td.price`` -> ``td``); cached, as a sender's
    messages repeat the same few paths."""
    return _CLASS.sub("", ipath)


def structure_paths(leaves: Iterable[Leaf]) -> frozenset[str]:
    """Tag-only index-free paths of a message's leaves (the Subject and text lines included)."""
    return frozenset(map(strip_classes, {leaf.ipath for leaf in leaves}))


def structure_hash(paths: Iterable[str]) -> str:
    """A stable 64-bit hex hash of a structure path set."""
    h = xxhash.xxh64()
    for p in sorted(paths):
        h.update(p.encode())
        h.update(b"\n")
    return h.hexdigest()


def subject_words(subject: str) -> frozenset[str]:
    """Lower-cased Subject tokens without digits: the candidates for its constant words.

    Quoted and bracketed spans are left out: Subjects put values there (``[Project] Created
    "Fix login"``), and their words, repeated by several readers, would split one template.
    """
    bare = _QUOTED.sub(" ", subject)
    return frozenset(t.lower() for t in tokenize(bare) if not any(c.isdigit() for c in t))


def text_signature(subject: str, leaves: Iterable[Leaf]) -> frozenset[Mark]:
    """Candidates for a message's constant text: Subject words (kind ``subject``), short body texts
    (``text``) and the words a body text has before its first number (``para``).

    A cluster keeps those that many of its recipients share; templates that share one layout
    (or one template rendered in several languages) differ in them. A text that holds a value is
    never shared whole, but its words before the value can tell templates apart ("the invoice
    for your order 1001" / "the delivery note for your order 1002").
    """
    out = {Mark("subject", w) for w in subject_words(subject)}
    for leaf in leaves:
        if leaf.kind == "href" or leaf.kind == "subject":
            continue
        if len(leaf.text) <= _MAX_SIGNATURE_TEXT:
            out.add(Mark("text", leaf.text))
        head = _before_number(leaf.text)
        if head:
            out.add(Mark("para", head))
    return frozenset(out)


def _before_number(text: str) -> str:
    """The words of ``text`` before its first word with a digit ("" when none or too long); linear
    in the text, whatever its size."""
    digit = _DIGIT.search(text, 0, _MAX_SIGNATURE_TEXT + 1)
    if digit is None:
        return ""
    end = digit.start()
    while end > 0 and not text[end - 1].isspace():
        end -= 1
    return text[:end].strip()


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Structural similarity of two path sets: the share of the smaller set the larger one has.

    An optional block adds paths to one message and not another; the overlap coefficient keeps
    both in one template where Jaccard would split small templates on a single optional block.
    """
    return _overlap(a, b)[0]


def jaccard(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """:func:`similarity` and :func:`jaccard` of two path sets from one intersection."""
    if not a or not b:
        return (1.0, 1.0) if a == b else (0.0, 0.0)
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared / (len(a) + len(b) - shared)


@dataclass(frozen=True, slots=True)
class ClusterCandidate:
    """What choosing among a sender's clusters needs to know about each."""

    paths: frozenset[str]
    signature: frozenset[Mark]
    size: int


def choose_cluster(
    candidates: Sequence[ClusterCandidate],
    paths: frozenset[str],
    signature: frozenset[Mark],
    threshold: float = SIMILARITY,
) -> tuple[int, bool] | None:
    """Index of the best cluster for a message and whether its structure matched exactly.

    Structure first (exact, else :func:`similarity` >= ``threshold``), then the share of a cluster's
    constant text (see :func:`text_signature`) the message has, then how much (the most specific),
    then the closest structure (Jaccard), then size.
    """
    best: tuple[float, float, int, float, int] | None = None
    best_i = -1
    exact = False
    # an exact structure outscores every other: when there is one, only those need scoring
    same_paths = [i for i, c in enumerate(candidates) if c.paths == paths]
    for i in same_paths or range(len(candidates)):
        c = candidates[i]
        same = bool(same_paths)
        sim, near = (1.0, 1.0) if same else _overlap(c.paths, paths)
        if sim < threshold:
            continue
        matched = len(c.signature & signature)
        subj = matched / len(c.signature) if c.signature else 0.5
        score = (1.0 if same else 0.0, subj, matched, near, c.size)
        if best is None or score > best:
            best, best_i, exact = score, i, same
    if best is None:
        return None
    return best_i, exact


def choose_or_join(
    candidates: Sequence[ClusterCandidate], paths: frozenset[str], signature: frozenset[Mark]
) -> tuple[int, bool] | None:
    """:func:`choose_cluster`, else the cluster a structure too rare to learn joined at learning
    time: the best one sharing ``FALLBACK_SIMILARITY`` of its paths."""
    return choose_cluster(candidates, paths, signature) or choose_cluster(
        candidates, paths, signature, FALLBACK_SIMILARITY
    )


def cluster_id(sender: str, paths: Iterable[str], signature: Iterable[Mark]) -> str:
    """The published cluster key: sender plus a hash of structure and constant text signature
    (its marks' stored form)."""
    h = xxhash.xxh64(structure_hash(paths).encode())
    h.update("\n".join(sorted(m.key for m in signature)).encode())
    return f"{sender}:{h.hexdigest()[:12]}"
