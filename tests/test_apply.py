"""mailstencil.rules.apply.Extractor end to end on our tiny order template.

Rules are learned with the real offline pipeline (clustering + induction); the field names are
assigned here from the induced slots' structure, so the assertions do not depend on the role
model. One test also runs ``mailstencil.offline.learn.learn`` with the shipped role model as a smoke test.
"""

from __future__ import annotations

import pytest
from helpers import OTHER_SENDER, SENDER, Order, make_order, orders, render_message
from pydantic import ValidationError

from mailstencil.offline.induce import ClusterTable, Slot
from mailstencil.offline.learn import cluster_rules, cluster_tables, learn, slot_rule
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import Sample, prepare
from mailstencil.rules.apply import Extraction, Extractor
from mailstencil.rules.cluster import Mark
from mailstencil.rules.message import MessageError
from mailstencil.rules.model import FieldRule, RuleSet, SenderRuleSet

TRAIN = range(8)
SUMMARY = {
    "Order number": "order_number",
    "Order date": "order_date",
    "Discount": "discount_amount",
    "Total": "order_total",
}
ROWS = {"td.name": "item_name", "td.qty": "item_quantity", "td.price": "item_price"}


def _samples(indices: range | list[int]) -> list[Sample]:
    out = []
    for i, (_, raw) in zip(indices, orders(indices), strict=True):
        s = prepare(f"m{i}", raw)
        assert s is not None
        out.append(s)
    return out


def _field_name(slot: Slot, table: ClusterTable) -> str | None:
    if slot.ipath.endswith("/p.greet"):
        return "recipient_name"
    if slot.ipath.endswith("/td.value") and slot.anchor >= 0:
        return SUMMARY.get(table.landmarks[slot.anchor].text)
    if slot.mode == "rows":
        return ROWS.get(slot.ipath.rsplit("/", 1)[1])
    if slot.kind == "href":
        return "action_url"
    return None


def _rule(slot: Slot, name: str, confidence: float = 0.9) -> FieldRule:
    return slot_rule(slot, name, confidence)


def _ruleset(samples: list[Sample], version: int = 7) -> RuleSet:
    clusters = []
    for cluster, table in cluster_tables(samples, 5):
        assert table is not None
        cr = cluster_rules(cluster, table, None)
        assert cr.rules == []  # no role model: no names
        for slot in table.slots:
            name = _field_name(slot, table)
            if name:
                cr.rules.append(_rule(slot, name))
        clusters.append(cr)
    return RuleSet(version=version, clusters=clusters)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return _ruleset(_samples(TRAIN))


@pytest.fixture(scope="module")
def extractor(ruleset: RuleSet) -> Extractor:
    return Extractor(ruleset)


def _expected(o: Order) -> dict[str, list[str]]:
    out = {
        "recipient_name": [o.customer],
        "order_number": ["#" + o.number],
        "order_date": [o.date],
        "order_total": ["$" + o.total],
        "item_name": [it.name for it in o.items],
        "item_quantity": [str(it.qty) for it in o.items],
        "item_price": ["$" + it.price for it in o.items],
        "action_url": [f"https://pinecone.example/orders/{o.number}"],
    }
    if o.discount:
        out["discount_amount"] = ["$" + o.discount]
    return out


def _items(o: Order) -> list[dict[str, str]]:
    return [
        {"item_name": it.name, "item_quantity": str(it.qty), "item_price": "$" + it.price} for it in o.items
    ]


def test_ruleset_shape(ruleset: RuleSet) -> None:
    assert len(ruleset.clusters) == 1
    c = ruleset.clusters[0]
    assert c.sender == SENDER
    assert c.messages == 8 and c.recipients == 8
    assert sorted(r.field for r in c.rules) == sorted(
        [*SUMMARY.values(), *ROWS.values(), "recipient_name", "action_url"]
    )
    assert Extractor(ruleset).clusters == 1


@pytest.mark.parametrize("i", [8, 9, 10, 11, 14])
def test_held_out_messages(extractor: Extractor, ruleset: RuleSet, i: int) -> None:
    o = make_order(i)
    ex = extractor.extract(render_message(i, o))
    assert ex.known and ex.exact
    assert ex.cluster == ruleset.clusters[0].cluster
    assert ex.version == 7
    assert ex.sender == SENDER
    assert ex.message_id == f"<order-{i}-{o.number}@pinecone.example>"
    assert ex.fields == _expected(o)
    assert ex.items == _items(o)
    assert set(ex.confidence) == set(ex.fields)
    assert all(v == 0.9 for v in ex.confidence.values())


