"""Quality floors, measured the way production runs: learn on older mail, extract the newest.

The floors live in ``quality_floors.json`` and work as a ratchet: each must hold, and none may lie
more than its ``slack`` below what is measured, so a step that lifts a figure must raise its floor."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FLOORS, pooled

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.evaluate import Evaluation, evaluate
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.samplegen import generate
from mailstencil.offline.truth import TruthRecord, load_truth


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


def test_corpus_clustering_per_source(corpus_evaluation: Evaluation) -> None:
    """Every source has a V-measure floor, and each holds (a ratchet like the others)."""
    floors = FLOORS["v_measure_sources"]
    assert set(floors) == set(corpus_evaluation.clustering_by_source), "every source needs a floor"
    problems: list[str] = []
    for source, floor in sorted(floors.items()):
        v = corpus_evaluation.clustering_by_source[source].v_measure
        problems += _check(f"{source} V-measure", v, floor)
    assert not problems, "; ".join(problems)


# what a new user's demo must show (issue 17): the sample corpus's floors never go below these
SAMPLE_MINIMUM = {
    "precision": 0.97,
    "recall": 0.90,
    "item_name": 0.95,
    "item_quantity": 0.95,
    "item_price": 0.95,
}


def _sample_problems(samples: list[Sample], truth: dict[str, TruthRecord]) -> list[str]:
    """The sample corpus floors that fail on one generated corpus, or that lie too far below it."""
    spec = FLOORS["sample corpus"]
    ev = evaluate(samples, truth, load_default_model(), holdout=0.3)
    p, r, _ = ev.overall.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)
    problems = _check("sample precision", p, spec["precision"]) + _check("sample recall", r, spec["recall"])
    for name, floor in spec["line_item_f1"].items():
        c = ev.by_field.by[name]
        problems += _check(f"sample {name} F1", ev.overall.prf(c["tp"], c["fp"], c["fn"])[2], floor)
    return problems


def test_sample_corpus_floors_keep_the_demo_minimum() -> None:
    spec = FLOORS["sample corpus"]
    floors = {"precision": spec["precision"], "recall": spec["recall"], **spec["line_item_f1"]}
    assert all(floors[k] >= v for k, v in SAMPLE_MINIMUM.items()), f"floors {floors} under {SAMPLE_MINIMUM}"


def test_sample_corpus_quality(sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]) -> None:
    """Our own corpus (other layouts, languages and verticals, what the demo learns) is understood
    too, its line items above all; the same ratchet as the corpus floors."""
    problems = _sample_problems(sample_samples, sample_truth)
    assert not problems, "; ".join(problems)


def test_demo_corpus_quality(tmp_path: Path) -> None:
    """The very corpus the demo learns (``mailstencil sample``'s defaults) holds the same floors."""
    root = generate(tmp_path)
    samples = [s for name, raw in iter_raw_messages([root]) if (s := prepare(name, raw)) is not None]
    problems = _sample_problems(samples, load_truth(sorted(root.glob("*/truth.jsonl"))))
    assert not problems, "; ".join(problems)
