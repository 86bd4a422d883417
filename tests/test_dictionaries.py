"""mailstencil.rules.dictionaries: which kind of value a string is, and a column's types by hit rate."""

from __future__ import annotations

from typing import Any

import pytest

from mailstencil.rules.dictionaries import CURRENCY_CODES, TYPES, column_types, is_currency_token, value_types

POSITIVE: dict[str, list[Any]] = {
    "money": [
        "$440.95",
        "-$5.00",
        "$5.00 USD",
        "12,50 €",
        "12,50€",
        "€ 5",
        "1.234,56 EUR",
        "1.234,56 €",
        "CHF 12.00",
        "£1,200.00",
        "¥1,200",
        "1200円",
        "US$ 19.99",
        "R$ 49,90",
        "1 299,00 kr",
        "Fr. 8.50",
    ],
    "date": [
        "2026-04-02",
        "2026-04-02 14:30",
        "2026-04-02T14:30:00Z",
        "04/02/2026",
        "2.4.26",
        "2026/4/2",
        "April 2, 2026",
        "Apr 2",
        "Thu, Apr 2, 2026",
        "Thursday, April 2nd, 2026",
        "April 2, 2026 at 3:45 PM",
        # German
        "2. April 2026",
        "Donnerstag, 2. April 2026",
        "3. März 2026",
        "Mo., 7. Dez. 2026",
        "2. April 2026 um 14:30 Uhr",
        # French
        "2 avril 2026",
        "jeudi 2 avril 2026",
        "1er mai 2026",
        "14 févr. 2026",
        "2 avril 2026 à 14h30",
        # Spanish
        "2 de abril de 2026",
        "15 de marzo de 2026",
        "jueves, 2 de abril de 2026",
        # Japanese
        "2026年4月2日",
        "2026年 4月 2日",
        "4月2日(木)",
        # times and ranges
        "14:30",
        "2:30 pm",
        "9.15 Uhr",
        "10:00 (CET)",
        "2026-04-02 - 2026-04-05",
    ],
    "integer": ["1001", "0", "-3", "+12", "1234567"],
    "code": ["#1001", "A1B2-C3D4", "ORD-2026-0042", "QF82K", "JP-55120", "ABCD1 EFGH2 IJKL3"],
    "email": ["jane@x.example", "first.last+tag@mail.co.uk", "o'neil@post.example"],
    "url": ["https://x.example/a?b=1", "http://y.example"],
    "phone": ["+1 (555) 123-4567", "030 1234567", "+49 30 12345678"],
    "ip": ["192.168.0.1", "2001:db8::1"],
    "tracking": [
        "1Z999AA10123456784",
        "123456789012",
        "JJD0001234567890",
        "RR123456789DE",
        "9400 1000 0000 0000 0000",
    ],
    "flight": ["LH 400", "BA2490", "U2 8123"],
    "airport": ["FRA", "JFK"],
    "person": [
        "Jane Doe",
        "Ada",
        "Ludwig van Beethoven",
        "José Álvarez",
        "山田 太郎",
        "山田太郎様",
        "Мила Петровска",
        "Ђорђе Јовановић",
        "Αλέξανδρος Παπαδόπουλος",  # Cyrillic, Serbian, Greek
    ],
    "carrier": [
        "UPS",
        "DHL Express",
        "fedex",
        "Royal Mail",
        "Canada Post",
        "La Poste",
    ],
    "card": ["Visa ending in 4242", "Mastercard •••• 1234", "PayPal (4321)", "Amex ****0005"],
    "device": ["Chrome on Windows", "iPhone", "Firefox 124 on Linux"],
    "sentence": ["Thanks for shopping with us today, friend.", "Your parcel is on its way to you now"],
}

