"""Build schema.org JSON-LD from an extraction, placing each field where ``rules/fields.json``'s
``schema_org`` column says.

The column is a path of ``Type.property`` steps (``Order.partOfInvoice>Invoice.totalPaymentDue>
CompoundPriceSpecification.price``). Values are their typed forms (``rules/typed.py``): numbers as
numbers, dates as ISO 8601, amounts with their ``priceCurrency``; a value with no typed form is left
out rather than written where schema.org expects a number or a date. Line-item rows become one
OrderItem or one FlightReservation each. Every node says where it came from (``ms:source``:
``extracted`` or ``message-markup``), and the message's own markup is merged into the same ``@graph``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mailstencil.rules.typed import TypedValue
from mailstencil.rules.vocabulary import FIELDS, LINE_ITEM_FIELDS, ValueKind

from .schemas import ExtractionResponse, JsonLdDocument

__all__ = ["PATHS", "Step", "parse_path", "to_jsonld", "CONTEXT"]

NS = "https://mailstencil.dev/ns#"
CONTEXT = {"@vocab": "https://schema.org/", "ms": NS}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a path: from a node of ``type`` (``*``: the main entity; ``name``: the node of
    that type with this name, a price component) along ``prop``."""

    type: str
    prop: str
    name: str | None = None


_STEP = re.compile(r"(?P<type>\*|[A-Z]\w*)(?:\[(?P<name>[^\]]+)\])?\.(?P<prop>(?:ms:)?[a-z]\w*)")


def parse_path(text: str) -> tuple[Step, ...] | None:
    """The steps of a ``schema_org`` column entry, ``None`` for ``-`` (raises on anything else)."""
    if text.strip() == "-":
        return None
    steps = []
    for part in text.split(">"):
        m = _STEP.fullmatch(part.strip())
        if m is None:
            raise ValueError(f"not a schema_org path step: {part!r} in {text!r}")
        steps.append(Step(m["type"], m["prop"], m["name"]))
    return tuple(steps)


PATHS: dict[str, tuple[Step, ...]] = {
    name: path for name, spec in FIELDS.items() if (path := parse_path(spec.schema_org)) is not None
}
# types a path steps into that stand for the message's one such entity: linked by @id, not nested
_LINKED = frozenset({"Order", "Invoice"})
Node = dict[str, Any]
Entity = Callable[[str], Node]  # the message's one node of a type, made on first use
# types of which each line-item row is one node
_ROW_TYPES = frozenset({"OrderItem", "FlightReservation"})
# the property that holds an amount's ISO 4217 code beside the one holding its number
_CURRENCY_OF = {"price": "priceCurrency", "value": "currency", "discount": "discountCurrency"}
# a date range written where schema.org has a property for its start as well
_RANGE_START = {"expectedArrivalUntil": "expectedArrivalFrom"}
# which entity gets the person (customer / underName) and which the main action, by preference
_MAIN_FOR_PERSON = ("Order", "Invoice", "LodgingReservation", "Reservation")
_MAIN_FOR_ACTION = ("ParcelDelivery", "Order", "Invoice", "LodgingReservation", "Reservation", "Offer")
_PERSON_PROP = {
    "LodgingReservation": "underName",
    "Reservation": "underName",
    "FlightReservation": "underName",
    "EmailMessage": "recipient",
}


def _add(node: Node, prop: str, value: Any) -> None:
    """Set ``prop``; a second, different value makes it a list."""
    old = node.get(prop)
    if old is None:
        node[prop] = value
    elif old != value and not (isinstance(old, list) and value in old):
        node[prop] = [*old, value] if isinstance(old, list) else [old, value]


def _child(node: Node, step: Step, into: Step, entity: Entity) -> Node:
    """The node ``step`` leads to from ``node`` (made if missing): the entity itself for a linked
    type, else the nested node of ``into``'s type (and name)."""
    if into.type in _LINKED:
        target = entity(into.type)
        _add(node, step.prop, {"@id": target["@id"]})
        return target
    old = node.get(step.prop)
    for c in old if isinstance(old, list) else [old]:
        if (
            isinstance(c, dict)
            and c.get("@type") == into.type
            and (into.name is None or c.get("name") == into.name)
        ):
            return c
    made: Node = {"@type": into.type, **({"name": into.name} if into.name else {})}
    _add(node, step.prop, made)
    return made


def _put(node: Node, prop: str, text: str, typed: TypedValue | None, kind: ValueKind) -> None:
    """Write one value at ``prop``: its typed form where its field has a kind, else its text."""
    if kind == "text":
        _add(node, prop, text)
        return
    if typed is None:
        return  # no typed form: a text where a number or a date belongs would not validate
    if typed.kind == "amount":
        number = Decimal(str(typed.value))
        _add(node, prop, float(abs(number) if prop == "discount" else number))
        if typed.currency and prop in _CURRENCY_OF:
            _add(node, _CURRENCY_OF[prop], typed.currency)
    elif typed.kind == "date_range" and prop in _RANGE_START:
        _add(node, _RANGE_START[prop], typed.value)
        _add(node, prop, typed.end)
    else:
        _add(node, prop, typed.value)
        if typed.kind == "airport" and typed.name:
            _add(node, "name", typed.name)  # the Airport node: its code and what it is called


def _place(
    node: Node, path: tuple[Step, ...], name: str, text: str, typed: TypedValue | None, entity: Entity
) -> None:
    """Walk ``path`` from ``node`` (making the nodes on the way) and write field ``name``'s value."""
    for step, into in zip(path, path[1:], strict=False):
        node = _child(node, step, into, entity)
    _put(node, path[-1].prop, text, typed, FIELDS[name].value)


