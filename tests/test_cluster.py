"""mailstencil.rules.cluster: cluster keys, structure, signatures and choosing a message's cluster."""

from __future__ import annotations

import pytest
from helpers import make_order, render_message

from mailstencil.offline.sample import Sample, prepare
from mailstencil.rules.cluster import (
    SIMILARITY,
    ClusterCandidate,
    Mark,
    choose_cluster,
    cluster_id,
    jaccard,
    structure_hash,
    structure_paths,
    subject_words,
    text_signature,
)
from mailstencil.rules.dom import Leaf


def _sample(name: str, raw: bytes) -> Sample:
    s = prepare(name, raw)
    assert s is not None
    return s


# --------------------------------------------------------------------------------------------
# keys


def test_structure_paths_drop_classes_and_repeats() -> None:
    leaves = [
        Leaf("subject", "subject", "S", "subject"),
        Leaf("html/body/table.items/tr/td.name", "/x[1]", "a"),
        Leaf("html/body/table.items/tr/td.name", "/x[2]", "b"),
        Leaf("html/body/a.btn/@href", "/y", "https://z.example", "href"),
    ]
    assert structure_paths(leaves) == frozenset({"subject", "html/body/table/tr/td", "html/body/a/@href"})


def test_structure_hash_is_order_independent_and_stable() -> None:
    a = ["html/body/p", "subject", "html/body/a/@href"]
    assert structure_hash(a) == structure_hash(reversed(a)) == structure_hash(frozenset(a))
    assert len(structure_hash(a)) == 16
    assert structure_hash(a) != structure_hash(a[:2])
    assert structure_hash([]) == structure_hash(set())


def test_subject_words_drop_digit_tokens() -> None:
    assert subject_words("Your Order #40017 ships 2026-04-02!") == frozenset({"your", "order", "ships", "!"})


@pytest.mark.parametrize(
    "subject",
    [
        '[Garden Shed] Created the task #12 "Paint the door"',
        '[Roof Works] Created the task #7 "Order tiles"',
        "[Roof Works] Created the task #9 \u201cOrder tiles\u201d",
        "[Boat] Created the task #3 \u00abSand hull\u00bb",
    ],
)
def test_subject_words_leave_out_quoted_and_bracketed_values(subject: str) -> None:
    assert subject_words(subject) == frozenset({"created", "the", "task"})


def test_text_signature_short_body_texts_only() -> None:
    leaves = [
        Leaf("subject", "subject", "Hi", "subject"),
        Leaf("p", "/p[1]", "Total"),
        Leaf("a/@href", "/a/@href", "https://x.example", "href"),
        Leaf("p", "/p[2]", "x" * 121),
        Leaf("p", "/p[3]", "y" * 120),
    ]
    assert text_signature("Order 12 shipped", leaves) == frozenset(
        {Mark("subject", "order"), Mark("subject", "shipped"), Mark("text", "Total"), Mark("text", "y" * 120)}
    )


def test_a_subject_word_and_a_body_text_that_read_the_same_are_two_marks() -> None:
    sig = text_signature("Total", [Leaf("p", "/p", "total")])
    assert sig == frozenset({Mark("subject", "total"), Mark("text", "total")})
    assert {m.key for m in sig} == {"s:total", "t:total"}


@pytest.mark.parametrize("key", ["s:total", "t:total", "p:Your order", "t:", "s:p:x"])
def test_a_marks_stored_form_reads_back_as_the_mark(key: str) -> None:
    assert Mark.from_key(key).key == key


@pytest.mark.parametrize("key", ["", "x:total", "total"])
def test_a_stored_form_of_no_kind_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="not a signature mark"):
        Mark.from_key(key)


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("Attached is the invoice for your order 4711.", "Attached is the invoice for your order"),
        ("Your order (Number: TT24701) has changed", "Your order (Number:"),
        ("4711 is your code", None),
        ("no number at all", None),
        ("x " * 70 + "a number too far: 12", None),  # the words before it are no short label
    ],
)
def test_text_signature_words_before_a_number(text: str, head: str | None) -> None:
    sig = text_signature("S", [Leaf("p", "/p", text)])
    assert {m for m in sig if m.kind == "para"} == ({Mark("para", head)} if head else set())


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(set(), set(), 1.0), ({"a"}, set(), 0.0), ({"a", "b"}, {"b", "c"}, 1 / 3), ({"a"}, {"a"}, 1.0)],
)
def test_jaccard(a: set[str], b: set[str], expected: float) -> None:
    assert jaccard(frozenset(a), frozenset(b)) == pytest.approx(expected)


