"""mailstencil.rules.text.tokenize: values stay whole, sentence punctuation is split off, CJK per
character."""

from __future__ import annotations

import pytest

from mailstencil.rules.text import join_tokens, normalize_value, tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Total: $440.95.", ["Total", ":", "$440.95", "."]),
        ("Order #1001, shipped!", ["Order", "#1001", ",", "shipped", "!"]),
        ("on 2026-04-02.", ["on", "2026-04-02", "."]),
        ("Summe 1.234,56 €", ["Summe", "1.234,56", "€"]),
        ("12,50€", ["12,50€"]),
        ("see https://x.example/a?b=1&c=2.", ["see", "https://x.example/a?b=1&c=2", "."]),
        ("mail ada@x.example;", ["mail", "ada@x.example", ";"]),
        ("(optional)", ["(", "optional", ")"]),
        ('"quoted," she said', ['"', "quoted", ",", '"', "she", "said"]),
        ("«Bonjour»", ["«", "Bonjour", "»"]),
        ("„Hallo“", ["„", "Hallo", "“"]),
        ("It's 10:30 a.m.", ["It's", "10:30", "a.m", "."]),
        ("v1.2.3", ["v1.2.3"]),
        ("-$5.00", ["-", "$5.00"]),  # the sign before a currency symbol is template text
        ("-5,00 €", ["-5,00", "€"]),
        ("Qty: 2 × $3.00", ["Qty", ":", "2", "×", "$3.00"]),
        ("A1B2-C3D4", ["A1B2-C3D4"]),
        ("...", [".", ".", "."]),
        ("", []),
        ("   \t\n", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_cjk_is_one_token_per_character() -> None:
    assert tokenize("ご注文ありがとう") == ["ご", "注", "文", "あ", "り", "が", "と", "う"]


def test_cjk_mixed_with_latin_values() -> None:
    assert tokenize("注文番号 JP-55120 合計¥3,480") == [
        "注",
        "文",
        "番",
        "号",
        "JP-55120",
        "合",
        "計",
        "¥3,480",
    ]
    assert tokenize("2026年5月12日") == ["2026", "年", "5", "月", "12", "日"]
    assert tokenize("山田様。") == ["山", "田", "様", "。"]


def test_fullwidth_forms_are_cjk_tokens() -> None:
    # U+FF10.. (fullwidth digits) fall in the CJK compatibility range the tokenizer splits
    assert tokenize("１２") == ["１", "２"]


def test_tokens_reassemble_the_text_without_spaces() -> None:
    for text in ["Hi Ada, your order #4401 (3 items) ships 2026-04-02.", "«Prix: 12,50 €»", "ご注文 #7"]:
        assert "".join(tokenize(text)) == "".join(text.split())


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["ご", "注", "文", "番", "号"], "ご注文番号"),  # a Japanese label reads as written
        (["注", "文", "番", "号", "JP-55120", "合", "計"], "注文番号 JP-55120 合計"),  # a value apart
        (["Order", "no", "."], "Order no ."),  # Latin tokens keep their spaces
        (["Total", ":"], "Total :"),
        ([], ""),
    ],
)
def test_join_tokens_writes_no_space_between_cjk_characters(tokens: list[str], text: str) -> None:
    assert join_tokens(tokens) == text


def test_only_one_leading_and_trailing_run_is_split() -> None:
    # the leading openers and the trailing closers of a run are split; inner punctuation stays
    assert tokenize("((a.b))") == ["(", "(", "a.b", ")", ")"]
    assert tokenize("a,b,") == ["a,b", ","]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  $1,200.00 \u00a0 USD\n", "$1,200.00 USD"),
        ("  a \u00a0 b\n\tc  ", "a b c"),
        ("", ""),
        ("\u2003x\u3000y", "x y"),
        ("one", "one"),
    ],
)
def test_normalize_value(raw: str, expected: str) -> None:
    """One white-space form for leaf texts (mailstencil.rules.dom) and values (truth, scoring)."""
    assert normalize_value(raw) == expected
