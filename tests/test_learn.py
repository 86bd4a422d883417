"""From induced slots to published rules (offline/learn.py): eligibility, decoding names, rule form."""

from __future__ import annotations

from datetime import timedelta

from helpers import START, bare_sample

from mailstencil.offline.clustering import Cluster
from mailstencil.offline.induce import ClusterTable, Slot
from mailstencil.offline.learn import (
    BACKUP_CONFIDENCE,
    MIN_MESSAGES,
    core_members,
    decode_names,
    doc_words,
    enough,
    published,
    slot_rule,
    subject_of,
)
from mailstencil.offline.roles import NONE
from mailstencil.offline.tokalign import align_values
from mailstencil.rules.cluster import Mark
from mailstencil.rules.model import Landmark


def _slot(ipath: str, mode: str = "ordinal", anchor: int = 0, row_depth: int = 0, ordinal: int = 0) -> Slot:
    aligned = align_values(["Total: 12.00 EUR", "Total: 7.50 EUR", "Total: 130.10 EUR"])
    assert aligned is not None
    template, parsed = aligned
    gap = template.gaps[0]
    return Slot(
        anchor=anchor,
        ipath=ipath,
        mode=mode,
        ordinal=ordinal,
        selector=-1,
        row_depth=row_depth,
        row_rel="td[2]" if mode == "rows" else "",
        xpath=f"/{ipath}[1]",
        kind="text",
        template=template,
        gap=gap,
        values=[[str(g[gap])] for g in parsed if g],
        dtypes={"money": 1.0, "code": 0.7},
        position=0.5,
        before=["Order summary"],
        after=[],
        inline_before="Total:",
        inline_after="",
        near_before="Total: " + "x" * 100,
        near_after="EUR",
        line=4,
    )


def test_enough_needs_messages_and_distinct_readers() -> None:
    same = [bare_sample(i, "ann@mail.example") for i in range(10)]
    many = [bare_sample(i) for i in range(MIN_MESSAGES)]
    assert not enough(same, 2)
    assert enough(many, MIN_MESSAGES)
    assert not enough(many[:-1], 1)  # too few messages, however many readers


def test_core_members_carry_most_of_the_clusters_constant_text() -> None:
    sig = frozenset(Mark("text", w) for w in "abcdefghij")
    full, rare = bare_sample(1, signature=sig), bare_sample(2, signature=frozenset(list(sig)[:5]))
    cluster = Cluster("k", "orders@shop.example", frozenset(), sig, [full, rare])
    assert core_members(cluster) == [full]
    assert core_members(Cluster("k", "s", frozenset(), frozenset(), [full, rare])) == [full, rare]


def test_the_vocabulary_of_a_cluster_is_its_landmarks_words() -> None:
    table = ClusterTable(
        landmarks=[
            Landmark(ipath="html/body/h1", text="Your Order has shipped, 2 items"),
            Landmark(ipath="html/body/a/@href", text="https://shop.example/track"),
        ]
    )
    assert doc_words(table) == frozenset({"your", "order", "has", "items"})
    sig = frozenset({Mark("subject", "order"), Mark("subject", "shipped"), Mark("text", "Total")})
    cluster = Cluster("k", "s", frozenset(), sig)
    assert subject_of(cluster) == frozenset({"order", "shipped"})


def test_a_rule_is_the_slots_address_and_template_text() -> None:
    slot = _slot("html/body/table/tr/td", mode="rows", anchor=2, row_depth=3, ordinal=0)
    rule = slot_rule(slot, "order_total", 0.912345)
    assert (rule.field, rule.anchor, rule.ipath, rule.mode, rule.row_depth, rule.row_rel) == (
        "order_total",
        2,
        "html/body/table/tr/td",
        "rows",
        3,
        "td[2]",
    )
    assert rule.address.key() == slot.key()  # a slot is the address its rule reads
    assert rule.pattern == slot.pattern() and rule.group == 1
    assert rule.dtype == ["code", "money"] and rule.confidence == 0.9123
    assert rule.context == slot.near_before[:80] and len(rule.context) == 80 and rule.context_after == "EUR"
    assert (rule.gap, rule.line, rule.xpath) == (slot.gap, 4, "/html/body/table/tr/td[1]")


def test_a_single_valued_field_keeps_its_most_confident_slot_and_confident_backups() -> None:
    slots = [_slot(f"html/body/p{k}") for k in range(6)]
    names = [
        ("order_total", 0.7),
        ("order_total", 0.95),
        ("order_total", BACKUP_CONFIDENCE),
        (NONE, 0.99),
        ("order_number", 0.4),  # below the threshold: unnamed
        ("order_number", 0.6),
    ]
    rules = decode_names(slots, names, threshold=0.5)
    assert [(r.field, r.ipath, r.confidence) for r in rules] == [
        ("order_total", "html/body/p1", 0.95),
        ("order_total", "html/body/p2", BACKUP_CONFIDENCE),
        ("order_number", "html/body/p5", 0.6),
    ]


def test_line_item_fields_stay_in_the_item_table() -> None:
    # the item table names name, price and quantity in one group of rows; a list of payments
    # below it names only an item price, which is left out
    items = [_slot(f"html/body/table/tr/td{k}", "rows", anchor=1, row_depth=3) for k in range(3)]
    payments = _slot("html/body/div/p", "rows", anchor=4, row_depth=2)
    names = [("item_name", 0.9), ("item_price", 0.8), ("item_quantity", 0.7), ("item_price", 0.95)]
    rules = decode_names([*items, payments], names, threshold=0.5)
    assert sorted((r.field, r.anchor) for r in rules) == [
        ("item_name", 1),
        ("item_price", 1),
        ("item_quantity", 1),
    ]


def test_a_cluster_without_a_table_is_published_without_rules() -> None:
    members = [bare_sample(i) for i in range(3)]
    sig = frozenset({Mark("subject", "order"), Mark("text", "Order")})
    cluster = Cluster("orders@shop.example:1", "orders@shop.example", frozenset({"p"}), sig, members)
    out = published(cluster, None, [])
    assert (out.messages, out.recipients, out.induced, out.rules, out.subject) == (3, 3, False, [], ["order"])
    assert out.model_dump(mode="json")["signature"] == ["s:order", "t:Order"]  # the stored form, sorted
    assert (out.first_seen, out.last_seen) == (START, START + timedelta(days=2))
