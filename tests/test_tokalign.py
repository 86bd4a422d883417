"""mailstencil.offline.tokalign: one column's values -> constant template text and variable gaps."""

from __future__ import annotations

import re

import pytest

from mailstencil.offline.tokalign import Template, align_values, lcs


def _align(values: list[str]) -> tuple[Template, list[list[str | None]]]:
    out = align_values(values)
    assert out is not None
    return out


def _assert_regex_holds_no_value(
    template: Template, values: list[str], parsed: list[list[str | None]]
) -> None:
    rx = template.regex()
    for row in parsed:
        for v in row:
            if v and len(v) >= 3:
                assert v not in rx.replace("\\", ""), (v, rx)
    # the regex still matches every value it was built from
    for v, row in zip(values, parsed, strict=True):
        if row:
            assert re.fullmatch(rx, v, re.DOTALL)


def test_constant_and_gap_split() -> None:
    values = [
        "Hello Ada, thanks for your order.",
        "Hello Bram Tebbe, thanks for your order.",
        "Hello Li, thanks for your order.",
    ]
    t, parsed = _align(values)
    assert t.items == ["Hello", 0, ",", "thanks", "for", "your", "order", "."]
    assert t.gaps == [0]
    assert t.absorb == {}
    assert parsed == [["Ada"], ["Bram Tebbe"], ["Li"]]
    _assert_regex_holds_no_value(t, values, parsed)


def test_several_gaps() -> None:
    values = [
        "Hi Ada, your order #12 of 2026-04-02 is ready",
        "Hi Bram Tebbe, your order #9981 of 2026-05-11 is ready",
    ]
    t, parsed = _align(values)
    assert t.items == ["Hi", 0, ",", "your", "order", 1, "of", 2, "is", "ready"]
    assert parsed == [["Ada", "#12", "2026-04-02"], ["Bram Tebbe", "#9981", "2026-05-11"]]
    _assert_regex_holds_no_value(t, values, parsed)


def test_regex_for_one_gap_captures_only_that_gap() -> None:
    t, _ = _align(["Hi Ada, order #12", "Hi Bram, order #9981"])
    rx = re.compile(t.regex(1))
    assert rx.groups == 1
    m = rx.fullmatch("Hi Cleo, order #77")
    assert m is not None and m.group(1) == "#77"
    assert re.compile(t.regex()).groups == 2


def test_regex_tolerates_whitespace_differences() -> None:
    t, _ = _align(["Total: $1.00", "Total: $2.00"])
    m = re.fullmatch(t.regex(), "  Total :   $3.50 ", re.DOTALL)
    assert m is not None and m.group(1).strip() == "$3.50"


@pytest.mark.parametrize(
    ("values", "items", "absorb", "parsed"),
    [
        (
            ["Total: 12,50 €", "Total: 7,00 €", "Total: 1.234,56 €"],
            ["Total", ":", 0, "€"],
            {0: (0, 1)},
            [["12,50 €"], ["7,00 €"], ["1.234,56 €"]],
        ),
        (
            ["$5.00 USD", "$12.40 USD", "$100.00 USD"],
            [0, "USD"],
            {0: (0, 1)},
            [["$5.00 USD"], ["$12.40 USD"], ["$100.00 USD"]],
        ),
        (
            ["Total EUR 12,00", "Total EUR 7,50"],
            ["Total", "EUR", 0],
            {0: (1, 0)},
            [["EUR 12,00"], ["EUR 7,50"]],
        ),
        (
            ["Total: € 12,00 EUR", "Total: € 7,50 EUR"],
            ["Total", ":", "€", 0, "EUR"],
            {0: (1, 1)},
            [["€ 12,00 EUR"], ["€ 7,50 EUR"]],
        ),
    ],
    ids=["euro-after", "usd-code-after", "code-before", "both-sides"],
)
def test_currency_absorption(
    values: list[str], items: list[str | int], absorb: dict[int, tuple[int, int]], parsed: list[list[str]]
) -> None:
    t, got = _align(values)
    assert t.items == items
    assert t.absorb == absorb
    assert got == parsed
    # the constant currency is inside the group, so a new value with it extracts whole
    m = re.fullmatch(t.regex(), values[0], re.DOTALL)
    assert m is not None and m.group(1) == parsed[0][0]


