"""Reading typed values: amounts and dates as mail writes them, in the world's formats.

Currency codes and symbols, month and weekday names come from CLDR (``rules/cldr.json``, written
from babel by ``tools/gen_cldr.py``). Parsers are pure and bounded: a value longer than
:data:`MAX_LEN` is not read, and every pattern is a sequence of bounded, non-nested pieces.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = [
    "CLDR",
    "MAX_LEN",
    "Amount",
    "DateValue",
    "DateRange",
    "TimeOfDay",
    "parse_amount",
    "parse_date",
    "parse_time",
    "is_currency_token",
    "in_context",
    "month_number",
    "calendar_day",
    "CURRENCY_CODES",
]

MAX_LEN = 200
CLDR: dict[str, Any] = json.loads((Path(__file__).parent / "cldr.json").read_text(encoding="utf-8"))
CURRENCY_CODES: frozenset[str] = frozenset(CLDR["currency_codes"])
MONTHS: tuple[tuple[str, ...], ...] = tuple(tuple(m) for m in CLDR["months"])
WEEKDAYS: tuple[tuple[str, ...], ...] = tuple(tuple(d) for d in CLDR["weekdays"])
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MONTH_OF = {name: k for k, names in enumerate(MONTHS, start=1) for name in names}
_WEEKDAY_OF = {name: k for k, names in enumerate(WEEKDAYS) for name in names}


def _spellings(symbol: str) -> list[str]:
    """A symbol as CLDR writes it and, for an abbreviation ending in a dot, without it
    (``ден.``, ``ден``)."""
    s = _SPACES.sub(" ", symbol)
    bare = s.rstrip(".")
    return [s, bare] if len(bare) >= 2 and bare != s else [s]


_SYMBOL_CODES: dict[str, str] = {w: v for k, v in CLDR["symbol_codes"].items() for w in _spellings(k)}
_SYMBOLS = frozenset(w for s in CLDR["currency_symbols"] for w in _spellings(s))
_CUR = "|".join(re.escape(s) for s in sorted(_SYMBOLS | CURRENCY_CODES, key=lambda s: (-len(s), s)))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Amount:
    """A sum of money: its number, the currency code or symbol written with it (if any), and the
    ISO 4217 code that names, when it names one (``€`` is EUR; ``$`` is several)."""

    number: Decimal
    currency: str | None
    code: str | None = None


# a number with thousands groups (1,234.56 / 1.234,56 / 1 234,56 / 1'234.50; Indian 1,23,456.00) or without
_NUM = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,3})?"
    r"|\d{1,3}(?:[ ,.'’]\d{3})+(?:[.,](?:\d{1,3}|[-–]{1,2}))?|\d+(?:[.,](?:\d{1,3}|[-–]{1,2}))?"
)
_AMOUNT = re.compile(
    rf"(?P<open>\()?(?P<s1>[-−+])? ?(?:(?P<c1>{_CUR}) ?)?(?P<s2>[-−+])? ?(?P<num>{_NUM})"
    rf"(?: ?(?P<c2>{_CUR}))?(?: ?(?P<c3>{'|'.join(sorted(CURRENCY_CODES))}))?(?P<close>\))?"
)


def _number(text: str) -> Decimal | None:
    """The value of a written number; the last separator is the decimal mark unless three digits
    follow it and it is the only kind of separator (``1,234`` and ``1.200`` are thousands)."""
    text = re.sub(r"[.,][-–]{1,2}$", "", text)  # "12.–": whole francs
    seps = [c for c in text if not c.isdigit()]
    if not seps:
        return Decimal(text)
    last = max(text.rfind(c) for c in ",.")
    tail = text[last + 1 :] if last >= 0 else ""
    decimal = last >= 0 and (len(set(seps)) > 1 or len(tail) != 3 or text[:last] == "0")
    if decimal and seps.count(text[last]) > 1:
        return None  # "1.234.56": a repeated mark cannot also be the decimal one
    head = text[:last] if decimal else text
    digits = re.sub(r"\D", "", head) + ("." + tail if decimal else "")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def parse_amount(text: str) -> Amount | None:
    """The amount ``text`` writes (``2 815,16 €``, ``CA$240.88``, ``-$10.00``, ``($10.00)``), or
    ``None``; a bare number reads as an amount without currency."""
    t = _clean(text)
    if len(t) > MAX_LEN or not t:
        return None
    m = _AMOUNT.fullmatch(t)
    if m is None or bool(m["open"]) != bool(m["close"]) or (m["s1"] and m["s2"]):
        return None
    if m["c1"] and m["c1"][-1].isalpha() and m["s2"] and t[m.end("c1")] != " ":
        return None  # "ABC-123456" is a reference, not an amount in the currency ABC
    number = _number(m["num"])
    if number is None:
        return None
    if m["open"] or (m["s1"] or m["s2"] or "+") in "-−":
        number = -number
    currency = m["c1"] or m["c2"] or m["c3"]
    code = next((c for c in (m["c1"], m["c2"], m["c3"]) if c in CURRENCY_CODES), None)
    return Amount(number, currency, code or (_SYMBOL_CODES.get(currency) if currency else None))


def is_currency_token(token: str) -> bool:
    """True for a token that is only a currency code or symbol (``EUR``, ``€``, ``zł``, ``kr``)."""
    t = _clean(token)
    return t in CURRENCY_CODES or t in _SYMBOLS


_EDGE_BEFORE = re.compile(rf"(?:^|[\s:(])(?P<c>{_CUR})$")
_EDGE_AFTER = re.compile(rf"^(?P<c>{_CUR})(?:$|[\s.,;:)])")
_BARE = re.compile(r"[-−+]?(?:(?:\d{1,3}(?:[ ,.'’]\d{3})+|\d+)[.,]\d{2}|\d{1,3}(?:[ ,.'’]\d{3})+)")


def in_context(value: str, before: str = "", after: str = "") -> str:
    """``value`` with the currency that the text right before or after it writes, when ``value`` is
    a bare decimal or grouped amount (``$`` | ``179.00``, ``¥`` | ``1,200``; not ``2``); otherwise
    ``value`` itself."""
    if len(value) > MAX_LEN or not _BARE.fullmatch(value.strip()):
        return value
    if m := _EDGE_BEFORE.search(_clean(before)):
        return f"{m['c']} {value.strip()}"
    if m := _EDGE_AFTER.match(_clean(after)):
        return f"{value.strip()} {m['c']}"
    return value


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """A time as written: hours 0-24, minutes, seconds, the zone or offset text if any."""

    hour: int
    minute: int
    second: int | None = None
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class DateValue:
    """A calendar day and/or time as written. ``year`` is ``None`` when the text has none (the
    caller resolves it); ``ambiguous`` when day and month may be read the other way round
    (``04/05/2026``, read day-first here)."""

    year: int | None
    month: int | None
    day: int | None
    time: TimeOfDay | None = None
    ambiguous: bool = False

    def swapped(self) -> DateValue | None:
        """The month-first reading of an ambiguous numeric date."""
        if not self.ambiguous:
            return None
        return DateValue(self.year, self.day, self.month, self.time, False)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Two dates written as one span (``05-Feb-2026 To 12-Feb-2026``)."""

    start: DateValue
    end: DateValue


