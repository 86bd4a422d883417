"""Apply a rule set to raw messages: the online hot path.

One MIME parse, one HTML parse and one walk over the leaves per message; a sender's regexes and
landmark tables are compiled by :class:`Extractor` on its first message and kept for the next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .address import LANDMARK, addresses, beside, claim
from .cluster import (
    FALLBACK_SIMILARITY,
    ClusterCandidate,
    choose_cluster,
    strip_classes,
    structure_paths,
    text_signature,
)
from .dictionaries import TYPES
from .dom import Leaf, message_leaves
from .limits import DEFAULT_LIMITS, Limits
from .message import ParsedMessage, parse_message
from .model import ClusterRules, FieldRule, RuleSet, SenderRuleSet
from .patterns import Pattern, PatternError, compile_pattern, full_match
from .values import parse_amount
from .vocabulary import LINE_ITEM_FIELDS

__all__ = ["Extraction", "Extractor", "relax"]

log = logging.getLogger("mailstencil.rules.apply")

_RELAXED_STEPS = 4
_MIN_LANDMARK_SHARE = 0.5
_FALLBACK_CONFIDENCE = 0.8
_STRICT_TYPES = ("money", "date", "email", "url", "ip", "integer", "card")


@dataclass(slots=True)
class Extraction:
    """What extraction found in one message."""

    message_id: str
    sender: str
    subject: str
    cluster: str | None
    known: bool
    exact: bool = False
    fallback: bool = False
    version: int = 0
    fields: dict[str, list[str]] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    items: list[dict[str, str]] = field(default_factory=list)
    cut_short: bool = False  # the time budget ran out before every rule was tried
    # the template's own text right before and after each field's value (in its leaf, else the
    # nearest constant text): where a template writes the currency apart from the amount
    around: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Rule:
    spec: FieldRule
    ipath: str  # ``spec.ipath`` under the table's key (itself or relaxed)
    regex: Pattern


@dataclass(slots=True)
class _Compiled:
    """A cluster's landmarks, rules and selectors keyed by index-free path (or a relaxed form)."""

    landmarks: dict[tuple[str, str], int]
    compiled: list[_Rule]
    selectors: dict[tuple[int, str], list[tuple[int, Pattern]]]


@dataclass(slots=True)
class _Cluster:
    rules: ClusterRules
    exact: _Compiled
    relaxed: _Compiled
    relaxed_paths: frozenset[str]


@dataclass(slots=True)
class _Sender:
    """One sender's clusters compiled, with what choosing among them needs."""

    clusters: list[_Cluster]
    candidates: list[ClusterCandidate]
    relaxed: list[ClusterCandidate]
    learned: list[int]  # clusters with rules


@lru_cache(maxsize=1 << 16)
def relax(ipath: str) -> str:
    """An index-free path reduced to what survives template drift: no classes, last steps only."""
    steps = strip_classes(ipath).split("/")
    return "/".join(steps[-_RELAXED_STEPS:])


def _compile(c: ClusterRules, key: Callable[[str], str], patterns: dict[str, Pattern | None]) -> _Compiled:
    """A cluster's tables under ``key``; a rule or selector whose pattern RE2 refuses is left out
    (``patterns`` caches each pattern's compiled form, ``None`` for a refused one)."""
    compiled = [
        _Rule(r, key(r.ipath), rx) for r in c.rules if (rx := _compiled(r.pattern, patterns)) is not None
    ]
    compiled.sort(key=lambda r: -r.spec.confidence)
    landmarks: dict[tuple[str, str], int] = {}
    for i, m in enumerate(c.landmarks):
        landmarks.setdefault((key(m.ipath), m.text), i)
    selectors: dict[tuple[int, str], list[tuple[int, Pattern]]] = defaultdict(list)
    for sid, sel in enumerate(c.selectors):
        rx = _compiled(sel.pattern, patterns)
        if rx is not None:
            selectors[(sel.anchor, key(sel.ipath))].append((sid, rx))
    return _Compiled(landmarks, compiled, dict(selectors))


def _compiled(pattern: str, cache: dict[str, Pattern | None]) -> Pattern | None:
    if pattern not in cache:
        try:
            cache[pattern] = compile_pattern(pattern)
        except PatternError:
            cache[pattern] = None
    return cache[pattern]