NEGATIVE: dict[str, list[Any]] = {
    "money": ["12", "1.234,56", "EUR", "$", "12 apples", "USD USD"],
    "date": ["hello", "2026", "13", "April", "Order 2 April", "le 2 avril"],
    "integer": ["12345678", "1.5", "1,000", "#12", ""],
    "code": ["abc", "hello world", "abcdef", "https://x.example/1234", "#12"],
    "email": ["jane@", "@x.example", "jane at x.example", "jane@localhost"],
    "url": ["www.x.example", "ftp://x.example", "https://", "mailto:a@b.example"],
    "phone": ["2026-04-02", "12", "04/02/2026"],
    "ip": ["192.168.0", "hello"],
    "tracking": ["12345", "ABC"],
    "flight": ["LH", "hello", "LH 40000"],
    "airport": ["FR", "fra", "FRAN"],
    "person": ["jane doe", "Jane doe smith", "ORDER", "Jane3", "A B C D E F", "ЗАКАЗ", "мила петровска"],
    "carrier": ["Acme", "parcel"],
    "card": ["Visa", "Card on file", "4242", "Visa 42"],
    "device": ["Order", "Thanks"],
    "sentence": ["one two three four five"],
}


def _cases(table: dict[str, list[Any]]) -> list[Any]:
    out = []
    for kind, values in table.items():
        for v in values:
            if isinstance(v, str):
                out.append(pytest.param(kind, v, id=f"{kind}-{v}"))
            else:  # a pytest.param carrying marks
                out.append(pytest.param(kind, *v.values, marks=v.marks, id=f"{kind}-{v.values[0]}"))
    return out


@pytest.mark.parametrize(("kind", "value"), _cases(POSITIVE))
def test_value_types_positive(kind: str, value: str) -> None:
    assert kind in value_types(value), f"{value!r} should be {kind}, got {value_types(value)}"


@pytest.mark.parametrize(("kind", "value"), _cases(NEGATIVE))
def test_value_types_negative(kind: str, value: str) -> None:
    assert kind not in value_types(value), f"{value!r} should not be {kind}"


def test_every_type_has_positive_and_negative_cases() -> None:
    assert set(POSITIVE) == set(TYPES)
    assert set(NEGATIVE) == set(TYPES)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$440.95", ["money"]),
        ("jane@x.example", ["email"]),
        ("April 2, 2026", ["date"]),
        ("hello", []),
        ("", []),
    ],
)
def test_value_types_exact(value: str, expected: list[str]) -> None:
    assert value_types(value) == expected


def test_value_types_follow_types_order() -> None:
    names = list(TYPES)
    got = value_types("2026-04-02")
    assert got == sorted(got, key=names.index)
    assert got == ["date", "code"]


def test_column_types_threshold() -> None:
    vals = ["$1.00", "$2.00", "$3.00", "n/a"]  # 3 of 4 are money
    assert column_types(vals) == {"money": 0.75}
    assert column_types(vals, threshold=0.8) == {}
    assert column_types(vals[:2] + ["x"]) == {}  # 2/3 < 0.7
    assert column_types(vals[:2] + ["x"], threshold=0.6) == {"money": 0.667}
    assert column_types(vals[:2] + ["x"], threshold=2 / 3) == {"money": 0.667}


def test_column_types_ignores_empty_values() -> None:
    assert column_types(["$1.00", "", "", "$2.00"]) == {"money": 1.0}
    assert column_types([]) == {}
    assert column_types(["", ""]) == {}


def test_column_types_several_types() -> None:
    got = column_types(["2026-04-02", "2026-05-01", "2026-06-30"])
    assert got == {"date": 1.0, "code": 1.0}


def test_column_types_accepts_generators() -> None:
    assert column_types(v for v in ["Ada", "Bram"]) == {"person": 1.0}


@pytest.mark.parametrize("token", ["USD", "EUR", "€", "$", "£", "¥", "円", "₹"])
def test_is_currency_token(token: str) -> None:
    assert is_currency_token(token)


@pytest.mark.parametrize("token", ["usd", "US", "$5", "€€", "Total", "", "krone"])
def test_is_not_currency_token(token: str) -> None:
    assert not is_currency_token(token)


def test_currency_codes_are_iso_like() -> None:
    assert all(len(c) == 3 and c.isupper() for c in CURRENCY_CODES)
    assert {"USD", "EUR", "GBP", "JPY"} <= CURRENCY_CODES


def test_a_few_name_shaped_words_that_keep_coming_back_are_no_person() -> None:
    # people differ per message; payment methods (or room types) repeat
    methods = ["Offline Payment", "Stripe Checkout", "Offline Payment", "Bank Transfer"] * 2
    assert "person" not in column_types(methods)
    readers = ["Ann Lee", "Bo Chen", "Ann Lee", "Ines Moreau", "Kai Berg", "Omar Haddad"]
    assert "person" in column_types(readers)
