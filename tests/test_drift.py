"""Template drift: a known sender ships a modified layout; extraction falls back to its most
similar cluster and keeps most of what it found, marked as fallback."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mailstencil.offline.evaluate import Evaluation
from mailstencil.offline.truth import Score, TruthRecord, score_message
from mailstencil.rules.apply import Extractor
from mailstencil.rules.dom import message_leaves
from mailstencil.rules.message import parse_message
from mailstencil.rules.vocabulary import LINE_ITEM_FIELDS

_BODY = re.compile(r"(<body[^>]*>)(.*)(</body>)", re.S | re.I)


def add_block(html: str) -> str:
    """A new promotional block at the top of the body."""
    return _BODY.sub(
        r'\1<div class="promo"><p>New this season: our winter range</p></div>\2\3', html, count=1
    )


def rename_classes(html: str) -> str:
    """Every CSS class renamed, as a redesign would."""
    return re.sub(
        r'class="([^"]*)"', lambda m: 'class="' + " ".join(c + "-v2" for c in m.group(1).split()) + '"', html
    )


def wrap_body(html: str) -> str:
    """One wrapper div around everything in the body."""
    return _BODY.sub(r'\1<div class="wrapper">\2</div>\3', html, count=1)


def _score(
    extractor: Extractor,
    evaluation: Evaluation,
    truth: dict[str, TruthRecord],
    change: Callable[[str], str] | None,
) -> tuple[Score, int]:
    score, fallbacks = Score(), 0
    for s in evaluation.held_out:
        msg = parse_message(Path(s.name).read_bytes())
        if not msg.html:
            continue
        html = change(msg.html) if change else msg.html
        got = extractor.extract_leaves(msg, message_leaves(msg.subject, html, msg.text))
        fallbacks += got.fallback
        for _, (tp, fp, fn) in score_message(
            truth[s.message_id].fields, got.fields, LINE_ITEM_FIELDS
        ).items():
            score.add("all", tp, fp, fn)
    return score, fallbacks


@pytest.mark.parametrize("change", [add_block, rename_classes, wrap_body], ids=lambda f: f.__name__)
def test_drift_keeps_most_of_the_recall(
    change: Callable[[str], str], corpus_evaluation: Evaluation, corpus_truth: dict[str, TruthRecord]
) -> None:
    assert corpus_evaluation.ruleset is not None
    extractor = Extractor(corpus_evaluation.ruleset)
    base, _ = _score(extractor, corpus_evaluation, corpus_truth, None)
    drifted, fallbacks = _score(extractor, corpus_evaluation, corpus_truth, change)
    base_r = Score.prf(base.tp, base.fp, base.fn)[1]
    p, r, _ = Score.prf(drifted.tp, drifted.fp, drifted.fn)
    assert r >= 0.8 * base_r, f"recall {r:.3f} vs {base_r:.3f} unmodified"
    assert p >= 0.95, f"precision {p:.3f}"
    if change is not add_block:  # a block added keeps the structure close enough for the normal path
        assert fallbacks > 0
