"""Shared helpers of the kernel tests: paths, a leaf <-> dict codec, a tiny template renderer and a
time bound for the value readers.

The renderer is our own small "order confirmation" template (a label/value table with an optional
discount row, repeated item rows, a greeting sentence with the customer's name). Every value it
renders comes from the deterministic pools below, so tests can check that learned rules never
contain a rendered value.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from pathlib import Path
from typing import Any

import pytest

from mailstencil.offline.evaluate import Evaluation
from mailstencil.offline.features import SlotFacts
from mailstencil.offline.induce import Slot
from mailstencil.offline.sample import Sample
from mailstencil.offline.tokalign import align_values
from mailstencil.offline.truth import Score
from mailstencil.rules.cluster import Mark
from mailstencil.rules.dictionaries import column_types
from mailstencil.rules.dom import Leaf

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
MESSAGES = FIXTURES / "messages"
GOLDEN = TESTS / "golden"
# one message of each vertical with the fields a right extraction gives it -> tests/golden/jsonld/
JSONLD_INPUTS = FIXTURES / "jsonld"
JSONLD_GOLDEN = GOLDEN / "jsonld"
# the in-source quality floors (a ratchet: tests/test_quality.py, tests/test_plaintext.py)
FLOORS: dict[str, Any] = json.loads((TESTS / "quality_floors.json").read_text())

SENDER = "orders@pinecone.example"
OTHER_SENDER = "hello@juniper.example"
SHOP = "Pinecone Supply"
START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)

FIRST = ["Ada", "Bram", "Cleo", "Dario", "Elif", "Fenna", "Goran", "Hana", "Ivo", "Jorun", "Kemal", "Liv"]
LAST = ["Quist", "Rahm", "Sallow", "Tebbe", "Ulvik", "Varga", "Wendt", "Xu", "Yoder", "Zell"]
PRODUCTS = [
    "Spruce Candle",
    "Felt Coaster Pack",
    "Birch Spoon",
    "Moss Terrarium Kit",
    "Cedar Soap Bar",
    "Pine Resin Incense",
    "Fern Print Poster",
    "Acorn Keyring",
    "Larch Bird Feeder",
    "Maple Syrup Tin",
    "Walnut Pen Tray",
    "Lichen Field Guide",
    "Hemlock Tea Blend",
    "Alder Chopping Block",
    "Willow Basket",
    "Rowan Jam Jar",
]


def bare_sample(
    i: int, reader: str = "", day: int | None = None, signature: frozenset[Mark] = frozenset()
) -> Sample:
    """Message ``i`` as learning counts it, without leaves: its id, reader (``reader<i>@`` unless
    given), day (``day`` days after ``START``, else ``i``) and constant text."""
    return Sample(
        name=f"m{i}.eml",
        message_id=f"<m{i}@shop.example>",
        sender=SENDER,
        subject="Your order",
        date=START + timedelta(days=i if day is None else day),
        recipient=reader or f"reader{i}@mail.example",
        leaves=[],
        paths=frozenset({"html/body/p"}),
        signature=signature,
    )


def leaf_dict(leaf: Leaf) -> dict[str, str]:
    """A leaf as the plain dict golden files store."""
    return asdict(leaf)


def leaves_json(leaves: list[Leaf]) -> str:
    """Canonical JSON text of a leaf list (what golden files hold)."""
    return json.dumps([leaf_dict(x) for x in leaves], ensure_ascii=False, indent=1) + "\n"


def message_dict(msg: Any) -> dict[str, Any]:
    """A parsed message as a JSON-able dict (dates in ISO format)."""
    return {
        "sender": msg.sender,
        "subject": msg.subject,
        "message_id": msg.message_id,
        "date": msg.date.isoformat(),
        "recipients": list(msg.recipients),
        "html": msg.html,
        "text": msg.text,
    }


def fixture_names() -> list[str]:
    """Stems of the fixture messages that have golden files."""
    return sorted(p.stem for p in MESSAGES.glob("*.eml"))


# --------------------------------------------------------------------------------------------
# the tiny template


@dataclass(slots=True)
class Item:
    name: str
    qty: int
    price: str  # rendered as "$<price>"


@dataclass(slots=True)
class Order:
    """The variable data of one rendered order (all of it counts as private values)."""

    recipient: str
    customer: str
    number: str
    date: str
    total: str
    items: list[Item] = field(default_factory=list)
    discount: str | None = None

    def values(self) -> list[str]:
        """Every value the template renders for this order, as it appears in the message."""
        out = [self.recipient, self.customer, self.number, "#" + self.number, self.date, "$" + self.total]
        if self.discount:
            out.extend(["-$" + self.discount, "$" + self.discount])
        for it in self.items:
            out.extend([it.name, str(it.qty), "$" + it.price])
        out.append(f"https://{SENDER.split('@')[1]}/orders/{self.number}")
        return out


def make_order(i: int, n_items: int | None = None, discount: bool | None = None) -> Order:
    """The ``i``-th order of the deterministic pools (distinct name, number, date and recipient)."""
    first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
    n = n_items if n_items is not None else [1, 3, 2, 4, 1, 2, 3, 5, 2, 1, 4, 3][i % 12]
    items = [
        Item(
            PRODUCTS[(i * 5 + k * 3) % len(PRODUCTS)],
            (i + k) % 7 + 1,
            f"{(i * 7 + k * 11) % 90 + 4}.{(i * 13 + k) % 100:02d}",
        )
        for k in range(n)
    ]
    has_discount = discount if discount is not None else i % 3 != 2
    total = sum(float(it.price) * it.qty for it in items)
    disc = f"{(i % 4) + 2}.50" if has_discount else None
    if disc:
        total -= float(disc)
    return Order(
        recipient=f"{first.lower()}.{last.lower()}{i}@mailbox.example",
        customer=f"{first} {last}" if i % 2 else first,
        number=str(40017 + i * 37),
        date=(START + timedelta(days=i * 3 + 1)).strftime("%Y-%m-%d"),
        total=f"{total:.2f}",
        items=items,
        discount=disc,
    )


def render_html(order: Order, greeting: str = "thanks for shopping with {shop}.", meta: bool = True) -> str:
    """The HTML body of the order template (``meta``: declare ``<meta charset="utf-8">``)."""
    e = escape
    rows = [
        ("Order number", "#" + order.number),
        ("Order date", order.date),
    ]
    if order.discount:
        rows.append(("Discount", "-$" + order.discount))
    rows.append(("Total", "$" + order.total))
    rows.append(("Payment", "Card on file"))
    summary = "\n".join(
        f'<tr><td class="label">{e(k)}</td><td class="value">{e(v)}</td></tr>' for k, v in rows
    )
    items = "\n".join(
        f'<tr><td class="name">{e(it.name)}</td><td class="qty">{it.qty}</td>'
        f'<td class="price">${e(it.price)}</td></tr>'
        for it in order.items
    )
    host = SENDER.split("@")[1]
    return f"""<!DOCTYPE html>
