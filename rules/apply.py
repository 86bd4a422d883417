"""Apply a rule set to raw messages: the online hot path.

One MIME parse, one HTML parse and one walk over the leaves per message; regexes and landmark
tables are compiled once per rule set in :class:`Extractor`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .address import LANDMARK, addresses, claim, row_key, row_prefix
from .cluster import ClusterCandidate, choose_cluster, structure_paths, text_signature
from .dom import Leaf, message_leaves
from .message import ParsedMessage, parse_message
from .model import ClusterRules, FieldRule, RuleSet

__all__ = ["Extraction", "Extractor"]


@dataclass(slots=True)
class Extraction:
    """What extraction found in one message."""

    message_id: str
    sender: str
    subject: str
    cluster: str | None
    known: bool
    exact: bool = False
    version: int = 0
    fields: dict[str, list[str]] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    items: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Rule:
    spec: FieldRule
    regex: re.Pattern[str]


@dataclass(slots=True)
class _Cluster:
    rules: ClusterRules
    landmarks: dict[tuple[str, str], int]
    compiled: list[_Rule]
    selectors: dict[tuple[int, str], list[tuple[int, re.Pattern[str]]]]


class Extractor:
    """A rule set compiled for fast repeated extraction."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.version = ruleset.version
        self._by_sender: dict[str, list[_Cluster]] = defaultdict(list)
        self._candidates: dict[str, list[ClusterCandidate]] = defaultdict(list)
        for c in ruleset.clusters:
            compiled = [_Rule(r, re.compile(r.pattern, re.DOTALL)) for r in c.rules]
            compiled.sort(key=lambda r: -r.spec.confidence)
            lm = {(m.ipath, m.text): i for i, m in enumerate(c.landmarks)}
            selectors: dict[tuple[int, str], list[tuple[int, re.Pattern[str]]]] = defaultdict(list)
            for sid, sel in enumerate(c.selectors):
                selectors[(sel.anchor, sel.ipath)].append((sid, re.compile(sel.pattern, re.DOTALL)))
            self._by_sender[c.sender].append(_Cluster(c, lm, compiled, dict(selectors)))
            self._candidates[c.sender].append(
                ClusterCandidate(frozenset(c.paths), frozenset(c.signature), c.messages)
            )

    @property
    def clusters(self) -> int:
        """Number of clusters in the rule set."""
        return sum(len(v) for v in self._by_sender.values())

    def extract(self, raw: bytes) -> Extraction:
        """Parse and extract one raw message (raises ``MessageError``/``DomError`` on junk)."""
        return self.extract_parsed(parse_message(raw))

    def extract_parsed(self, msg: ParsedMessage) -> Extraction:
        """Extract from an already parsed message."""
        leaves = message_leaves(msg.subject, msg.html, msg.text)
        return self.extract_leaves(msg, leaves)

    def extract_leaves(self, msg: ParsedMessage, leaves: list[Leaf]) -> Extraction:
        """Extract from a parsed message and its leaves."""
        out = Extraction(msg.message_id, msg.sender, msg.subject, None, False, version=self.version)
        cands = self._candidates.get(msg.sender)
        if not cands:
            return out
        chosen = choose_cluster(cands, structure_paths(leaves), text_signature(msg.subject, leaves))
        if chosen is None:
            return out
        cluster = self._by_sender[msg.sender][chosen[0]]
        out.cluster, out.known, out.exact = cluster.rules.cluster, True, chosen[1]
        _apply(cluster, leaves, out)
        return out


def _apply(cluster: _Cluster, leaves: list[Leaf], out: Extraction) -> None:
    addr = addresses(leaves, cluster.landmarks)
    index: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, (anchor, ordinal) in enumerate(addr):
        if ordinal != LANDMARK:
            index[(anchor, leaves[i].ipath)].append(i)
    owners: dict[tuple[int, str], list[int]] = {}
    rows: dict[str, dict[str, str]] = {}
    for rule in cluster.compiled:
        spec = rule.spec
        if spec.field in out.fields:
            continue  # a higher-confidence rule already produced this field
        key = (spec.anchor, spec.ipath)
        hits = index.get(key)
        if not hits:
            continue
        own = owners.get(key)
        if own is None:
            own = owners[key] = claim([leaves[i].text for i in hits], cluster.selectors.get(key, ()))
        if spec.mode == "match":
            picked = [i for i, o in zip(hits, own, strict=True) if o == spec.selector]
        else:
            free = [i for i, o in zip(hits, own, strict=True) if o == -1]
            if spec.mode == "rows":
                picked = [i for i in free if row_key(leaves[i].xpath, spec.row_depth) == spec.row_rel]
            else:
                picked = free[spec.ordinal : spec.ordinal + 1]
        values: list[tuple[str, str]] = []
        for i in picked:
            v = _match(rule.regex, spec.group, leaves[i].text)
            if v:
                values.append((row_prefix(leaves[i].xpath, spec.row_depth), v))
        if not values:
            continue
        out.fields[spec.field] = [v for _, v in values]
        out.confidence[spec.field] = round(spec.confidence, 3)
        if spec.mode == "rows":
            for row, v in values:
                rows.setdefault(row, {})[spec.field] = v
    out.items = list(rows.values())


def _match(regex: re.Pattern[str], group: int, text: str) -> str | None:
    m = regex.fullmatch(text)
    if m is None:
        return None
    value = m.group(group)
    if value is None:
        return None
    value = value.strip()
    return value or None
