"""Invoice / SaaS billing templates: invoice, receipt, trial ending, renewal notice."""

from __future__ import annotations

from datetime import timedelta

from .. import pools
from ..context import Ctx
from ..model import Button, Doc, Fields, Heading, Items, Link, Para, Parts, Totals, Var
from .common import greeting, payment_method

SEAT_PRICES = (800, 1000, 1200, 1500, 2000, 2500, 4900)


def _plan(c: Ctx) -> tuple[str, int]:
    plans: tuple[tuple[str, int], ...] = c.opt("plans")  # type: ignore[assignment]
    name, price = c.rng.choice(plans)
    return name, price if c.s.money.decimals else price // 100


def _org(c: Ctx) -> Var:
    return Var("organization_name", pools.organization(c.rng))


def invoice(c: Ctx) -> Doc:
    """Invoice with line items, tax, amount due, due date and a pay link."""
    rng = c.rng
    inv = Var("invoice_number", c.ident("inv_fmt", "INV-{y}-{n5}"))
    plan_name, seat = _plan(c)
    plan = Var("plan_name", plan_name)
    seats = rng.randint(1, 25)
    lines: list[tuple[str, int, int]] = [(c.L("seat_line").format(plan=plan_name), seats, seat)]
    if rng.random() < 0.4:
        lines.append((c.L("addon_line"), 1, rng.choice((500, 900, 1500)) * (c.s.money.scale() // 100 or 1)))
    subtotal = sum(q * p for _, q, p in lines)
    tax = round(subtotal * float(c.opt("tax_rate", 0.0)))  # type: ignore[arg-type]
    due_days = int(c.opt("due_days", 14))  # type: ignore[call-overload]
    due = c.when + timedelta(days=due_days + rng.choice((0, 0, 1, 7, 16)))
    amount = Var("amount_due", c.money(subtotal + tax))
    org = _org(c)
    doc = Doc(c.f("subj_invoice", inv=inv, amount=amount, org=org))
    doc.add(Heading(c.f("invoice_title", inv=inv)) if c.has("invoice_title") else None, greeting(c))
    doc.add(Para(c.f("invoice_intro", org=org, due=Var("due_date", c.date(due)), amount=amount)))
    rows: list[tuple[str, Parts]] = [
        (c.L("invoice_no"), (inv,)),
        (c.L("invoice_date"), (Var("invoice_date", c.date(c.when)),)),
        (c.L("due_date"), (Var("due_date", c.date(due)),)),
        (c.L("plan"), (plan,)),
    ]
    doc.add(Fields(tuple(rows)))
    items = tuple(
        ((Var("item_name", n),), (Var("item_quantity", str(q)),), (Var("item_price", c.money(q * p)),))
        for n, q, p in lines
    )
    doc.add(Items((c.L("description"), c.L("qty"), c.L("amount")), items))
    sums: list[tuple[str, Parts]] = [(c.L("subtotal"), (Var("order_subtotal", c.money(subtotal)),))]
    if tax:
        sums.append((c.L("tax"), (Var("tax_amount", c.money(tax)),)))
    sums.append((c.L("amount_due"), (amount,)))
    doc.add(Totals(tuple(sums)))
    doc.add(Button(c.L("pay_btn"), c.url(f"/billing/invoices/{inv.value.lower()}/pay"), "action_url"))
    doc.add(Para(c.f("invoice_outro"), muted=True))
    return doc


def receipt(c: Ctx) -> Doc:
    """Payment receipt: number, date, amount paid, card, plan and a receipt download link."""
    inv = Var("invoice_number", c.ident("rcpt_fmt", "{n4}-{n4}"))
    plan_name, seat = _plan(c)
    seats = c.rng.randint(1, 12)
    total = Var("order_total", c.money(seat * seats))
    pay = Var("payment_method", payment_method(c))
    org = _org(c)
    doc = Doc(c.f("subj_receipt", inv=inv, amount=total))
    doc.add(greeting(c), Para(c.f("receipt_intro", org=org, amount=total)))
    doc.add(
        Fields(
            (
                (c.L("receipt_no"), (inv,)),
                (c.L("paid_on"), (Var("invoice_date", c.date(c.when)),)),
                (c.L("plan"), (Var("plan_name", plan_name), c.L("seats_suffix").format(n=seats))),
                (c.L("payment"), (pay,)),
                (c.L("amount_paid"), (total,)),
            )
        )
    )
    href = c.url(f"/receipts/{inv.value.replace('-', '')}.pdf")
    if c.opt("receipt_link_inline", False):
        doc.add(Para((Link((c.L("download_receipt"),), href, "action_url"),)))
    else:
        doc.add(Button(c.L("download_receipt"), href, "action_url"))
    doc.add(Para(c.f("receipt_outro"), muted=True))
    return doc


def trial_ending(c: Ctx) -> Doc:
    """Trial ending reminder; the name and end date share a sentence with template text."""
    plan_name, _ = _plan(c)
    plan = Var("plan_name", plan_name)
    end = Var("trial_end_date", c.date(c.when + timedelta(days=c.rng.choice((1, 2, 3, 3, 7)))))
    org = _org(c)
    doc = Doc(c.f("subj_trial", end=end, org=org))
    doc.add(Para(c.f("trial_intro", name=c.greet_name(), end=end, plan=plan, org=org)))
    doc.add(Para(c.f("trial_body")))
    slug = org.value.lower().replace(" ", "-").replace(".", "")
    doc.add(Button(c.L("upgrade_btn"), c.url(f"/w/{slug}/billing/upgrade"), "action_url"))
    doc.add(Para(c.f("trial_outro"), muted=True))
    return doc


def renewal(c: Ctx) -> Doc:
    """Upcoming renewal notice: plan, amount, date and card on file."""
    plan_name, seat = _plan(c)
    seats = c.rng.randint(1, 30)
    amount = Var("amount_due", c.money(seat * seats * 12 if c.rng.random() < 0.3 else seat * seats))
    date = Var("due_date", c.date(c.when + timedelta(days=c.rng.choice((3, 7, 14, 30)))))
    org = _org(c)
    doc = Doc(c.f("subj_renewal", org=org, date=date))
    doc.add(greeting(c), Para(c.f("renewal_intro", org=org, plan=Var("plan_name", plan_name), date=date)))
    doc.add(
        Fields(
            (
                (c.L("renewal_amount"), (amount,)),
                (c.L("payment"), (Var("payment_method", payment_method(c)),)),
            )
        )
    )
    doc.add(
        Button(c.L("manage_btn"), c.url(f"/settings/billing?ws={c.ident('ws_fmt', '{h8}')}"), "action_url")
    )
    doc.add(Para(c.f("renewal_outro"), muted=True))
    return doc
