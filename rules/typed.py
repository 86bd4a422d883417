"""Typed forms of extracted values: what a program can compute with, beside the text the mail shows.

A field's ``value`` kind in ``rules/fields.json`` says how its text is read: dates and times become
ISO 8601 (a missing year is the one nearest the message's Date; a time without a zone takes the
Date header's zone), amounts a decimal string and an ISO 4217 code (an ambiguous ``$`` or ``kr``
resolved from the message's other amounts, then the sender's country-code domain), quantities
integers, references lose the ``#`` or ``No.`` the value itself wrote. Whatever was inferred rather
than read is named in ``guessed``. Texts are read by :mod:`mailstencil.rules.values`; the data (zone
abbreviations, defaults, quantity words) is ``rules/typed.json`` and ``rules/cldr.json``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Literal, cast

import airportsdata
from pydantic import BaseModel, Field

from .values import (
    CLDR,
    MAX_LEN,
    Amount,
    DateRange,
    DateValue,
    TimeOfDay,
    calendar_day,
    in_context,
    parse_amount,
    parse_date,
)
from .vocabulary import FIELDS, ValueKind

__all__ = ["Context", "Guess", "TypedValue", "context_of", "type_value", "type_extraction"]

_DIR = Path(__file__).parent
_DATA = json.loads((_DIR / "typed.json").read_text(encoding="utf-8"))
_ZONES: dict[str, int] = _DATA["zones"]
_TLD_TERRITORY: dict[str, str] = _DATA["tld_territory"]
_SYMBOL_DEFAULTS: dict[str, str] = _DATA["symbol_defaults"]
_TERRITORY_CURRENCY: dict[str, str] = CLDR["territory_currencies"]
_CURRENT = frozenset(_TERRITORY_CURRENCY.values())
# every current currency an ambiguous symbol may stand for, its spellings with and without a final dot
# merged ("kr": SEK, NOK, DKK, ISK)
_CANDIDATES: dict[str, frozenset[str]] = {}
for _sym, _codes in CLDR["symbol_candidates"].items():
    for _spelling in {_sym, _sym.rstrip(".")}:
        _CANDIDATES[_spelling] = _CANDIDATES.get(_spelling, frozenset()) | (frozenset(_codes) & _CURRENT)

Guess = Literal["year", "zone", "currency", "day_order"]
_Moment = Literal["date", "datetime", "time"]


class TypedValue(BaseModel):
    """The typed form of one value: ``kind`` and ``value`` (ISO 8601 text, a decimal string, an
    integer or a bare reference), with what the text did not say itself in ``guessed``."""

    kind: Literal["date", "datetime", "time", "date_range", "amount", "quantity", "reference", "airport"]
    value: str | int = Field(description="ISO 8601 date/date-time/time, decimal string, integer or code")
    end: str | None = Field(default=None, description="a date_range's last day or moment (ISO 8601)")
    currency: str | None = Field(default=None, description="an amount's ISO 4217 code, when known")
    name: str | None = Field(default=None, description="an airport's name (airportsdata)")
    city: str | None = Field(default=None, description="an airport's city (airportsdata)")
    country: str | None = Field(default=None, description="an airport's ISO 3166 country (airportsdata)")
    guessed: list[Guess] = Field(
        default_factory=list,
        description="what was inferred, not written: year (nearest the message's Date), zone (the Date"
        " header's), currency (from the message's other amounts or the sender's country), day_order"
        " (a day/month that reads both ways, taken as the reading nearest the Date)",
    )


@dataclass(frozen=True, slots=True)
class Context:
    """What a value is read against: the message's Date header (``None`` when it has none), the
    country its sender's domain names, the ISO codes its other amounts write unambiguously and the
    ambiguous symbols they write (``$``); ``read``: those amounts as read, by their text, so that
    typing them does not read them again."""

    date: datetime | None = None
    territory: str | None = None
    currencies: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()
    read: Mapping[str, Amount | None] = field(default_factory=dict, compare=False, hash=False)


def _territory(sender: str) -> str | None:
    """The ISO 3166 country a sender address's top-level domain names (``shop.example.de``: DE)."""
    tld = sender.rpartition(".")[2].lower()
    if len(tld) != 2 or not tld.isalpha():
        return None
    return _TLD_TERRITORY.get(tld, tld.upper())


def context_of(date_header: datetime | None, sender: str, amounts: Iterable[str] = ()) -> Context:
    """The context of one message: its Date (``None`` or the epoch when it had none), its sender's
    address, and the texts of its amounts (whose written currencies resolve ambiguous ones)."""
    if date_header is not None and date_header.timestamp() == 0:
        date_header = None
    read = {t: parse_amount(t) for t in amounts}
    written = [a for a in read.values() if a is not None and a.currency is not None]
    codes = frozenset(a.code for a in written if a.code is not None)
    symbols = frozenset(a.currency for a in written if a.code is None and a.currency is not None)
    return Context(date_header, _territory(sender), codes, symbols, read)


