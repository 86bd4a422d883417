"""Build schema.org JSON-LD from an extraction, following ``rules/fields.json``'s ``schema_org`` mapping.

Single fields become properties of one entity per kind (Order, ParcelDelivery, Invoice,
LodgingReservation, ...); line-item rows become OrderItems or FlightReservations. Every node is
marked with where it came from (``ms:source``: ``extracted`` or ``message-markup``), and the
message's own markup is merged into the same ``@graph``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules.vocabulary import FIELDS

from .schemas import ExtractionResponse, JsonLdDocument

__all__ = ["PLACEMENT", "UNPLACED", "to_jsonld", "CONTEXT", "check_mapping"]

NS = "https://mailstencil.dev/ns#"
CONTEXT = {"@vocab": "https://schema.org/", "ms": NS}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a single field goes: entity ``node``, property ``prop`` (``wrap``: a typed sub-node)."""

    node: str
    prop: str
    wrap: tuple[str, str] | None = None  # (@type, property) of an intermediate node


# Single fields, from fields.json's schema_org column ("Order.orderNumber" -> Order.orderNumber).
PLACEMENT: dict[str, Place] = {
    "order_number": Place("Order", "orderNumber"),
    "order_date": Place("Order", "orderDate"),
    "order_total": Place("Order", "totalPrice"),
    "order_subtotal": Place("Order", "priceSpecification", ("PriceSpecification", "subtotal")),
    "tax_amount": Place("Order", "priceSpecification", ("PriceSpecification", "tax")),
    "shipping_amount": Place("Order", "priceSpecification", ("PriceSpecification", "shipping")),
    "discount_amount": Place("Order", "discount"),
    "refund_amount": Place("Order", "refund", ("MonetaryAmount", "refund")),
    "payment_method": Place("Order", "paymentMethod"),
    "tracking_number": Place("ParcelDelivery", "trackingNumber"),
    "tracking_url": Place("ParcelDelivery", "trackingUrl"),
    "carrier": Place("ParcelDelivery", "carrier", ("Organization", "name")),
    "delivery_date": Place("ParcelDelivery", "expectedArrivalUntil"),
    "invoice_number": Place("Invoice", "confirmationNumber"),
    "due_date": Place("Invoice", "paymentDueDate"),
    "amount_due": Place("Invoice", "totalPaymentDue", ("PriceSpecification", "amount due")),
    "reservation_number": Place("Reservation", "reservationNumber"),
    "lodging_name": Place("LodgingReservation", "reservationFor", ("LodgingBusiness", "name")),
    "checkin_date": Place("LodgingReservation", "checkinTime"),
    "checkout_date": Place("LodgingReservation", "checkoutTime"),
    "plan_name": Place("Offer", "name"),
    "gift_card_balance": Place("MonetaryAmount", "value"),
    "organization_name": Place("EmailMessage", "about", ("Organization", "name")),
    "actor_name": Place("EmailMessage", "author", ("Person", "name")),
    "action_url": Place("*", "potentialAction", ("ViewAction", "url")),
    "recipient_name": Place("*", "customer", ("Person", "name")),
    "username": Place("*", "customer", ("Person", "identifier")),
}
# Fields fields.json maps to "-" or to nothing a schema.org consumer could use.
UNPLACED = frozenset(
    {
        "verification_code",
        "device_name",
        "ip_address",
        "event_time",
        "gift_card_code",
        "trial_end_date",
        "invoice_date",
    }
)
_ROW_ORDER = ("item_name", "item_quantity", "item_price")
_FLIGHT = (
    "flight_number",
    "departure_airport",
    "arrival_airport",
    "departure_time",
    "arrival_time",
    "passenger_name",
)
# Which entity gets the person (customer / underName) and which the main action, by preference.
_PERSON_AT = ("Order", "Invoice", "LodgingReservation", "Reservation", "Offer")
_ACTION_AT = ("ParcelDelivery", "Order", "Invoice", "LodgingReservation", "Reservation", "Offer")
_PERSON_PROP = {"LodgingReservation": "underName", "Reservation": "underName", "EmailMessage": "recipient"}


