"""Records written as lines: a plain-text body's items (one paragraph of ``Label: value`` lines
each) and an invoice's plan line above its add-ons are read as rows, cell by cell."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape

import pytest
from helpers import SENDER, SHOP, START, Order, make_order

from mailstencil.offline.induce import ClusterTable, Slot, induce
from mailstencil.offline.learn import slot_rule
from mailstencil.offline.sample import Sample, prepare
from mailstencil.rules.apply import Extractor
from mailstencil.rules.message import ParsedMessage
from mailstencil.rules.model import ClusterRules, RuleSet

N = 8


def _text_body(order: Order) -> str:
    """Our own plain-text shipping template: a label line whose value is no item, then one
    paragraph per item."""
    lines = [SHOP, "", f"Hi {order.customer},", "", "Your order has shipped.", ""]
    lines += ["Carrier: Parcelway", f"Track: https://track.example/{order.number}", ""]
    for it in order.items:
        lines += [f"Item: {it.name}", f"qty {it.qty}", f"Price: ${it.price}", ""]
    lines += [f"Total: ${order.total}", "", "Questions? Just reply to this email."]
    return "\n".join(lines) + "\n"


def _invoice_html(order: Order) -> str:
    """Our own invoice table: the plan's line first, each add-on a row like it."""
    plan = ["Starter", "Team", "Scale"][int(order.number) % 3]
    rows = [(f"{plan} plan (per seat)", order.items[0].qty, order.items[0].price)]
    rows += [(it.name, it.qty, it.price) for it in order.items[1:]]
    body = "".join(
        f'<tr><td class="c">{escape(n)}</td><td class="c">{q}</td><td class="c">${p}</td></tr>'
        for n, q, p in rows
    )
    return (
        f"<html><body><p>Invoice {order.number}</p><table>"
        f"<tr><th>Description</th><th>Qty</th><th>Amount</th></tr>{body}</table>"
        f"<p>Amount due: ${order.total}</p></body></html>"
    )


def _message(i: int, order: Order, html: bool) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr((SHOP, SENDER))
    msg["To"] = formataddr((order.customer, order.recipient))
    msg["Subject"] = f"Your {SHOP} order {order.number}"
    msg["Date"] = format_datetime(START)
    msg["Message-ID"] = f"<rows-{i}@pinecone.example>"
    if html:
        msg.set_content(_invoice_html(order), subtype="html", charset="utf-8")
    else:
        msg.set_content(_text_body(order), subtype="plain", charset="utf-8")
    return msg.as_bytes()


def _prepared(html: bool) -> list[tuple[Order, Sample]]:
    out = []
    for i in range(N + 2):
        order = make_order(i)
        s = prepare(f"m{i}", _message(i, order, html))
        assert s is not None
        out.append((order, s))
    return out


@pytest.fixture(scope="module")
def text() -> list[tuple[Order, Sample]]:
    return _prepared(html=False)


@pytest.fixture(scope="module")
def text_table(text: list[tuple[Order, Sample]]) -> ClusterTable:
    return induce([s for _, s in text[:N]], min_recipients=5)


def _slot(table: ClusterTable, ipath: str, mode: str, rel: str = "") -> Slot:
    hits = [s for s in table.slots if s.ipath == ipath and s.mode == mode and s.row_rel == rel]
    assert len(hits) == 1, [(s.ipath, s.mode, s.row_rel) for s in table.slots]
    return hits[0]


def test_text_items_are_rows_of_their_paragraphs(
    text_table: ClusterTable, text: list[tuple[Order, Sample]]
) -> None:
    orders = [o for o, _ in text[:N]]
    names = _slot(text_table, "line/value", "rows", "line[1]/value")
    qty = _slot(text_table, "line", "rows", "line[2]")
    price = _slot(text_table, "line/value", "rows", "line[3]/value")
    assert names.values == [[it.name for it in o.items] for o in orders]  # the tracking link is none
    assert qty.values == [[str(it.qty) for it in o.items] for o in orders]
    assert qty.inline_before == "qty"
    assert price.values == [["$" + it.price for it in o.items] for o in orders]
    assert len({len(o.items) for o in orders}) > 1  # the counts really vary


def test_the_value_on_a_landmark_line_is_read_by_its_place(
    text_table: ClusterTable, text: list[tuple[Order, Sample]]
) -> None:
    track = [s for s in text_table.slots if s.mode == "ordinal" and s.ipath == "line/value"]
    urls = [[f"https://track.example/{o.number}"] for o, _ in text[:N]]
    assert [s.values for s in track if s.values == urls] == [urls]


def test_text_items_extract_as_rows(text_table: ClusterTable, text: list[tuple[Order, Sample]]) -> None:
    names = {"line[1]/value": "item_name", "line[2]": "item_quantity", "line[3]/value": "item_price"}
    rules = [slot_rule(s, names[s.row_rel], 0.9) for s in text_table.slots if s.row_rel in names]
    track = next(s for s in text_table.slots if s.mode == "ordinal" and s.values[0][0].startswith("https://"))
    rules.append(slot_rule(track, "tracking_url", 0.9))
    cluster = ClusterRules(
        cluster="c", sender=SENDER, landmarks=text_table.landmarks, rules=rules, induced=True
    )
    cluster.paths = sorted({leaf.ipath for _, s in text for leaf in s.leaves})
    extractor = Extractor(RuleSet(clusters=[cluster]))
    for order, s in text[N:]:
        got = extractor.extract_leaves(
            ParsedMessage(s.sender, s.subject, s.message_id, s.date, [s.recipient]), s.leaves
        )
        assert got.fields["tracking_url"] == [f"https://track.example/{order.number}"]
        assert got.items == [
            {"item_name": it.name, "item_quantity": str(it.qty), "item_price": "$" + it.price}
            for it in order.items
        ]


def test_a_plan_line_above_add_ons_is_one_of_the_rows() -> None:
    invoices = _prepared(html=True)[:N]
    table = induce([s for _, s in invoices], min_recipients=5)
    assert not table.selectors  # the plan line is no text picked by its words
    names = _slot(table, "html/body/table/tr/td.c", "rows", "td[1]/text()[1]")
    assert all(row[0].endswith(" plan (per seat)") for row in names.values)  # whole, brackets too
    assert [row[1:] for row in names.values] == [[it.name for it in o.items[1:]] for o, _ in invoices]
