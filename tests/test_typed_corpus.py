"""Typed values and JSON-LD over ../shared/corpus: truth values get typed forms, a right extraction
types as its truth value does, and every message's JSON-LD validates against schema.org."""

from __future__ import annotations

import pytest
from helpers import extraction, schemaorg_errors

from mailstencil.app.jsonld import to_jsonld
from mailstencil.offline.evaluate import Evaluation
from mailstencil.offline.sample import Sample
from mailstencil.offline.truth import TruthRecord
from mailstencil.offline.typed_eval import typed_report
from mailstencil.rules.vocabulary import FIELDS

pytestmark = pytest.mark.corpus


def test_truth_values_get_typed_forms_and_right_extractions_type_alike(
    corpus_samples: list[Sample], corpus_truth: dict[str, TruthRecord], corpus_evaluation: Evaluation
) -> None:
    r = typed_report(corpus_samples, corpus_truth, corpus_evaluation.ruleset, corpus_evaluation.held_out)
    assert set(r.values) == {n for n, s in FIELDS.items() if s.value != "text"}
    for name in r.values:
        assert r.typed[name] >= 0.99 * r.values[name], name
    dated = [n for n in r.right if FIELDS[n].value in ("date", "money")]
    same, right = sum(r.same[n] for n in dated), sum(r.right[n] for n in dated)
    assert right > 1000 and same >= 0.99 * right, {n: (r.same[n], r.right[n]) for n in dated}


def test_every_corpus_message_gives_valid_jsonld(
    corpus_samples: list[Sample], corpus_truth: dict[str, TruthRecord]
) -> None:
    checked = 0
    for s in corpus_samples:
        rec = corpus_truth.get(s.message_id)
        if rec is None:
            continue
        doc = to_jsonld(extraction(rec.fields, [], s.date, s.sender, s.subject, s.message_id))
        for node in doc.graph:
            assert schemaorg_errors(node) == [], (s.name, node)
        checked += 1
    assert checked > 10000