<html><head>{'<meta charset="utf-8">' if meta else ""}<title>Your order</title>
<style>td {{ padding: 4px; }}</style></head>
<body><div class="wrap">
<p class="greet">Hi {e(order.customer)}, {e(greeting.format(shop=SHOP))}</p>
<table class="summary">
{summary}
</table>
<h2>Items</h2>
<table class="items">
<tr><th>Item</th><th>Qty</th><th>Price</th></tr>
{items}
</table>
<p class="foot">Questions? Just reply to this email.</p>
<a class="btn" href="https://{host}/orders/{e(order.number)}">View your order</a>
</div></body></html>
"""


def render_text(order: Order) -> str:
    lines = [f"Hi {order.customer},", f"Order number: #{order.number}", f"Total: ${order.total}"]
    return "\n".join(lines) + "\n"


def render_message(
    i: int,
    order: Order | None = None,
    *,
    sender: str = SENDER,
    subject: str = "Your Pinecone Supply order #{number}",
    greeting: str = "thanks for shopping with {shop}.",
    meta: bool = True,
) -> bytes:
    """A complete multipart/alternative message of the template (quoted-printable bodies)."""
    order = order or make_order(i)
    msg = EmailMessage()
    msg["From"] = formataddr((SHOP, sender))
    msg["To"] = formataddr((order.customer, order.recipient))
    msg["Subject"] = subject.format(number=order.number)
    msg["Date"] = format_datetime(START + timedelta(days=i * 3 + 1, hours=i % 5))
    msg["Message-ID"] = f"<order-{i}-{order.number}@pinecone.example>"
    msg.set_content(render_text(order), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        render_html(order, greeting, meta), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    return msg.as_bytes()


def orders(indices: range | list[int]) -> list[tuple[Order, bytes]]:
    """Rendered messages of the given pool indices."""
    out = []
    for i in indices:
        o = make_order(i)
        out.append((o, render_message(i, o)))
    return out


# --------------------------------------------------------------------------------------------
# golden files

# Fixtures whose stored ``.leaves.json`` holds the *correct* leaves (checked by hand) while the
# code still gets them wrong; their golden tests are strict xfails and regen_golden.py leaves
# these files alone unless told ``--force``.
KNOWN_BAD_LEAVES: dict[str, str] = {}


def golden_leaves(raw: bytes) -> list[dict[str, str]]:
    """What ``<name>.leaves.json`` holds: the message's leaves as dicts."""
    from mailstencil.rules.dom import message_leaves
    from mailstencil.rules.message import parse_message

    msg = parse_message(raw)
    return [leaf_dict(x) for x in message_leaves(msg.subject, msg.html, msg.text)]


