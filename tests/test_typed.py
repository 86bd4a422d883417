"""Typed forms of values (rules/typed.py): example tables, each case tagged with where its form comes
from (the issue that asked for it, fields.json's examples, a standard, a locale's CLDR format, or a
case we made up to pin a rule). Every value here is written for this test."""

# ruff: noqa: E501  (the example tables keep one case a line)
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from helpers import assert_bounded, random_texts

from mailstencil.rules.typed import Context, TypedValue, context_of, type_extraction, type_value
from mailstencil.rules.vocabulary import FIELDS

CET = timezone(timedelta(hours=1))
# the message every case is read against: sent 10 Feb 2026, 09:00 +01:00, from a generic domain
SENT = datetime(2026, 2, 10, 9, 0, tzinfo=CET)
CTX = context_of(SENT, "orders@shop.example.com")

DATES = [
    # (source, text, kind, value, end, guessed)
    ("issue 19", "05-Feb-2026", "date", "2026-02-05", None, []),
    ("fields.json example", "March 3, 2026", "date", "2026-03-03", None, []),
    ("fields.json example", "Friday, March 6", "date", "2026-03-06", None, ["year"]),
    ("fields.json example", "Apr 2, 10:15", "datetime", "2026-04-02T10:15:00+01:00", None, ["year", "zone"]),
    ("fields.json example", "March 3, 2026 at 10:41 UTC", "datetime", "2026-03-03T10:41:00+00:00", None, []),
    ("ISO 8601", "2026-04-02", "date", "2026-04-02", None, []),
    ("ISO 8601", "2026-04-02T07:30:00Z", "datetime", "2026-04-02T07:30:00+00:00", None, []),
    ("RFC 5322 Date", "Tue, 03 Feb 2026 18:04:11 -0500", "datetime", "2026-02-03T18:04:11-05:00", None, []),
    ("CLDR de", "Donnerstag, 5. Februar 2026", "date", "2026-02-05", None, []),
    ("CLDR de", "05.02.2026 14:30 Uhr", "datetime", "2026-02-05T14:30:00+01:00", None, ["zone"]),
    ("CLDR fr", "5 févr. 2026 à 14h30", "datetime", "2026-02-05T14:30:00+01:00", None, ["zone"]),
    ("CLDR ja", "2026年2月5日", "date", "2026-02-05", None, []),
    ("CLDR en_US", "Feb 5, 2026 at 2:45 PM PST", "datetime", "2026-02-05T14:45:00-08:00", None, []),
    ("own: zone in parentheses", "12/25/2025 09:00 (GMT+2)", "datetime", "2025-12-25T09:00:00+02:00", None, []),
    ("own: summer zone name", "June 1, 2026 8:00 CEST", "datetime", "2026-06-01T08:00:00+02:00", None, []),
    ("own: unknown zone: the Date's", "June 1, 2026 8:00 XYZ", "datetime", "2026-06-01T08:00:00+01:00", None,
     ["zone"]),
    ("own: year nearest the Date, back", "Dec 30", "date", "2025-12-30", None, ["year"]),
    ("own: year nearest the Date, ahead", "Jan 3", "date", "2026-01-03", None, ["year"]),
    ("own: day/month both ways, nearest", "02/04/2026", "date", "2026-02-04", None, ["day_order"]),
    ("own: month-first when day > 12", "12/25/2026", "date", "2026-12-25", None, []),
    ("own: a time alone", "10:15", "time", "10:15:00+01:00", None, ["zone"]),
    ("own: midnight written 24:00", "March 3, 2026 24:00 UTC", "datetime", "2026-03-04T00:00:00+00:00", None, []),
    ("own: a delivery window", "Feb 12 - Feb 14", "date_range", "2026-02-12", "2026-02-14", ["year"]),
    ("own: one month's span", "12–14 Feb 2026", "date_range", "2026-02-12", "2026-02-14", []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "text", "kind", "value", "end", "guessed"), DATES, ids=[d[1] for d in DATES]
)
def test_dates(source: str, text: str, kind: str, value: str, end: str | None, guessed: list[str]) -> None:
    got = type_value("date", text, CTX)
    assert got == TypedValue(kind=kind, value=value, end=end, guessed=guessed), source  # type: ignore[arg-type]


