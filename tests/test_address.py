"""mailstencil.rules.address, the coordinate system learning and extraction share: (anchor, ordinal) per leaf,
the part of a path below a row, and which selector claims which leaf."""

from __future__ import annotations

from mailstencil.rules.address import LANDMARK, addresses, claim, row_key
from mailstencil.rules.dom import Leaf
from mailstencil.rules.patterns import compile_pattern


def _leaf(ipath: str, text: str) -> Leaf:
    return Leaf(ipath, "/" + ipath, text)


LANDMARKS = {("p", "Order summary"): 0, ("p", "Shipping"): 1}


def test_ordinals_count_per_path_since_the_last_landmark() -> None:
    leaves = [
        _leaf("td", "before"),
        _leaf("p", "Order summary"),
        _leaf("td", "a"),
        _leaf("td", "b"),
        _leaf("span", "c"),
        _leaf("p", "Shipping"),
        _leaf("td", "d"),
    ]
    assert addresses(leaves, LANDMARKS) == [
        (-1, 0),
        (0, LANDMARK),
        (0, 0),
        (0, 1),
        (0, 0),
        (1, LANDMARK),
        (1, 0),
    ]


def test_an_optional_block_before_a_landmark_does_not_move_what_follows_it() -> None:
    tail = [_leaf("p", "Shipping"), _leaf("td", "x"), _leaf("td", "y")]
    short = [_leaf("p", "Order summary"), _leaf("td", "a"), *tail]
    long = [_leaf("p", "Order summary"), _leaf("td", "a"), _leaf("td", "gift note"), *tail]
    assert addresses(short, LANDMARKS)[-2:] == addresses(long, LANDMARKS)[-2:] == [(1, 0), (1, 1)]


def test_a_landmark_text_seen_again_is_an_ordinary_leaf() -> None:
    leaves = [_leaf("p", "Order summary"), _leaf("p", "Order summary"), _leaf("p", "x")]
    assert addresses(leaves, LANDMARKS) == [(0, LANDMARK), (0, 0), (0, 1)]


def test_row_key_is_the_path_below_the_row() -> None:
    assert row_key("/html/body/table/tr[2]/td[3]/b", 4) == "td[3]/b"
    assert row_key("/html/body/table/tr[2]", 4) == ""


def test_each_selector_claims_the_first_leaf_it_fully_matches() -> None:
    money = compile_pattern(r"\$\d+\.\d\d")
    word = compile_pattern(r"[a-z]+")
    texts = ["Total", "$5.00", "paid", "$7.00", "x$1.00"]
    assert claim(texts, [(0, money), (1, word)]) == [-1, 0, 1, -1, -1]
    assert claim(texts, []) == [-1] * 5


def test_a_leaf_goes_to_the_first_selector_that_matches_and_long_texts_to_none() -> None:
    any_text = compile_pattern(r".+")
    digits = compile_pattern(r"\d+")
    assert claim(["12", "34"], [(3, digits), (4, any_text)]) == [3, 4]
    assert claim(["1" * 50], [(0, digits)], max_text=10) == [-1]
