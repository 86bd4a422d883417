"""Helpers shared by the vertical template builders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..context import Ctx, ident
from ..model import Items, Para, Parts, Var

QTY_CHOICES = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4)
CARD_BRANDS = ("Visa", "Mastercard", "Amex", "Discover", "Maestro", "JCB")


@dataclass(frozen=True)
class Line:
    """One ordered product."""

    name: str
    qty: int
    unit: int

    @property
    def amount(self) -> int:
        """Line total in minor units."""
        return self.qty * self.unit


def draw_lines(c: Ctx, k: int | None = None) -> list[Line]:
    """Draw 1-6 (or ``k``) order lines from the sender's catalogue."""
    assert c.s.catalog is not None
    if k is None:
        k = c.rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 25, 18, 12, 8, 7))[0]
    return [
        Line(name, c.rng.choice(QTY_CHOICES), c.price(major)) for name, major in c.s.catalog.draw(c.rng, k)
    ]


def greeting(c: Ctx) -> Para:
    """``Hi Jane,`` in the sender's wording."""
    return Para(c.f("greet", name=c.greet_name()))


def later(c: Ctx, lo_days: int, hi_days: int) -> datetime:
    """A moment ``lo_days``..``hi_days`` after the message date, at a plausible hour."""
    d = c.when + timedelta(days=c.rng.randint(lo_days, hi_days))
    return d.replace(hour=c.rng.randint(6, 21), minute=c.rng.choice(range(0, 60, 5)), second=0)


def earlier(c: Ctx, lo_days: int, hi_days: int) -> datetime:
    """A moment ``lo_days``..``hi_days`` before the message date (an order placed last week)."""
    return c.when - timedelta(days=c.rng.randint(lo_days, hi_days), minutes=c.rng.randint(0, 1439))


def payment_method(c: Ctx) -> str:
    """``Visa ending in 4242`` (or an alternative method) in the sender's wording."""
    alts = [a for a in c.L("alt_pay").split("|") if a]
    if alts and c.rng.random() < 0.25:
        return c.rng.choice(alts)
    brands = str(c.opt("cards", "")).split("|") if c.opt("cards") else list(CARD_BRANDS)
    return c.L("card_fmt").format(brand=c.rng.choice(brands), last4=f"{c.rng.randint(0, 9999):04d}")


def carrier(c: Ctx) -> tuple[str, str, str]:
    """Draw ``(carrier name, tracking number, tracking url)``."""
    carriers: list[tuple[str, str, str]] = c.opt("carriers")  # type: ignore[assignment]
    name, domain, pattern = c.rng.choice(carriers)
    tn = ident(c.rng, pattern)
    compact = tn.replace(" ", "").replace("-", "")
    if c.sopt("track_host", "carrier") == "self":
        url = c.url(f"/orders/tracking?carrier={domain.split('.')[0]}&number={compact}")
    else:
        url = f"https://{domain}/track?n={compact}"
    return name, tn, url


def item_table(c: Ctx, lines: list[Line], with_price: bool = True) -> Items:
    """Line items in the sender's column style (``items`` option: nqp, qnp, inline, qtylabel)."""
    style = c.sopt("items", "nqp")
    unit_price = c.sopt("price", "line") == "unit"
    rows: list[tuple[Parts, ...]] = []
    for ln in lines:
        name, qty = Var("item_name", ln.name), Var("item_quantity", str(ln.qty))
        price = Var("item_price", c.money(ln.unit if unit_price else ln.amount))
        if style == "qnp":
            cells: tuple[Parts, ...] = ((qty,), (name,), (price,))
        elif style == "inline":
            cells = ((name, c.L("times"), qty), (price,))
        elif style == "qtylabel":
            cells = ((name,), (c.L("qty_prefix"), qty), (price,))
        else:
            cells = ((name,), (qty,), (price,))
        rows.append(cells if with_price else cells[:-1])
    head_price = c.L("unit_price") if unit_price and c.has("unit_price") else c.L("price")
    headers = {
        "qnp": (c.L("qty"), c.L("item"), head_price),
        "inline": (c.L("item"), head_price),
        "qtylabel": (c.L("item"), "", head_price),
    }.get(style, (c.L("item"), c.L("qty"), head_price))
    if not with_price:
        headers = headers[:-1]
    return Items(headers, tuple(rows), title=c.L("items_title") if c.has("items_title") else "")


def pick(c: Ctx, key: str) -> str:
    """One entry of a ``|``-separated wording list."""
    return c.rng.choice(c.L(key).split("|"))
