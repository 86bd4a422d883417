"""Scoring against the truth: amounts compare by their number."""

from __future__ import annotations

from offline.truth import score_message


def test_scoring_compares_amounts_by_number() -> None:
    truth = {"order_total": ["£1,204.50"], "order_number": ["00123"], "item_quantity": ["2"]}
    got = {"order_total": ["1,204.50"], "order_number": ["123"], "item_quantity": ["2"]}
    scores = score_message(truth, got, frozenset({"item_quantity"}))
    assert scores["order_total"] == (1, 0, 0)
    assert scores["order_number"] == (0, 1, 1)  # a code keeps its leading zeros
    assert score_message({"refund_amount": ["-$5.00"]}, {"refund_amount": ["$5.00"]}, frozenset())[
        "refund_amount"
    ] == (1, 0, 0)
    assert score_message({"order_total": ["$5.00"]}, {"order_total": ["$5.01"]}, frozenset())[
        "order_total"
    ] == (0, 1, 1)