_WORD = r"[^\W\d_]{2,20}"
_ZONE = r"(?-i:\(?(?:[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?)\)?)|[+-]\d{2}:?\d{2}|z"
_TIME = re.compile(
    rf"(?P<h>\d{{1,2}})(?:(?P<sep>[:h.])(?P<m>\d{{2}})(?::(?P<s>\d{{2}})(?:\.\d{{1,6}})?)?|時(?P<jm>\d{{1,2}})分)"
    rf"(?: ?(?P<ap>[ap]\.? ?m\.?))?(?: ?(?P<uhr>uhr|h))?(?: ?(?P<z>{_ZONE}))?",
    re.IGNORECASE,
)
# the words that join a date to its time: "at", "um", "à", "a las", "alle", "om", "kl.", "klo"
_JOIN = re.compile(
    r"(?:,|\s|[-–|@]|\b(?:at|um|à|a las|a la|às|alle|om|kl\.?|klo|o|de|ab|um ca\.)\b|T)+", re.I
)
_RANGE = re.compile(
    r" ?(?:[-–—~〜～]|\b(?:to|bis|au|al|till|tot|a|ao|do|até)\b|から) ?(?:(?:bis|to)\b ?)?", re.I
)
_DATE_FORMS = (
    # 2026-02-05, 2026/02/05, 2026.02.05
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\.?"),
    # 05.02.2026, 5/2/26, 05-02-2026
    re.compile(r"(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d)"),
    # 2026年2月5日(木), 2026년 2월 5일 (목)
    re.compile(
        r"(?:(?P<y>\d{4})[年년] ?)?(?P<m>\d{1,2})[月월] ?(?P<d>\d{1,2})[日일](?: ?[(（][^)）]{1,3}[)）])?"
    ),
    # Thu, Feb 5th, 2026 / February 5 2026
    re.compile(
        rf"(?:(?P<wd>{_WORD})\.?,? )?(?P<mw>{_WORD})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
        r"(?:,? (?P<y>\d{4}))?",
        re.I,
    ),
    # Donnerstag, 5. Februar 2026 / 5 de febrero de 2026 / 05-Feb-2026 / 5 Feb
    re.compile(
        rf"(?:(?P<wd>{_WORD})\.?,? )?(?P<d>\d{{1,2}})(?:\.|er|º|st|nd|rd|th)?[ -](?:de )?(?P<mw>{_WORD})\.?"
        rf"(?:(?:,? |-| de )(?P<y>\d{{4}}))?",
        re.I,
    ),
    # 05.02. (day and month, German)
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?!\d)"),
)