def _offset(zone: str | None) -> tzinfo | None:
    """The fixed offset a written zone names (``UTC``, ``+0100``, ``(GMT+1)``, ``CEST``), or ``None``."""
    if zone is None:
        return None
    m = re.fullmatch(r"\(?([A-Za-z]{1,5})?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\)?", zone.strip())
    if m is None or not (m[1] or m[2]):
        return None
    minutes = 0
    if m[1]:
        base = _ZONES.get(m[1].upper())
        if base is None:
            return None
        minutes = base
    if m[2]:
        shift = int(m[3]) * 60 + int(m[4] or 0)
        if shift > 14 * 60:
            return None
        minutes += shift if m[2] == "+" else -shift
    return timezone(timedelta(minutes=minutes))


def _day(v: DateValue, ctx: Context, guessed: list[Guess]) -> date | None:
    """The calendar day of ``v``: a missing year inferred from the Date, an ambiguous day/month
    read the way that falls nearest it."""
    ref = ctx.date.date() if ctx.date is not None else None
    readings = [v] + ([s] if (s := v.swapped()) is not None else [])
    days = [d for r in readings if (d := calendar_day(r, ref)) is not None]
    if not days:
        return None
    if v.year is None:
        guessed.append("year")
    if len(days) > 1:
        guessed.append("day_order")
    return min(days, key=lambda d: abs((d - ref).days) if ref is not None else 0)


def _clock(t: TimeOfDay, ctx: Context, guessed: list[Guess]) -> tuple[time, int] | None:
    """The time of day with its zone (written, else the Date header's), and the days it carries
    over (``24:00`` is the next day's midnight)."""
    zone = _offset(t.zone)
    if zone is None and ctx.date is not None:
        zone = ctx.date.tzinfo
        guessed.append("zone")
    if t.hour == 24:
        if t.minute or t.second:
            return None
        return time(0, 0, 0, tzinfo=zone), 1
    return time(t.hour, t.minute, t.second or 0, tzinfo=zone), 0


def _moment(v: DateValue, ctx: Context, guessed: list[Guess]) -> tuple[str, _Moment] | None:
    """``v`` as ISO 8601 and its kind (date, datetime or time)."""
    clock = _clock(v.time, ctx, guessed) if v.time is not None else None
    if v.time is not None and clock is None:
        return None
    if v.month is None:
        return (clock[0].isoformat(), "time") if clock is not None else None
    day = _day(v, ctx, guessed)
    if day is None:
        return None
    if clock is None:
        return day.isoformat(), "date"
    at = datetime.combine(day + timedelta(days=clock[1]), clock[0])
    return at.isoformat(), "datetime"


def _date(text: str, ctx: Context) -> TypedValue | None:
    got = parse_date(text)
    if got is None:
        return None
    guessed: list[Guess] = []
    if isinstance(got, DateRange):
        first, last = _moment(got.start, ctx, guessed), _moment(got.end, ctx, guessed)
        if first is None or last is None:
            return None
        return TypedValue(kind="date_range", value=first[0], end=last[0], guessed=sorted(set(guessed)))
    one = _moment(got, ctx, guessed)
    if one is None:
        return None
    return TypedValue(kind=one[1], value=one[0], guessed=sorted(set(guessed)))


def _currency(a: Amount, ctx: Context) -> tuple[str | None, bool]:
    """The ISO code of an amount and whether it was guessed: written, else the one of the
    symbol's candidates (or, bare, the one code or symbol) the message's other amounts write, else
    the sender's country's currency, else the symbol's usual one."""
    if a.code is not None:
        return a.code, False
    if a.currency is not None:
        candidates = _CANDIDATES.get(a.currency)
        if not candidates:
            return None, False
        written = candidates & ctx.currencies
        if len(written) == 1:
            return next(iter(written)), True
        local = _TERRITORY_CURRENCY.get(ctx.territory or "")
        if local in candidates:
            return local, True
        default = _SYMBOL_DEFAULTS.get(a.currency)
        return default, default is not None
    if len(ctx.currencies) == 1:
        return next(iter(ctx.currencies)), True
    if not ctx.currencies and len(ctx.symbols) == 1:  # the others write "$": read it as one of them
        code, _ = _currency(Amount(a.number, next(iter(ctx.symbols))), ctx)
        return code, code is not None
    local = _TERRITORY_CURRENCY.get(ctx.territory or "") if not ctx.currencies else None
    return local, local is not None


def _amount(text: str, ctx: Context) -> TypedValue | None:
    a = ctx.read[text] if text in ctx.read else parse_amount(text)
    if a is None:
        return None
    code, guessed = _currency(a, ctx)
    return TypedValue(
        kind="amount", value=format(a.number, "f"), currency=code, guessed=["currency"] if guessed else []
    )