def _rows(ex: ExtractionResponse) -> list[tuple[dict[str, str], dict[str, TypedValue]]]:
    """The line-item rows with their typed forms; line-item values outside any row (a single flight
    read by a single-value rule) make rows of their own, zipped by position."""
    rows = [(row, ex.typed_items[i] if i < len(ex.typed_items) else {}) for i, row in enumerate(ex.items)]
    in_rows = {k for row in ex.items for k in row}
    loose = [n for n in ex.fields if n in LINE_ITEM_FIELDS and n not in in_rows and ex.fields[n]]
    for i in range(max((len(ex.fields[n]) for n in loose), default=0)):
        texts = {n: ex.fields[n][i] for n in loose if i < len(ex.fields[n])}
        forms = {n: t for n in texts if i < len(ex.typed.get(n, [])) and (t := ex.typed[n][i]) is not None}
        rows.append((texts, forms))
    return rows


def to_jsonld(ex: ExtractionResponse) -> JsonLdDocument:
    """The extraction (and the message's own markup) as one schema.org JSON-LD document."""
    nodes: dict[str, Node] = {}

    def entity(typ: str) -> Node:
        if typ not in nodes:
            nodes[typ] = {"@type": typ, "@id": f"_:{typ.lower()}", "ms:source": "extracted"}
        return nodes[typ]

    main: list[tuple[str, tuple[Step, ...], str, TypedValue | None]] = []
    for name, values in ex.fields.items():
        path = PATHS.get(name)
        if path is None or name in LINE_ITEM_FIELDS:
            continue
        typed = ex.typed.get(name, [])
        for i, text in enumerate(values):
            form = typed[i] if i < len(typed) else None
            if path[0].type == "*":
                main.append((name, path, text, form))
            else:
                _place(entity(path[0].type), path, name, text, form, entity)

    flights: list[Node] = []
    for i, (row, forms) in enumerate(_rows(ex)):
        made: dict[str, Node] = {}  # this row's node per row type
        for name, text in row.items():
            path = PATHS.get(name)
            if path is None:
                continue
            cut = next((k for k, s in enumerate(path) if s.type in _ROW_TYPES), None)
            if cut is None:  # a row value of an entity (room_type of the LodgingReservation)
                _place(entity(path[0].type), path, name, text, forms.get(name), entity)
                continue
            kind = path[cut].type
            if kind not in made:
                made[kind] = {"@type": kind}
                if cut == 0:
                    made[kind].update({"@id": f"_:{kind.lower()}{i}", "ms:source": "extracted"})
                    flights.append(made[kind])
                else:
                    parent = entity(path[0].type)
                    for step, into in zip(path[: cut - 1], path[1:cut], strict=True):
                        parent = _child(parent, step, into, entity)
                    _add_row(parent, path[cut - 1].prop, made[kind])
            _place(made[kind], path[cut:], name, text, forms.get(name), entity)

    _merge_reservation(nodes, flights)
    for name, path, text, form in main:
        at = _main_entity(nodes, flights, name, entity)
        if path[0].prop == "customer":
            prop = _PERSON_PROP.get(at["@type"], "customer")
            path = (Step(at["@type"], prop), *path[1:])
        _place(at, path, name, text, form, entity)
    if "Order" in nodes and "ParcelDelivery" in nodes:
        nodes["ParcelDelivery"]["partOfOrder"] = {"@id": nodes["Order"]["@id"]}
    if not nodes and not flights:
        entity("EmailMessage")  # nothing extracted: still say what the message is
    email = nodes.get("EmailMessage")
    if email is not None:
        email.setdefault("headline", ex.subject)
        if ex.message_id:
            email.setdefault("identifier", ex.message_id)
        if ex.sender:
            email.setdefault("sender", {"@type": "Organization", "email": ex.sender})

    confidence = round(min(ex.confidence.values()), 3) if ex.confidence else None
    graph: list[Node] = []
    for n in [*nodes.values(), *flights]:
        n["ms:confidence"] = confidence
        graph.append(n)
    for m in ex.markup:
        data = {k: v for k, v in m.data.items() if k != "@context"}
        graph.append({**data, "ms:source": "message-markup", "ms:syntax": m.syntax})
    return JsonLdDocument.model_validate({"@context": CONTEXT, "@graph": graph})


def _add_row(node: Node, prop: str, row: Node) -> None:
    """Append a row node (rows are a list even when equal to another: two lines of one product)."""
    old = node.get(prop)
    node[prop] = [*old, row] if isinstance(old, list) else [old, row] if old is not None else [row]


def _merge_reservation(nodes: dict[str, Node], flights: list[Node]) -> None:
    """A reservation number read on its own belongs to the booking's reservation nodes."""
    generic = nodes.get("Reservation")
    if generic is None:
        return
    own = {k: v for k, v in generic.items() if not k.startswith(("@", "ms:"))}
    targets = [nodes["LodgingReservation"]] if "LodgingReservation" in nodes else flights
    for t in targets:
        for k, v in own.items():
            _add(t, k, v)
    if targets:
        nodes.pop("Reservation")


def _main_entity(nodes: dict[str, Node], flights: list[Node], name: str, entity: Entity) -> Node:
    """The node a ``*`` field goes to: the recipient to the order, invoice or booking (a parcel's
    recipient is its order's customer), the main link to the first entity; else the EmailMessage."""
    order = _MAIN_FOR_ACTION if name == "action_url" else _MAIN_FOR_PERSON
    for typ in order:
        if typ in nodes:
            return nodes[typ]
    if flights and name != "action_url":
        return flights[0]
    return entity("Order" if "ParcelDelivery" in nodes and name != "action_url" else "EmailMessage")