def test_more_items_than_ever_seen_keep_order(extractor: Extractor) -> None:
    o = make_order(30, n_items=9, discount=False)
    ex = extractor.extract(render_message(30, o))
    assert ex.fields["item_name"] == [it.name for it in o.items]
    assert ex.items == _items(o)
    assert len(ex.items) == 9
    assert "discount_amount" not in ex.fields


def test_discount_present_and_absent(extractor: Extractor) -> None:
    with_d = extractor.extract(render_message(40, make_order(40, discount=True)))
    without = extractor.extract(render_message(41, make_order(41, discount=False)))
    assert with_d.fields["discount_amount"] == ["$" + str(make_order(40, discount=True).discount)]
    assert "discount_amount" not in without.fields
    assert without.fields["order_total"] == ["$" + make_order(41, discount=False).total]


def test_new_values_that_were_never_seen(extractor: Extractor) -> None:
    o = make_order(50)
    o.customer = "Zora Quell-Ashby"
    o.items[0].name = "Völva Rune Stone (large)"
    o.total = "12,345.67"
    ex = extractor.extract(render_message(50, o))
    assert ex.fields["recipient_name"] == ["Zora Quell-Ashby"]
    assert ex.fields["item_name"][0] == "Völva Rune Stone (large)"
    assert ex.fields["order_total"] == ["$12,345.67"]


def test_non_ascii_values_without_meta_charset(extractor: Extractor) -> None:
    o = make_order(51)
    o.customer = "Zoë Ångström"
    o.items[0].name = "Crème Brûlée Torch"
    ex = extractor.extract(render_message(51, o, meta=False))
    assert ex.known
    assert ex.fields["recipient_name"] == ["Zoë Ångström"]
    assert ex.fields["item_name"][0] == "Crème Brûlée Torch"


def test_unknown_sender(extractor: Extractor) -> None:
    ex = extractor.extract(render_message(8, sender=OTHER_SENDER))
    assert isinstance(ex, Extraction)
    assert ex.known is False and ex.exact is False
    assert ex.cluster is None
    assert ex.fields == {} and ex.items == [] and ex.confidence == {}
    assert ex.sender == OTHER_SENDER
    assert ex.version == 7


def test_known_sender_unknown_structure(extractor: Extractor) -> None:
    raw = (
        f"From: {SENDER}\r\nTo: x@mailbox.example\r\nSubject: Password reset\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><body><h1>Reset</h1><form><input></form><footer><span>code</span></footer></body></html>"
    ).encode()
    ex = extractor.extract(raw)
    assert ex.known is False
    assert ex.fields == {}


def test_junk_raises(extractor: Extractor) -> None:
    with pytest.raises(MessageError):
        extractor.extract(b"")


def test_json_round_trip_gives_identical_extraction(ruleset: RuleSet, extractor: Extractor) -> None:
    again = RuleSet.model_validate_json(ruleset.model_dump_json())
    assert again == ruleset
    other = Extractor(again)
    for i in (8, 12, 13):
        raw = render_message(i)
        a, b = extractor.extract(raw), other.extract(raw)
        assert (a.cluster, a.known, a.exact, a.fields, a.items, a.confidence, a.version) == (
            b.cluster,
            b.known,
            b.exact,
            b.fields,
            b.items,
            b.confidence,
            b.version,
        )


def test_published_rules_hold_no_training_values(ruleset: RuleSet) -> None:
    text = ruleset.model_dump_json(
        exclude={"created": True, "clusters": {"__all__": {"first_seen", "last_seen"}}}
    )
    for o in (make_order(i) for i in TRAIN):
        for v in o.values():
            if len(v) >= 4:
                assert v not in text, v


