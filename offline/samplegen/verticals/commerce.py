"""Commerce templates: order confirmation, shipping notice, order status, refund, gift card."""

from __future__ import annotations

from datetime import datetime

from ..context import Ctx
from ..model import Button, Code, Doc, Fields, Heading, Inline, Link, Para, Parts, Totals, Var
from .common import carrier, draw_lines, earlier, greeting, item_table, later, payment_method, pick


def _order_var(c: Ctx) -> Var:
    return Var("order_number", c.ident("order_fmt", "{n5}"))


def _head(c: Ctx, key: str, order: Var) -> Heading | None:
    if c.sopt("order_in", "fields") == "heading":
        return Heading(c.f(key + "_heading", order=order))
    return Heading(c.f(key + "_title")) if c.has(key + "_title") else None


def _order_date(c: Ctx, when: datetime) -> Var:
    """The order date; with its time where the sender shows one (option ``order_time``: the
    timestamp style), as many shops do."""
    style = c.opt("order_time")
    return Var("order_date", c.dt(when, str(style)) if style else c.date(when))


def order_confirmation(c: Ctx) -> Doc:
    """Order confirmation with 1-6 line items, money summary and optional blocks."""
    rng = c.rng
    order = _order_var(c)
    lines = draw_lines(c)
    subtotal = sum(ln.amount for ln in lines)
    discount = round(subtotal * rng.choice((0.1, 0.15, 0.2, 0.25))) if c.chance("p_discount", 0.3) else 0
    ship_rates: tuple[int, ...] = c.opt("ship_rates", (0, 499, 799, 1299))  # type: ignore[assignment]
    ship = rng.choice(ship_rates)
    rate = float(c.opt("tax_rate", 0.0))  # type: ignore[arg-type]
    included = bool(c.opt("tax_included", False))
    base = subtotal - discount + ship
    tax = round(base - base / (1 + rate)) if included else round((subtotal - discount) * rate)
    total = base if included else base + tax

    doc = Doc(c.f("subj_order", order=order))
    doc.add(_head(c, "order", order), greeting(c), Para(c.f("order_intro")))
    pay = Var("payment_method", payment_method(c))
    odate = _order_date(c, c.when)
    rows: list[tuple[str, Parts]] = []
    if c.sopt("order_in", "fields") == "fields":
        rows.append((c.L("order_no"), (order,)))
    if c.sopt("date_in", "fields") == "fields":
        rows.append((c.L("order_date"), (odate,)))
    else:
        doc.add(Para(c.f("placed_on", date=odate)))
    if c.sopt("pay_in", "fields") == "fields":
        rows.append((c.L("payment"), (pay,)))
    if rows:
        doc.add(Fields(tuple(rows), title=c.L("summary_title") if c.has("summary_title") else ""))
    doc.add(item_table(c, lines))

    sums: list[tuple[str, Parts]] = [(c.L("subtotal"), (Var("order_subtotal", c.money(subtotal)),))]
    if discount:
        promo = rng.choice(("WELCOME10", "SPRING", "VIP", "FRIENDS", "SAVE15", "NEWSLETTER"))
        sums.append((f"{c.L('discount')} ({promo})", (Var("discount_amount", c.money(discount, True)),)))
    sums.append((c.L("shipping"), (Var("shipping_amount", c.money(ship)),)))
    if rate:
        sums.append((c.L("tax"), (Var("tax_amount", c.money(tax)),)))
    sums.append((c.L("total"), (Var("order_total", c.money(total)),)))
    doc.add(Totals(tuple(sums)))
    if c.sopt("pay_in", "fields") == "para":
        doc.add(Para(c.f("paid_with", pay=pay)))
    if c.chance("p_gift", 0.15):
        doc.add(Fields(((c.L("gift_msg"), (pick(c, "gift_msgs"),)),)))
    if c.chance("p_note", 0.2):
        doc.add(Para((c.L("note_label"), pick(c, "notes"))))
    token = c.ident("order_token", "{h16}")
    doc.add(Button(c.L("view_order"), c.url(f"/account/orders/{token}"), "action_url"))
    doc.add(Para(c.f("order_outro"), muted=True))
    return doc


