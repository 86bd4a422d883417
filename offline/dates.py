"""Calendar dates in the many ways mail writes them, read relative to the message's own Date.

A slot's dates tell its role by when they fall: a sign-in happened when the mail was sent, an
order was placed on that day or before, a delivery, a due date or the end of a trial lie ahead.
Dates are read by :func:`mailstencil.rules.values.parse_date`; only the day counts (times are dropped), a
range counts by its start; a date written without its year takes the year that puts it nearest
the message; a numeric date that reads both day-first and month-first is kept only when both
readings fall in the same period.
"""

from __future__ import annotations

from datetime import date, timedelta

from mailstencil.rules.values import DateRange, calendar_day, parse_date

__all__ = ["period", "periods", "PERIODS"]

# periods relative to the message's day: before it, that day (one day either side for time
# zones), within the next weeks, later
PERIODS = ("past", "now", "soon", "later")
_SOON_DAYS = 45


def _readings(value: str, ref: date) -> list[date]:
    """Every calendar day ``value`` can be read as (none when it holds no date)."""
    got = parse_date(value)
    if got is None:
        return []
    first = got.start if isinstance(got, DateRange) else got
    options = [first] + ([swapped] if (swapped := first.swapped()) is not None else [])
    return [x for v in options if (x := calendar_day(v, ref)) is not None]


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
