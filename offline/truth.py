"""Ground truth files (``truth.jsonl``) and strict scoring of extractions against them.

Values compare after entity decoding and white-space collapsing; an amount (a ``money`` field of
``rules/fields.json``) compares by its number, because sources differ on whether the currency
symbol or code next to it belongs to the value (``$`` | ``179.00`` in two elements): a currency
symbol or code and a sign around the number do not count, any other text does.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from rules.text import normalize_value
from rules.vocabulary import MONEY_FIELDS

__all__ = ["TruthRecord", "load_truth", "Score", "amount_key", "value_key", "score_message"]

# currency words written next to an amount that are neither a symbol (Unicode category Sc) nor a
# three-letter code: Nordic krona/krone, Swiss franc, złoty, yen/yuan, Balkan and Cyrillic
# abbreviations, Czech, Hungarian, Romanian, Malaysian, Indonesian, Indian, Turkish, Gulf and
# Maghreb currencies in their usual short forms
CURRENCY_WORDS = frozenset(
    {"kr", "kr.", "Kr.", "Fr.", "fr.", "Fr", "zł", "円", "元", "圓", "원", "ден", "ден.", "дин.", "лв", "лв."}
    | {"руб", "руб.", "р.", "Kč", "Ft", "lei", "RM", "Rp", "Rs", "Rs.", "TL", "DH"}
    | {"د.إ", "ر.س", "ج.م", "د.م.", "ر.ق"}
)
_NUMBER = re.compile(r"[0-9]+(?:[.,' ’][0-9]+)*")
_GROUP = re.compile(r"[ '’]")
_CODE = re.compile(r"[A-Z]{3}")
_PREFIX = re.compile(r"[A-Z]{0,3}")  # glued to a symbol: CA$, A$, HK$, R$, US$
_SIGNS = "+-−–()"  # signs and an accounting negative's parentheses


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


def _is_currency(word: str) -> bool:
    """Whether one white-space separated word is a currency symbol, code or abbreviation."""
    word = word.strip(_SIGNS)
    core = "".join(c for c in word if unicodedata.category(c) != "Sc")
    if core != word:
        return _PREFIX.fullmatch(core) is not None
    return not word or word in CURRENCY_WORDS or _CODE.fullmatch(word) is not None


def _canonical(number: str) -> str | None:
    """One number's digits with its separators read: the last of ``.``/``,`` is the decimal mark
    when both occur; one kind alone groups thousands when it repeats or when exactly three digits
    follow a short first group (``1,234``, ``1.234``), and is the decimal mark otherwise;
    spaces and apostrophes group thousands. ``None`` for a space group that is not three digits."""
    head, *groups = _GROUP.split(number)
    if any(len(g.split(".")[0].split(",")[0]) != 3 for g in groups):
        return None
    digits = head + "".join(groups)
    marks = [c for c in digits if c in ".,"]
    whole, frac = digits, ""
    if marks:
        last = marks[-1]
        whole_part, _, tail = digits.rpartition(last)
        grouping = len(marks) > 1 or (len(tail) == 3 and len(whole_part) <= 3 and whole_part != "0")
        if len(set(marks)) == 2:
            if marks.count(last) > 1:
                return None
            whole, frac = whole_part, tail
        elif not grouping:
            whole, frac = whole_part, tail
    whole = whole.replace(",", "").replace(".", "")
    return format(Decimal(f"{whole}.{frac or 0}").normalize(), "f")


def amount_key(text: str) -> str | None:
    """The number an amount's text states, as a canonical decimal string (``CA$1,240.50``,
    ``1.240,50 €``, ``-1 240,50 CHF`` -> ``1240.5``); ``None`` when the text is not one number
    with only currency symbols, codes, abbreviations, signs and parentheses around it."""
    text = normalize_value(text)
    numbers = list(_NUMBER.finditer(text))
    if len(numbers) != 1:
        return None
    m = numbers[0]
    around = (text[: m.start()] + " " + text[m.end() :]).split()
    if not all(_is_currency(w) for w in around):
        return None
    return _canonical(m.group())


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