def golden_message(raw: bytes) -> dict[str, Any]:
    """What ``<name>.message.json`` holds: the parsed message as a dict."""
    from mailstencil.rules.message import parse_message

    return message_dict(parse_message(raw))


def extraction(
    fields: dict[str, list[str]],
    items: list[dict[str, str]],
    date: datetime | None,
    sender: str,
    subject: str = "s",
    message_id: str = "<m@x>",
    markup: list[Any] | None = None,
) -> Any:
    """The service's answer (an ``ExtractionResponse``) for a message of ``sender`` sent at ``date``
    whose extraction gave ``fields`` and ``items``, typed as the service types them."""
    from mailstencil.app.schemas import ExtractionResponse
    from mailstencil.rules.typed import type_extraction

    typed, typed_items = type_extraction(fields, items, date, sender)
    return ExtractionResponse(
        message_id=message_id,
        sender=sender,
        subject=subject,
        cluster=f"{sender}:golden",
        known=True,
        version=1,
        fields=fields,
        typed=typed,
        confidence=dict.fromkeys(fields, 1.0),
        items=items,
        typed_items=typed_items,
        markup=markup or [],
    )


def golden_jsonld(raw: bytes, extracted: dict[str, Any]) -> dict[str, Any]:
    """What ``jsonld/<name>.jsonld`` holds: the JSON-LD of a message whose extraction gave
    ``extracted`` (``{fields, items}``), typed against the message's own Date and sender, with the
    message's own markup merged in, as the service builds it."""
    from mailstencil.app.jsonld import to_jsonld
    from mailstencil.app.markup import read_markup
    from mailstencil.rules.message import parse_message

    msg = parse_message(raw)
    ex = extraction(
        extracted["fields"],
        extracted["items"],
        msg.date,
        msg.sender,
        msg.subject,
        msg.message_id,
        read_markup(msg.html)[0],
    )
    return to_jsonld(ex).model_dump(by_alias=True, mode="json")


SCHEMAORG: dict[str, Any] = json.loads((FIXTURES / "schemaorg.json").read_text(encoding="utf-8"))
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
_LITERALS = {  # how a JSON string is written for each schema.org data type
    "Text": lambda v: True,
    "URL": lambda v: v.startswith(("http://", "https://")),
    "Date": lambda v: bool(_ISO_DATE.fullmatch(v)),
    # a day where a moment is expected, as Gmail's and kitinerary's markup write a date-only check-in
    "DateTime": lambda v: bool(
        _ISO_DATE.fullmatch(v) or (_ISO_DATE.match(v) and _ISO_TIME.fullmatch(v[11:]))
    ),
    "Time": lambda v: bool(_ISO_TIME.fullmatch(v)),
}
_NUMBERS = {"Number", "Integer", "Float"}
_CURRENCY_PROPS = {"priceCurrency", "currency", "discountCurrency"}


def _supertypes(name: str) -> set[str]:
    """A schema.org type and all it is a subtype of (an enumeration member: its enumeration's)."""
    seen: set[str] = set()
    todo = [name, *SCHEMAORG["members"].get(name, [])]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo.extend(SCHEMAORG["types"].get(t, []))
    return seen


def schemaorg_errors(node: dict[str, Any], where: str = "") -> list[str]:
    """Why a JSON-LD node does not validate against the shipped schema.org vocabulary: each type
    must exist, each property must apply to its node's type, each value must be of a type in the
    property's range; numbers are JSON numbers, dates ISO 8601, currencies ISO 4217 codes. ``@``
    keywords and ``ms:`` extensions are ours; a bare ``{"@id"}`` refers to another node."""
    from mailstencil.rules.values import CURRENCY_CODES

    errors: list[str] = []
    typ = node.get("@type")
    if not isinstance(typ, str) or typ not in SCHEMAORG["types"]:
        return [f"{where}: unknown type {typ!r}"]
    types = _supertypes(typ)
    for key, value in node.items():
        if key.startswith(("@", "ms:")):
            continue
        at = f"{where}/{typ}.{key}"
        prop = SCHEMAORG["properties"].get(key)
        if prop is None:
            errors.append(f"{at}: no such property")
            continue
        if not types & set(prop["domain"]):
            errors.append(f"{at}: not a property of {typ} (only of {prop['domain']})")
        ranges = set(prop["range"])
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict):
                if set(v) == {"@id"}:
                    continue
                if not _supertypes(str(v.get("@type"))) & ranges:
                    errors.append(f"{at}: a {v.get('@type')} where {sorted(ranges)} belong")
                errors.extend(schemaorg_errors(v, at))
            elif isinstance(v, bool):
                errors.extend(
                    [] if "Boolean" in ranges else [f"{at}: a boolean where {sorted(ranges)} belong"]
                )
            elif isinstance(v, int | float):
                errors.extend([] if ranges & _NUMBERS else [f"{at}: a number where {sorted(ranges)} belong"])
            elif not isinstance(v, str):
                errors.append(f"{at}: {type(v).__name__} value")
            elif ranges & _NUMBERS:
                errors.append(f"{at}: {v!r} is a number written as text")
            elif key in _CURRENCY_PROPS and v not in CURRENCY_CODES:
                errors.append(f"{at}: {v!r} is no ISO 4217 code")
            elif not any(_LITERALS[r](v) for r in ranges if r in _LITERALS):
                errors.append(f"{at}: {v!r} is not written as {sorted(ranges)}")
    return errors