def test_no_date_header_infers_no_year_and_no_zone() -> None:
    bare = context_of(None, "orders@shop.example.com")
    assert type_value("date", "Friday, March 6", bare) is None
    assert type_value("date", "2026-03-06 10:00", bare) == TypedValue(
        kind="datetime", value="2026-03-06T10:00:00"
    )
    assert context_of(datetime(1970, 1, 1, tzinfo=UTC), "a@b.example").date is None  # the parser's "no Date"


AMOUNTS = [
    # (source, text, sender, other amounts in the message, value, currency, guessed)
    ("issue 19", "2 815,16 €", "shop.example.com", [], "2815.16", "EUR", False),
    ("issue 19", "CA$240.88", "shop.example.com", [], "240.88", "CAD", False),
    ("fields.json example", "-$10.00", "shop.example.com", [], "-10.00", "USD", True),
    ("CLDR de_CH", "CHF 1'234.50", "shop.example.ch", [], "1234.50", "CHF", False),
    ("CLDR en_IN", "₹1,23,456.00", "shop.example.in", [], "123456.00", "INR", False),
    ("CLDR ja", "¥1,200", "shop.example.jp", [], "1200", "JPY", True),
    ("ISO 4217 code", "1.234,00 EUR", "shop.example.com", [], "1234.00", "EUR", False),
    ("own: $ from the message's other amounts", "$12.00", "shop.example.com", ["CA$15.00"], "12.00", "CAD", True),
    ("own: $ from the sender's country", "$12.00", "shop.example.com.au", [], "12.00", "AUD", True),
    ("own: kr from the sender's country", "149,00 kr", "butik.example.dk", [], "149.00", "DKK", True),
    ("own: kr from the other amounts", "kr 99", "butik.example.com", ["NOK 10"], "99", "NOK", True),
    ("own: kr nowhere resolved", "kr 99", "butik.example.com", [], "99", None, False),
    ("own: a bare number takes the one written", "12.50", "shop.example.com", ["€ 3,00"], "12.50", "EUR", True),
    ("own: a bare number, sender's country", "12.50", "shop.example.co.uk", [], "12.50", "GBP", True),
    ("own: a bare number, two currencies", "12.50", "shop.example.com", ["€ 3,00", "£2"], "12.50", None, False),
    ("own: a bare number beside $ amounts", "12.50", "shop.example.com", ["$3.00"], "12.50", "USD", True),
    ("own: a bare number beside kr amounts", "12,50", "butik.example.no", ["kr 3,00"], "12.50", "NOK", True),
    ("own: accounting negative", "($10.00)", "shop.example.com", [], "-10.00", "USD", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "text", "domain", "others", "value", "currency", "guessed"),
    AMOUNTS,
    ids=[a[0] for a in AMOUNTS],
)
def test_amounts(
    source: str, text: str, domain: str, others: list[str], value: str, currency: str | None, guessed: bool
) -> None:
    got = type_value("money", text, context_of(SENT, f"orders@{domain}", [text, *others]))
    expected = TypedValue(
        kind="amount", value=value, currency=currency, guessed=["currency"] if guessed else []
    )
    assert got == expected, source


OTHERS = [
    # (source, kind, text, typed value or None)
    ("fields.json example", "quantity", "2", 2),
    ("own: count with a label", "quantity", "Qty: 3", 3),
    ("own: count with a times sign", "quantity", "× 4", 4),
    ("own: count with a unit", "quantity", "2 pcs", 2),
    ("own: German unit", "quantity", "5 Stk.", 5),
    ("own: not a count", "quantity", "two", None),
    ("issue 19", "reference", "#698646", "698646"),
    ("fields.json example", "reference", "INV-2026-0042", "INV-2026-0042"),
    ("own: number sign word", "reference", "No. 1001", "1001"),
    ("own: German number word", "reference", "Nr. 20045", "20045"),
    ("own: in parentheses", "reference", "(R-7781)", "R-7781"),
    ("fields.json example", "tracking", "1Z999AA10123456784", "1Z999AA10123456784"),
    ("own: printed in groups", "tracking", "1Z 999 AA1 01 2345 6784", "1Z999AA10123456784"),
    ("fields.json example", "airport", "FRA", "FRA"),
    ("own: name and code", "airport", "Frankfurt (FRA)", "FRA"),
    ("own: not a code", "airport", "Frankfurt", None),
    ("own: a currency code is no airport", "airport", "USD", None),
]  # fmt: skip