class Extractor:
    """A rule set ready for fast repeated extraction: each sender's clusters are compiled on the
    sender's first message and the last ``keep_senders`` senders seen stay compiled, so a large rule
    set serves from the moment it is loaded. Given a :class:`~mailstencil.rules.model.SenderRuleSet`, each
    sender's clusters are also parsed only then (and dropped with its compiled form)."""

    def __init__(
        self, ruleset: RuleSet | SenderRuleSet, limits: Limits = DEFAULT_LIMITS, keep_senders: int = 4096
    ) -> None:
        self.version = ruleset.version
        self.limits = limits
        self.keep_senders = keep_senders
        self.max_text = limits.rule_text
        self._split: SenderRuleSet | None = None  # given split: each sender parsed on its first message
        self._rules: dict[str, list[ClusterRules]] = {}
        if isinstance(ruleset, SenderRuleSet):
            self._split = ruleset
        else:
            for c in ruleset.clusters:
                self._rules.setdefault(c.sender, []).append(c)
        self._senders: OrderedDict[str, _Sender] = OrderedDict()
        self._refused: set[str] = set()
        self._lock = threading.Lock()  # an extractor is shared by the service's threads

    @property
    def refused_patterns(self) -> int:
        """Distinct patterns RE2 refused in the clusters compiled so far (their rules are left out)."""
        with self._lock:
            return len(self._refused)

    def knows_sender(self, sender: str) -> bool:
        """Whether the rule set has any cluster of this sender."""
        return sender in (self._rules if self._split is None else self._split.senders)

    @property
    def clusters(self) -> int:
        """Number of clusters in the rule set."""
        return sum(len(v) for v in self._rules.values()) if self._split is None else self._split.clusters

    def _sender(self, sender: str) -> _Sender | None:
        """``sender``'s compiled clusters (compiled now on its first message); ``None`` for a sender
        without any."""
        with self._lock:
            got = self._senders.get(sender)
            if got is not None:
                self._senders.move_to_end(sender)
                return got
        rules = self._rules.get(sender) if self._split is None else self._split.parse(sender)
        if rules is None:
            return None
        patterns: dict[str, Pattern | None] = {}
        got = _Sender([], [], [], [])
        for i, c in enumerate(rules):
            if c.rules:
                got.learned.append(i)
            cluster = _Cluster(
                c,
                _compile(c, str, patterns),
                _compile(c, relax, patterns),
                frozenset(relax(p) for p in c.paths),
            )
            got.clusters.append(cluster)
            signature = frozenset(c.signature)
            got.candidates.append(ClusterCandidate(frozenset(c.paths), signature, c.messages))
            got.relaxed.append(ClusterCandidate(cluster.relaxed_paths, signature, c.messages))
        refused = {p for p, rx in patterns.items() if rx is None}
        with self._lock:
            new = refused - self._refused
            self._refused |= refused
            self._senders[sender] = got
            while len(self._senders) > self.keep_senders:
                self._senders.popitem(last=False)
        if new:
            msg = "rule set version %d, sender %s: %d patterns refused by the linear-time engine are not used"
            log.warning(msg, self.version, sender, len(new))
        return got

    def extract(self, raw: bytes) -> Extraction:
        """Parse and extract one raw message (raises ``MessageError``/``DomError`` on junk)."""
        return self.extract_parsed(parse_message(raw))

    def extract_parsed(self, msg: ParsedMessage) -> Extraction:
        """Extract from an already parsed message."""
        leaves = message_leaves(msg.subject, msg.html, msg.text, self.limits)
        return self.extract_leaves(msg, leaves)

    def extract_leaves(self, msg: ParsedMessage, leaves: list[Leaf]) -> Extraction:
        """Extract from a parsed message and its leaves.

        A message whose structure is close to a cluster's gets its rules. A known sender's message
        on a structure never seen (template drift: a wrapper added, classes renamed) falls back to
        the sender's most similar cluster under relaxed paths, keeping only rules whose constant
        context still matches; such values are marked ``fallback`` with lower confidence. So does
        a message of a cluster not learned yet (seen by fewer than k readers): the sender's most
        similar learned cluster stands in for it. A cluster learned whose slots the role model all
        left unnamed abstains: no fields, never a sibling template's rules.
        """
        out = Extraction(msg.message_id, msg.sender, msg.subject, None, False, version=self.version)
        sender = self._sender(msg.sender)
        deadline = time.monotonic() + self.limits.seconds  # local: the extractor is shared by threads
        if sender is None:
            return out
        cands = sender.candidates
        paths = structure_paths(leaves)
        signature = text_signature(msg.subject, leaves)
        chosen = choose_cluster(cands, paths, signature)
        if chosen is not None:
            cluster = sender.clusters[chosen[0]]
            out.cluster, out.known, out.exact = cluster.rules.cluster, True, chosen[1]
            if not cluster.rules.rules and not cluster.rules.induced:
                learned = sender.learned
                stand_in = choose_cluster([cands[i] for i in learned], paths, signature)
                if stand_in is not None:
                    proxy = sender.clusters[learned[stand_in[0]]].exact
                    if _landmark_share(proxy, leaves) >= _MIN_LANDMARK_SHARE:
                        out.fallback = True
                        _apply(proxy, leaves, out, _FALLBACK_CONFIDENCE, self.max_text, deadline)
                return out
            if _landmark_share(cluster.exact, leaves) >= _MIN_LANDMARK_SHARE:
                _apply(cluster.exact, leaves, out, 1.0, self.max_text, deadline)
                return out
        else:
            near = choose_cluster(
                sender.relaxed, frozenset(relax(p) for p in paths), signature, FALLBACK_SIMILARITY
            )
            if near is None:
                return out
            cluster = sender.clusters[near[0]]
            out.cluster, out.known = cluster.rules.cluster, True
        relaxed_leaves = [Leaf(relax(x.ipath), x.xpath, x.text, x.kind) for x in leaves]
        if _landmark_share(cluster.relaxed, relaxed_leaves) >= _MIN_LANDMARK_SHARE:
            out.fallback = True
            _apply(cluster.relaxed, relaxed_leaves, out, _FALLBACK_CONFIDENCE, self.max_text, deadline)
        return out


