"""Score a learned rule set on held-out samples (the strict scoring of ``offline.evaluate``).

``offline.evaluate.evaluate`` learns its own rule set; this scores one that was learned some other
way (an engine, an incremental batch of nights), so the two can be compared.
"""

from __future__ import annotations

from rules.apply import Extractor
from rules.message import ParsedMessage
from rules.model import RuleSet
from rules.vocabulary import LINE_ITEM_FIELDS

from .sample import Sample
from .truth import Score, TruthRecord, score_message

__all__ = ["score_ruleset", "f1"]


def score_ruleset(ruleset: RuleSet, test: list[Sample], truth: dict[str, TruthRecord]) -> Score:
    """Field-level scores of extracting ``test`` with ``ruleset``: totals overall, ``by`` source."""
    extractor = Extractor(ruleset)
    score = Score()
    for s in test:
        rec = truth.get(s.message_id)
        if rec is None:
            continue
        msg = ParsedMessage(s.sender, s.subject, s.message_id, s.date, [s.recipient])
        got = extractor.extract_leaves(msg, s.leaves)
        for _name, (tp, fp, fn) in score_message(rec.fields, got.fields, LINE_ITEM_FIELDS).items():
            score.add(rec.source, tp, fp, fn)
    return score


def f1(score: Score) -> float:
    """Overall F1 of a score."""
    return Score.prf(score.tp, score.fp, score.fn)[2]
