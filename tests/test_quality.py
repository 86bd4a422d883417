"""Quality floors, measured the way production runs: learn on older mail, extract the newest.

The floors live in ``quality_floors.json`` and work as a ratchet: each must hold, and none may lie
more than its ``slack`` below what is measured, so a step that lifts a figure must raise its floor."""

from __future__ import annotations

import pytest
from helpers import FLOORS, pooled

from offline.evaluate import Evaluation, evaluate
from offline.roles import load_default_model
from offline.sample import Sample
from offline.truth import TruthRecord


def _check(what: str, measured: float, floor: float) -> list[str]:
    """A floor that fails, or one left too far below the measurement (raise it: the ratchet)."""
    if measured < floor:
        return [f"{what}: {measured:.3f} below its floor {floor:.2f}"]
    if measured - floor > FLOORS["slack"]:
        return [f"{what}: {measured:.3f}, floor {floor:.2f} is stale: raise it"]
    return []


@pytest.mark.parametrize("group", sorted(FLOORS["groups"]))
def test_corpus_group_floors(corpus_evaluation: Evaluation, group: str) -> None:
    """Pooled precision, recall and line-item F1 of a group of sources."""
    spec = FLOORS["groups"][group]
    sources = set(spec["sources"])
    assert sources <= set(corpus_evaluation.by_source.by), "a floor names a source the corpus lacks"
    p, r, _ = pooled(corpus_evaluation, sources)
    problems = _check(f"{group} precision", p, spec["precision"])
    problems += _check(f"{group} recall", r, spec["recall"])
    for name, floor in spec["line_item_f1"].items():
        problems += _check(f"{group} {name} F1", pooled(corpus_evaluation, sources, {name})[2], floor)
    assert not problems, "; ".join(problems)


def test_corpus_source_floors(corpus_evaluation: Evaluation) -> None:
    """Every source of the corpus has floors, and each holds."""
    assert set(FLOORS["sources"]) == set(corpus_evaluation.by_source.by), "every source needs floors"
    problems: list[str] = []
    for source, spec in sorted(FLOORS["sources"].items()):
        p, r, _ = pooled(corpus_evaluation, {source})
        problems += _check(f"{source} precision", p, spec["precision"])
        problems += _check(f"{source} recall", r, spec["recall"])
    assert not problems, "; ".join(problems)


def test_corpus_clustering(corpus_evaluation: Evaluation) -> None:
    assert corpus_evaluation.v_measure >= FLOORS["v_measure"], f"V-measure {corpus_evaluation.v_measure:.3f}"


def test_sample_corpus_quality(sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]) -> None:
    """Our own corpus (other layouts, languages and verticals, what the demo learns) is understood
    too, its line items above all; the same ratchet as the corpus floors."""
    spec = FLOORS["sample corpus"]
    ev = evaluate(sample_samples, sample_truth, load_default_model(), holdout=0.3)
    p, r, _ = ev.overall.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)
    problems = _check("sample precision", p, spec["precision"]) + _check("sample recall", r, spec["recall"])
    for name, floor in spec["line_item_f1"].items():
        c = ev.by_field.by[name]
        problems += _check(f"sample {name} F1", ev.overall.prf(c["tp"], c["fp"], c["fn"])[2], floor)
    assert not problems, "; ".join(problems)
