"""Evaluation (offline/evaluate.py): the split by date per sender, strict scoring of a rule set
against the truth (per field, per source, clustering) and its Markdown report, on our own order
template (tests/helpers.py) with truth written from the orders it renders."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from helpers import bare_sample, make_order, render_message

from mailstencil.offline.evaluate import (
    Clustering,
    Evaluation,
    evaluate,
    f1,
    format_evaluation,
    score_ruleset,
    split_by_date,
)
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.truth import TruthRecord
from mailstencil.rules.model import RuleSet

N = 12


def _orders() -> list[Sample]:
    out = [prepare(f"m{i}.eml", render_message(i)) for i in range(N)]
    return [s for s in out if s is not None]


def _truth(samples: list[Sample]) -> dict[str, TruthRecord]:
    """Every message's name and total (right), and a tracking number no message holds; the last
    message has no truth."""
    out: dict[str, TruthRecord] = {}
    for i, s in enumerate(samples[:-1]):
        order = make_order(i)
        fields = {
            "recipient_name": [order.customer],
            "order_total": [order.total],
            "tracking_number": ["1Z9"],
        }
        out[s.message_id] = TruthRecord(
            message_id=s.message_id, source="pinecone", template="order", sender=s.sender, fields=fields
        )
    return out


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    model = load_default_model()
    if model is None:
        pytest.skip("no role model shipped: nothing would be named")
    samples = _orders()
    return evaluate(samples, _truth(samples), model, holdout=0.25)


def test_the_newest_share_of_each_sender_is_held_out() -> None:
    mine = [bare_sample(i, day=10 - i) for i in range(5)]  # listed newest first
    other = [replace(bare_sample(10 + i), sender="news@other.example") for i in range(4)]
    train, test = split_by_date(mine + other, 0.3)  # ceil(0.3 * 5) = 2 and ceil(0.3 * 4) = 2 held out
    ids = ["<m12@shop.example>", "<m13@shop.example>", "<m1@shop.example>", "<m0@shop.example>"]
    assert [s.message_id for s in test] == ids  # senders in order, each oldest first
    assert sorted(s.message_id for s in train) == sorted(
        [
            "<m10@shop.example>",
            "<m11@shop.example>",
            "<m2@shop.example>",
            "<m3@shop.example>",
            "<m4@shop.example>",
        ]
    )
    assert split_by_date(mine, 0.0) == (sorted(mine, key=lambda s: s.date), [])


def test_a_rule_set_that_knows_nothing_finds_nothing() -> None:
    samples = _orders()
    ev = score_ruleset(RuleSet(), samples, _truth(samples))
    assert (ev.test, ev.known, ev.clusters) == (N - 1, 0, 0)  # the message without truth is not scored
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == (0, 0, 3 * (N - 1))
    assert ev.by_source.by["pinecone"]["fn"] == 3 * (N - 1) and f1(ev) == 0.0
    assert ev.completeness == 1.0 and ev.homogeneity == 1.0  # one template, each sender unknown alike


def test_learned_rules_score_each_field_strictly(evaluation: Evaluation) -> None:
    held_out = N - 1 - 8  # ceil(0.25 * 11) = 3 of the messages with truth
    assert (evaluation.train, evaluation.test, evaluation.known) == (8, held_out, held_out)
    by = evaluation.by_field.by
    assert by["recipient_name"] == Counter(tp=held_out, fp=0, fn=0)
    assert by["order_total"] == Counter(tp=held_out, fp=0, fn=0)  # "$198.01" is the amount 198.01
    assert by["tracking_number"] == Counter(tp=0, fp=0, fn=held_out)
    assert by["order_number"]["fp"] == held_out  # extracted, not in the truth: a false positive
    assert evaluation.by_source_field.by["pinecone/recipient_name"]["tp"] == held_out
    assert evaluation.v_measure == 1.0 and evaluation.clusters == 1
    assert evaluation.clustering_by_source["pinecone"] == Clustering(1.0, 1.0, 1.0)


def test_f1_is_the_overall_harmonic_mean() -> None:
    ev = Evaluation()
    ev.overall.add("all", 3, 1, 2)  # precision 0.75, recall 0.6
    assert f1(ev) == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_the_report_has_a_row_per_scope_and_field(evaluation: Evaluation) -> None:
    report = format_evaluation(evaluation).splitlines()
    assert report[0].startswith("learned on 8 messages, extracted 3 (3 in a known cluster), 1 clusters, ")
    assert "| recipient_name | 1.000 | 1.000 | 1.000 | 3 |" in report
    assert "| tracking_number | 0.000 | 0.000 | 0.000 | 3 |" in report
    assert "| pinecone | 1.000 | 1.000 | 1.000 |" in report  # clustering per source
    assert report[-1] == "clustering: homogeneity 1.000, completeness 1.000, V-measure 1.000"
