"""mailstencil.offline.clustering: grouping a sender's messages into the templates they were rendered from."""

from __future__ import annotations

from datetime import timedelta

from helpers import OTHER_SENDER, SENDER, START, make_order, render_message

from mailstencil.offline.clustering import Cluster, cluster_samples
from mailstencil.offline.learn import cluster_tables, core_members, learn
from mailstencil.offline.sample import Sample, prepare
from mailstencil.rules.apply import Extractor
from mailstencil.rules.cluster import (
    FALLBACK_SIMILARITY,
    SIMILARITY,
    ClusterCandidate,
    Mark,
    choose_cluster,
    similarity,
    structure_paths,
    text_signature,
)
from mailstencil.rules.dom import Leaf
from mailstencil.rules.message import ParsedMessage

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
    assert Mark("subject", "shipped") in sig[keys[shipped[0].name]]
    assert Mark("subject", "shipped") not in sig[keys[orders[0].name]]


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
    head = Mark("para", "Attached you will find the invoice for your order")
    assert head in text_signature("x", invoice[0].leaves)


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