def test_cluster_id_depends_on_sender_structure_and_signature() -> None:
    p, s = frozenset({"a", "b"}), frozenset({Mark("subject", "x")})
    key = cluster_id("a@b.example", p, s)
    assert key.startswith("a@b.example:") and len(key.split(":")[1]) == 12
    assert key == cluster_id("a@b.example", sorted(p), sorted(s))
    assert key != cluster_id("c@d.example", p, s)
    assert key != cluster_id("a@b.example", p | {"c"}, s)
    assert key != cluster_id("a@b.example", p, s | {Mark("subject", "y")})
    assert key != cluster_id("a@b.example", p, {Mark("text", "x")})


def test_cluster_id_hashes_the_marks_stored_form() -> None:
    # published cluster ids were computed from the "s:word" strings: typing the marks keeps them
    assert cluster_id("a@b.example", {"a", "b"}, {Mark("subject", "x"), Mark("text", "T")}) == (
        "a@b.example:884edfa4ecc5"
    )


# --------------------------------------------------------------------------------------------
# structure of rendered messages


def test_one_or_five_items_same_structure() -> None:
    one = _sample("one", render_message(1, make_order(1, n_items=1)))
    five = _sample("five", render_message(1, make_order(1, n_items=5)))
    assert len(five.leaves) == len(one.leaves) + 4 * 3
    assert one.paths == five.paths


def test_optional_row_keeps_structure_close() -> None:
    with_d = _sample("d", render_message(2, make_order(2, discount=True)))
    without = _sample("n", render_message(2, make_order(2, discount=False)))
    assert jaccard(with_d.paths, without.paths) >= SIMILARITY


# --------------------------------------------------------------------------------------------
# choose_cluster


def _sig(*keys: str) -> frozenset[Mark]:
    """Signature marks written in their stored form (``s:word``)."""
    return frozenset(Mark.from_key(k) for k in keys)


def _cand(paths: set[str], sig: frozenset[Mark], size: int = 1) -> ClusterCandidate:
    return ClusterCandidate(frozenset(paths), sig, size)


def test_choose_cluster_exact_structure_beats_similar() -> None:
    base = {f"p{i}" for i in range(20)}
    near = base | {"extra"}  # jaccard 20/21 >= SIMILARITY
    cands = [_cand(near, _sig("s:a"), 100), _cand(base, _sig("s:a"), 1)]
    assert choose_cluster(cands, frozenset(base), _sig("s:a")) == (1, True)
    assert choose_cluster(cands[:1], frozenset(base), _sig("s:a")) == (0, False)


def test_choose_cluster_rejects_dissimilar_structure() -> None:
    cands = [_cand({"a", "b", "c"}, frozenset())]
    assert choose_cluster(cands, frozenset({"x", "y"}), frozenset()) is None
    assert choose_cluster([], frozenset({"a"}), frozenset()) is None


def test_choose_cluster_by_constant_text_then_specificity_then_size() -> None:
    paths = {"subject", "html/body/p"}
    order = _cand(paths, _sig("s:order", "s:confirmed"), 10)
    shipped = _cand(paths, _sig("s:order", "s:shipped", "t:Tracking"), 5)
    cands = [order, shipped]
    msg = frozenset(paths)
    assert choose_cluster(cands, msg, _sig("s:order", "s:shipped", "t:Tracking", "t:x")) == (1, True)
    assert choose_cluster(cands, msg, _sig("s:order", "s:confirmed")) == (0, True)
    # equal share and count: the bigger cluster wins; stable under candidate order
    a, b = _cand(paths, _sig("s:q"), 3), _cand(paths, _sig("s:q"), 7)
    assert choose_cluster([a, b], msg, _sig("s:q")) == (1, True)
    assert choose_cluster([b, a], msg, _sig("s:q")) == (0, True)


def test_choose_cluster_is_deterministic() -> None:
    paths = frozenset({"a", "b"})
    cands = [_cand(set(paths), _sig("s:x"), 2), _cand(set(paths), _sig("s:x"), 2)]
    picks = {choose_cluster(cands, paths, _sig("s:x")) for _ in range(20)}
    assert picks == {(0, True)}
