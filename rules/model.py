"""The rule model: what a learning run publishes and what extraction applies. Stored as JSON.

A rule set holds one :class:`ClusterRules` per learned template cluster. Everything in it is
template structure or constant template text (landmarks, labels, regexes); no user's values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema

from .marks import Mark

__all__ = [
    "Mode",
    "SlotAddress",
    "Landmark",
    "Selector",
    "FieldRule",
    "ClusterRules",
    "RuleSet",
    "SenderRuleSet",
    "indexed_json",
]

Mode = Literal["ordinal", "match", "rows"]


@dataclass(slots=True)
class SlotAddress:
    """Where a slot's leaf stands in each message of its cluster (see :class:`FieldRule`). Learning's
    columns and slots are addresses; a rule keeps its address in its own fields, the published JSON."""

    anchor: int
    ipath: str
    mode: Mode
    ordinal: int
    selector: int
    row_depth: int
    row_rel: str

    def key(self) -> tuple[int, str, Mode, int, int, int, str]:
        """The address alone, as a tuple: for comparing and keying slots and rules."""
        return (self.anchor, self.ipath, self.mode, self.ordinal, self.selector, self.row_depth, self.row_rel)

    def as_fields(self) -> dict[str, Any]:
        """The address as keyword arguments of a :class:`FieldRule` (which checks their types)."""
        return dict(zip(ADDRESS_FIELDS, self.key(), strict=True))


ADDRESS_FIELDS = tuple(f.name for f in fields(SlotAddress))


def _mark(value: object) -> Mark:
    """A signature mark as given: a :class:`Mark`, or its stored form (:attr:`Mark.key`)."""
    if isinstance(value, Mark):
        return value
    if isinstance(value, str):
        return Mark.from_key(value)
    raise ValueError("a signature mark is a string")


StoredMark = Annotated[
    Mark,
    PlainValidator(_mark),
    PlainSerializer(lambda m: m.key, return_type=str),
    WithJsonSchema({"type": "string"}),
]
"""A signature mark in a rule set: stored as its key (``s:word``), the form rule sets always had."""


class Landmark(BaseModel):
    """A constant leaf (index-free path + text) that occurs at most once per message of a cluster."""

    ipath: str
    text: str


class Selector(BaseModel):
    """A node picked by its constant text: the first leaf at ``ipath`` after landmark ``anchor``
    whose text fully matches ``pattern``. Leaves a selector claims are skipped by positional rules."""

    anchor: int = -1
    ipath: str
    pattern: str


class FieldRule(BaseModel):
    """How to extract one field of one cluster.

    The node is addressed relative to a landmark (``anchor``, an index into the cluster's
    landmarks; -1 = start of message) among the leaves with index-free path ``ipath``: in mode
    ``match`` the leaf that selector ``selector`` claims; in mode ``ordinal`` the ``ordinal``-th
    unclaimed leaf; in mode ``rows`` every unclaimed leaf whose indexed path below the row element
    (``row_depth`` steps deep) is ``row_rel``, one value per row, but for a leaf on the anchor
    landmark's own line (``mailstencil.rules.address.beside``). ``pattern`` is a full-match regex
    whose group ``group`` is the value, with the constant template text around it.
    """

    field: str
    anchor: int = -1
    ipath: str
    mode: Mode = "ordinal"
    ordinal: int = 0
    selector: int = -1
    row_depth: int = 0
    row_rel: str = ""
    pattern: str
    group: int = 1
    xpath: str = ""
    dtype: list[str] = Field(default_factory=list)
    confidence: float = 0.0
    context: str = ""  # the nearest constant text before the value (a label, or a currency written apart)
    context_after: str = ""  # the nearest constant text after the value (a currency written apart)
    gap: int = 0  # which variable gap of the leaf's text template the value is (a leaf may hold several)
    line: int = -1  # the skeleton line (leaf) holding the slot in the cluster's first member; -1: none
    corrected: bool = False  # named (or renamed) by an operator's correction (rules/corrections.py)

    @property
    def address(self) -> SlotAddress:
        """Where the rule reads, as one value."""
        return SlotAddress(*(getattr(self, name) for name in ADDRESS_FIELDS))


class ClusterRules(BaseModel):
    """One template cluster: how to recognise its messages and the rules to apply to them."""

    cluster: str
    sender: str
    structures: list[str] = Field(default_factory=list, description="structural hashes mapped here")
    paths: list[str] = Field(default_factory=list, description="tag-only index-free leaf paths")
    subject: list[str] = Field(default_factory=list, description="constant Subject words")
    signature: list[StoredMark] = Field(default_factory=list, description="constant text that identifies it")
    messages: int = 0
    recipients: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    landmarks: list[Landmark] = Field(default_factory=list)
    selectors: list[Selector] = Field(default_factory=list)
    skeleton: list[str] = Field(default_factory=list, description="template text, variables as {slot}")
    skeleton_html: str = Field(
        "",
        description="the skeleton as the mail looks (mailstencil.rules.skeleton), set by learning; a store "
        "keeps it apart from the rule-set body and names it by skeleton_id, so a loaded rule set has ''",
    )
    skeleton_id: str = Field(
        default="", description="names the stored skeleton HTML (RuleStore.skeleton_html)"
    )
    induced: bool = Field(
        False, description="induced from enough readers: its rules (even none) are its own, never borrowed"
    )
    rules: list[FieldRule] = Field(default_factory=list)
    unnamed: list[FieldRule] = Field(
        default_factory=list,
        description="slots left unnamed (field empty): never applied, kept so an operator can name one",
    )


class RuleSet(BaseModel):
    """A published, versioned set of cluster rules."""

    version: int = 0
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    clusters: list[ClusterRules] = Field(default_factory=list)


_CLUSTER_LIST = TypeAdapter(list[ClusterRules])
_T = TypeVar("_T")


def _by_sender(
    clusters: Iterable[_T], sender: Callable[[_T], str]
) -> tuple[dict[str, list[_T]], tuple[int, ...]]:
    """``clusters`` grouped by sender (senders in order of first appearance) and, per cluster in
    its place, the number of its sender's group: enough to put the set back in its order."""
    grouped: dict[str, list[_T]] = {}
    number: dict[str, int] = {}
    order: list[int] = []
    for c in clusters:
        s = sender(c)
        if s not in grouped:
            grouped[s], number[s] = [], len(number)
        grouped[s].append(c)
        order.append(number[s])
    return grouped, tuple(order)