# one month's span written once: "5–12 Feb 2026", "Feb 5–12, 2026", "5.–12. März 2026"
_SPANS = (
    re.compile(
        rf"(?P<d1>\d{{1,2}})\.? ?[-–] ?(?P<d2>\d{{1,2}})\.? (?:de )?(?P<mw>{_WORD})\.?"
        r"(?:,? (?:de )?(?P<y>\d{4}))?",
        re.I,
    ),
    re.compile(rf"(?P<mw>{_WORD})\.? (?P<d1>\d{{1,2}}) ?[-–] ?(?P<d2>\d{{1,2}})(?:,? (?P<y>\d{{4}}))?", re.I),
)


def _span(text: str) -> DateRange | None:
    for form in _SPANS:
        m = form.fullmatch(text)
        if m is None or (month := month_number(m["mw"])) is None:
            continue
        d1, d2, year = int(m["d1"]), int(m["d2"]), _year(m["y"])
        if 1 <= d1 < d2 <= 31:
            return DateRange(DateValue(year, month, d1), DateValue(year, month, d2))
    return None


def month_number(word: str) -> int | None:
    """The month a CLDR month name or abbreviation names (``Feb``, ``févr.``, ``lutego``)."""
    return _MONTH_OF.get(word.lower().rstrip("."))


def _valid_day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def calendar_day(v: DateValue, ref: date | None) -> date | None:
    """The calendar day ``v`` names (``None`` for a time alone or an impossible day); written
    without its year, it takes the year that puts it nearest ``ref`` (none without ``ref``)."""
    if v.month is None or v.day is None:
        return None
    if v.year is not None:
        return _valid_day(v.year, v.month, v.day)
    if ref is None:
        return None
    options = [x for y in (ref.year - 1, ref.year, ref.year + 1) if (x := _valid_day(y, v.month, v.day))]
    return min(options, key=lambda x: abs((x - ref).days), default=None)


def _year(y: str | None) -> int | None:
    if y is None:
        return None
    return int(y) + 2000 if len(y) == 2 else int(y)


