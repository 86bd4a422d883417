"""JSON-LD building: entities come out right from an answer's fields and typed forms (validation
against schema.org and the golden files per vertical: tests/test_jsonld_schema.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import extraction

from mailstencil.app.jsonld import to_jsonld
from mailstencil.app.schemas import ExtractionResponse, MarkupItem


def _ex(
    fields: dict[str, list[str]],
    items: list[dict[str, str]] | None = None,
    markup: list[MarkupItem] | None = None,
) -> ExtractionResponse:
    ex: ExtractionResponse = extraction(
        fields, items or [], datetime(2026, 3, 1, tzinfo=UTC), "orders@shop.example", markup=markup
    )
    return ex


def _by_type(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    return {n["@type"]: n for n in doc["@graph"] if n.get("ms:source") == "extracted"}  # type: ignore[union-attr]


def test_order_with_items_and_parcel() -> None:
    ex = _ex(
        {
            "order_number": ["1001"],
            "order_total": ["$12.00"],
            "tax_amount": ["$1.00"],
            "recipient_name": ["Jane"],
            "tracking_number": ["1Z9"],
            "carrier": ["UPS"],
            "action_url": ["https://t.example/1Z9"],
            "item_name": ["Mug", "Cup"],
            "item_quantity": ["1", "2"],
        },
        [{"item_name": "Mug", "item_quantity": "1"}, {"item_name": "Cup", "item_quantity": "2"}],
    )
    doc = to_jsonld(ex).model_dump(by_alias=True)
    nodes = _by_type(doc)
    order, parcel, invoice = nodes["Order"], nodes["ParcelDelivery"], nodes["Invoice"]
    assert order["orderNumber"] == "1001" and order["partOfInvoice"] == {"@id": invoice["@id"]}
    total = invoice["totalPaymentDue"]
    assert total["price"] == 12.0 and total["priceCurrency"] == "USD"
    tax = {"@type": "UnitPriceSpecification", "name": "tax", "price": 1.0, "priceCurrency": "USD"}
    assert total["priceComponent"] == tax
    assert order["customer"] == {"@type": "Person", "name": "Jane"}
    assert [i["orderedItem"]["name"] for i in order["orderedItem"]] == ["Mug", "Cup"]
    assert [i["orderQuantity"] for i in order["orderedItem"]] == [1, 2]
    assert parcel["carrier"] == {"@type": "Organization", "name": "UPS"}
    assert parcel["partOfOrder"] == {"@id": order["@id"]}
    assert parcel["potentialAction"] == {"@type": "ViewAction", "url": "https://t.example/1Z9"}


def test_flights_lodging_invoice_and_plain_messages() -> None:
    flights = to_jsonld(
        _ex(
            {"reservation_number": ["HX7Q2P"], "flight_number": ["LH 400", "LH 401"]},
            [
                {"flight_number": "LH 400", "departure_airport": "FRA", "passenger_name": "DOE/JANE"},
                {"flight_number": "LH 401", "arrival_airport": "FRA"},
            ],
        )
    ).model_dump(by_alias=True)
    res = [n for n in flights["@graph"] if n["@type"] == "FlightReservation"]
    assert [r["reservationFor"]["flightNumber"] for r in res] == ["LH 400", "LH 401"]
    assert all(r["reservationId"] == "HX7Q2P" for r in res)
    assert res[0]["reservationFor"]["departureAirport"] == {
        "@type": "Airport",
        "iataCode": "FRA",
        "name": "Frankfurt am Main International Airport",  # airportsdata names the code
    }

    hotel = _by_type(
        to_jsonld(
            _ex(
                {
                    "lodging_name": ["Harbor View"],
                    "checkin_date": ["2026-04-02"],
                    "reservation_number": ["R1"],
                    "recipient_name": ["Ann"],
                }
            )
        ).model_dump(by_alias=True)
    )
    lodging = hotel["LodgingReservation"]
    assert lodging["reservationFor"] == {"@type": "LodgingBusiness", "name": "Harbor View"}
    assert lodging["reservationId"] == "R1" and lodging["underName"]["name"] == "Ann"
    assert lodging["checkinTime"] == "2026-04-02"
    assert "Reservation" not in hotel

    inv = _by_type(
        to_jsonld(_ex({"invoice_number": ["INV-1"], "amount_due": ["$5"]})).model_dump(by_alias=True)
    )
    assert inv["Invoice"]["confirmationNumber"] == "INV-1"
    assert inv["Invoice"]["totalPaymentDue"] == {
        "@type": "PriceSpecification",
        "price": 5.0,
        "priceCurrency": "USD",
    }

    reset = _by_type(
        to_jsonld(_ex({"action_url": ["https://r.example/x"], "username": ["jane@x"]})).model_dump(
            by_alias=True
        )
    )
    email = reset["EmailMessage"]
    assert email["potentialAction"]["url"] == "https://r.example/x"
    assert email["recipient"] == {"@type": "Person", "identifier": "jane@x"}

    nothing = to_jsonld(_ex({})).model_dump(by_alias=True)
    assert [n["@type"] for n in nothing["@graph"]] == ["EmailMessage"]


def test_message_markup_is_merged_and_marked() -> None:
    markup = [
        MarkupItem(
            syntax="json-ld",
            type=["Order"],
            data={"@context": "http://schema.org", "@type": "Order", "orderNumber": "1001"},
        )
    ]
    doc = to_jsonld(_ex({"order_number": ["1001"]}, markup=markup)).model_dump(by_alias=True)
    sources = [(n["@type"], n["ms:source"]) for n in doc["@graph"]]
    assert sources == [("Order", "extracted"), ("Order", "message-markup")]
    assert "@context" not in doc["@graph"][1] and doc["@graph"][1]["ms:syntax"] == "json-ld"
