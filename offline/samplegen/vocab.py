"""The field vocabulary the generator may label (mirrors ``shared/corpus/fields.json``)."""

from __future__ import annotations

from typing import Final

SINGLE: Final = "single"
LINE_ITEM: Final = "line_item"

FIELD_KINDS: Final[dict[str, str]] = {
    "recipient_name": SINGLE,
    "actor_name": SINGLE,
    "organization_name": SINGLE,
    "action_url": SINGLE,
    "verification_code": SINGLE,
    "username": SINGLE,
    "device_name": SINGLE,
    "ip_address": SINGLE,
    "event_time": SINGLE,
    "order_number": SINGLE,
    "order_date": SINGLE,
    "order_total": SINGLE,
    "order_subtotal": SINGLE,
    "tax_amount": SINGLE,
    "shipping_amount": SINGLE,
    "discount_amount": SINGLE,
    "refund_amount": SINGLE,
    "payment_method": SINGLE,
    "item_name": LINE_ITEM,
    "item_quantity": LINE_ITEM,
    "item_price": LINE_ITEM,
    "tracking_number": SINGLE,
    "tracking_url": SINGLE,
    "carrier": SINGLE,
    "delivery_date": SINGLE,
    "invoice_number": SINGLE,
    "invoice_date": SINGLE,
    "due_date": SINGLE,
    "amount_due": SINGLE,
    "gift_card_code": SINGLE,
    "gift_card_balance": SINGLE,
    "plan_name": SINGLE,
    "trial_end_date": SINGLE,
    "reservation_number": SINGLE,
    "lodging_name": SINGLE,
    "checkin_date": SINGLE,
    "checkout_date": SINGLE,
    "room_type": LINE_ITEM,
    "flight_number": LINE_ITEM,
    "departure_airport": LINE_ITEM,
    "arrival_airport": LINE_ITEM,
    "departure_time": LINE_ITEM,
    "arrival_time": LINE_ITEM,
    "passenger_name": LINE_ITEM,
}


def is_url_field(name: str) -> bool:
    """Return True for fields whose value is a link target (``*_url``)."""
    return name.endswith("_url")
