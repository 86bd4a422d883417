"""Plain-text mail: the text parts alone, cut into lines and ``label: value`` leaves, are learned
and extracted by the same machinery as HTML."""

from __future__ import annotations

import json
from pathlib import Path

from offline.corpus import iter_raw_messages
from offline.evaluate import Evaluation, evaluate
from offline.roles import load_default_model
from offline.sample import prepare
from offline.truth import Score, TruthRecord
from rules.dom import text_leaves

FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())


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


def _recall(ev: Evaluation, sources: set[str]) -> float:
    counts = [ev.by_source.by[s] for s in sources]
    return Score.prf(*(sum(c[k] for c in counts) for k in ("tp", "fp", "fn")))[1]


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
        share = _recall(ev, sources) / _recall(corpus_evaluation, sources)
        if not spec["text_share"] <= share <= spec["text_share"] + FLOORS["slack"]:
            problems.append(f"{group}: text recall {share:.3f} of HTML's, floor {spec['text_share']:.2f}")
    assert not problems, "; ".join(problems)