def test_higher_confidence_rule_wins(ruleset: RuleSet) -> None:
    rs = ruleset.model_copy(deep=True)
    c = rs.clusters[0]
    total = next(r for r in c.rules if r.field == "order_total")
    number = next(r for r in c.rules if r.field == "order_number")
    # a competing, more confident "order_total" rule that points at the order number
    c.rules.append(number.model_copy(update={"field": "order_total", "confidence": 0.99}))
    o = make_order(9)
    ex = Extractor(rs).extract(render_message(9, o))
    assert ex.fields["order_total"] == ["#" + o.number]
    assert ex.confidence["order_total"] == 0.99
    total.confidence = 1.0
    ex = Extractor(rs).extract(render_message(9, o))
    assert ex.fields["order_total"] == ["$" + o.total]


def test_rule_whose_pattern_does_not_match_gives_no_field(ruleset: RuleSet) -> None:
    rs = ruleset.model_copy(deep=True)
    for r in rs.clusters[0].rules:
        if r.field == "recipient_name":
            r.pattern = r"\s*Bonjour\s*(.*?)\s*"
    ex = Extractor(rs).extract(render_message(9))
    assert "recipient_name" not in ex.fields
    assert "order_total" in ex.fields


def test_empty_ruleset() -> None:
    ex = Extractor(RuleSet()).extract(render_message(1))
    assert ex.known is False and ex.fields == {}


def test_two_templates_of_one_sender_pick_their_own_cluster() -> None:
    shipped = dict(
        subject="Pinecone Supply: order #{number} has shipped",
        greeting="your parcel left our workshop today.",
    )
    samples = _samples(TRAIN)
    for i in range(20, 26):
        s = prepare(f"s{i}", render_message(i, **shipped))
        assert s is not None
        samples.append(s)
    rs = _ruleset(samples)
    assert len(rs.clusters) == 2
    ex = Extractor(rs)
    shipped_word = Mark("subject", "shipped")
    order_key = {c.cluster for c in rs.clusters if shipped_word not in c.signature}
    ship_key = {c.cluster for c in rs.clusters if shipped_word in c.signature}
    assert ex.extract(render_message(9)).cluster in order_key
    shipped_ex = ex.extract(render_message(30, **shipped))
    assert shipped_ex.cluster in ship_key
    assert shipped_ex.fields["recipient_name"] == [make_order(30).customer]


def test_learn_with_default_role_model_smoke() -> None:
    model = load_default_model()
    if model is None:
        pytest.skip("no default role model shipped")
    rs, report = learn(_samples(TRAIN), model, min_recipients=5, version=2)
    assert rs.version == 2
    assert report.messages == 8 and report.clusters == 1
    assert [c.sender for c in rs.clusters] == [SENDER]
    ex = Extractor(rs).extract(render_message(9))
    assert ex.known and ex.exact
    for values in ex.fields.values():
        assert values and all(isinstance(v, str) and v for v in values)


def test_a_cluster_not_learned_yet_borrows_the_nearest_learned_rules(ruleset: RuleSet) -> None:
    # a second template of the sender, on the same layout, seen by too few readers to be learned:
    # its messages are recognised as that cluster and get the learned sibling's rules as fallback
    learned = ruleset.clusters[0]
    message = _samples([30])[0]
    young = learned.model_copy(
        update={
            "cluster": learned.cluster + "-young",
            "signature": sorted(message.signature),
            "rules": [],
            "messages": 2,
            "recipients": 2,
            "induced": False,
        }
    )
    o = make_order(30)
    got = Extractor(ruleset.model_copy(update={"clusters": [learned, young]})).extract(render_message(30, o))
    assert got.cluster == young.cluster
    assert got.fallback
    assert got.fields == _expected(o)
    assert all(c < 0.9 for c in got.confidence.values())
    alone = Extractor(ruleset.model_copy(update={"clusters": [young]})).extract(render_message(30, o))
    assert alone.cluster == young.cluster and alone.fields == {}


def test_a_learned_cluster_with_no_field_named_borrows_nothing(ruleset: RuleSet) -> None:
    # a template learned from enough readers whose slots the role model left unnamed (all below
    # the abstain threshold): abstaining means no fields, never a sibling template's rules
    learned = ruleset.clusters[0]
    assert learned.induced and learned.rules
    message = _samples([30])[0]
    unnamed = learned.model_copy(
        update={"cluster": learned.cluster + "-unnamed", "signature": sorted(message.signature), "rules": []}
    )
    o = make_order(30)
    both = ruleset.model_copy(update={"clusters": [learned, unnamed]})
    got = Extractor(both).extract(render_message(30, o))
    assert got.cluster == unnamed.cluster and got.known
    assert got.fields == {} and not got.fallback


