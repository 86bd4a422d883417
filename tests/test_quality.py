"""Quality floors, measured the way production runs: learn on older mail, extract the newest."""

from __future__ import annotations

from offline.evaluate import Evaluation, evaluate
from offline.roles import load_default_model
from offline.sample import Sample
from offline.truth import TruthRecord


def test_corpus_quality_floor(corpus_evaluation: Evaluation) -> None:
    """The in-source targets: P >= 0.97 / R >= 0.90 overall, clusters V-measure >= 0.98."""
    ev = corpus_evaluation
    p, r, _ = ev.overall.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)
    assert p >= 0.97, f"precision {p:.3f}"
    assert r >= 0.90, f"recall {r:.3f}"
    assert ev.v_measure >= 0.98, f"V-measure {ev.v_measure:.3f}"


def test_corpus_line_items(corpus_evaluation: Evaluation) -> None:
    """Repeated rows come out as one value per row, in order: strict F1 >= 0.90 per item field."""
    for name in ("item_name", "item_quantity", "item_price"):
        c = corpus_evaluation.by_field.by[name]
        _, _, f = corpus_evaluation.overall.prf(c["tp"], c["fp"], c["fn"])
        assert f >= 0.90, f"{name}: F1 {f:.3f}"


def test_corpus_every_source_extracts(corpus_evaluation: Evaluation) -> None:
    for source, c in corpus_evaluation.by_source.by.items():
        p, r, _ = corpus_evaluation.overall.prf(c["tp"], c["fp"], c["fn"])
        assert p >= 0.85 and r >= 0.4, f"{source}: P {p:.3f} R {r:.3f}"


def test_sample_corpus_quality(sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]) -> None:
    """Our own corpus (other layouts, languages and verticals) is understood too."""
    ev = evaluate(sample_samples, sample_truth, load_default_model(), holdout=0.3)
    p, r, _ = ev.overall.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)
    assert p >= 0.80, f"precision {p:.3f}"
    assert r >= 0.50, f"recall {r:.3f}"