def shipping_notice(c: Ctx) -> Doc:
    """Shipping notification with carrier, tracking number/link, delivery estimate and the items
    shipped (option ``p_ship_items``, a template's choice: real shops list them in every notice
    or in none, so a sender that lists them does so in each mail)."""
    order = _order_var(c)
    cname, tn, turl = carrier(c)
    deliv = later(c, 2, 7)
    doc = Doc(c.f("subj_ship", order=order))
    doc.add(_head(c, "ship", order), greeting(c))
    intro = c.f("ship_intro", order=order) if c.sopt("order_in", "fields") != "subject" else c.f("ship_intro")
    doc.add(Para(intro))
    track: Inline = Var("tracking_number", tn)
    if c.opt("track_link", True):
        track = Link((track,), turl, "tracking_url")
    dval = Var("delivery_date", c.date(deliv, c.sopt("deliv_style", "us_weekday")))
    rows: list[tuple[str, Parts]] = [(c.L("carrier"), (Var("carrier", cname),)), (c.L("tracking"), (track,))]
    if c.sopt("ship_in", "fields") == "sentence":  # "Your UPS tracking number is 1Z…"
        doc.add(Para(c.f("ship_sentence", carrier=Var("carrier", cname), tracking=track)))
        rows = []
    if c.sopt("deliv_in", "fields") == "fields":
        rows.append((c.L("eta"), (dval,)))
    else:
        doc.add(Para(c.f("eta_sentence", date=dval)))
    if rows:
        doc.add(Fields(tuple(rows)))
    doc.add(Button(c.L("track_btn"), turl, "tracking_url"))
    if c.chance("p_ship_items", 1.0):
        doc.add(item_table(c, draw_lines(c), with_price=False))
    doc.add(Para(c.f("ship_outro"), muted=True))
    return doc


def order_status(c: Ctx) -> Doc:
    """Order status update: number and order date inside one sentence, the new status (template
    wording, not a field), the items (option ``p_status_items``, as ``p_ship_items``), and the
    order page's address shown as text."""
    order = _order_var(c)
    odate = _order_date(c, earlier(c, 1, 20))
    doc = Doc(c.f("subj_status", order=order))
    doc.add(greeting(c), Para(c.f("status_intro", order=order, date=odate)))
    doc.add(Para(c.f("status_now", status=pick(c, "statuses"))))
    if c.chance("p_status_items", 1.0):
        doc.add(item_table(c, draw_lines(c)))
    url = c.url(f"/account/orders/{c.ident('order_token', '{h16}')}")
    doc.add(Para(c.f("status_link")), Para((Link((url,), url, "action_url"),)))
    doc.add(Para(c.f("order_outro"), muted=True))
    return doc


def refund(c: Ctx) -> Doc:
    """Refund confirmation: refunded amount, items and payment method."""
    order = _order_var(c)
    lines = draw_lines(c, c.rng.randint(1, 3))
    amount = Var("refund_amount", c.money(sum(ln.amount for ln in lines)))
    pay = Var("payment_method", payment_method(c))
    doc = Doc(c.f("subj_refund", order=order))
    doc.add(greeting(c))
    if c.sopt("refund_in", "para") == "para":
        doc.add(Para(c.f("refund_intro", amount=amount, pay=pay, order=order)))
    else:
        doc.add(Para(c.f("refund_intro_short", order=order)))
        doc.add(Fields(((c.L("refund_amount"), (amount,)), (c.L("refunded_to"), (pay,)))))
    doc.add(item_table(c, lines))
    doc.add(Para(c.f("refund_outro"), muted=True))
    return doc


def gift_card(c: Ctx) -> Doc:
    """Gift card delivery: code, balance, optional giver and message, redeem link."""
    code = c.ident("gc_fmt", "{X4} {X4} {X4} {X4}")
    amounts: tuple[int, ...] = c.opt("gc_amounts", (2500, 5000, 7500, 10000, 15000))  # type: ignore[assignment]
    bal = Var("gift_card_balance", c.money(c.rng.choice(amounts)))
    giver = c.person() if c.chance("p_giver", 0.7) else None
    if giver:
        actor = Var("actor_name", giver.full)
        doc = Doc(c.f("subj_gc_from", actor=actor))
        doc.add(greeting(c), Para(c.f("gc_intro_from", actor=actor)))
        if c.chance("p_gift", 0.5):
            doc.add(Para(("“", pick(c, "gift_msgs"), "”")))
    else:
        doc = Doc(c.f("subj_gc"))
        doc.add(greeting(c), Para(c.f("gc_intro")))
    cv = Var("gift_card_code", code)
    if c.sopt("gc_code_in", "code") == "code":
        doc.add(Para((c.L("gc_code"),)), Code((cv,)), Fields(((c.L("gc_balance"), (bal,)),)))
    else:
        doc.add(Fields(((c.L("gc_code"), (cv,)), (c.L("gc_balance"), (bal,)))))
    redeem = c.url(f"/gift-cards/redeem?code={code.replace(' ', '').replace('-', '')}")
    doc.add(Button(c.L("gc_redeem"), redeem, "action_url"), Para(c.f("gc_outro"), muted=True))
    return doc