def _day_at(text: str) -> tuple[DateValue, int] | None:
    """The date that ``text`` starts with and where it ends."""
    for form in _DATE_FORMS:
        m = form.match(text)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("wd") and g["wd"].lower() not in _WEEKDAY_OF:
            continue
        if g.get("mw") is not None:
            month = month_number(g["mw"])
            if month is None:
                continue
        else:
            month = int(g["m"])
        day, year = int(g["d"]), _year(g.get("y"))
        ambiguous = False
        if form is _DATE_FORMS[1] and g["sep"] != ".":
            if day <= 12 < month:  # 12/25/2026: month-first
                day, month = month, day
            ambiguous = day <= 12 and month <= 12 and day != month
        if not (1 <= month <= 12 and 1 <= day <= 31) or (year is not None and not 1900 <= year <= 2200):
            continue
        return DateValue(year, month, day, ambiguous=ambiguous), m.end()
    return None


_MORE_DIGITS = re.compile(r"[.:]?\d")


def _time_at(text: str) -> tuple[TimeOfDay, int] | None:
    m = _TIME.match(text)
    if m is None or (m["sep"] == "." and not (m["ap"] or m["uhr"])) or _MORE_DIGITS.match(text, m.end()):
        return None  # "12.30" alone reads as a number; "09.03.2026" is a date
    minute = int(m["m"] if m["m"] is not None else m["jm"])
    hour = int(m["h"])
    if m["ap"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ap"].lower().startswith("p") else 0)
    second = int(m["s"]) if m["s"] else None
    if hour > 24 or minute > 59 or (second is not None and second > 60):
        return None
    return TimeOfDay(hour, minute, second, m["z"]), m.end()


def parse_time(text: str) -> TimeOfDay | None:
    """A time alone (``12:44:00``, ``2:45 pm``, ``14h30``, ``9時30分``); ``12.30`` only with a marker
    (``12.30 Uhr``, ``12.30 pm``), as it also reads as a number."""
    t = _clean(text)
    if len(t) > MAX_LEN:
        return None
    got = _time_at(t)
    return got[0] if got and got[1] == len(t) else None


_LATE_YEAR = re.compile(r",? ((?:19|20|21)\d{2})(?!\d)")


def _moment_at(text: str) -> tuple[DateValue, int] | None:
    """A date that ``text`` starts with, and its time if one follows."""
    got = _day_at(text)
    if got is None:
        return None
    day, end = got
    join = _JOIN.match(text, end)
    start = join.end() if join else end
    if (t := _time_at(text[start:])) is not None and (start > end or not text[end:start]):
        time, length = t
        year, stop = day.year, start + length
        if year is None and (late := _LATE_YEAR.match(text, stop)):  # "Fri Feb 13 23:39:14 UTC 2026"
            year, stop = int(late[1]), late.end()
        return DateValue(year, day.month, day.day, time, day.ambiguous), stop
    return day, end


def parse_date(text: str) -> DateValue | DateRange | None:
    """The date, date with time, time alone or date range ``text`` writes, or ``None``.

    A date without its year keeps ``year=None``; a range whose first date lacks the year takes
    the second's."""
    t = _clean(text)
    if len(t) > MAX_LEN or not t:
        return None
    if (time := parse_time(t)) is not None:
        return DateValue(None, None, None, time)
    return _dates(t) or _span(t)


def _dates(t: str) -> DateValue | DateRange | None:
    """A date (with its time) filling ``t``, or two joined as a range."""
    first = _moment_at(t)
    if first is None:
        return None
    start, end = first
    if end == len(t):
        return start
    sep = _RANGE.match(t, end)
    if sep is None:
        return None
    second = _moment_at(t[sep.end() :])
    if second is None or sep.end() + second[1] != len(t):
        return None
    stop = second[0]
    if start.year is None and stop.year is not None:
        start = DateValue(stop.year, start.month, start.day, start.time, start.ambiguous)
    return DateRange(start, stop)