_QWORDS = "|".join(re.escape(w) for w in sorted(_DATA["quantity_words"], key=lambda w: (-len(w), w)))
_QUANTITY = re.compile(rf"(?:(?:{_QWORDS})\.? ?:? ?)?(?P<n>\d{{1,6}})(?: ?(?:{_QWORDS})\.?)?", re.IGNORECASE)


def _quantity(text: str, ctx: Context) -> TypedValue | None:
    m = _QUANTITY.fullmatch(text)
    return TypedValue(kind="quantity", value=int(m["n"])) if m else None


# what a value may write around its reference that is no part of it: "#1001", "No. 1001", "(1001)"
_DECORATION = re.compile(r"(?:#|№|n[ºo°]\.?|nr\.?|no\.|núm\.?|num\.?)\s*", re.IGNORECASE)
_REFERENCE = re.compile(r"[\w][\w\-/.]*\w|\w")
_GROUPED = re.compile(r"[0-9A-Z]{1,8}(?: [0-9A-Z]{1,8})+")


def _reference(text: str, ctx: Context, joined: bool = False) -> TypedValue | None:
    t = text.strip().strip("()[]\"'“”")
    t = _DECORATION.sub("", t, count=1) if _DECORATION.match(t) else t
    if joined and _GROUPED.fullmatch(t):
        t = t.replace(" ", "")  # "1Z 999 AA1 01": a tracking number printed in groups
    return TypedValue(kind="reference", value=t) if _REFERENCE.fullmatch(t) else None


def _tracking(text: str, ctx: Context) -> TypedValue | None:
    return _reference(text, ctx, joined=True)


_IATA = re.compile(r"(?:.{0,60}\()?(?P<code>[A-Z]{3})\)?(?: .{0,60})?")


@functools.cache
def _airports() -> dict[str, dict[str, Any]]:
    """airportsdata's airports by IATA code (read on the first airport typed: 0.2 s, ~8k codes)."""
    return cast(dict[str, dict[str, Any]], airportsdata.load("IATA"))


def _airport(text: str, ctx: Context) -> TypedValue | None:
    """An airport's IATA code, alone or in parentheses after its name (``Frankfurt (FRA)``), with
    its name, city and country; three capitals that name no airport are none (a currency code)."""
    m = _IATA.fullmatch(text.strip())
    known = _airports().get(m["code"]) if m else None
    if m is None or known is None:
        return None
    return TypedValue(
        kind="airport",
        value=m["code"],
        name=known["name"] or None,
        city=known["city"] or None,
        country=known["country"] or None,
    )


_READERS = {
    "date": _date,
    "money": _amount,
    "quantity": _quantity,
    "reference": _reference,
    "tracking": _tracking,
    "airport": _airport,
}


def type_value(kind: ValueKind, text: str, ctx: Context) -> TypedValue | None:
    """The typed form of ``text`` read as a value of ``kind`` (``None`` for ``text`` fields and
    for a text that does not read as its kind)."""
    reader = _READERS.get(kind)
    if reader is None or len(text) > MAX_LEN:
        return None
    return reader(" ".join(text.split()), ctx)


def _written(name: str, text: str, around: Mapping[str, tuple[str, str]]) -> str:
    """An amount with the currency its template writes beside it (``£`` | ``8.00``: ``£ 8.00``)."""
    if name not in around or name not in FIELDS or FIELDS[name].value != "money":
        return text
    return in_context(text, *around[name])


def _of(name: str, text: str, ctx: Context) -> TypedValue | None:
    spec = FIELDS.get(name)
    return type_value(spec.value, text, ctx) if spec is not None else None


def type_extraction(
    fields: Mapping[str, list[str]],
    items: list[dict[str, str]],
    date_header: datetime | None,
    sender: str,
    around: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[dict[str, list[TypedValue | None]], list[dict[str, TypedValue]]]:
    """Typed forms of one message's fields (aligned with each field's values, ``None`` where a
    value has none) and of its line-item rows (only the values that have one). ``around``: the
    template text before and after each field's value, whose currency a bare amount takes."""
    if around:
        fields = {n: [_written(n, v, around) for v in values] for n, values in fields.items()}
        items = [{n: _written(n, v, around) for n, v in row.items()} for row in items]
    money = [
        v
        for name, values in fields.items()
        if FIELDS.get(name) and FIELDS[name].value == "money"
        for v in values
    ]
    ctx = context_of(date_header, sender, money)
    typed = {
        name: [_of(name, v, ctx) for v in values]
        for name, values in fields.items()
        if name in FIELDS and FIELDS[name].value != "text"
    }
    rows = [{k: t for k, v in row.items() if (t := _of(k, v, ctx)) is not None} for row in items]
    return typed, rows