def _landmark_share(c: _Compiled, leaves: list[Leaf]) -> float:
    """Share of a cluster's landmarks found in the message (1.0 for a cluster without any)."""
    if not c.landmarks:
        return 1.0
    found = sum(1 for x in leaves if (x.ipath, x.text) in c.landmarks)
    return min(1.0, found / len(c.landmarks))


def _apply(
    cluster: _Compiled, leaves: list[Leaf], out: Extraction, weight: float, max_text: int, deadline: float
) -> None:
    addr = addresses(leaves, cluster.landmarks)
    index: dict[tuple[int, str], list[int]] = defaultdict(list)
    landmark_at: dict[int, str] = {}  # each landmark found: its indexed path
    for i, (anchor, ordinal) in enumerate(addr):
        if ordinal != LANDMARK:
            index[(anchor, leaves[i].ipath)].append(i)
        else:
            landmark_at[anchor] = leaves[i].xpath
    owners: dict[tuple[int, str], list[int]] = {}
    rows: dict[str, dict[str, str]] = {}
    for rule in cluster.compiled:
        if time.monotonic() >= deadline:
            out.cut_short = True
            break
        spec = rule.spec
        if spec.field in out.fields:
            continue  # a higher-confidence rule already produced this field
        key = (spec.anchor, rule.ipath)
        hits = index.get(key)
        if not hits:
            continue
        own = owners.get(key)
        if own is None:
            texts = [leaves[i].text for i in hits]
            own = owners[key] = claim(texts, cluster.selectors.get(key, ()), max_text)
        if spec.mode == "match":
            picked = [i for i, o in zip(hits, own, strict=True) if o == spec.selector]
        else:
            free = [i for i, o in zip(hits, own, strict=True) if o == -1]
            if spec.mode == "rows":
                tail = "/" + spec.row_rel
                here = landmark_at.get(spec.anchor)
                picked = [
                    i
                    for i in free
                    if leaves[i].xpath.endswith(tail) and not (here and beside(leaves[i].xpath, here))
                ]
            else:
                picked = free[spec.ordinal : spec.ordinal + 1]
        # a single-valued field named for a column of rows (a totals table whose optional rows
        # share one path) is its first row, where the rule was learned; it is no line item
        item = spec.mode == "rows" and spec.field in LINE_ITEM_FIELDS
        first_only = spec.mode == "rows" and not item
        values: list[tuple[str, str]] = []
        for i in picked:
            v = _match(rule.regex, spec.group, leaves[i].text, max_text)
            if v and (weight == 1.0 or _typed(spec.dtype, v)):
                xp = leaves[i].xpath
                values.append((xp[: -len(spec.row_rel) - 1] if spec.row_rel else xp, v))
                if spec.field not in out.around:
                    text = leaves[i].text
                    at = text.find(v)
                    before, after = text[:at].strip(), text[at + len(v) :].strip()
                    out.around[spec.field] = (before or spec.context, after or spec.context_after)
                if first_only:
                    break
        if not values:
            continue
        out.fields[spec.field] = [v for _, v in values]
        out.confidence[spec.field] = round(spec.confidence * weight, 3)
        if item:
            for row, v in values:
                rows.setdefault(row, {})[spec.field] = v
    out.items = list(rows.values())


def _typed(dtypes: list[str], value: str) -> bool:
    """In fallback, a typed rule's value must still be of its type (a price is still money; a
    bare amount counts, as its currency may stand in a neighbouring element)."""
    strict = [d for d in dtypes if d in _STRICT_TYPES]
    if "money" in strict and parse_amount(value) is not None:
        return True
    return not strict or any(TYPES[d](value) for d in strict)


def _match(regex: Pattern, group: int, text: str, max_text: int) -> str | None:
    """The stripped ``group`` of a full match (``None`` for no match or a text over ``max_text``)."""
    m = full_match(regex, text, max_text)
    if m is None:
        return None
    value = m.group(group)
    if value is None:
        return None
    value = value.strip()
    return value or None
