"""A tiny deterministic corpus of templated mail for the service tests (no shared corpus needed).

Three templates of two senders, each rendered for many distinct recipients so learning may
induce rules; the shipping template carries Gmail-style JSON-LD and the order one microdata.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

FIRST = ["Jane", "Omar", "Lena", "Ravi", "Chloe", "Mateo", "Aiko", "Sven", "Nadia", "Tomas", "Ines", "Kofi"]
LAST = ["Doe", "Haddad", "Schulz", "Patel", "Martin", "Garcia", "Tanaka", "Berg", "Ivanova", "Novak"]
PRODUCTS = [
    "Linen Shirt - Blue / M",
    "Ceramic Mug Set",
    "Walnut Cutting Board",
    "Wool Throw Blanket",
    "Cast Iron Skillet 28 cm",
    "Leather Card Holder",
    "Bamboo Desk Lamp",
    "Canvas Tote Bag",
    "Merino Beanie - Grey",
    "Oak Serving Tray",
    "Stoneware Bowl (4 pack)",
    "Glass Carafe 1 L",
    "Cotton Bath Towel - Sand",
    "Copper Watering Can",
    "Recycled Notebook A5",
    "Enamel Pin Set",
    "Rattan Basket Large",
    "Silk Pillowcase - Ivory",
    "Espresso Cups (2)",
    "Travel Backpack 24 L",
]
CARRIERS = ["UPS", "DHL Express", "FedEx", "USPS"]
SHOP = ("Northwind Goods", "orders@northwind.example")
SHIP = ("Northwind Goods", "shipping@northwind.example")
CLOUD = ("Acme Cloud", "no-reply@acme-cloud.example")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _build(
    sender: tuple[str, str], to: tuple[str, str], subject: str, when: datetime, mid: str, text: str, html: str
) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = formataddr(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = mid
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()


def _page(title: str, body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
        f"<table class='main' width='100%'><tr><td class='header'>Northwind Goods</td></tr>"
        f"<tr><td class='content'>{body}</td></tr>"
        "<tr><td class='footer'>Northwind Goods Ltd, 12 Harbour Road, Bristol</td></tr>"
        "</table></body></html>"
    )


def order_confirmation(rng: random.Random, i: int, name: str, email: str) -> bytes:
    """An order confirmation with line items (microdata on the order number)."""
    number = str(rng.randrange(100000, 999999))
    when = START + timedelta(days=3 * i, hours=rng.randrange(24))
    date = when.strftime("%B %d, %Y")
    rows = rng.sample(PRODUCTS, rng.randrange(2, 5))
    items = [(p, rng.randrange(1, 4), rng.randrange(500, 9000) / 100) for p in rows]
    total = sum(q * p for _, q, p in items) + 4.95
    trs = "".join(
        f"<tr class='item'><td class='name'>{p}</td><td class='qty'>{q}</td>"
        f"<td class='price'>${q * pr:.2f}</td></tr>"
        for p, q, pr in items
    )
    body = (
        f"<p class='greeting'>Hi {name},</p><p>Thank you for your order. We are getting it ready to ship.</p>"
        f"<div itemscope itemtype='http://schema.org/Order'><table class='summary'>"
        f"<tr><td class='label'>Order number</td><td class='value' itemprop='orderNumber'>{number}</td></tr>"
        f"<tr><td class='label'>Order date</td><td class='value'>{date}</td></tr></table></div>"
        f"<table class='items'><tr><th>Item</th><th>Qty</th><th>Price</th></tr>{trs}</table>"
        f"<table class='totals'><tr><td class='label'>Shipping</td><td class='value'>$4.95</td></tr>"
        f"<tr><td class='label'>Total</td><td class='value'>${total:.2f}</td></tr></table>"
        f"<p>Questions? Reply to this email.</p>"
    )
    text = (
        f"Hi {name},\n\nThank you for your order. We are getting it ready to ship.\n\n"
        f"Order number: {number}\nOrder date: {date}\n\n"
        + "".join(f"Item: {p}\nQty: {q}\nPrice: ${q * pr:.2f}\n\n" for p, q, pr in items)
        + f"Shipping: $4.95\nTotal: ${total:.2f}\n"
    )
    mid = f"<order-{i}-{number}@northwind.example>"
    return _build(
        SHOP,
        (name, email),
        f"Your Northwind Goods order #{number}",
        when,
        mid,
        text,
        _page("Order confirmation", body),
    )


def shipping_notice(rng: random.Random, i: int, name: str, email: str) -> bytes:
    """A shipping confirmation with Gmail-style ParcelDelivery JSON-LD in the head."""
    number = str(rng.randrange(100000, 999999))
    tracking = f"1Z{rng.randrange(10**9, 10**10)}"
    carrier = rng.choice(CARRIERS)
    when = START + timedelta(days=3 * i + 1, hours=rng.randrange(24))
    eta = (when + timedelta(days=rng.randrange(2, 6))).strftime("%A, %B %d")
    url = f"https://track.northwind.example/t/{tracking}"
    jsonld = (
        '<script type=\'application/ld+json\'>{"@context": "http://schema.org", "@type": "ParcelDelivery",'
        f' "trackingNumber": "{tracking}", "carrier": {{"@type": "Organization", "name": "{carrier}"}},'
        f' "partOfOrder": {{"@type": "Order", "orderNumber": "{number}"}}}}</script>'
    )
    body = (
        f"<p class='greeting'>Hello {name},</p><p>Good news: your order #{number} is on its way.</p>"
        f"<table class='summary'><tr><td class='label'>Carrier</td><td class='value'>{carrier}</td></tr>"
        f"<tr><td class='label'>Tracking number</td><td class='value'>{tracking}</td></tr>"
        f"<tr><td class='label'>Estimated delivery</td><td class='value'>{eta}</td></tr></table>"
        f"<p class='button'><a class='btn' href='{url}'>Track your package</a></p>"
    )
    text = (
        f"Hello {name},\n\nGood news: your order #{number} is on its way.\n\nCarrier: {carrier}\n"
        f"Tracking number: {tracking}\nEstimated delivery: {eta}\n\nTrack your package: {url}\n"
    )
    mid = f"<ship-{i}-{number}@northwind.example>"
    return _build(
        SHIP,
        (name, email),
        f"Your order #{number} has shipped",
        when,
        mid,
        text,
        _page("Shipping confirmation", body, jsonld),
    )


def password_reset(rng: random.Random, i: int, name: str, email: str) -> bytes:
    """A SaaS password reset with a per-message link."""
    token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(24))
    url = f"https://app.acme-cloud.example/reset/{token}"
    when = START + timedelta(days=2 * i, hours=rng.randrange(24))
    body = (
        f"<p class='greeting'>Hi {name},</p><p>We received a request to reset the password for your Acme "
        f"Cloud account <b>{email}</b>.</p>"
        f"<p class='button'><a class='btn' href='{url}'>Reset password</a></p>"
        f"<p>If you did not ask for this, you can ignore this email.</p>"
    )
    text = (
        f"Hi {name},\n\nWe received a request to reset the password for your Acme Cloud account {email}.\n\n"
        f"Reset password: {url}\n\nIf you did not ask for this, you can ignore this email.\n"
    )
    mid = f"<reset-{i}-{token[:8]}@acme-cloud.example>"
    return _build(
        CLOUD, (name, email), "Reset your Acme Cloud password", when, mid, text, _page("Password reset", body)
    )


TEMPLATES = {"order": order_confirmation, "shipping": shipping_notice, "reset": password_reset}


def corpus(per_template: int = 14, seed: int = 7) -> dict[str, bytes]:
    """``{name: raw message}`` for every template, each message to its own recipient."""
    rng = random.Random(seed)
    out: dict[str, bytes] = {}
    for tname, render in TEMPLATES.items():
        for i in range(per_template):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 3 + len(tname)) % len(LAST)]
            email = f"{first.lower()}.{last.lower()}{i}@mail.example"
            out[f"{tname}/{i:04d}.eml"] = render(rng, i, f"{first} {last}", email)
    return out
