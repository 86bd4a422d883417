"""The field vocabulary (rules/vocabulary.py, rules/fields.json): every field well formed and typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mailstencil.rules.typed import context_of, type_value
from mailstencil.rules.vocabulary import FIELDS, LINE_ITEM_FIELDS, MONEY_FIELDS, FieldSpec

# Type.property steps joined by '>' ('*' for the message's main entity, [tag] for one of several)
_STEP = r"(?:\*|[A-Z][A-Za-z]*(?:\[[a-z ]+\])?)\.(?:ms:)?[a-z][A-Za-z]*"
_PATH = re.compile(rf"{_STEP}(?:>{_STEP})*|-")
_CTX = context_of(datetime(2026, 3, 2, 8, 30, tzinfo=UTC), "orders@shop.example.com")


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_field_has_an_example_of_its_kind_and_a_schema_org_path(name: str) -> None:
    spec = FIELDS[name]
    assert spec.example, name
    assert _PATH.fullmatch(spec.schema_org), spec.schema_org
    if spec.value != "text":
        assert type_value(spec.value, spec.example, _CTX) is not None, (name, spec.example)


def test_the_derived_sets_follow_the_specs() -> None:
    assert {"item_name", "item_price", "item_quantity"} <= LINE_ITEM_FIELDS
    assert "order_total" not in LINE_ITEM_FIELDS
    assert {"order_total", "item_price", "amount_due"} <= MONEY_FIELDS


def test_a_spec_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        FieldSpec.model_validate({"kind": "several", "schema_org": "-"})
    with pytest.raises(ValidationError):
        FieldSpec.model_validate({"kind": "single", "value": "colour", "schema_org": "-"})