@pytest.mark.parametrize(("source", "kind", "text", "value"), OTHERS, ids=[f"{o[1]}:{o[2]}" for o in OTHERS])
def test_quantities_references_airports(source: str, kind: str, text: str, value: str | int | None) -> None:
    got = type_value(kind, text, CTX)  # type: ignore[arg-type]
    assert (got.value if got is not None else None) == value, source


def test_an_airport_carries_its_name_city_and_country() -> None:
    got = type_value("airport", "Frankfurt (FRA)", CTX)
    assert got is not None and (got.value, got.city, got.country) == ("FRA", "Frankfurt am Main", "DE")
    assert got.name is not None and "Frankfurt" in got.name


def test_text_fields_and_hostile_input_get_no_typed_form() -> None:
    assert type_value("text", "Jane Doe", CTX) is None
    assert type_value("date", "1" * 5000, CTX) is None
    assert type_value("money", "€" * 300, CTX) is None


def test_every_vocabulary_example_reads_as_its_kind() -> None:
    for name, spec in FIELDS.items():
        if spec.value != "text" and spec.example:
            assert type_value(spec.value, spec.example, CTX) is not None, name


def test_type_extraction_aligns_with_fields_and_rows() -> None:
    fields = {
        "order_number": ["#1001"],
        "order_total": ["$30.00"],
        "order_subtotal": ["CA$28.00"],
        "recipient_name": ["Jane Doe"],
        "item_quantity": ["2", "x"],
    }
    rows = [{"item_name": "Mug", "item_quantity": "2"}, {"item_name": "Cup", "item_quantity": "x"}]
    typed, typed_rows = type_extraction(fields, rows, SENT, "orders@shop.example.com")
    assert set(typed) == {"order_number", "order_total", "order_subtotal", "item_quantity"}
    assert typed["order_total"] == [
        TypedValue(kind="amount", value="30.00", currency="CAD", guessed=["currency"])
    ]
    assert [t.value if t else None for t in typed["item_quantity"]] == [2, None]
    assert typed_rows == [{"item_quantity": TypedValue(kind="quantity", value=2)}, {}]


def test_context_reads_the_sender_country() -> None:
    assert context_of(SENT, "a@shop.example.de") == Context(SENT, "DE", frozenset(), frozenset())
    assert context_of(SENT, "a@shop.example.de", ["$4", "kr 5"]).symbols == frozenset({"$", "kr"})
    assert context_of(SENT, "a@shop.example.co.uk").territory == "GB"
    assert context_of(SENT, "a@shop.example.com", ["€5", "$3"]).currencies == frozenset({"EUR"})


@pytest.mark.parametrize(
    "text", ["#" * 200, "No. " * 50, "a-" * 100, "(" * 100 + "FRA" + ")" * 97, "1" * 200, "Qty " * 50]
)
def test_typing_is_bounded_on_hostile_text(text: str) -> None:
    assert_bounded(_type_as_every_kind, [text], 0.05)


def test_typing_is_bounded_on_random_text_of_the_readers_alphabet() -> None:
    alphabet = "0123456789 .,:-–/()#$€kr年月日 aAmMpTtoFebNoQxZ×"
    assert_bounded(_type_as_every_kind, random_texts(19, alphabet), 1.0)


def _type_as_every_kind(text: str) -> None:
    for kind in ("date", "money", "quantity", "reference", "tracking", "airport"):
        type_value(kind, text, CTX)
