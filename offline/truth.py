"""Ground truth files (``truth.jsonl``) and strict scoring of extractions against them.

An amount compares by its number: the currency symbol or code and the sign around it do not count
(sources differ on whether the symbol, often in its own element, belongs to the value)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from rules.text import normalize_value
from rules.values import parse_amount

__all__ = ["TruthRecord", "load_truth", "Score", "score_message"]


class TruthRecord(BaseModel):
    """One line of a ``truth.jsonl`` file."""

    file: str = ""
    message_id: str
    source: str = ""
    template: str = ""
    sender: str = ""
    fields: dict[str, list[str]] = {}


def load_truth(paths: Iterable[str | Path]) -> dict[str, TruthRecord]:
    """Truth records by Message-ID from one or more ``truth.jsonl`` files."""
    out: dict[str, TruthRecord] = {}
    for p in paths:
        with Path(p).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = TruthRecord.model_validate_json(line)
                    out[rec.message_id] = rec
    return out


@dataclass(slots=True)
class Score:
    """True positives, false positives and false negatives, overall and per key."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    by: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, key: str, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn
        c = self.by.setdefault(key, Counter())
        c["tp"] += tp
        c["fp"] += fp
        c["fn"] += fn

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def score_message(
    truth: dict[str, list[str]], predicted: dict[str, list[str]], line_items: frozenset[str]
) -> dict[str, tuple[int, int, int]]:
    """Per-field (tp, fp, fn): single fields as sets, line-item fields as multisets."""
    out: dict[str, tuple[int, int, int]] = {}
    for name in set(truth) | set(predicted):
        t = [_compared(v) for v in truth.get(name, [])]
        p = [_compared(v) for v in predicted.get(name, [])]
        if name in line_items:
            tc, pc = Counter(t), Counter(p)
        else:
            tc, pc = Counter(set(t)), Counter(set(p))
        tp = sum((tc & pc).values())
        out[name] = (tp, sum(pc.values()) - tp, sum(tc.values()) - tp)
    return out


_SEPARATED = frozenset(".,")


def _compared(value: str) -> str:
    """The form a value is scored in: an amount with a currency or a decimal or group mark is its
    absolute number (``£12.50``, ``12.50``, ``-12,50 €`` are one); anything else its text."""
    text = normalize_value(value)
    amount = parse_amount(text)
    if amount is None or not (amount.currency or _SEPARATED.intersection(text)):
        return text
    return f"amount:{abs(amount.number).normalize():f}"