def dump_json(data: Any) -> str:
    """The canonical text of a golden file."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def assert_golden(name: str, kind: str, view: Callable[[bytes], Any]) -> None:
    """``view`` of fixture message ``name`` is its golden ``<name>.<kind>.json``, value and text alike."""
    stored = (GOLDEN / f"{name}.{kind}.json").read_text(encoding="utf-8")
    got = view((MESSAGES / f"{name}.eml").read_bytes())
    assert got == json.loads(stored)
    assert dump_json(got) == stored


def pooled(ev: Evaluation, sources: set[str], fields: set[str] | None = None) -> tuple[float, float, float]:
    """Pooled precision, recall and F1 of some sources (and fields) of an evaluation."""
    tp = fp = fn = 0
    for key, c in ev.by_source_field.by.items():
        source, name = key.split("/", 1)
        if source in sources and (fields is None or name in fields):
            tp, fp, fn = tp + c["tp"], fp + c["fp"], fn + c["fn"]
    return Score.prf(tp, fp, fn)


PG_URL = os.environ.get("MAILSTENCIL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
"""The PostgreSQL server the store tests use (``scripts/ensure-postgres.sh`` starts one)."""


def pg_unavailable() -> str | None:
    """Why no PostgreSQL test server can be used, ``None`` when one answers at :data:`PG_URL`."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a main dependency
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return (
            f"no PostgreSQL server answers at {PG_URL} ({type(exc).__name__}); run scripts/ensure-postgres.sh"
        )
    return None


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema name on the test server, dropped with all it holds afterwards; skips the test,
    with the reason, when no server answers."""
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"mstest_{uuid.uuid4().hex[:16]}"
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_slot(values: list[str], before: list[str]) -> Slot:
    """A text slot over ``values`` aligned as one column, with ``before`` as the labels above it."""
    aligned = align_values(values)
    assert aligned is not None
    template, parsed = aligned
    gap = template.gaps[0]
    gi = template.items.index(gap)
    rows = [[str(g[gap])] for g in parsed if g and g[gap]]
    return Slot(
        anchor=0,
        ipath="html/body/table/tr/td",
        mode="ordinal",
        ordinal=0,
        selector=-1,
        row_depth=0,
        row_rel="",
        xpath="/html/body/table/tr[2]/td[2]",
        kind="text",
        template=template,
        gap=gap,
        values=rows,
        dtypes=column_types(v for r in rows for v in r),
        position=0.5,
        before=before,
        after=["Questions? Reply to this mail"],
        inline_before=" ".join(str(t) for t in template.items[:gi] if isinstance(t, str)),
        inline_after="",
    )


def make_row_slot(values: list[list[str]], position: float, gap: int = 1) -> Slot:
    """A rows slot of an item table: ``values`` holds each message's rows, at ``position``."""
    slot = make_slot([v for row in values for v in row], ["Items"])
    slot.mode, slot.anchor, slot.row_depth, slot.position, slot.gap = "rows", 3, 2, position, gap
    slot.values = values
    slot.dtypes = column_types(v for r in values for v in r)
    return slot


BARE_FACTS = SlotFacts(value_class="none", variability=None, period=None, multi=False)  # no gate speaks


def random_texts(seed: int, alphabet: str) -> list[str]:
    """300 texts of 150 to 200 characters drawn from ``alphabet``: a reader's own characters in
    every order, where a backtracking pattern would show."""
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(150, 200))) for _ in range(300)]


def assert_bounded(read: Callable[[str], object], texts: list[str], seconds: float) -> None:
    """``read`` gets through all ``texts`` within ``seconds``."""
    start = time.perf_counter()
    for text in texts:
        read(text)
    assert time.perf_counter() - start < seconds