def test_a_single_valued_field_named_for_a_rows_column_takes_its_first_row(ruleset: RuleSet) -> None:
    # a column of rows that share one path (a totals table whose optional rows carry the same
    # class) named with a single-valued field reads one value, the row its rule was learned at;
    # a line-item field named for the same column reads every row
    rs = ruleset.model_copy(deep=True)
    c = rs.clusters[0]
    price = next(r for r in c.rules if r.field == "item_price")
    c.rules.append(price.model_copy(update={"field": "order_subtotal", "confidence": 0.5}))
    o = make_order(9, n_items=3)
    ex = Extractor(rs).extract(render_message(9, o))
    assert ex.fields["item_price"] == ["$" + it.price for it in o.items]
    assert ex.fields["order_subtotal"] == ["$" + o.items[0].price]
    assert ex.items == _items(o)  # the single-valued field is no part of a row


def _per_sender(ruleset: RuleSet, senders: list[str]) -> RuleSet:
    """``ruleset``'s cluster once under each of ``senders``."""
    c = ruleset.clusters[0]
    return RuleSet(
        version=ruleset.version,
        clusters=[c.model_copy(update={"sender": s, "cluster": f"{s}:{c.cluster}"}) for s in senders],
    )


def test_a_sender_compiles_on_its_first_message_and_never_before(ruleset: RuleSet) -> None:
    """A sender's rules compile when its first message comes: a pattern RE2 refuses in another
    sender's rules costs nothing until that sender writes, then it is counted and left out."""
    rs = _per_sender(ruleset, [SENDER, OTHER_SENDER])
    bad = rs.clusters[1]
    refused = bad.rules[0].model_copy(
        update={"field": "order_total", "pattern": r"(a+)\1", "confidence": 1.0}
    )
    rs.clusters[1] = bad.model_copy(update={"rules": [refused, *bad.rules]})
    ex = Extractor(rs)
    o = make_order(9)
    assert ex.extract(render_message(9, o)).fields == _expected(o)
    assert ex.refused_patterns == 0
    other = ex.extract(render_message(9, o, sender=OTHER_SENDER))
    assert ex.refused_patterns == 1
    assert other.fields == _expected(o)


def test_past_keep_senders_the_least_recent_sender_is_compiled_again(ruleset: RuleSet) -> None:
    senders = [f"orders@shop{i}.example" for i in range(3)]
    rs = _per_sender(ruleset, senders)
    kept, every = Extractor(rs, keep_senders=2), Extractor(rs)
    o = make_order(9)
    for s in [*senders, *senders, senders[0]]:
        raw = render_message(9, o, sender=s)
        a, b = kept.extract(raw), every.extract(raw)
        assert (a.cluster, a.fields, a.items, a.confidence) == (b.cluster, b.fields, b.items, b.confidence)
        assert a.fields["order_total"] == ["$" + o.total]
    assert len(kept._senders) == 2 and len(every._senders) == 3


def test_a_rule_set_split_by_sender_is_parsed_only_for_the_senders_asked_about(ruleset: RuleSet) -> None:
    """What an extraction worker holds: each sender's clusters as JSON, parsed on the sender's first
    message. The answers are the whole rule set's; a sender never asked about is never parsed (here
    its JSON is broken, and nothing notices until it writes)."""
    rs = _per_sender(ruleset, [SENDER, OTHER_SENDER])
    split = SenderRuleSet.of(rs)
    assert set(split.senders) == {SENDER, OTHER_SENDER} and split.clusters == 2
    broken = SenderRuleSet(rs.version, 2, {SENDER: split.senders[SENDER], OTHER_SENDER: b"[{"})
    whole, lazy = Extractor(rs), Extractor(broken)
    assert lazy.clusters == 2 and lazy.knows_sender(OTHER_SENDER)
    for i in (8, 9, 12):
        a, b = whole.extract(render_message(i)), lazy.extract(render_message(i))
        assert (a.cluster, a.fields, a.items, a.confidence) == (b.cluster, b.fields, b.items, b.confidence)
    with pytest.raises(ValidationError):
        lazy.extract(render_message(9, sender=OTHER_SENDER))
    assert Extractor(split).extract(render_message(9, sender=OTHER_SENDER)).fields