def _one(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _wrapped(place: Place, value: str | list[str]) -> Any:
    if place.wrap is None:
        return value
    typ, prop = place.wrap
    if typ in ("PriceSpecification", "MonetaryAmount") and prop not in ("value", "url"):
        return {"@type": typ, "name": prop, "price" if typ == "PriceSpecification" else "value": value}
    return {"@type": typ, prop: value}


def _add(node: dict[str, Any], prop: str, value: Any) -> None:
    if prop in node:
        old = node[prop]
        node[prop] = [*old, value] if isinstance(old, list) else [old, value]
    else:
        node[prop] = value


def to_jsonld(ex: ExtractionResponse) -> JsonLdDocument:
    """The extraction (and the message's own markup) as one schema.org JSON-LD document."""
    nodes: dict[str, dict[str, Any]] = {}

    def node(typ: str) -> dict[str, Any]:
        if typ not in nodes:
            nodes[typ] = {"@type": typ, "@id": f"_:{typ.lower()}", "ms:source": "extracted"}
        return nodes[typ]

    person: dict[str, Any] = {}
    actions: list[str] = []
    for name, values in ex.fields.items():
        if not values or name in UNPLACED or name not in PLACEMENT:
            continue
        place = PLACEMENT[name]
        if name in ("recipient_name", "username"):
            person["name" if name == "recipient_name" else "identifier"] = _one(values)
        elif name == "action_url":
            actions.extend(values)
        elif place.node == "Reservation" and "LodgingReservation" in nodes:
            _add(node("LodgingReservation"), place.prop, _wrapped(place, _one(values)))
        else:
            _add(node(place.node), place.prop, _wrapped(place, _one(values)))
    if "Reservation" in nodes and "LodgingReservation" in nodes:
        nodes["LodgingReservation"].update({k: v for k, v in nodes.pop("Reservation").items() if k[0] != "@"})
    rooms = ex.fields.get("room_type")
    if rooms:
        node("LodgingReservation")["lodgingUnitDescription"] = _one(rooms)

    order_items = [r for r in ex.items if any(k in r for k in _ROW_ORDER)]
    for row in order_items:
        item: dict[str, Any] = {"@type": "OrderItem"}
        if "item_quantity" in row:
            item["orderQuantity"] = row["item_quantity"]
        product: dict[str, Any] = {"@type": "Product"}
        if "item_name" in row:
            product["name"] = row["item_name"]
        if "item_price" in row:
            product["offers"] = {"@type": "Offer", "price": row["item_price"]}
        if len(product) > 1:
            item["orderedItem"] = product
        _add(node("Order"), "orderedItem", item)

    flights = [r for r in ex.items if any(k in r for k in _FLIGHT)]
    graph_extra: list[dict[str, Any]] = []
    for i, row in enumerate(flights):
        flight: dict[str, Any] = {"@type": "Flight"}
        if "flight_number" in row:
            flight["flightNumber"] = row["flight_number"]
        for key, prop in (("departure_airport", "departureAirport"), ("arrival_airport", "arrivalAirport")):
            if key in row:
                flight[prop] = {"@type": "Airport", "iataCode": row[key]}
        for key, prop in (("departure_time", "departureTime"), ("arrival_time", "arrivalTime")):
            if key in row:
                flight[prop] = row[key]
        res: dict[str, Any] = {
            "@type": "FlightReservation",
            "@id": f"_:flight{i}",
            "ms:source": "extracted",
            "reservationFor": flight,
        }
        if "Reservation" in nodes:
            res["reservationNumber"] = nodes["Reservation"].get("reservationNumber")
        if "passenger_name" in row:
            res["underName"] = {"@type": "Person", "name": row["passenger_name"]}
        graph_extra.append(res)
    if flights and "Reservation" in nodes and len(nodes["Reservation"]) <= 4:
        nodes.pop("Reservation")  # its number now sits on every FlightReservation

    if person:
        # a parcel's recipient is its order's customer
        at = next(
            (t for t in _PERSON_AT if t in nodes), "Order" if "ParcelDelivery" in nodes else "EmailMessage"
        )
        _add(node(at), _PERSON_PROP.get(at, "customer"), {"@type": "Person", **person})
    if actions:
        at = next((t for t in _ACTION_AT if t in nodes), "EmailMessage")
        for url in actions:
            _add(node(at), "potentialAction", {"@type": "ViewAction", "url": url})
    if "Order" in nodes and "ParcelDelivery" in nodes:
        nodes["ParcelDelivery"]["partOfOrder"] = {"@id": nodes["Order"]["@id"]}
    if not nodes and not graph_extra:
        node("EmailMessage")  # nothing extracted: still say what the message is
    email = nodes.get("EmailMessage")
    if email is not None:
        email.setdefault("headline", ex.subject)
        if ex.message_id:
            email.setdefault("identifier", ex.message_id)
        if ex.sender:
            email.setdefault("sender", {"@type": "Organization", "email": ex.sender})

    graph: list[dict[str, Any]] = []
    for n in nodes.values():
        n["ms:confidence"] = _node_confidence(ex)
        graph.append(n)
    graph.extend(graph_extra)
    for m in ex.markup:
        data = {k: v for k, v in m.data.items() if k != "@context"}
        graph.append({**data, "ms:source": "message-markup", "ms:syntax": m.syntax})
    return JsonLdDocument.model_validate({"@context": CONTEXT, "@graph": graph})


def _node_confidence(ex: ExtractionResponse) -> float | None:
    values = list(ex.confidence.values())
    return round(min(values), 3) if values else None


def check_mapping() -> list[str]:
    """Vocabulary fields neither placed nor deliberately left out (for tests; should be empty)."""
    line = {n for n, s in FIELDS.items() if s.kind == "line_item"}
    return sorted(n for n in FIELDS if n not in PLACEMENT and n not in UNPLACED and n not in line)
