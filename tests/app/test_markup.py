"""A message's own schema.org markup (app/markup.py): JSON-LD and microdata read, broken blocks
counted, fields read from it by the vocabulary's paths, disagreement with extraction."""

from __future__ import annotations

import json

from mailstencil.app.markup import MAX_ITEMS, disagrees, markup_fields, read_markup
from mailstencil.app.schemas import MarkupItem

_PARCEL = {
    "@context": "https://schema.org",
    "@type": "ParcelDelivery",
    "trackingNumber": "1Z999AA10123456784",
    "carrier": {"@type": "Organization", "name": "UPS"},
}


def _script(data: object, kind: str = "application/ld+json") -> str:
    return f'<script type="{kind}">{json.dumps(data)}</script>'


def test_each_json_ld_script_is_read_on_its_own() -> None:
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "Order", "orderNumber": "1042"}]}
    odd = _script(_PARCEL, " Application/LD+JSON ")  # the type as some senders write it
    broken = "<script type='application/ld+json'>{oops</script>"
    html = f"<html><body>{odd}{broken}{_script(graph)}</body></html>"
    items, broken = read_markup(html)
    assert broken == 1
    assert [(i.syntax, i.type) for i in items] == [("json-ld", ["ParcelDelivery"]), ("json-ld", ["Order"])]
    assert items[1].data["@context"] == "https://schema.org"  # a graph's context passes to its nodes


def test_microdata_is_read_as_json_ld() -> None:
    html = (
        '<html><body><div itemscope itemtype="https://schema.org/Order">'
        '<span itemprop="orderNumber">1042</span></div></body></html>'
    )
    items, broken = read_markup(html)
    assert broken == 0
    assert [(i.syntax, i.type, i.data.get("orderNumber")) for i in items] == [
        ("microdata", ["Order"], "1042")
    ]


def test_markup_is_found_in_any_case_among_text_that_is_not_ascii() -> None:
    order = '<div ITEMSCOPE itemtype="https://schema.org/Order"><span itemprop="orderNumber">7</span></div>'
    parcel = _script(_PARCEL, "Application/LD+JSON")
    html = f"<html><body><p>Ihre Bestellung über 12 € İ</p>{parcel}{order}</body></html>"
    assert [i.syntax for i in read_markup(html)[0]] == ["json-ld", "microdata"]
    assert read_markup("<p>İtemscope, ıtemscope, ld+jsön</p>") == ([], 0)  # what lowers to none of them


def test_a_body_without_markup_is_not_parsed_and_items_are_bounded() -> None:
    assert read_markup(None) == ([], 0)
    assert read_markup("<p>Your order 1042</p>") == ([], 0)
    many = "".join(_script({"@type": "Thing", "name": str(k)}) for k in range(MAX_ITEMS + 5))
    assert len(read_markup(f"<html><body>{many}</body></html>")[0]) == MAX_ITEMS


def test_fields_are_read_by_the_vocabularys_schema_org_paths() -> None:
    parcel = MarkupItem(syntax="json-ld", type=["ParcelDelivery"], data=_PARCEL)
    assert markup_fields([parcel]) == {"tracking_number": ["1Z999AA10123456784"], "carrier": ["UPS"]}
    other = MarkupItem(syntax="json-ld", type=["Event"], data=_PARCEL)
    assert markup_fields([other]) == {}  # a path applies to its own type only


def test_markup_disagrees_when_extraction_lacks_or_differs_from_a_value() -> None:
    parcel = [MarkupItem(syntax="json-ld", type=["ParcelDelivery"], data=_PARCEL)]
    agreeing = {"tracking_number": ["#1z999aa10123456784 "], "carrier": ["ups"]}
    assert not disagrees(parcel, agreeing)  # case, spaces and a leading '#' aside
    assert disagrees(parcel, {"tracking_number": ["1Z999AA10123456784"]})  # no carrier
    assert disagrees(parcel, {**agreeing, "carrier": ["DHL"]})
    assert not disagrees([], {"carrier": ["DHL"]})
