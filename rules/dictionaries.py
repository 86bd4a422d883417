"""Dictionaries: recognisers that say what kind of value a string is (money, date, code, name...).

Each recogniser is a full-match test on a collapsed value. A column takes a type when most of its
values hit (see :func:`column_types`). Money and dates are read by :mod:`mailstencil.rules.values` (CLDR
currencies, month and weekday names); carriers and device words are data in
``rules/dictionaries.json``. A value longer than ``MAX_LEN`` gets only the cheap types.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from .values import CURRENCY_CODES, MAX_LEN, in_context, is_currency_token, parse_amount, parse_date
from .wordlists import Words, read_data

__all__ = ["TYPES", "value_types", "column_types", "CURRENCY_CODES", "is_currency_token"]


class _WordsFile(BaseModel):
    """The shape of ``rules/dictionaries.json``: the carriers' names and the device words."""

    about: str
    carriers: Words
    device_words: Words


_WORDS = read_data(Path(__file__).with_name("dictionaries.json"), _WordsFile)

_INTEGER = re.compile(r"^[-+]?\d{1,7}$")
_CODE = re.compile(r"^(?=[^\s]*\d)[#A-Za-z0-9][A-Za-z0-9\-_/.#]{3,40}$")
# identifiers of letters only: capitals joined by separators (ABC-DEFG), or mixed case that
# switches inside the token (xKqTbZmW); a lone capitalised word or an all-caps status is no code
_SPLIT_CODE = re.compile(r"^[A-Z]{2,10}(?:[-_/.][A-Z]{2,10}){1,5}$")
_MIXED_CODE = re.compile(r"^(?=(?:[A-Za-z]*[a-z][A-Z]){2})[A-Za-z]{6,40}$")
_CAPS = re.compile(r"^[A-Z]{6,20}$")
_IP_SHAPE = re.compile(r"^[0-9a-fA-F]{0,4}[.:][0-9a-fA-F.:]{2,40}$")
_DECIMAL = re.compile(r"^[-+]?\d{1,3}(?:[,.]\d{3})*[.,]\d{2}$")
_LETTER_CODE = re.compile(r"^[A-Z0-9]{4,5}(?:[- ][A-Z0-9]{4,5}){1,4}$")
_EMAIL = re.compile(r"^[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+$")
_URL = re.compile(r"^https?://\S+$")
_PHONE = re.compile(r"^\+?\(?\d[\d\s().-]{6,18}\d$")
_TRACKING = re.compile(
    r"^(?:1Z[0-9A-Z]{16}|\d{12}|\d{15}|\d{20,22}|9\d{15,21}|[A-Z]{2}\d{9}[A-Z]{2}|JJD\d{10,20}|\d{10,11})$"
)
_FLIGHT = re.compile(r"^(?:[A-Z][0-9A-Z]|[0-9A-Z][A-Z])\s?\d{1,4}[A-Z]?$")
_AIRPORT = re.compile(r"^[A-Z]{3}$")
# a capitalised word of a cased script: Latin, Greek, Cyrillic (names are written so the world over)
_UPPER = "A-ZÀ-ÖØ-ÞŁŚŻ\u0386\u0388-\u038f\u0391-\u03ab\u0400-\u042f"
_LOWER = "a-zà-öø-ÿłśżńćęąő\u03ac-\u03ce\u0430-\u045f"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}'’-]+\.?"
_PERSON = re.compile(rf"^(?:{_NAME_WORD})(?:\s(?:(?:van|von|de|der|da|del|la|le|di)\s)?{_NAME_WORD}){{0,3}}$")
_CJK_NAME = re.compile(
    r"^[\u3040-\u30ff\u4e00-\u9fff]{1,4}\s?[\u3040-\u30ff\u4e00-\u9fff]{1,4}(?:\s?(?:様|さん))?$"
)
_CARD = re.compile(
    r"(?i)^(?:visa|master\s?card|american express|amex|discover|jcb|diners(?: club)?|maestro|unionpay"
    r"|cartes? bancaires?|carte bleue|girocard|ec-karte|paypal|apple pay|google pay)\b.{0,30}?\d{4}\)?$"
)
_DEVICE = re.compile(rf"(?i)\b(?:{'|'.join(re.escape(w) for w in _WORDS.device_words)})\b")


