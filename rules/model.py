"""The rule model: what a learning run publishes and what extraction applies. Stored as JSON.

A rule set holds one :class:`ClusterRules` per learned template cluster. Everything in it is
template structure or constant template text (landmarks, labels, regexes); no user's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter

__all__ = ["Landmark", "Selector", "FieldRule", "ClusterRules", "RuleSet", "SenderRuleSet"]


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
    (``row_depth`` steps deep) is ``row_rel``, one value per row. ``pattern`` is a full-match regex
    whose group ``group`` is the value, with the constant template text around it.
    """

    field: str
    anchor: int = -1
    ipath: str
    mode: Literal["ordinal", "match", "rows"] = "ordinal"
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


class ClusterRules(BaseModel):
    """One template cluster: how to recognise its messages and the rules to apply to them."""

    cluster: str
    sender: str
    structures: list[str] = Field(default_factory=list, description="structural hashes mapped here")
    paths: list[str] = Field(default_factory=list, description="tag-only index-free leaf paths")
    subject: list[str] = Field(default_factory=list, description="constant Subject words")
    signature: list[str] = Field(default_factory=list, description="constant text that identifies it")
    messages: int = 0
    recipients: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    landmarks: list[Landmark] = Field(default_factory=list)
    selectors: list[Selector] = Field(default_factory=list)
    skeleton: list[str] = Field(default_factory=list, description="template text, variables as {slot}")
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


@dataclass(frozen=True, slots=True)
class SenderRuleSet:
    """A rule set as each sender's clusters in JSON: what an extraction worker process receives, so
    it parses (and holds as models) only the senders it is asked about, not the whole set."""

    version: int
    clusters: int
    senders: dict[str, bytes]

    @classmethod
    def of(cls, ruleset: RuleSet) -> SenderRuleSet:
        """``ruleset`` split by sender (each sender's clusters in their order in the set)."""
        grouped: dict[str, list[ClusterRules]] = {}
        for c in ruleset.clusters:
            grouped.setdefault(c.sender, []).append(c)
        senders = {s: _CLUSTER_LIST.dump_json(cs) for s, cs in grouped.items()}
        return cls(ruleset.version, len(ruleset.clusters), senders)

    def parse(self, sender: str) -> list[ClusterRules] | None:
        """``sender``'s clusters, parsed now; ``None`` for a sender without any."""
        raw = self.senders.get(sender)
        return None if raw is None else _CLUSTER_LIST.validate_json(raw)