@dataclass(frozen=True, slots=True)
class SenderRuleSet:
    """A rule set as each sender's clusters in JSON: what an extraction worker process receives, so
    it parses (and holds as models) only the senders it is asked about, not the whole set; the
    service holds it too and parses the whole set only when an admin page asks (:meth:`ruleset`)."""

    version: int
    clusters: int
    senders: dict[str, bytes]
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    order: tuple[int, ...] = ()  # per cluster of the set, its sender's number; () = sender by sender

    @classmethod
    def of(cls, ruleset: RuleSet) -> SenderRuleSet:
        """``ruleset`` split by sender (each sender's clusters in their order in the set)."""
        grouped, order = _by_sender(ruleset.clusters, lambda c: c.sender)
        senders = {s: _CLUSTER_LIST.dump_json(cs) for s, cs in grouped.items()}
        return cls(ruleset.version, len(ruleset.clusters), senders, ruleset.created, order)

    @classmethod
    def from_indexed(cls, body: str, index: str) -> SenderRuleSet:
        """A stored rule set's JSON ``body`` split by sender along its :func:`indexed_json` index,
        without parsing it (each sender's clusters are validated on its first use), so taking in a
        rule set costs no parse of its clusters, however many it holds."""
        ix = json.loads(index)
        head = RuleSet.model_validate_json(ix["head"])
        parts: list[list[str]] = [[] for _ in ix["senders"]]
        order: list[int] = []
        for number, start, end in ix["spans"]:
            parts[number].append(body[start:end])
            order.append(number)
        senders = {name: f"[{','.join(p)}]".encode() for name, p in zip(ix["senders"], parts, strict=True)}
        return cls(head.version, len(order), senders, head.created, tuple(order))

    def parse(self, sender: str) -> list[ClusterRules] | None:
        """``sender``'s clusters, parsed now; ``None`` for a sender without any."""
        raw = self.senders.get(sender)
        return None if raw is None else _CLUSTER_LIST.validate_json(raw)

    def ruleset(self) -> RuleSet:
        """The whole rule set, every sender parsed now, its clusters in their order in the set."""
        parsed = [_CLUSTER_LIST.validate_json(raw) for raw in self.senders.values()]
        groups = [iter(g) for g in parsed]
        clusters = [next(groups[i]) for i in self.order] if self.order else [c for g in parsed for c in g]
        return RuleSet(version=self.version, created=self.created, clusters=clusters)


def indexed_json(ruleset: RuleSet) -> tuple[str, str]:
    """``ruleset``'s JSON (as ``model_dump_json`` writes it) and its index, also JSON: the rule
    set's head (version, created), its senders, and per cluster its sender's number and where its
    JSON stands in the body, which is what :meth:`SenderRuleSet.from_indexed` needs."""
    head = ruleset.model_dump_json(exclude={"clusters"})
    grouped, order = _by_sender(ruleset.clusters, lambda c: c.sender)
    prefix = head[:-1] + ',"clusters":['
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    at = len(prefix)
    for c, number in zip(ruleset.clusters, order, strict=True):
        part = c.model_dump_json()
        parts.append(part)
        spans.append((number, at, at + len(part)))
        at += len(part) + 1
    index = json.dumps({"head": head, "senders": list(grouped), "spans": spans}, ensure_ascii=False)
    return prefix + ",".join(parts) + "]}", index