def test_currency_not_absorbed_into_non_amount() -> None:
    t, parsed = _align(["Paid in EUR by Ada", "Paid in EUR by Bram"])
    assert t.absorb == {}
    assert parsed == [["Ada"], ["Bram"]]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ["Order placed on April 2, 2026", "Order placed on May 14, 2026", "Order placed on June 1, 2026"],
            ["April 2, 2026", "May 14, 2026", "June 1, 2026"],
        ),
        (["Arrives 2 avril 2026", "Arrives 15 avril 2026"], ["2 avril 2026", "15 avril 2026"]),
        (["Lieferung am 2. Mai 2026", "Lieferung am 17. Juni 2026"], ["2. Mai 2026", "17. Juni 2026"]),
        (
            ["Llega el 3 de mayo de 2026", "Llega el 21 de junio de 2026"],
            ["3 de mayo de 2026", "21 de junio de 2026"],
        ),
        (
            ["Placed on Mar 02 at 8:39 pm.", "Placed on Jan 06 at 11:23 pm.", "Placed on Feb 27 at 4:37 am."],
            ["Mar 02 at 8:39 pm", "Jan 06 at 11:23 pm", "Feb 27 at 4:37 am"],
        ),
    ],
    ids=["en", "fr-month-constant", "de", "es", "sentence-end-stays-out"],
)
def test_date_year_absorption(values: list[str], expected: list[str]) -> None:
    t, parsed = _align(values)
    assert [row[0] for row in parsed] == expected
    assert len(t.gaps) == 1
    m = re.fullmatch(t.regex(), values[-1], re.DOTALL)
    assert m is not None and m.group(1) == expected[-1]


def test_date_with_time_is_one_gap() -> None:
    values = ["Sent 2 Apr 2026, 10:15", "Sent 14 May 2026, 09:30", "Sent 1 Jun 2026, 23:59"]
    t, parsed = _align(values)
    assert t.items == ["Sent", 0]
    assert parsed == [["2 Apr 2026, 10:15"], ["14 May 2026, 09:30"], ["1 Jun 2026, 23:59"]]


def test_identical_values_have_no_template() -> None:
    assert align_values(["Payment: Card on file"] * 4) is None
    assert align_values(["single"]) is None
    assert align_values(["", ""]) is None


def test_values_with_nothing_in_common_are_one_gap() -> None:
    t, parsed = _align(["alpha", "beta gamma", "#3"])
    assert t.items == [0]
    assert t.regex() == r"\s*(.*?)\s*"
    assert parsed == [["alpha"], ["beta gamma"], ["#3"]]


def test_values_sharing_only_brackets_are_one_gap() -> None:
    """Names that write their own qualifier in brackets are whole values, not two gaps."""
    values = ["Scale plan (per seat)", "Extra storage (100 GB)", "Team plan (per seat)"]
    t, parsed = _align(values)
    assert t.items == [0]
    assert parsed == [[v] for v in values]
    t, _ = _align(["Shipping (Standard)", "Shipping (Express)"])  # a word of the template: kept
    assert t.items == ["Shipping", "(", 0, ")"]


def test_rows_have_no_optional_lead_words() -> None:
    """A word most item names start with is theirs; elsewhere it is optional template text."""
    values = ["Formule Essentiel", "Formule Cabinet", "Stockage 100 Go", "Formule Solo"]
    t, parsed = _align(values)
    assert t.lead == {0: [["Formule"]]}
    out = align_values(values, rows=True)
    assert out is not None and out[0].lead == {}
    assert out[1] == [[v] for v in values]


def test_duplicate_values_are_parsed_per_value() -> None:
    t, parsed = _align(["Qty: 1", "Qty: 1", "Qty: 3"])
    assert t.items == ["Qty", ":", 0]
    assert parsed == [["1"], ["1"], ["3"]]


def test_value_outside_the_sample_that_does_not_fit_parses_empty() -> None:
    values = [f"Code {i} ok" for i in range(45)] + ["weird"]
    t, parsed = _align(values)
    assert t.items == ["Code", 0, "ok"]
    assert parsed[44] == ["44"]
    assert parsed[-1] == []


