"""Scoring convention: an amount compares by its number, currency symbol or code and sign aside.

The table keeps its cases with their origin, as price-parser keeps its examples: the shapes the
corpus's sources render (the number form only, never a message's text), the formats CLDR gives
locales, and the shapes issue 15 met on template families outside the corpus.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from mailstencil.offline.induce import Slot
from mailstencil.offline.sample import Sample
from mailstencil.offline.tokalign import align_values
from mailstencil.offline.train import label_slot
from mailstencil.offline.truth import TruthRecord, amount_key, score_message, value_key
from mailstencil.rules.vocabulary import FIELDS, LINE_ITEM_FIELDS, MONEY_FIELDS

AMOUNTS = [
    # (origin, text, number)
    ("brief", "CA$240.88", "240.88"),
    ("brief", "240.88 CAD", "240.88"),
    ("brief", "240.88", "240.88"),
    ("brief", "-$240.88", "240.88"),
    ("corpus: Kill Bill en-US", "$1,139.53", "1139.53"),
    ("corpus: Lago fr", "1 043,00 CHF", "1043"),
    ("corpus: Lago de", "€1.100,41", "1100.41"),
    ("corpus: Shopify ja", "¥10,178 JPY", "10178"),
    ("corpus: Shopify ja", "¥0", "0"),
    ("corpus: Shopify de", "5,00 € EUR", "5"),
    ("corpus: Shopify", "$12.5", "12.5"),
    ("corpus: Postmark", "EUR 1,490.00", "1490"),
    ("corpus: Postmark", "A$111.00", "111"),
    ("corpus: Shopware", "-£15.20", "15.2"),
    ("corpus: Shopware de", "-12,21 €", "12.21"),
    ("corpus: travel mk", "1.410 ден", "1410"),
    ("corpus: travel de", "1.056,00 €", "1056"),
    ("corpus: WooCommerce, symbol in a sibling element", "179.00", "179"),
    ("CLDR fr-FR, narrow no-break space", "1\u202f234,50\u00a0€", "1234.5"),
    ("CLDR de-CH", "CHF 1’234.50", "1234.5"),
    ("CLDR de-CH", "Fr. 1'234.50", "1234.5"),
    ("CLDR sv-SE", "1 234,50 kr", "1234.5"),
    ("CLDR pl-PL", "1 234,50 zł", "1234.5"),
    ("CLDR ja-JP", "1,234円", "1234"),
    ("CLDR zh-CN", "1,234.00元", "1234"),
    ("CLDR en-IN", "₹1,23,456.00", "123456"),
    ("CLDR en accounting", "($1,234.56)", "1234.56"),
    ("CLDR pt-BR", "R$ 1.234,56", "1234.56"),
    ("issue 15: outside families", "EGP 1,250.00", "1250"),
    ("issue 15: outside families", "AED 310.50", "310.5"),
    ("issue 15: outside families", "฿1,200", "1200"),
    ("issue 15: outside families", "₱2,499.00", "2499"),
    ("issue 15: outside families", "₪ 89.90", "89.9"),
    ("issue 15: outside families", "49,99 zł", "49.99"),
]

NOT_AMOUNTS = [
    # (origin, text): extra text counts, so these are compared as text
    ("brief", "240.88 per month"),
    ("line of an invoice", "2 x $4.00"),
    ("tax rate", "15%"),
    ("issue 15: time with seconds", "12:44:00"),
    ("ISO date", "2026-04-02"),
    ("order reference", "#1001"),
    ("shipping", "Free"),
    ("a symbol alone", "$"),
    ("two numbers apart", "12 34"),
]


@pytest.mark.parametrize(("origin", "text", "number"), AMOUNTS, ids=[f"{o}: {t}" for o, t, _ in AMOUNTS])
def test_amount_key_reads_the_number(origin: str, text: str, number: str) -> None:
    assert amount_key(text) == number, origin


@pytest.mark.parametrize(("origin", "text"), NOT_AMOUNTS, ids=[f"{o}: {t}" for o, t in NOT_AMOUNTS])
def test_amount_key_refuses_other_text(origin: str, text: str) -> None:
    assert amount_key(text) is None, origin


def test_money_fields_come_from_the_vocabulary() -> None:
    assert {"order_total", "item_price", "discount_amount", "gift_card_balance"} <= MONEY_FIELDS
    assert not {"order_number", "item_quantity", "gift_card_code", "order_date"} & MONEY_FIELDS
    assert all(FIELDS[n].value == "money" for n in MONEY_FIELDS)


def test_scoring_compares_amounts_by_number_and_other_fields_by_text() -> None:
    truth = {"order_total": ["$179.00"], "order_number": ["#1001"], "item_price": ["$5.00", "$5.00"]}
    got = {"order_total": ["179.00"], "order_number": ["1001"], "item_price": ["5.00 USD", "$5.00"]}
    scores = score_message(truth, got, LINE_ITEM_FIELDS)
    assert scores["order_total"] == (1, 0, 0)
    assert scores["order_number"] == (0, 1, 1)
    assert scores["item_price"] == (2, 0, 0)
    monthly = score_message(
        {"order_total": ["$179.00"]}, {"order_total": ["$179.00 per month"]}, LINE_ITEM_FIELDS
    )
    assert monthly["order_total"] == (0, 1, 1)
    assert value_key("order_number", " 179.00 ") == "179.00"


def _sample(k: int) -> Sample:
    when = datetime(2026, 1, k + 1)
    return Sample(f"m{k}", f"<m{k}@x>", "shop@x", "", when, f"r{k}@x", [], frozenset(), frozenset())


def test_label_slot_matches_a_bare_amount_to_the_truth_with_its_symbol() -> None:
    values = ["179.00", "24.50", "1,020.00"]
    aligned = align_values(values)
    assert aligned is not None
    template, _ = aligned
    rows = [[v] for v in values]
    slot = Slot(0, "html/body/td", "ordinal", 0, -1, 0, "", "/html/body/td[2]", "text", template,
                template.gaps[0], rows, {"money": 1.0}, 0.5, ["Total"], [], "", "")  # fmt: skip
    members = [_sample(k) for k in range(3)]
    truth = {
        s.message_id: TruthRecord(message_id=s.message_id, fields={"order_total": [f"${v}"]})
        for s, v in zip(members, values, strict=True)
    }
    assert label_slot(slot, members, truth) == "order_total"
    as_text = {
        k: TruthRecord(message_id=k, fields={"order_number": r.fields["order_total"]})
        for k, r in truth.items()
    }
    assert label_slot(slot, members, as_text) == "none"  # a text field still compares by its text
