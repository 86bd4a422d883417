"""Operators' corrections (rules/corrections.py): stable slot keys, the latest correction wins,
applying twice changes nothing, labels for the role trainer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mailstencil.rules.corrections import (
    NOT_A_FIELD,
    Correction,
    apply_corrections,
    slot_key,
    training_labels,
)
from mailstencil.rules.model import ClusterRules, FieldRule, Landmark, RuleSet

_KEY = "orders@shop.example:abc"
_TOTAL_LINE = Landmark(ipath="html/body/table/tr/td", text="Order total")


def _rule(field: str, ordinal: int, anchor: int = 1) -> FieldRule:
    return FieldRule(
        field=field, anchor=anchor, ipath="html/body/table/tr/td", ordinal=ordinal, pattern="(.+)"
    )


def _cluster(landmarks: list[Landmark], rules: list[FieldRule], unnamed: list[FieldRule]) -> ClusterRules:
    return ClusterRules(
        cluster=_KEY, sender="orders@shop.example", landmarks=landmarks, rules=rules, unnamed=unnamed
    )


def _ruleset() -> RuleSet:
    heading = Landmark(ipath="html/body/h1", text="Your order")
    return RuleSet(clusters=[_cluster([heading, _TOTAL_LINE], [_rule("order_subtotal", 1)], [_rule("", 2)])])


@dataclass(frozen=True)
class _Slots:
    """A one-cluster rule set and the slot keys of its named slot (the subtotal) and its unnamed one."""

    ruleset: RuleSet
    subtotal: str
    unnamed: str


@pytest.fixture
def slots() -> _Slots:
    ruleset = _ruleset()
    cluster = ruleset.clusters[0]
    return _Slots(ruleset, slot_key(cluster, cluster.rules[0]), slot_key(cluster, cluster.unnamed[0]))


def test_a_slot_key_names_the_landmark_by_its_text_not_its_index(slots: _Slots) -> None:
    # stored corrections refer to this key: its form must not change between releases
    assert slots.subtotal == "77aa8a6a620c92e7"
    relearned = _cluster([_TOTAL_LINE], [_rule("order_total", 1, anchor=0)], [])  # landmarks renumbered
    assert slot_key(relearned, relearned.rules[0]) == slots.subtotal
    assert slots.unnamed != slots.subtotal


def test_the_latest_correction_of_a_slot_wins_and_applying_twice_changes_nothing(slots: _Slots) -> None:
    ruleset, subtotal, unnamed = slots.ruleset, slots.subtotal, slots.unnamed
    fixes = [
        Correction(id=2, cluster=_KEY, slot=subtotal, field="order_total"),
        Correction(id=1, cluster=_KEY, slot=subtotal, field="tax_amount"),  # older: loses
        Correction(id=3, cluster=_KEY, slot=unnamed, field="shipping_amount"),
        Correction(id=4, cluster="other@x.example:1", slot=subtotal, field="tax_amount"),
    ]
    once = apply_corrections(ruleset, fixes)
    got = once.clusters[0]
    assert [(r.field, r.confidence, r.corrected) for r in got.rules] == [
        ("order_total", 1.0, True),
        ("shipping_amount", 1.0, True),
    ]
    assert got.unnamed == []
    assert apply_corrections(once, fixes) == once
    assert apply_corrections(ruleset, []) is ruleset


def test_not_a_field_moves_a_rule_to_the_unnamed_slots(slots: _Slots) -> None:
    fix = Correction(cluster=_KEY, slot=slots.subtotal, field=None)
    got = apply_corrections(slots.ruleset, [fix]).clusters[0]
    assert got.rules == [] and [(r.field, r.corrected) for r in got.unnamed] == [("", True), ("", False)]


def test_training_labels_are_the_latest_correction_of_each_slot_still_there(slots: _Slots) -> None:
    subtotal, unnamed = slots.subtotal, slots.unnamed
    fixes = [
        Correction(id=1, cluster=_KEY, slot=subtotal, field="order_total"),
        Correction(id=2, cluster=_KEY, slot=unnamed, field=None),
        Correction(id=3, cluster=_KEY, slot="gone0123456789ab", field="tax_amount"),
    ]
    labels = training_labels(slots.ruleset, fixes)
    assert [(x.slot, x.field, x.ipath) for x in labels] == [
        (subtotal, "order_total", "html/body/table/tr/td"),
        (unnamed, NOT_A_FIELD, "html/body/table/tr/td"),
    ]
