"""rules.cluster + offline.clustering: which template a message was rendered from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import OTHER_SENDER, SENDER, START, make_order, render_message

from offline.clustering import Cluster, cluster_samples
from offline.learn import cluster_tables, core_members, learn
from offline.sample import Sample, prepare
from rules.apply import Extractor
from rules.cluster import (
    FALLBACK_SIMILARITY,
    SIMILARITY,
    ClusterCandidate,
    choose_cluster,
    cluster_id,
    jaccard,
    similarity,
    structure_hash,
    structure_paths,
    subject_words,
    text_signature,
)
from rules.dom import Leaf
from rules.message import ParsedMessage

SHIPPED = {
    "subject": "Pinecone Supply: order #{number} has shipped",
    "greeting": "your parcel left our workshop today.",
}


def _sample(name: str, raw: bytes) -> Sample:
    s = prepare(name, raw)
    assert s is not None
    return s


def _orders(start: int, n: int, **kw: str) -> list[Sample]:
    return [_sample(f"o{start + i}", render_message(start + i, **kw)) for i in range(n)]


def _by_name(clusters: list[Cluster]) -> dict[str, str]:
    return {s.name: c.key for c in clusters for s in c.members}


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
        {"s:order", "s:shipped", "t:Total", "t:" + "y" * 120}
    )


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
    assert {t for t in sig if t.startswith("p:")} == ({"p:" + head} if head else set())


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(set(), set(), 1.0), ({"a"}, set(), 0.0), ({"a", "b"}, {"b", "c"}, 1 / 3), ({"a"}, {"a"}, 1.0)],
)
def test_jaccard(a: set[str], b: set[str], expected: float) -> None:
    assert jaccard(frozenset(a), frozenset(b)) == pytest.approx(expected)


def test_cluster_id_depends_on_sender_structure_and_signature() -> None:
    p, s = frozenset({"a", "b"}), frozenset({"s:x"})
    key = cluster_id("a@b.example", p, s)
    assert key.startswith("a@b.example:") and len(key.split(":")[1]) == 12
    assert key == cluster_id("a@b.example", sorted(p), sorted(s))
    assert key != cluster_id("c@d.example", p, s)
    assert key != cluster_id("a@b.example", p | {"c"}, s)
    assert key != cluster_id("a@b.example", p, s | {"s:y"})


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


def _cand(paths: set[str], sig: set[str], size: int = 1) -> ClusterCandidate:
    return ClusterCandidate(frozenset(paths), frozenset(sig), size)


def test_choose_cluster_exact_structure_beats_similar() -> None:
    base = {f"p{i}" for i in range(20)}
    near = base | {"extra"}  # jaccard 20/21 >= SIMILARITY
    cands = [_cand(near, {"s:a"}, 100), _cand(base, {"s:a"}, 1)]
    assert choose_cluster(cands, frozenset(base), frozenset({"s:a"})) == (1, True)
    assert choose_cluster(cands[:1], frozenset(base), frozenset({"s:a"})) == (0, False)


def test_choose_cluster_rejects_dissimilar_structure() -> None:
    cands = [_cand({"a", "b", "c"}, set())]
    assert choose_cluster(cands, frozenset({"x", "y"}), frozenset()) is None
    assert choose_cluster([], frozenset({"a"}), frozenset()) is None


def test_choose_cluster_by_constant_text_then_specificity_then_size() -> None:
    paths = {"subject", "html/body/p"}
    order = _cand(paths, {"s:order", "s:confirmed"}, 10)
    shipped = _cand(paths, {"s:order", "s:shipped", "t:Tracking"}, 5)
    cands = [order, shipped]
    msg = frozenset(paths)
    assert choose_cluster(cands, msg, frozenset({"s:order", "s:shipped", "t:Tracking", "t:x"})) == (1, True)
    assert choose_cluster(cands, msg, frozenset({"s:order", "s:confirmed"})) == (0, True)
    # equal share and count: the bigger cluster wins; stable under candidate order
    a, b = _cand(paths, {"s:q"}, 3), _cand(paths, {"s:q"}, 7)
    assert choose_cluster([a, b], msg, frozenset({"s:q"})) == (1, True)
    assert choose_cluster([b, a], msg, frozenset({"s:q"})) == (0, True)


def test_choose_cluster_is_deterministic() -> None:
    paths = frozenset({"a", "b"})
    cands = [_cand(set(paths), {"s:x"}, 2), _cand(set(paths), {"s:x"}, 2)]
    picks = {choose_cluster(cands, paths, frozenset({"s:x"})) for _ in range(20)}
    assert picks == {(0, True)}


# --------------------------------------------------------------------------------------------
# cluster_samples on rendered templates


def test_items_count_does_not_split_a_template() -> None:
    samples = [
        _sample(f"m{i}", render_message(i, make_order(i, n_items=1 if i % 2 else 5))) for i in range(10)
    ]
    clusters = cluster_samples(samples, min_recipients=3)
    assert len(clusters) == 1
    assert len(clusters[0].members) == 10
    assert clusters[0].sender == SENDER


def test_same_layout_different_text_are_different_clusters() -> None:
    orders = _orders(0, 6)
    shipped = _orders(20, 6, **SHIPPED)
    assert {s.paths for s in orders} == {s.paths for s in shipped}  # identical layout
    clusters = cluster_samples(orders + shipped, min_recipients=5)
    assert len(clusters) == 2
    keys = _by_name(clusters)
    assert len({keys[s.name] for s in orders}) == 1
    assert len({keys[s.name] for s in shipped}) == 1
    assert keys[orders[0].name] != keys[shipped[0].name]
    sig = {c.key: c.signature for c in clusters}
    assert "s:shipped" in sig[keys[shipped[0].name]]
    assert "s:shipped" not in sig[keys[orders[0].name]]


def test_different_senders_never_share_a_cluster() -> None:
    a = _orders(0, 6)
    b = _orders(40, 6, sender=OTHER_SENDER)
    clusters = cluster_samples(a + b, min_recipients=5)
    assert len(clusters) == 2
    for c in clusters:
        assert {s.sender for s in c.members} == {c.sender}
        assert c.key.startswith(c.sender + ":")
    assert {c.sender for c in clusters} == {SENDER, OTHER_SENDER}


def test_every_sample_in_exactly_one_cluster_and_choose_agrees() -> None:
    samples = _orders(0, 6) + _orders(20, 6, **SHIPPED) + _orders(40, 5, sender=OTHER_SENDER)
    clusters = cluster_samples(samples, min_recipients=5)
    names = [s.name for c in clusters for s in c.members]
    assert sorted(names) == sorted(s.name for s in samples)
    for sender in {c.sender for c in clusters}:
        mine = [c for c in clusters if c.sender == sender]
        cands = [ClusterCandidate(c.paths, c.signature, len(c.members)) for c in mine]
        for k, c in enumerate(mine):
            for s in c.members:
                assert choose_cluster(cands, s.paths, s.signature) == (k, True)


def test_clustering_is_independent_of_input_order() -> None:
    samples = _orders(0, 6) + _orders(20, 6, **SHIPPED)
    forward = _by_name(cluster_samples(samples, min_recipients=5))
    backward = _by_name(cluster_samples(list(reversed(samples)), min_recipients=5))
    assert forward == backward


def test_small_group_joins_best_match() -> None:
    # 2 "shipped" messages are too few (min_recipients=5) to form their own template
    samples = _orders(0, 6) + _orders(20, 2, **SHIPPED)
    clusters = cluster_samples(samples, min_recipients=5)
    assert len(clusters) == 1
    assert len(clusters[0].members) == 8


# --------------------------------------------------------------------------------------------
# templates that share one layout: alternative sentences, words before a number


def _mail(i: int, subject: str, texts: list[str], paths: list[str] | None = None) -> Sample:
    """A message reduced to its leaves: the Subject and texts (at ``paths``, else paragraphs)."""
    at = paths or ["html/body/p"] * len(texts)
    leaves = [Leaf("subject", "subject", subject, "subject")]
    leaves += [Leaf(p, f"/{p}[{k + 1}]", t) for k, (p, t) in enumerate(zip(at, texts, strict=True))]
    return Sample(
        name=f"m{i}",
        message_id=f"<m{i}@test.example>",
        sender=SENDER,
        subject=subject,
        date=START + timedelta(days=i),
        recipient=f"reader{i}@mailbox.example",
        leaves=leaves,
        paths=structure_paths(leaves),
        signature=text_signature(subject, leaves),
    )


_FRAME = ["Hello,", "Questions? Just reply to this email.", "The Pinecone team"]


def _keys_of(groups: list[list[Sample]], min_recipients: int = 5) -> list[set[str]]:
    keys = _by_name(cluster_samples([s for g in groups for s in g], min_recipients))
    return [{keys[s.name] for s in g} for g in groups]


def test_alternative_sentences_are_different_templates() -> None:
    # same layout, same Subject; one sentence stands where the other template has another
    ready = [
        _mail(i, "Welcome to Pinecone", [*_FRAME, "You may now sign in with your new account."])
        for i in range(6)
    ]
    verify = [
        _mail(10 + i, "Welcome to Pinecone", [*_FRAME, "Please confirm your address before you sign in."])
        for i in range(6)
    ]
    a, b = _keys_of([ready, verify])
    assert len(a) == len(b) == 1 and a != b


def test_optional_sentence_stays_one_template() -> None:
    # a sentence that is there or not (never replaced by another) is an optional block
    plain = [_mail(i, "Welcome to Pinecone", list(_FRAME)) for i in range(6)]
    extra = [
        _mail(10 + i, "Welcome to Pinecone", [*_FRAME, "We hope you enjoy our new catalogue."])
        for i in range(6)
    ]
    a, b = _keys_of([plain, extra])
    assert a == b and len(a) == 1


def _booking(i: int, labels: list[str]) -> Sample:
    """A booking notice whose details table has one label per row, each before its value."""
    rows = [t for label in labels for t in (label, f"value {i} of {label}")]
    paths = ["html/body/table/tr/td"] * len(rows)
    return _mail(i, "Your booking", [*_FRAME, *rows], [*["html/body/p"] * len(_FRAME), *paths])


def test_a_block_of_labels_where_another_stands_is_another_template() -> None:
    # one layout, one Subject: a flight's details where a hotel's stand, never both in a message
    flight = [_booking(i, ["Booking number", "Flight name", "Departs", "Arrives"]) for i in range(6)]
    hotel = [_booking(10 + i, ["Booking number", "Hotel name", "Check in", "Check out"]) for i in range(6)]
    a, b = _keys_of([flight, hotel])
    assert len(a) == len(b) == 1 and a != b


def test_products_that_many_readers_bought_are_no_block() -> None:
    # a popular product and its variant are two texts that come together; another order shows
    # another product: one template, whatever each order holds
    products = [("Wool Scarf", "Blue"), ("Tea Towel", "Stripe"), ("Knitting Kit", "Beanie")]
    orders = [
        [
            _mail(
                10 * k + i,
                "Your order",
                [*_FRAME, "Order summary", name, variant, "Thank you for shopping with us"],
            )
            for i in range(6)
        ]
        for k, (name, variant) in enumerate(products)
    ]
    keys = _keys_of(orders)
    assert all(len(k) == 1 for k in keys) and len(set.union(*keys)) == 1


def test_words_before_a_number_tell_templates_apart() -> None:
    # the text that differs holds a value, so it is no constant text; its words before the
    # number are (the kind of document), and they tell the two templates apart
    invoice = [
        _mail(
            i, "A new document", [*_FRAME, f"Attached you will find the invoice for your order {4711 + i}."]
        )
        for i in range(6)
    ]
    note = [
        _mail(
            10 + i,
            "A new document",
            [*_FRAME, f"Attached you will find the delivery note for your order {4811 + i}."],
        )
        for i in range(6)
    ]
    a, b = _keys_of([invoice, note])
    assert len(a) == len(b) == 1 and a != b
    assert "p:Attached you will find the invoice for your order" in text_signature("x", invoice[0].leaves)


_CHAT = ["html/body/h1", "html/body/div/p", "html/body/div/p/b", "html/body/div/p/i", "html/body/footer/p"]
_CHAT_TEXTS = ["New messages", "Ann wrote", "a question", "about lunch", "Reply in the app"]


def test_rare_structure_variant_joins_its_template() -> None:
    # two readers got a code block where the others got emphasis: a structure no night could
    # learn on its own (fewer than k readers) is the template it resembles, at learning and at
    # extraction time
    main = [_mail(i, "New messages", _CHAT_TEXTS, _CHAT) for i in range(8)]
    code = [*_CHAT[:3], "html/body/div/pre/code", "html/body/footer/p"]
    rare = [_mail(20 + i, "New messages", _CHAT_TEXTS, code) for i in range(2)]
    assert SIMILARITY > similarity(main[0].paths, rare[0].paths) >= FALLBACK_SIMILARITY
    a, b = _keys_of([main, rare])
    assert a == b and len(a) == 1
    ruleset, _ = learn(main + rare, None, 5)
    fresh = _mail(40, "New messages", _CHAT_TEXTS, code)
    got = Extractor(ruleset).extract_leaves(
        ParsedMessage(fresh.sender, fresh.subject, fresh.message_id, fresh.date, [fresh.recipient]),
        fresh.leaves,
    )
    assert got.cluster in a


def test_dissimilar_rare_structure_stays_apart() -> None:
    main = [_mail(i, "New messages", _CHAT_TEXTS, _CHAT) for i in range(8)]
    other = [
        "html/body/table/tr/td",
        "html/body/table/tr/th",
        "html/body/div/p",
        "html/body/ul/li",
        "html/body/h2",
    ]
    rare = [
        _mail(20 + i, "Your invoice", ["Invoice", "Amount", "Due", "Items", "Thanks"], other)
        for i in range(2)
    ]
    a, b = _keys_of([main, rare])
    assert a != b


def _alert(i: int, lang: str) -> Sample:
    words = {
        "en": (
            "Sign-in alert",
            "New sign-in to your account",
            "Device:",
            "Location:",
            "If this was you, ignore it.",
        ),
        "fr": (
            "Alerte de connexion",
            "Nouvelle connexion à votre compte",
            "Appareil :",
            "Lieu :",
            "Si c'était vous, ignorez ce message.",
        ),
    }[lang]
    subject, title, device, place, outro = words
    return _mail(i, subject, [title, device, f"Phone {i % 4}{i}", place, f"Town{i}", outro])


def test_a_rare_language_variant_joins_its_template_but_is_not_learned_from() -> None:
    # two readers got the French rendering of the template: the same structure, so the same
    # cluster, but not its constant text; inducing from them would turn "Device:" into a
    # variable slot whose values are "Device:" and "Appareil :"
    en = [_alert(i, "en") for i in range(8)]
    fr = [_alert(20 + i, "fr") for i in range(2)]
    [(cluster, table)] = list(cluster_tables(en + fr, 5))
    assert {s.name for s in cluster.members} == {s.name for s in en + fr}
    assert table is not None
    assert {s.name for s in table.members} == {s.name for s in en}
    assert {s.name for s in core_members(cluster)} == {s.name for s in en}
    values = {v for slot in table.slots for row in slot.values for v in row}
    assert not [v for v in values if "Device" in v or "Appareil" in v]
    assert any(v.startswith("Town") for v in values)
