"""Table tests of the value readers and types, each case tagged with the kind of sender it stands for.

The values are written for these tests in the shapes mail uses; none is copied from a corpus.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import assert_bounded, random_texts

from mailstencil.rules.dictionaries import column_types, value_types
from mailstencil.rules.values import (
    Amount,
    DateRange,
    DateValue,
    TimeOfDay,
    in_context,
    is_currency_token,
    parse_amount,
    parse_date,
    parse_time,
)

# (text, number, currency, ISO code, origin)
AMOUNTS = [
    ("1,234.56", "1234.56", None, None, "US shop, thousands comma"),
    ("1.234,56", "1234.56", None, None, "German shop, thousands dot"),
    ("1 234,56", "1234.56", None, None, "French invoice, thousands space"),
    ("2 815,16 €", "2815.16", "€", "EUR", "French shop, symbol after"),
    ("2\u202f815,16\u00a0€", "2815.16", "€", "EUR", "French shop, narrow no-break spaces"),
    ("CA$240.88", "240.88", "CA$", "CAD", "Canadian shop, prefixed dollar"),
    ("¥1,200", "1200", "¥", None, "Japanese shop, yen sign"),
    ("1.200 円", "1200", "円", "JPY", "Japanese shop, yen written after"),
    ("-$10.00", "-10.00", "$", None, "refund, sign before symbol"),
    ("$-10.00", "-10.00", "$", None, "refund, sign after symbol"),
    ("($10.00)", "-10.00", "$", None, "accounting, parentheses"),
    ("CHF 12.–", "12", "CHF", "CHF", "Swiss shop, whole francs"),
    ("1'250.50 CHF", "1250.50", "CHF", "CHF", "Swiss shop, apostrophe groups"),
    ("EGP 3,450.00", "3450.00", "EGP", "EGP", "travel agency, Egyptian pound"),
    ("AED 720", "720", "AED", "AED", "hotel booking, dirham code"),
    ("THB 1,990", "1990", "THB", "THB", "hotel booking, baht code"),
    ("MKD 640", "640", "MKD", "MKD", "shop, denar code"),
    ("₱ 899.00", "899.00", "₱", "PHP", "Philippine shop, peso sign"),
    ("₪149.90", "149.90", "₪", "ILS", "Israeli shop, shekel sign"),
    ("49,99 zł", "49.99", "zł", "PLN", "Polish shop, złoty"),
    ("349 kr", "349", "kr", None, "Swedish shop, kronor"),
    ("R$ 79,90", "79.90", "R$", "BRL", "Brazilian shop, real"),
    ("$12.00 USD", "12.00", "$", "USD", "US shop, symbol and code"),
    ("0,750", "0.750", None, None, "fuel price, three decimals after zero"),
    ("1.250 ден", "1250", "ден", "MKD", "Macedonian shop, abbreviation without its dot"),
]


@pytest.mark.parametrize(("text", "number", "currency", "code", "origin"), AMOUNTS)
def test_parse_amount(text: str, number: str, currency: str | None, code: str | None, origin: str) -> None:
    assert parse_amount(text) == Amount(Decimal(number), currency, code), origin


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("1.234.56", "a repeated mark cannot be the decimal one"),
        ("($10.00", "unbalanced parenthesis"),
        ("-+5", "two signs"),
        ("TRL-204611", "a reference whose prefix is also a currency code"),
        ("Total", "a word"),
        ("", "empty"),
        ("1" * 250, "too long to read"),
    ],
)
def test_parse_amount_rejects(text: str, origin: str) -> None:
    assert parse_amount(text) is None, origin


def _d(
    y: int | None, m: int | None, d: int | None, t: TimeOfDay | None = None, amb: bool = False
) -> DateValue:
    return DateValue(y, m, d, t, amb)


# (text, expected, origin)
DATES = [
    ("05-Feb-2026", _d(2026, 2, 5), "booking system, day-month-abbr-year"),
    ("2026-03-14", _d(2026, 3, 14), "ISO day"),
    ("2026-03-14T08:05:09Z", _d(2026, 3, 14, TimeOfDay(8, 5, 9, "Z")), "ISO timestamp"),
    ("2026/03/14 21:07:33", _d(2026, 3, 14, TimeOfDay(21, 7, 33)), "Japanese system, slashes"),
    ("14.03.2026", _d(2026, 3, 14), "German shop, dotted"),
    ("14.03.", _d(None, 3, 14), "German shop, day and month only"),
    ("03/04/2026", _d(2026, 4, 3, amb=True), "slashes, both readings possible"),
    ("11/28/2026", _d(2026, 11, 28), "US shop, month-first"),
    ("Mar 14, 2026", _d(2026, 3, 14), "US shop, month abbr"),
    ("Saturday, March 14th, 2026", _d(2026, 3, 14), "US shop, weekday and ordinal"),
    ("Mar 14", _d(None, 3, 14), "notification, no year"),
    ("Oct 9, 2026 - 07:15", _d(2026, 10, 9, TimeOfDay(7, 15)), "travel agency, date dash time"),
    ("Oct 9, 2026 at 7:15 PM EDT", _d(2026, 10, 9, TimeOfDay(19, 15, None, "EDT")), "US shop, zone"),
    ("Samstag, 14. März 2026", _d(2026, 3, 14), "German shop, weekday"),
    ("14. März 2026 um 10:20 Uhr", _d(2026, 3, 14, TimeOfDay(10, 20)), "German notification, um ... Uhr"),
    ("14 mars 2026 à 10h20", _d(2026, 3, 14, TimeOfDay(10, 20)), "French notification, 10h20"),
    ("14 de marzo de 2026", _d(2026, 3, 14), "Spanish shop"),
    ("14 marzo 2026", _d(2026, 3, 14), "Italian shop"),
    ("14 maart 2026", _d(2026, 3, 14), "Dutch shop"),
    ("14 de março de 2026", _d(2026, 3, 14), "Portuguese shop"),
    ("14 mars 2026", _d(2026, 3, 14), "Swedish/Norwegian/Danish shop"),
    ("14 marca 2026", _d(2026, 3, 14), "Polish shop, genitive month"),
    ("14. listopadu 2026", _d(2026, 11, 14), "Czech shop"),
    ("2026年3月14日", _d(2026, 3, 14), "Japanese shop"),
    ("2026年3月14日(土) 18:30", _d(2026, 3, 14, TimeOfDay(18, 30)), "Japanese booking, weekday and time"),
    ("2026년 3월 14일 (토)", _d(2026, 3, 14), "Korean shop, weekday"),
    ("3月14日", _d(None, 3, 14), "Japanese notification, no year"),
    ("Tue Mar 10 16:02:45 CET 2026", _d(2026, 3, 10, TimeOfDay(16, 2, 45, "CET")), "server log, year last"),
    ("12:44:00", _d(None, None, None, TimeOfDay(12, 44, 0)), "billing system, time with seconds"),
    ("9:05 am", _d(None, None, None, TimeOfDay(9, 5)), "flight, 12-hour time"),
    ("18時30分", _d(None, None, None, TimeOfDay(18, 30)), "Japanese time"),
]


@pytest.mark.parametrize(("text", "expected", "origin"), DATES)
def test_parse_date(text: str, expected: DateValue, origin: str) -> None:
    assert parse_date(text) == expected, origin


@pytest.mark.parametrize(
    ("text", "start", "end", "origin"),
    [
        ("05-Feb-2026 To 12-Feb-2026", _d(2026, 2, 5), _d(2026, 2, 12), "booking system, stay"),
        ("Mar 3 – Mar 9, 2026", _d(2026, 3, 3), _d(2026, 3, 9), "hotel, year only at the end"),
        ("03.03.2026 - 09.03.2026", _d(2026, 3, 3), _d(2026, 3, 9), "German billing period"),
        ("2026-03-03 bis 2026-03-09", _d(2026, 3, 3), _d(2026, 3, 9), "German booking, bis"),
        ("3–9 Mar 2026", _d(2026, 3, 3), _d(2026, 3, 9), "hotel, one month's span"),
        ("Mar 3-9, 2026", _d(2026, 3, 3), _d(2026, 3, 9), "US hotel, one month's span"),
        ("3.–9. März 2026", _d(2026, 3, 3), _d(2026, 3, 9), "German hotel, one month's span"),
    ],
)
def test_parse_date_range(text: str, start: DateValue, end: DateValue, origin: str) -> None:
    assert parse_date(text) == DateRange(start, end), origin


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("2026", "a year alone"),
        ("12.30", "a decimal, not a time"),
        ("179.00", "a price without its symbol"),
        ("31/31/2026", "no month 31"),
        ("Order 14", "a word that names no month"),
        ("Mar 14 extra words", "trailing text"),
        ("25:61", "no such time"),
        ("9-3 Mar 2026", "a span that ends before it starts"),
        ("3-9 Order", "a span of no month"),
        ("14 Mar 2026 to somewhere", "a range with no second date"),
        ("1" * 250, "too long to read"),
    ],
)
def test_parse_date_rejects(text: str, origin: str) -> None:
    assert parse_date(text) is None, origin


def test_parse_time_needs_a_marker_after_a_dot() -> None:
    assert parse_time("12.30") is None
    assert parse_time("12.30 Uhr") == TimeOfDay(12, 30)


# (value, type, whether it is that type, origin)
TYPING = [
    ("EGP 1,250.00", "money", True, "travel agency, code outside a short list"),
    ("₪ 99", "money", True, "Israeli shop"),
    ("12,00 zł", "money", True, "Polish shop"),
    ("CHF 12.–", "money", True, "Swiss shop"),
    ("05-Feb-2026", "date", True, "booking system"),
    ("05-Feb-2026 To 12-Feb-2026", "date", True, "booking system, range"),
    ("Sep 17, 2026 - 02:45", "date", True, "travel agency, date and time"),
    ("12:44:00", "date", True, "billing system, time with seconds"),
    ("5 lutego 2026", "date", True, "Polish shop"),
    ("192.168.10.4", "ip", True, "security notice, IPv4"),
    ("2001:db8::17", "ip", True, "security notice, IPv6"),
    ("KQZ-TRWM", "code", True, "booking reference, letters with a separator"),
    ("qXbRtZmW", "code", True, "token, mixed case"),
    ("AB12CD", "code", True, "order number, letters and digits"),
    ("12:44:00", "ip", False, "a time with seconds"),
    ("2026", "money", False, "a year alone"),
    ("179.00", "money", False, "a bare decimal, no currency beside it"),
    ("179.00", "date", False, "a bare decimal"),
    ("9.25", "code", False, "a bare decimal, not a reference"),
    ("1,179.00", "code", False, "a bare decimal with thousands"),
    ("PENDING", "code", False, "an all-caps status word"),
    ("Welcome", "code", False, "a capitalised word"),
    ("McDonald", "code", False, "one case switch in a name"),
]


@pytest.mark.parametrize(("value", "kind", "typed", "origin"), TYPING)
def test_value_types(value: str, kind: str, typed: bool, origin: str) -> None:
    assert (kind in value_types(value)) is typed, origin


@pytest.mark.parametrize(
    ("value", "before", "after", "expected"),
    [
        ("179.00", "$", "", "$ 179.00"),
        ("179.00", "Total: US$", "", "US$ 179.00"),
        ("1.234,50", "", "€", "1.234,50 €"),
        ("1.234,50", "", "EUR incl. VAT", "1.234,50 EUR"),
        ("1,200", "¥", "", "¥ 1,200"),
        ("2", "$", "", "2"),  # a count, not an amount
        ("179.00", "Room", "", "179.00"),
        ("2026", "$", "", "2026"),  # not a decimal amount
        ("179.00", "RM$", "", "179.00"),  # no symbol ends the text on a token boundary
    ],
)
def test_in_context(value: str, before: str, after: str, expected: str) -> None:
    assert in_context(value, before, after) == expected


def test_column_with_currency_beside_it_is_money() -> None:
    values = ["179.00", "24.50", "1,020.00"]
    assert "money" not in column_types(values)
    assert column_types(values, before="$")["money"] == 1.0
    assert column_types(values, after="THB")["money"] == 1.0


def test_distinct_all_caps_column_is_code_repeated_is_not() -> None:
    refs = ["KQZTRWMB", "PLXNVHTR", "WQMZKRTA", "BNVCXZLK"]
    statuses = ["SHIPPED", "SHIPPED", "PENDING", "SHIPPED"]
    assert column_types(refs).get("code") == 1.0
    assert "code" not in column_types(statuses)


@pytest.mark.parametrize("token", ["EGP", "AED", "THB", "MKD", "₱", "₪", "zł", "kr", "CA$", "R$"])
def test_currency_tokens_from_cldr(token: str) -> None:
    assert is_currency_token(token)


@pytest.mark.parametrize(
    "text",
    ["1" * 199 + ",", "$" + "1," * 99, "1 " * 100, "Mon " * 50, "1:" * 100, "(" * 100 + "1" + ")" * 99],
)
def test_typing_is_bounded(text: str) -> None:
    assert_bounded(lambda t: (value_types(t), parse_amount(t), parse_date(t)), [text], 0.05)


def test_fallback_keeps_a_bare_amount_of_a_money_rule() -> None:
    from mailstencil.rules.apply import _typed

    assert _typed(["money"], "179.00")
    assert not _typed(["money"], "soon")


def test_typing_is_bounded_on_random_text_of_the_readers_alphabet() -> None:
    assert_bounded(value_types, random_texts(15, "0123456789 .,:-–/()$€kr年月日 aAmMpTtoFeb"), 1.0)
