"""Operators' corrections of slot names, kept in the rule store and applied to every rule set published.

A correction names one slot of one cluster with a field (a rename, or naming a slot the role
model left unnamed) or marks it "not a field" (``field`` is ``None``). A slot is identified by
:func:`slot_key`, built from the landmark it hangs on (its text, not its index) and its place
after it, so the key still matches when a later learning run relearns the cluster. The latest
correction of a slot wins. Corrections hold field names and template addresses, never values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from .model import ClusterRules, FieldRule, RuleSet

__all__ = [
    "Correction",
    "TrainingLabel",
    "slot_identity",
    "slot_key",
    "apply_corrections",
    "training_labels",
    "NOT_A_FIELD",
]

NOT_A_FIELD = "none"
"""The label a "not a field" correction gives the role trainer (``mailstencil.offline.roles.NONE``)."""


class Correction(BaseModel):
    """One operator correction of one slot."""

    id: int = 0
    cluster: str
    slot: str = Field(description="slot_key of the slot")
    field: str | None = Field(description="the slot's field; None marks it not a field")
    previous: str = Field("", description="the field the slot had when corrected ('' when unnamed)")
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))


class TrainingLabel(BaseModel):
    """A correction as a label for the role trainer: the slot's template context and its field."""

    cluster: str
    sender: str
    slot: str
    field: str = Field(description=f"the field, or {NOT_A_FIELD!r} for a slot that is not one")
    ipath: str
    context: str
    context_after: str
    dtype: list[str]


def slot_identity(rule: FieldRule) -> tuple[int, str, str, int, int, int, str, int, int]:
    """Where a rule reads within its cluster (anchor index, path, mode, place, value group, gap)."""
    return (*rule.address.key(), rule.group, rule.gap)


def slot_key(cluster: ClusterRules, rule: FieldRule) -> str:
    """A short stable key of a rule's slot: its landmark's text (not index) and selector pattern
    stand for the indices, which a relearned cluster may number differently."""
    anchor = cluster.landmarks[rule.anchor] if 0 <= rule.anchor < len(cluster.landmarks) else None
    selector = cluster.selectors[rule.selector] if 0 <= rule.selector < len(cluster.selectors) else None
    parts = [
        [anchor.ipath, anchor.text] if anchor else None,
        [selector.ipath, selector.pattern] if selector else None,
        rule.ipath,
        rule.mode,
        rule.ordinal,
        rule.row_depth,
        rule.row_rel,
        rule.group,
        rule.gap,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def _corrected(cluster: ClusterRules, latest: dict[str, Correction]) -> ClusterRules:
    rules: list[FieldRule] = []
    unnamed: list[FieldRule] = []
    for rule in [*cluster.rules, *cluster.unnamed]:
        fix = latest.get(slot_key(cluster, rule))
        if fix is None:
            (rules if rule.field else unnamed).append(rule)
        elif fix.field is None:
            unnamed.append(rule.model_copy(update={"field": "", "corrected": True}))
        else:
            rules.append(rule.model_copy(update={"field": fix.field, "confidence": 1.0, "corrected": True}))
    return cluster.model_copy(update={"rules": rules, "unnamed": unnamed})


def apply_corrections(ruleset: RuleSet, corrections: Iterable[Correction]) -> RuleSet:
    """``ruleset`` with each slot named as its latest correction says (a named slot gets confidence
    1.0, so it wins over the model's rules for that field); slots no correction names are left as
    they are, so applying the same corrections twice changes nothing."""
    latest: dict[str, dict[str, Correction]] = {}
    for c in sorted(corrections, key=lambda c: c.id):
        latest.setdefault(c.cluster, {})[c.slot] = c
    if not latest:
        return ruleset
    clusters = [_corrected(c, latest[c.cluster]) if c.cluster in latest else c for c in ruleset.clusters]
    return ruleset.model_copy(update={"clusters": clusters})


def training_labels(ruleset: RuleSet, corrections: Iterable[Correction]) -> list[TrainingLabel]:
    """The latest correction of each slot still in ``ruleset``, as labels the role trainer reads."""
    latest: dict[tuple[str, str], Correction] = {}
    for c in sorted(corrections, key=lambda c: c.id):
        latest[(c.cluster, c.slot)] = c
    out: list[TrainingLabel] = []
    for cluster in ruleset.clusters:
        for rule in [*cluster.rules, *cluster.unnamed]:
            key = slot_key(cluster, rule)
            fix = latest.get((cluster.cluster, key))
            if fix is None:
                continue
            out.append(
                TrainingLabel(
                    cluster=cluster.cluster,
                    sender=cluster.sender,
                    slot=key,
                    field=fix.field or NOT_A_FIELD,
                    ipath=rule.ipath,
                    context=rule.context,
                    context_after=rule.context_after,
                    dtype=rule.dtype,
                )
            )
    return out
