"""JSON-LD that validates: every type and property the writer emits is checked against a shipped copy
of the schema.org vocabulary (tests/fixtures/schemaorg.json, written by tools/gen_schemaorg.py), and
one message of each vertical, written for this test, gives its golden document
(tests/golden/jsonld/; rewrite with ``python tests/regen_golden.py`` and review the diff)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import (
    JSONLD_GOLDEN,
    JSONLD_INPUTS,
    SCHEMAORG,
    dump_json,
    extraction,
    golden_jsonld,
    schemaorg_errors,
)

from mailstencil.app.jsonld import PATHS, parse_path, to_jsonld
from mailstencil.rules.vocabulary import FIELDS, LINE_ITEM_FIELDS

VERTICALS = sorted(p.stem for p in JSONLD_INPUTS.glob("*.eml"))


def _extracted(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in doc["@graph"] if n.get("ms:source") == "extracted"]


def test_the_goldens_cover_every_vertical() -> None:
    assert VERTICALS == ["account", "commerce", "flight", "invoice", "lodging", "shipping"]


@pytest.mark.parametrize("vertical", VERTICALS)
def test_golden_jsonld(vertical: str) -> None:
    raw = (JSONLD_INPUTS / f"{vertical}.eml").read_bytes()
    extracted = json.loads((JSONLD_INPUTS / f"{vertical}.fields.json").read_text(encoding="utf-8"))
    doc = golden_jsonld(raw, extracted)
    assert dump_json(doc) == (JSONLD_GOLDEN / f"{vertical}.jsonld").read_text(encoding="utf-8")
    for node in _extracted(doc):
        assert schemaorg_errors(node) == [], vertical


def test_every_field_placed_by_the_vocabulary_validates() -> None:
    """One message holding every field's fields.json example: all of them placed, all valid."""
    fields = {name: [spec.example] for name, spec in FIELDS.items() if spec.example}
    row = {name: fields[name][0] for name in LINE_ITEM_FIELDS if name in fields}
    ex = extraction(fields, [row], datetime(2026, 3, 1, 12, 0, tzinfo=UTC), "orders@shop.example.com")
    doc = to_jsonld(ex).model_dump(by_alias=True, mode="json")
    errors = [e for node in _extracted(doc) for e in schemaorg_errors(node)]
    assert errors == []
    text = json.dumps(doc)
    for name, path in PATHS.items():  # each placed field's property is in the document
        assert f'"{path[-1].prop}"' in text, name


def test_numbers_dates_and_currencies_are_typed() -> None:
    raw = (JSONLD_INPUTS / "commerce.eml").read_bytes()
    extracted = json.loads((JSONLD_INPUTS / "commerce.fields.json").read_text(encoding="utf-8"))
    order, invoice = _extracted(golden_jsonld(raw, extracted))
    assert order["orderDate"] == "2026-02-03" and order["orderNumber"] == "40117"
    assert [i["orderQuantity"] for i in order["orderedItem"]] == [2, 3]
    assert order["discount"] == 10.0 and order["discountCurrency"] == "CAD"  # "$" of a .ca sender
    assert invoice["totalPaymentDue"]["price"] == 95.66
    assert order["partOfInvoice"] == {"@id": invoice["@id"]}


def test_the_validator_catches_what_schema_org_does_not_allow() -> None:
    wrong = "/Order.totalPrice: not a property of Order (only of ['Reservation', 'Ticket'])"
    assert schemaorg_errors({"@type": "Order", "totalPrice": 5}) == [wrong]
    as_text = "/Offer.price: '$5' is a number written as text"
    assert schemaorg_errors({"@type": "Offer", "price": "$5"}) == [as_text]
    assert schemaorg_errors({"@type": "Order", "orderDate": "Feb 3"})
    assert schemaorg_errors({"@type": "Offer", "priceCurrency": "$"})
    assert schemaorg_errors({"@type": "Ordr"}) == [": unknown type 'Ordr'"]
    assert schemaorg_errors({"@type": "Order", "customer": {"@type": "Airport"}})
    assert len(SCHEMAORG["types"]) > 800 and len(SCHEMAORG["properties"]) > 1300


def test_vocabulary_paths_parse_and_bad_ones_are_refused() -> None:
    assert {n for n, s in FIELDS.items() if s.schema_org != "-"} == set(PATHS)
    assert parse_path("-") is None
    with pytest.raises(ValueError, match="not a schema_org path step"):
        parse_path("Order totalPrice")
