"""How values get typed forms (offline/typed_eval.py): the share of truth values with a typed
form, and whether a right extraction types as its truth value does, on our own order template."""

from __future__ import annotations

from collections import Counter

import hostile
import pytest
from helpers import bare_sample, make_order

from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.truth import TruthRecord
from mailstencil.offline.typed_eval import TypedReport, format_typed_report, typed_report
from mailstencil.rules.model import RuleSet


def _record(s: Sample, fields: dict[str, list[str]]) -> TruthRecord:
    return TruthRecord(message_id=s.message_id, sender=s.sender, fields=fields)


def test_truth_values_are_counted_with_and_without_a_typed_form() -> None:
    a, b, c = (bare_sample(i) for i in range(3))
    truth = {
        a.message_id: _record(
            a, {"order_total": ["$12.50"], "order_date": ["2026-03-30"], "recipient_name": ["Ann"]}
        ),
        b.message_id: _record(b, {"order_total": ["twelve"]}),
    }
    r = typed_report([a, b, c], truth, None, [])
    assert r.values == Counter(order_total=2, order_date=1)  # untyped (text) fields are not counted
    assert r.typed == Counter(order_total=1, order_date=1)
    assert r.right == Counter() and r.same == Counter()


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return hostile.learned()


def test_a_right_extraction_types_as_its_truth_value_or_is_listed(ruleset: RuleSet) -> None:
    held = [s for s in (prepare(f"m{i}", hostile.message(i)) for i in (20, 21)) if s is not None]
    first, second = make_order(20), make_order(21)
    truth = {
        held[0].message_id: _record(
            held[0], {"order_total": [f"${first.total}"], "order_date": [first.date]}
        ),
        held[1].message_id: _record(
            held[1], {"order_total": [f"{second.total} EUR"], "order_number": ["999"]}
        ),
    }
    r = typed_report(held, truth, ruleset, held)
    assert r.values == r.typed == Counter(order_total=2, order_date=1, order_number=1)
    assert r.right == Counter(order_total=2, order_date=1)  # the order number "999" is not extracted
    assert r.same == Counter(order_total=1, order_date=1)
    euros = f"('amount', '{second.total}', None, 'EUR')"
    assert r.differing == {
        "order_total": [(f"${second.total}", f"('amount', '{second.total}', None, 'USD') vs {euros}")]
    }


def test_the_table_has_a_row_per_typed_field() -> None:
    r = TypedReport(
        values=Counter(order_total=4, order_number=2),
        typed=Counter(order_total=3, order_number=2),
        right=Counter(order_total=2),
        same=Counter(order_total=1),
    )
    assert format_typed_report(r).splitlines()[2:] == [
        "| order_number | reference | 2 | 1.000 | 0 | - |",
        "| order_total | money | 4 | 0.750 | 2 | 0.500 |",
    ]
