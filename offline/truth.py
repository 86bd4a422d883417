"""Ground truth files (``truth.jsonl``) and strict scoring of extractions against them.

Values compare after entity decoding and white-space collapsing; an amount (a ``money`` field of
``rules/fields.json``) compares by its number, because sources differ on whether the currency
symbol or code next to it belongs to the value (``$`` | ``179.00`` in two elements): a currency
symbol or code and a sign around the number do not count, any other text does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from mailstencil.rules.text import normalize_value
from mailstencil.rules.values import parse_amount
from mailstencil.rules.vocabulary import MONEY_FIELDS

__all__ = ["TruthRecord", "load_truth", "Score", "amount_key", "value_key", "score_message"]


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


def amount_key(text: str) -> str | None:
    """The number an amount's text states, as a canonical decimal string (``CA$1,240.50``,
    ``1.240,50 €``, ``-1 240,50 CHF`` -> ``1240.5``), read by the shared typing module
    (:func:`mailstencil.rules.values.parse_amount`); ``None`` when the text is not one amount."""
    amount = parse_amount(normalize_value(text))
    return None if amount is None else format(abs(amount.number).normalize(), "f")


def value_key(name: str, value: str, amounts: frozenset[str] = MONEY_FIELDS) -> str:
    """The form a value of field ``name`` compares in: an amount's number when the field is one of
    ``amounts`` and the text reads as one, else the text with white space collapsed."""
    key = amount_key(value) if name in amounts else None
    return key if key is not None else normalize_value(value)


def score_message(
    truth: dict[str, list[str]],
    predicted: dict[str, list[str]],
    line_items: frozenset[str],
    amounts: frozenset[str] = MONEY_FIELDS,
) -> dict[str, tuple[int, int, int]]:
    """Per-field (tp, fp, fn): single fields as sets, line-item fields as multisets, amounts by
    their number (:func:`value_key`)."""
    out: dict[str, tuple[int, int, int]] = {}
    for name in set(truth) | set(predicted):
        t = [value_key(name, v, amounts) for v in truth.get(name, [])]
        p = [value_key(name, v, amounts) for v in predicted.get(name, [])]
        if name in line_items:
            tc, pc = Counter(t), Counter(p)
        else:
            tc, pc = Counter(set(t)), Counter(set(p))
        tp = sum((tc & pc).values())
        out[name] = (tp, sum(pc.values()) - tp, sum(tc.values()) - tp)
    return out
