"""The rule model (rules/model.py): one slot address for learning and rules, a stable JSON form."""

from __future__ import annotations

import json
from typing import get_type_hints

from mailstencil.rules.model import (
    ADDRESS_FIELDS,
    ClusterRules,
    FieldRule,
    Landmark,
    RuleSet,
    Selector,
    SlotAddress,
)

_ADDRESS = SlotAddress(
    anchor=2, ipath="html/body/table/tr/td", mode="rows", ordinal=0, selector=-1, row_depth=3, row_rel="td[2]"
)


def test_a_rule_keeps_its_address_in_its_own_fields() -> None:
    rule = FieldRule(field="item_price", **_ADDRESS.as_fields(), pattern=r"(.+)")
    assert rule.address == _ADDRESS
    assert (rule.anchor, rule.mode, rule.row_depth, rule.row_rel) == (2, "rows", 3, "td[2]")
    assert rule.address.key() == (2, "html/body/table/tr/td", "rows", 0, -1, 3, "td[2]")


def test_every_address_part_is_a_rule_field_of_the_same_type() -> None:
    hints = get_type_hints(SlotAddress)
    assert set(ADDRESS_FIELDS) == set(hints)
    for name in ADDRESS_FIELDS:
        assert FieldRule.model_fields[name].annotation == hints[name], name


def test_the_json_form_is_stable() -> None:
    rule = FieldRule(field="order_total", ipath="html/body/p", pattern=r"Total: (.+)")
    assert list(json.loads(rule.model_dump_json()))[:4] == ["field", "anchor", "ipath", "mode"]
    ruleset = RuleSet(
        version=3,
        clusters=[
            ClusterRules(
                cluster="orders@shop.example:abc",
                sender="orders@shop.example",
                landmarks=[Landmark(ipath="html/body/h1", text="Your order")],
                selectors=[Selector(ipath="html/body/p", pattern="Total: .+")],
                rules=[rule],
            )
        ],
    )
    again = RuleSet.model_validate_json(ruleset.model_dump_json())
    assert again == ruleset and again.created.tzinfo is not None
    assert again.clusters[0].rules[0].address == rule.address
