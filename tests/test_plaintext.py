"""Plain-text mail: the text parts alone, cut into lines and ``label: value`` leaves, are learned
and extracted by the same machinery as HTML."""

from __future__ import annotations

from pathlib import Path

from offline.corpus import iter_raw_messages
from offline.evaluate import Evaluation, evaluate
from offline.roles import load_default_model
from offline.sample import prepare
from offline.truth import Score, TruthRecord
from rules.dom import text_leaves


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
    text = [s for s in (prepare(n, r, text_only=True) for n, r in iter_raw_messages([corpus_dir])) if s]
    ev = evaluate(text, corpus_truth, load_default_model(), holdout=0.3)
    sources = set(ev.by_source.by)  # the sources whose mail has a text part
    html = [corpus_evaluation.by_source.by[s] for s in sources]
    tp, fp, fn = (sum(c[k] for c in html) for k in ("tp", "fp", "fn"))
    html_recall = Score.prf(tp, fp, fn)[1]
    text_recall = Score.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)[1]
    assert text_recall >= 0.7 * html_recall, f"text {text_recall:.3f} vs HTML {html_recall:.3f}"