def _ip(v: str) -> bool:
    if not _IP_SHAPE.match(v):
        return False
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return False
    return True


def _money(v: str) -> bool:
    amount = parse_amount(v)
    return amount is not None and amount.currency is not None


def _code(v: str) -> bool:
    if _DECIMAL.match(v):
        return False  # "11.50" is an amount whose currency stands elsewhere, not a reference
    return bool(_CODE.match(v) or _LETTER_CODE.match(v) or _SPLIT_CODE.match(v) or _MIXED_CODE.match(v)) and (
        not _URL.match(v)
    )


_CARRIER = re.compile(rf"^(?:{'|'.join(re.escape(c) for c in _WORDS.carriers)})(?: |$)", re.IGNORECASE)


TYPES: dict[str, Callable[[str], bool]] = {
    "money": _money,
    "date": lambda v: parse_date(v) is not None,
    "integer": lambda v: bool(_INTEGER.match(v)),
    "code": _code,
    "email": lambda v: bool(_EMAIL.match(v)),
    "url": lambda v: bool(_URL.match(v)),
    "phone": lambda v: bool(_PHONE.match(v)) and parse_date(v) is None,
    "ip": _ip,
    "tracking": lambda v: bool(_TRACKING.match(v.replace(" ", ""))),
    "flight": lambda v: bool(_FLIGHT.match(v)),
    "airport": lambda v: bool(_AIRPORT.match(v)),
    "person": lambda v: bool(_PERSON.match(v) or _CJK_NAME.match(v)),
    "carrier": lambda v: bool(_CARRIER.match(v)),
    "card": lambda v: bool(_CARD.match(v)),
    "device": lambda v: bool(_DEVICE.search(v)) and len(v) < 80,
    "sentence": lambda v: len(v.split()) >= 6,
}


_CHEAP = ("integer", "email", "url", "sentence")
_FEW_PEOPLE = 5


def value_types(value: str) -> list[str]:
    """Names of the dictionaries that the value fully matches (only the cheap ones past
    ``MAX_LEN`` characters)."""
    if len(value) > MAX_LEN:
        return [name for name in _CHEAP if TYPES[name](value)]
    return [name for name, test in TYPES.items() if test(value)]


def column_types(
    values: Iterable[str], threshold: float = 0.7, before: str = "", after: str = ""
) -> dict[str, float]:
    """Hit rate per dictionary for a column's values, keeping those at or above ``threshold``.

    ``before``/``after`` are the constant text around the column: a bare decimal next to a
    currency symbol there is money. An all-caps word is a code when the column's values are
    nearly all distinct (identifiers differ per message; a status such as ``SHIPPED`` repeats)."""
    vals = [v for v in values if v]
    if not vals:
        return {}
    hits: dict[str, int] = {}
    for v in vals:
        for name in value_types(in_context(v, before, after)):
            hits[name] = hits.get(name, 0) + 1
    n = len(vals)
    caps = [v for v in vals if _CAPS.match(v)]
    if len(caps) >= 3 and len(set(caps)) >= 0.9 * len(caps):
        hits["code"] = hits.get("code", 0) + len(caps)
    # people differ per message; a few name-shaped words that keep coming back are a category (a
    # payment method, a room type), not a person
    if "person" in hits and n >= 4 and len(set(vals)) < min(_FEW_PEOPLE, 0.5 * n):
        del hits["person"]
    return {name: round(c / n, 3) for name, c in hits.items() if c / n >= threshold}