def test_cjk_values_align_per_character() -> None:
    values = ["山田 花子 様", "佐藤 一郎 様"]
    t, parsed = _align(values)
    assert t.items[-1] == "様"
    assert [row[0] for row in parsed] == ["山田 花子", "佐藤 一郎"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["a", "b", "c", "d"], ["a", "x", "c", "d"], ["a", "c", "d"]),
        (["a", "b", "c"], [], []),
        ([], ["a"], []),
        (["x", "y", "z"], ["p", "q", "r"], []),
        (["a", "b", "a", "b"], ["b", "a", "b", "a"], ["b", "a", "b"]),
        (["Hi", ",", "thanks"], ["Hi", ",", "thanks"], ["Hi", ",", "thanks"]),
    ],
)
def test_lcs(a: list[str], b: list[str], expected: list[str]) -> None:
    for x, y in ((a, b), (b, a)):
        got = lcs(x, y)
        assert len(got) == len(expected)
        assert _is_subsequence(got, x) and _is_subsequence(got, y)
    if expected != ["b", "a", "b"]:  # ties may resolve either way
        assert lcs(a, b) == expected


def _is_subsequence(sub: list[str], seq: list[str]) -> bool:
    it = iter(seq)
    return all(tok in it for tok in sub)


def test_template_regex_escapes_constant_text() -> None:
    t = Template(["Price", "(", "incl.", ")", 0, "$"], {})
    rx = t.regex()
    assert re.fullmatch(rx, "Price ( incl. ) 4 $").group(1) == "4"  # type: ignore[union-attr]
    assert re.fullmatch(rx, "Price X incl. ) 4 $") is None


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (
            ["Dear Ann Lee,", "Dear Bo Chen,", "Omar Haddad,", "Dear Ines Moreau,", "Dear Kai Berg,"],
            ["Ann Lee", "Bo Chen", "Omar Haddad", "Ines Moreau", "Kai Berg"],
        ),
        (
            [
                "Sehr geehrte Frau Anna Schmidt,",
                "Sehr geehrter Herr Otto Lang,",
                "Ruth Gutknecht,",
                "Sehr geehrte Frau Eva Brandt,",
                "Sehr geehrter Herr Jonas Weber,",
                "Sehr geehrte Frau Lea Vogel,",
            ],
            ["Anna Schmidt", "Otto Lang", "Ruth Gutknecht", "Eva Brandt", "Jonas Weber", "Lea Vogel"],
        ),
    ],
    ids=["one-word", "words-by-gender"],
)
def test_optional_salutation_is_template_text(values: list[str], names: list[str]) -> None:
    t, parsed = _align(values)
    assert [row[0] for row in parsed] == names
    m = re.fullmatch(t.regex(), "Sehr geehrter Herr Max Roth," if "Sehr" in values[0] else "Dear Zoe Park,")
    assert m is not None and m.group(1) in ("Max Roth", "Zoe Park")
    _assert_regex_holds_no_value(t, values, parsed)


def test_a_frequent_value_of_two_words_is_no_optional_word_before_another() -> None:
    # most bookings are paid offline: "Offline" before a value that never varies is the value's
    values = ["Offline Payment", "Offline Payment", "PayPal", "Offline Payment", "Stripe", "Offline Payment"]
    t, parsed = _align(values)
    assert [row[0] for row in parsed] == values and not t.lead


def test_optional_value_before_template_word_in_either_case() -> None:
    # "{carrier} tracking number: {n}", or "Tracking number: {n}" when there is no carrier: the
    # word after the optional value is template text, capitalised when the value is left out
    values = [
        "Kestrel Post tracking number: KP1",
        "Tracking number: 99201",
        "Swiftline tracking number: SL-4",
        "Nordic Parcel tracking number: NP77",
    ]
    t, parsed = _align(values)
    assert [row[0] for row in parsed] == ["Kestrel Post", "", "Swiftline", "Nordic Parcel"]
    assert [row[1] for row in parsed] == ["KP1", "99201", "SL-4", "NP77"]
    m = re.fullmatch(t.regex(0), "Hare Express tracking number: HX2")
    assert m is not None and m.group(1) == "Hare Express"
    _assert_regex_holds_no_value(t, values, parsed)


def test_word_that_ends_every_value_but_is_never_alone_stays_in_the_value() -> None:
    # every street name ends in "Street", but no value is the word alone: part of the value
    values = ["Ship to: Elm Street", "Ship to: Oak Street", "Ship to: Mill Street", "Ship to: Bay Street"]
    t, parsed = _align(values)
    assert not t.trail


def test_context_of_a_gap_holds_its_optional_template_words() -> None:
    # the text around a value, as the role model sees it: optional words belong to it too
    t, _ = _align(
        [
            "Kestrel Post tracking number: KP1",
            "Tracking number: 99201",
            "Swiftline tracking number: SL-4",
            "Nordic Parcel tracking number: NP77",
        ]
    )
    assert t.context(0) == ("", "tracking number :")
    assert t.context(1) == ("tracking number :", "")
