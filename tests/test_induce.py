"""mailstencil.offline.induce on one cluster of our tiny order template: landmarks, slots, rows, privacy."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import escape

import lxml.html
import pytest
from helpers import SHOP, Order, make_order, orders, render_html, render_message

from mailstencil.offline.features import slot_features
from mailstencil.offline.induce import ClusterTable, Slot, induce
from mailstencil.offline.sample import Sample, prepare
from mailstencil.rules.skeleton import skeleton_html

N = 8
SUMMARY = "html/body/div.wrap/table.summary/tr/td.value"
ITEMS = "html/body/div.wrap/table.items/tr/"


@pytest.fixture(scope="module")
def rendered() -> list[tuple[Order, Sample]]:
    out = []
    for i, (order, raw) in enumerate(orders(range(N))):
        s = prepare(f"m{i}", raw)
        assert s is not None
        out.append((order, s))
    return out


@pytest.fixture(scope="module")
def table(rendered: list[tuple[Order, Sample]]) -> ClusterTable:
    return induce([s for _, s in rendered], min_recipients=5)


def _lm(table: ClusterTable, text: str) -> int:
    ids = [k for k, m in enumerate(table.landmarks) if m.text == text]
    assert len(ids) == 1, text
    return ids[0]


def _slot(table: ClusterTable, **attrs: object) -> Slot:
    hits = [s for s in table.slots if all(getattr(s, k) == v for k, v in attrs.items())]
    assert len(hits) == 1, (attrs, [(s.anchor, s.ipath, s.mode) for s in table.slots])
    return hits[0]


def test_landmarks_are_the_constant_labels(table: ClusterTable) -> None:
    assert [(m.ipath.rsplit("/", 1)[1], m.text) for m in table.landmarks] == [
        ("td.label", "Order number"),
        ("td.label", "Order date"),
        ("td.label", "Discount"),
        ("td.label", "Total"),
        ("td.label", "Payment"),
        ("td.value", "Card on file"),
        ("h2", "Items"),
        ("th", "Item"),
        ("th", "Qty"),
        ("th", "Price"),
        ("p.foot", "Questions? Just reply to this email."),
        ("a.btn", "View your order"),
    ]


def test_label_value_rows_are_slots_anchored_at_their_label(
    table: ClusterTable, rendered: list[tuple[Order, Sample]]
) -> None:
    number = _slot(table, anchor=_lm(table, "Order number"), ipath=SUMMARY)
    date = _slot(table, anchor=_lm(table, "Order date"), ipath=SUMMARY)
    total = _slot(table, anchor=_lm(table, "Total"), ipath=SUMMARY)
    for slot in (number, date, total):
        assert slot.mode == "ordinal" and slot.ordinal == 0
    assert number.values == [["#" + o.number] for o, _ in rendered]
    assert date.values == [[o.date] for o, _ in rendered]
    assert total.values == [["$" + o.total] for o, _ in rendered]
    assert "date" in date.dtypes
    assert date.periods == ["now"] * N  # each order is dated the day its mail was sent
    assert number.periods == [] and total.periods == []
    assert total.dtypes.get("money") == 1.0
    assert total.before[0] == "Total"


def test_optional_discount_row(table: ClusterTable, rendered: list[tuple[Order, Sample]]) -> None:
    disc = _slot(table, anchor=_lm(table, "Discount"), ipath=SUMMARY)
    expected = [["$" + o.discount] if o.discount else [] for o, _ in rendered]
    assert disc.values == expected  # the sign before the currency symbol is template text
    assert disc.inline_before == "-"
    assert any(v == [] for v in expected) and any(v for v in expected)  # really optional


def test_constant_rows_produce_no_slot(table: ClusterTable) -> None:
    constant = {
        _lm(table, t) for t in ("Payment", "Card on file", "Items", "Questions? Just reply to this email.")
    }
    assert not [s for s in table.slots if s.anchor in constant and s.kind != "href"]
    all_values = {v for s in table.slots for row in s.values for v in row}
    assert "Card on file" not in all_values
    assert "Questions? Just reply to this email." not in all_values


def test_greeting_name_is_a_slot(table: ClusterTable, rendered: list[tuple[Order, Sample]]) -> None:
    greet = _slot(table, ipath="html/body/div.wrap/p.greet")
    assert greet.mode == "ordinal"
    assert greet.values == [[o.customer] for o, _ in rendered]
    assert greet.inline_before == "Hi"
    assert greet.inline_after.startswith(", thanks for shopping with")
    assert greet.dtypes == {"person": 1.0}
    m = re.fullmatch(greet.pattern(), "Hi Zora Quell, thanks for shopping with Pinecone Supply.", re.DOTALL)
    assert m is not None and m.group(1) == "Zora Quell"


def test_item_rows_are_rows_slots_one_value_per_row(
    table: ClusterTable, rendered: list[tuple[Order, Sample]]
) -> None:
    price_anchor = _lm(table, "Price")
    cols = {
        "td.name": lambda it: it.name,
        "td.qty": lambda it: str(it.qty),
        "td.price": lambda it: "$" + it.price,
    }
    rels = set()
    for cls, value in cols.items():
        slot = _slot(table, ipath=ITEMS + cls)
        assert slot.mode == "rows"
        assert slot.repeated
        assert slot.anchor == price_anchor
        assert slot.row_depth == 5  # /html/body[1]/div[1]/table[2]/tr[k]: the tr step
        rels.add(slot.row_rel)
        assert slot.values == [[value(it) for it in o.items] for o, _ in rendered]
    assert rels == {"td[1]/text()[1]", "td[2]/text()[1]", "td[3]/text()[1]"}
    assert len({len(o.items) for o, _ in rendered}) > 1  # the counts really vary


def test_link_and_subject_slots(table: ClusterTable, rendered: list[tuple[Order, Sample]]) -> None:
    href = _slot(table, kind="href")
    assert href.values == [[f"https://pinecone.example/orders/{o.number}"] for o, _ in rendered]
    assert href.link_text == "View your order"
    subj = _slot(table, ipath="subject")
    assert subj.values == [["#" + o.number] for o, _ in rendered]
    assert subj.inline_before == "Your Pinecone Supply order"


def test_no_other_slots(table: ClusterTable) -> None:
    # subject, greeting, 4 label/value slots, 3 row columns, 1 link
    assert len(table.slots) == 10
    assert table.selectors == []


def test_positions_are_ordered(table: ClusterTable) -> None:
    greet = _slot(table, ipath="html/body/div.wrap/p.greet")
    name = _slot(table, ipath=ITEMS + "td.name")
    href = _slot(table, kind="href")
    assert 0.0 <= greet.position < name.position < href.position <= 1.0


def test_skeleton_has_template_text_and_placeholders(table: ClusterTable) -> None:
    sk = table.skeleton
    assert sk[:4] == ["{…}", "{…}", "Order number", "{…}"]
    assert "Card on file" in sk
    assert "[link] {…}" in sk
    assert sk[-1] == "View your order"


def test_skeleton_html_is_the_mail_with_template_text_only(
    table: ClusterTable, rendered: list[tuple[Order, Sample]]
) -> None:
    root = lxml.html.fromstring(table.skeleton_html)
    text = root.text_content()
    for constant in ("Order number", "Card on file", "Items", "Questions? Just reply to this email."):
        assert constant in text
    assert [el.tag for el in root.iter("table", "tr", "td", "h2")][:3] == ["table", "tr", "td"]
    placeholders = {(v.get("data-line"), v.get("data-gap")) for v in root.iter("var")}
    assert {(str(s.line), str(s.gap)) for s in table.slots if s.line >= 0} <= placeholders
    # structure only: no attribute of the mail (class, style, link) is kept
    assert {a for el in root.iter() for a in el.attrib} == {"class", "data-line", "data-gap"}
    assert "http" not in table.skeleton_html and "wrap" not in table.skeleton_html
    values = {v for o, _ in rendered for v in o.values() if len(v) >= 3}
    for v in values:
        assert v not in table.skeleton_html and escape(v) not in table.skeleton_html, v
    # the check can fail: the first member's text taken whole holds its values
    first = rendered[0][1]
    whole = skeleton_html(first.leaves, range(len(first.leaves)), {})
    assert rendered[0][0].number in whole


def test_privacy_rules_hold_only_template_text(
    table: ClusterTable, rendered: list[tuple[Order, Sample]]
) -> None:
    values = {v for o, _ in rendered for v in o.values()}
    assert values
    constant_text = [m.text for m in table.landmarks] + [x.pattern for x in table.selectors]
    constant_text += [s.pattern() for s in table.slots] + list(table.skeleton)
    constant_text += [s.inline_before for s in table.slots] + [s.inline_after for s in table.slots]
    constant_text += [t for s in table.slots for t in s.before + s.after]
    template_tokens = {str(t) for s in table.slots for t in s.template.items if isinstance(t, str)}
    for v in values:
        assert v not in template_tokens, v
        if len(v) >= 3:
            for text in constant_text:
                assert v not in text and re.escape(v) not in text, (v, text)


def test_induce_is_deterministic(rendered: list[tuple[Order, Sample]], table: ClusterTable) -> None:
    again = induce([s for _, s in rendered], min_recipients=5)
    assert again.landmarks == table.landmarks
    assert [(s.anchor, s.ipath, s.mode, s.pattern(), s.values) for s in again.slots] == [
        (s.anchor, s.ipath, s.mode, s.pattern(), s.values) for s in table.slots
    ]


def test_a_value_shared_by_few_recipients_is_not_a_landmark() -> None:
    # the same product in 3 of 8 orders must stay a value, never a landmark
    rendered = []
    for i in range(N):
        o = make_order(i)
        if i < 3:
            o.items[0].name = "Shared Gift Card"
        rendered.append(o)
    samples = [prepare(f"s{i}", render_message(i, o)) for i, o in enumerate(rendered)]
    table = induce([s for s in samples if s is not None], min_recipients=5)
    assert "Shared Gift Card" not in {m.text for m in table.landmarks}
    names = _slot(table, ipath=ITEMS + "td.name")
    assert names.values[0][0] == "Shared Gift Card"


def _with_html(raw: bytes, html: str) -> bytes:
    """The message with its HTML part replaced (a variant of the template for some readers)."""
    msg = message_from_bytes(raw, policy=policy.default)
    msg.get_body(("html",)).set_content(html, subtype="html", charset="utf-8")  # type: ignore[union-attr]
    return msg.as_bytes()


def test_a_column_with_two_template_sentences_aligns_each_on_its_own() -> None:
    # optional wording: some messages greet by name, others carry a fixed sentence in its place;
    # aligned together they share no constant text, aligned apart the name is a clean slot
    fixed = "As a trade customer your order ships from our partner warehouse."
    samples: list[Sample] = []
    names: list[list[str]] = []
    for i in range(12):
        order = make_order(i)
        raw = render_message(i, order)
        if i >= 7:
            greeting = f"Hi {escape(order.customer)}, thanks for shopping with {SHOP}."
            raw = _with_html(raw, render_html(order).replace(greeting, fixed))
        s = prepare(f"v{i}", raw)
        assert s is not None
        samples.append(s)
        names.append([order.customer] if i < 7 else [])
    table = induce(samples, min_recipients=5)
    greet = [s for s in table.slots if s.ipath == "html/body/div.wrap/p.greet"]
    assert len(greet) == 1, [(s.pattern(), s.values) for s in greet]
    assert greet[0].values == names
    assert greet[0].inline_before == "Hi"
    assert re.fullmatch(greet[0].pattern(), fixed, re.DOTALL) is None


def test_a_popular_product_in_changing_rows_is_not_a_landmark() -> None:
    # in 7 of 10 orders, alongside other items and in a different row each time: still a value
    rendered = []
    for i in range(10):
        o = make_order(i, n_items=2 + i % 3)
        if i < 7:
            o.items[i % len(o.items)].name = "Shared Gift Card"
        rendered.append(o)
    samples = [prepare(f"p{i}", render_message(i, o)) for i, o in enumerate(rendered)]
    table = induce([s for s in samples if s is not None], min_recipients=5)
    assert "Shared Gift Card" not in {m.text for m in table.landmarks}
    names = _slot(table, ipath=ITEMS + "td.name")
    assert names.values == [[it.name for it in o.items] for o in rendered]


def _flat_record_message(i: int, items: list[tuple[str, str, int]]) -> bytes:
    rows = "".join(
        f"<p>Product: {n}</p>" + (f"<p>Colour: {n.split()[0]}</p>" if q % 2 else "") + f"<p>SKU: {sku}</p>"
        for n, sku, q in items
    )
    return _html_message(
        i, "flat", f"<p>Please ship order {1000 + i}.</p><p><b>Items:</b></p>{rows}<p>Thanks</p>"
    )


def _html_message(i: int, shop: str, body: str) -> bytes:
    """An HTML-only order mail of ``shop`` to the ``i``-th reader with the given body."""
    msg = EmailMessage()
    msg["From"] = f"orders@{shop}.example"
    msg["To"] = f"reader{i}@example.org"
    msg["Subject"] = f"Order {1000 + i}"
    msg["Message-ID"] = f"<{shop}-{i}@{shop}.example>"
    msg.set_content(f"<html><body>{body}</body></html>", subtype="html")
    return msg.as_bytes()


def test_flat_label_rows_split_by_label() -> None:
    # a record written as "Label: value" lines of one path: each label's values get the label as
    # their context, and no slot holds a label as its value
    products = ["Cedar Box", "Linen Towel", "Clay Mug", "Wool Scarf", "Tin Lantern", "Oak Tray", "Jute Bag"]
    samples: list[Sample] = []
    expected: list[list[str]] = []
    for i in range(12):
        items = [(products[(i + 2 * k) % 7], f"SK-{i}{k}", (i + k) % 4 + 1) for k in range(2 + i % 3)]
        s = prepare(f"f{i}", _flat_record_message(i, items))
        assert s is not None
        samples.append(s)
        expected.append([n for n, _, _ in items])
    table = induce(samples, min_recipients=5)
    found: list[list[str]] = [[] for _ in samples]
    for slot in table.slots:
        assert not any(v in ("Product", "SKU", "Quantity") for row in slot.values for v in row), (
            slot.pattern()
        )
        if slot.inline_before == "Product :":
            for m, row in enumerate(slot.values):
                found[m].extend(row)
    assert [sorted(f) for f in found] == [sorted(e) for e in expected]


def _table(rows: Sequence[Sequence[str]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td><font>{escape(c)}</font></td>" for c in r) + "</tr>" for r in rows)
    return f"<tr><td><table>{cells}</table></td></tr>"


def test_item_rows_above_a_totals_table_of_the_same_path_are_rows_of_the_item_table() -> None:
    # an item table and a totals table (an optional discount row) with the same cell path, in one
    # outer table: each item column is one slot whatever the number of rows, and the totals
    # label is a landmark (it keeps its indexed path while the item rows above it vary)
    orders = [make_order(i, discount=i % 2 == 0) for i in range(10)]
    samples = [
        prepare(
            f"t{i}",
            _html_message(
                i,
                "tables",
                f"<table><tr><td><font>Order {1000 + i}</font></td></tr>"
                + _table([(it.name, str(it.qty), "$" + it.price) for it in o.items])
                + _table(
                    [("Subtotal:", "$" + o.total)]
                    + ([("Discount:", "-$" + o.discount)] if o.discount else [])
                    + [("Shipping:", "$4.95")]
                )
                + "</table>",
            ),
        )
        for i, o in enumerate(orders)
    ]
    table = induce([s for s in samples if s is not None], min_recipients=5)
    subtotal = _lm(table, "Subtotal:")
    rows = [s for s in table.slots if s.repeated and s.anchor != subtotal]
    assert [s.values for s in rows] == [
        [[it.name for it in o.items] for o in orders],
        [[str(it.qty) for it in o.items] for o in orders],
        [["$" + it.price for it in o.items] for o in orders],
    ]


def test_a_labelled_cell_of_every_item_row_is_a_rows_slot() -> None:
    # "Qty: 2" in each item row is no template sentence picked once per message (as many
    # selectors as rows seen): it is one rows slot with every row's value, its label as context
    orders = [make_order(i) for i in range(10)]
    samples = [
        prepare(
            f"q{i}",
            _html_message(
                i,
                "labels",
                f"<p>Order {1000 + i}</p><div>"
                + "".join(
                    f'<div class="item"><b>{escape(it.name)}</b><span>Qty: {it.qty}</span> '
                    f"<span>Price: ${it.price}</span></div>"
                    for it in o.items
                )
                + "</div><p>Thank you</p>",
            ),
        )
        for i, o in enumerate(orders)
    ]
    table = induce([s for s in samples if s is not None], min_recipients=5)
    assert not table.selectors
    qty = _slot(table, mode="rows", inline_before="Qty :")
    price = _slot(table, mode="rows", inline_before="Price :")
    assert qty.values == [[str(it.qty) for it in o.items] for o in orders]
    assert price.values == [["$" + it.price for it in o.items] for o in orders]


def test_an_optional_salutation_is_context_of_the_name() -> None:
    # "Hi Ann, ..." in most messages, "Ann, ..." in some: "Hi" is template text before the name
    samples: list[Sample] = []
    for i in range(10):
        order = make_order(i)
        raw = render_message(i, order)
        if i % 4 == 3:
            html = render_html(order).replace(f"Hi {escape(order.customer)},", f"{escape(order.customer)},")
            raw = _with_html(raw, html)
        s = prepare(f"o{i}", raw)
        assert s is not None
        samples.append(s)
    table = induce(samples, min_recipients=5)
    greet = _slot(table, ipath="html/body/div.wrap/p.greet")
    assert greet.inline_before == "Hi"
    assert [v[0] for v in greet.values] == [make_order(i).customer for i in range(10)]


def _with_extra(extra: Callable[[int, Order], str], n: int = 8) -> list[Sample]:
    """Our order mail for ``n`` readers with ``extra(i, order)`` (HTML) after the greeting."""
    samples = []
    for i in range(n):
        order = make_order(i)
        greeting = f"thanks for shopping with {SHOP}."
        html = render_html(order).replace(greeting, greeting + extra(i, order))
        s = prepare(f"x{i}", _with_html(render_message(i, order), html))
        assert s is not None
        samples.append(s)
    return samples


# other people named beside the reader (who invited, who commented)
_BY = ("Ravi Menon", "Ines Duarte", "Otto Brandt", "Mei Lin", "Sara Holm", "Tomás Vidal", "Ada Kerr")


@pytest.mark.parametrize(
    ("extra", "mine", "attribute", "marks"),
    [
        # the account the mail is about is the reader's own address; who invited them is someone else
        (
            lambda i, order: f'</p><p class="acct">{order.recipient}</p><p class="by">helper{i}@else.example',
            "p.acct",
            "own_address",
            ("own_address:True", "own_address:False"),
        ),
        # the reader's own name shares a word with the address the mail was sent to; another
        # person's name (who invited, who commented) does not
        (
            lambda i, order: f'</p><p class="me">{order.customer}</p><p class="by">{_BY[i % len(_BY)]}',
            "p.me",
            "reader_name",
            ("reader_name:3", "reader_name:0"),
        ),
    ],
    ids=["own address", "reader name"],
)
def test_a_column_of_the_readers_own_is_marked(
    extra: Callable[[int, Order], str], mine: str, attribute: str, marks: tuple[str, str]
) -> None:
    table = induce(_with_extra(extra), min_recipients=5)
    own = _slot(table, ipath=f"html/body/div.wrap/{mine}")
    other = _slot(table, ipath="html/body/div.wrap/p.by")
    assert getattr(own, attribute) == 1.0
    assert getattr(other, attribute) == 0.0
    assert marks[0] in slot_features(own, frozenset(), frozenset())
    assert marks[1] in slot_features(other, frozenset(), frozenset())


def test_a_currency_sign_of_its_own_is_no_label_but_types_the_amount() -> None:
    # "Total:" | "£" | "80.00": the label of the amount is the words beyond the sign, and the sign
    # still makes the bare decimal an amount
    samples = _with_extra(lambda i, order: f'</p><p>Grand total:</p><p>£</p><p class="amt">{10 + i}.50')
    table = induce(samples, min_recipients=5)
    amount = _slot(table, ipath="html/body/div.wrap/p.amt")
    assert amount.before[0] == "Grand total:"
    assert "money" in amount.dtypes


def test_an_optional_block_of_few_readers_gives_a_slot_only_without_template_text() -> None:
    # an optional block seen by fewer than k readers: a bare value (a gift code) is still a slot,
    # since its rule would hold no text; a labelled one ("Gift note: ...") is not, since its
    # label would be template text that fewer than k readers vouch for
    samples = _with_extra(
        lambda i, _: (
            f'</p><p class="gift">GC-{4711 + 97 * i}</p><p class="note">Gift note: hug {i}' if i < 3 else ""
        )
    )
    table = induce(samples, min_recipients=5)
    gift = _slot(table, ipath="html/body/div.wrap/p.gift")
    assert gift.values == [[f"GC-{4711 + 97 * i}"] if i < 3 else [] for i in range(8)]
    assert gift.pattern() == r"\s*(.*?)\s*"
    assert not [s for s in table.slots if s.ipath == "html/body/div.wrap/p.note"]
