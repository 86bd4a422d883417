"""Plain-text mail: the text parts alone, cut into lines and ``label: value`` leaves, are learned
and extracted by the same machinery as HTML."""

from __future__ import annotations

from pathlib import Path

from helpers import FLOORS, pooled

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.evaluate import Evaluation, evaluate
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import prepare
from mailstencil.offline.truth import TruthRecord
from mailstencil.rules.dom import text_leaves


def test_text_leaves_split_label_and_value() -> None:
    leaves = text_leaves("Hello Ana,\n\nOrder number: 4417\nTotal:   12,50 €\nhttps://x.example/a:b\n")
    assert [(x.ipath, x.text) for x in leaves] == [
        ("line", "Hello Ana,"),
        ("line/label", "Order number"),
        ("line/value", "4417"),
        ("line/label", "Total"),
        ("line/value", "12,50 €"),
        ("line", "https://x.example/a:b"),
    ]


def test_text_parts_reach_most_of_html_recall(
    corpus_dir: Path, corpus_truth: dict[str, TruthRecord], corpus_evaluation: Evaluation
) -> None:
    """Per group of sources (tests/quality_floors.json), the text parts' recall is at least a
    floor share of the HTML recall on the same sources (those whose mail has a text part)."""
    text = [s for s in (prepare(n, r, text_only=True) for n, r in iter_raw_messages([corpus_dir])) if s]
    ev = evaluate(text, corpus_truth, load_default_model(), holdout=0.3)
    problems = []
    for group, spec in sorted(FLOORS["groups"].items()):
        sources = set(spec["sources"]) & set(ev.by_source.by)
        share = pooled(ev, sources)[1] / pooled(corpus_evaluation, sources)[1]
        if not spec["text_share"] <= share <= spec["text_share"] + FLOORS["slack"]:
            problems.append(f"{group}: text recall {share:.3f} of HTML's, floor {spec['text_share']:.2f}")
    assert not problems, "; ".join(problems)
