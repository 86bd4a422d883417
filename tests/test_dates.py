"""Dates read relative to the message's day, in the ways mail writes them."""

from __future__ import annotations

from datetime import date

import pytest

from mailstencil.offline.dates import period, periods

_REF = date(2026, 8, 10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Monday, August 10, 2026 at 08:13:04 PM +0000", "now"),  # a sign-in: the mail's own day
        ("2026-08-11 07:02 UTC", "now"),  # one day either side: time zones
        ("29 August 2026", "soon"),
        ("17.08.2026", "soon"),  # day-first with dots
        ("19/08/2026 17:17 UTC", "soon"),  # 19 is no month: day-first
        ("08/19/2026", "soon"),  # 19 is no month: month-first
        ("2026年8月3日", "past"),
        ("8月12日（水）", "soon"),  # no year: the one nearest the message
        ("Jul 30, 2026, 4:15 PM", "past"),
        ("1er septembre 2026", "soon"),
        ("10 de agosto de 2026", "now"),
        ("Di, 12. Aug.", "soon"),
        ("3 December 2026", "later"),
        ("12. Oktober", "later"),
    ],
)
def test_a_date_is_placed_relative_to_the_message_day(value: str, expected: str) -> None:
    assert period(value, _REF) == expected


@pytest.mark.parametrize("value", ["Order #1043", "€12.50", "10:41", "Mar", "Total due"])
def test_what_is_no_date_has_no_period(value: str) -> None:
    assert period(value, _REF) is None


def test_a_numeric_date_read_two_ways_counts_only_when_both_agree() -> None:
    # 08/01: the 8th of January or the 1st of August; both before the 10th of August
    assert period("08/01/2026", _REF) == "past"
    # 09/08: the 9th of August (the day before) or the 8th of September (weeks ahead)
    assert period("09/08/2026", _REF) is None


def test_a_slot_s_periods_use_each_message_s_own_day() -> None:
    values = [["Aug 12, 2026"], [], ["Sep 20, 2026", "not a date"]]
    refs = [date(2026, 8, 12), date(2026, 8, 20), date(2026, 9, 1)]
    assert periods(values, refs) == ["now", "soon"]
