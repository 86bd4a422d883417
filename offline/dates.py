"""Calendar dates in the many ways mail writes them, read relative to the message's own Date.

A slot's dates tell its role by when they fall: a sign-in happened when the mail was sent, an
order was placed on that day or before, a delivery, a due date or the end of a trial lie ahead.
Only the day is read (times are dropped); a date written without its year takes the year that
puts it nearest the message; a numeric date that reads both day-first and month-first is kept
only when both readings fall in the same period.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from rules.dictionaries import MONTH_NAMES

__all__ = ["period", "periods", "PERIODS"]

_TIME = re.compile(r"\d{1,2}(?::\d{2}){1,2}|\d{1,2}h\d{2}", re.IGNORECASE)
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_JA = re.compile(r"(?:(\d{4})年\s*)?(\d{1,2})月\s*(\d{1,2})日")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\d)")
_WORD = re.compile(r"[^\W\d_]+")
_DAY = re.compile(r"(?<![\d.,])(\d{1,2})(?:st|nd|rd|th|er|º)?(?![\d,.:]\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

# periods relative to the message's day: before it, that day (one day either side for time
# zones), within the next weeks, later
PERIODS = ("past", "now", "soon", "later")
_SOON_DAYS = 45


def _month(word: str) -> int | None:
    """The month a word names: a prefix of at least three letters of a month's name ("Aug",
    "Sept.", "déc", "Okt")."""
    w = word.lower()
    if len(w) < 3:
        return None
    for k, names in enumerate(MONTH_NAMES, start=1):
        if any(n.startswith(w) for n in names):
            return k
    return None


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _nearest(m: int, d: int, ref: date) -> date | None:
    """The date ``m``/``d`` in the year that puts it nearest ``ref``."""
    options = [x for y in (ref.year - 1, ref.year, ref.year + 1) if (x := _day(y, m, d)) is not None]
    return min(options, key=lambda x: abs((x - ref).days), default=None)


def _year(y: str) -> int:
    return int(y) + 2000 if len(y) == 2 else int(y)


def _readings(value: str, ref: date) -> list[date]:
    """Every calendar day ``value`` can be read as (none when it holds no date)."""
    text = _TIME.sub(" ", value)
    if m := _ISO.search(text):
        return [x] if (x := _day(int(m[1]), int(m[2]), int(m[3]))) else []
    if m := _JA.search(text):
        x = _day(int(m[1]), int(m[2]), int(m[3])) if m[1] else _nearest(int(m[2]), int(m[3]), ref)
        return [x] if x else []
    if m := _NUMERIC.search(text):
        a, b, y = int(m[1]), int(m[3]), _year(m[4])
        orders = [(b, a)] if m[2] == "." else [(b, a), (a, b)]  # (month, day): day-first, month-first
        return [x for mo, d in orders if (x := _day(y, mo, d)) is not None]
    if m := _DAY_MONTH.search(text):
        return [x] if (x := _nearest(int(m[2]), int(m[1]), ref)) else []
    months = [k for w in _WORD.findall(text) if (k := _month(w)) is not None]
    if not months:
        return []
    year = _YEAR.search(text)
    rest = _YEAR.sub(" ", text)
    day = _DAY.search(rest)
    if day is None:
        return []
    if year is None:
        return [x] if (x := _nearest(months[-1], int(day[1]), ref)) else []
    return [x] if (x := _day(int(year[1]), months[-1], int(day[1]))) else []


def period(value: str, ref: date) -> str | None:
    """When ``value`` falls relative to the day ``ref``: one of :data:`PERIODS`, or ``None`` when it
    is no date or its readings disagree."""
    found = {_period_of(x - ref) for x in _readings(value, ref)}
    return found.pop() if len(found) == 1 else None


def _period_of(delta: timedelta) -> str:
    days = delta.days
    if days < -1:
        return "past"
    if days <= 1:
        return "now"
    return "soon" if days <= _SOON_DAYS else "later"


def periods(values: list[list[str]], refs: list[date]) -> list[str]:
    """The periods of a slot's values (``values``: per message, ``refs``: each message's day),
    those that read as a date."""
    found = (period(v, ref) for row, ref in zip(values, refs, strict=True) for v in row)
    return [p for p in found if p is not None]
