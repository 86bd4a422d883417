"""Dictionaries: recognisers that say what kind of value a string is (money, date, code, name...).

Each recogniser is a full-match test on a collapsed value. A column takes a type when most of its
values hit (see :func:`column_types`). The recognisers are language-neutral where they can be and
carry month and weekday names for English, German, French, Spanish and Japanese dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["TYPES", "value_types", "column_types", "CURRENCY_CODES", "MONTH_NAMES", "is_currency_token"]

CURRENCY_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "JPY",
        "CHF",
        "CAD",
        "AUD",
        "NZD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "CNY",
        "HKD",
        "SGD",
        "INR",
        "BRL",
        "MXN",
        "ZAR",
        "KRW",
        "TRY",
        "RUB",
    ]
)
_CURRENCY_SYMBOLS = "$€£¥₩₹₽¢円元"
# month names of English, German, French and Spanish dates, by month (offline.dates reads them by
# prefix; the date recogniser also needs the abbreviations spelled out)
# fmt: off
MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "januar", "janvier", "enero"),
    ("february", "februar", "février", "fevrier", "febrero"),
    ("march", "märz", "maerz", "mars", "marzo"),
    ("april", "avril", "abril"),
    ("may", "mai", "mayo"),
    ("june", "juni", "juin", "junio"),
    ("july", "juli", "juillet", "julio"),
    ("august", "août", "aout", "agosto"),
    ("september", "septembre", "septiembre", "setiembre"),
    ("october", "oktober", "octobre", "octubre"),
    ("november", "novembre", "noviembre"),
    ("december", "dezember", "décembre", "decembre", "diciembre"),
)
_MONTH_ABBREVIATIONS = (
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "okt", "dez",
    "janv", "févr", "avr", "juil", "déc", "ene", "ago", "dic",
)
# fmt: on
_MONTHS = "|".join(
    sorted(
        {n for names in MONTH_NAMES for n in names} | set(_MONTH_ABBREVIATIONS), key=lambda n: (-len(n), n)
    )
)
_WEEKDAYS = (
    "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so"
    "|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim"
    "|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo"
)
_NUM = r"[-−+]?\d{1,3}(?:[,.\u202f\u00a0' ]\d{3})*(?:[.,]\d{1,2})?|[-−+]?\d+(?:[.,]\d{1,2})?"
_CUR = rf"(?:[{_CURRENCY_SYMBOLS}]|(?:{'|'.join(sorted(CURRENCY_CODES))})|[A-Z]{{1,3}}\$|Fr\.|kr)"
_MONEY = re.compile(
    rf"^[-−+]?\s?(?:{_CUR}\s?(?:{_NUM})|(?:{_NUM})\s?{_CUR})(?:\s?(?:{'|'.join(sorted(CURRENCY_CODES))}))?$"
)
_TIME = (
    r"\d{1,2}[:h.]\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?(?:\s?(?:uhr|h))?"
    r"(?:\s?(?-i:\(?[A-Z]{2,5}\)?)|\s?[+-]\d{2}:?\d{2})?"
)
_DATE_PARTS = [
    r"\d{4}-\d{2}-\d{2}(?:[ t]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:?\d{2})?)?",
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}",
    r"\d{4}/\d{1,2}/\d{1,2}",
    rf"(?:(?:{_WEEKDAYS})\.?,?\s)?(?:{_MONTHS})\.?\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s\d{{4}})?",
    rf"(?:(?:{_WEEKDAYS})\.?,?\s)?\d{{1,2}}(?:\.|er|º)?\s(?:de\s)?(?:{_MONTHS})\.?(?:,?\s(?:de\s)?\d{{4}})?",
    r"\d{4}年\s?\d{1,2}月\s?\d{1,2}日(?:\s?\(.\))?",
    r"\d{1,2}月\s?\d{1,2}日(?:\s?\(.\))?",
]
_DATE = re.compile(
    rf"^(?:(?:{'|'.join(_DATE_PARTS)})(?:,?\s(?:at|um|à|a las|a la|de)?\s?{_TIME})?"
    rf"(?:\s?[-–]\s?(?:{'|'.join(_DATE_PARTS)}))?|{_TIME})$",
    re.IGNORECASE,
)
_INTEGER = re.compile(r"^[-+]?\d{1,7}$")
_CODE = re.compile(r"^(?=[^\s]*\d)[#A-Za-z0-9][A-Za-z0-9\-_/.#]{3,40}$")
_LETTER_CODE = re.compile(r"^[A-Z0-9]{4,5}(?:[- ][A-Z0-9]{4,5}){1,4}$")
_EMAIL = re.compile(r"^[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+$")
_URL = re.compile(r"^https?://\S+$")
_PHONE = re.compile(r"^\+?\(?\d[\d\s().-]{6,18}\d$")
_IP = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$|^[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}$", re.IGNORECASE)
_TRACKING = re.compile(
    r"^(?:1Z[0-9A-Z]{16}|\d{12}|\d{15}|\d{20,22}|9\d{15,21}|[A-Z]{2}\d{9}[A-Z]{2}|JJD\d{10,20}|\d{10,11})$"
)
_FLIGHT = re.compile(r"^(?:[A-Z][0-9A-Z]|[0-9A-Z][A-Z])\s?\d{1,4}[A-Z]?$")
_AIRPORT = re.compile(r"^[A-Z]{3}$")
_NAME_WORD = r"[A-ZÀ-ÖØ-ÞŁŚŻ][a-zà-öø-ÿłśżńćęąő'’-]+\.?"
_PERSON = re.compile(rf"^(?:{_NAME_WORD})(?:\s(?:(?:van|von|de|der|da|del|la|le|di)\s)?{_NAME_WORD}){{0,3}}$")
_CJK_NAME = re.compile(
    r"^[\u3040-\u30ff\u4e00-\u9fff]{1,4}\s?[\u3040-\u30ff\u4e00-\u9fff]{1,4}(?:\s?(?:様|さん))?$"
)
# fmt: off
_CARRIERS = (
    "ups", "usps", "fedex", "dhl", "dhl express", "dpd", "gls", "hermes", "tnt", "royal mail",
    "canada post", "australia post", "la poste", "colissimo", "chronopost", "correos", "seur",
    "japan post", "yamato", "sagawa", "postnl", "bpost", "evri", "ontrac", "amazon logistics",
    "deutsche post", "purolator", "日本郵便", "ヤマト運輸", "佐川急便", "ゆうパック",
)
# fmt: on
_CARD = re.compile(
    r"(?i)^(?:visa|master\s?card|american express|amex|discover|jcb|diners(?: club)?|maestro|unionpay"
    r"|cartes? bancaires?|carte bleue|girocard|ec-karte|paypal|apple pay|google pay)\b.{0,30}?\d{4}\)?$"
)
_DEVICE = re.compile(
    r"(?i)\b(?:chrome|firefox|safari|edge|opera|brave|android|ios|iphone|ipad|windows|macos|mac os|linux"
    r"|ubuntu|chromebook|desktop|mobile|browser|app|cli)\b"
)


def _carrier(v: str) -> bool:
    low = v.lower()
    return low in _CARRIERS or any(low.startswith(c + " ") for c in _CARRIERS)


TYPES: dict[str, Callable[[str], bool]] = {
    "money": lambda v: bool(_MONEY.match(v)),
    "date": lambda v: bool(_DATE.match(v)),
    "integer": lambda v: bool(_INTEGER.match(v)),
    "code": lambda v: bool(_CODE.match(v) or _LETTER_CODE.match(v)) and not _URL.match(v),
    "email": lambda v: bool(_EMAIL.match(v)),
    "url": lambda v: bool(_URL.match(v)),
    "phone": lambda v: bool(_PHONE.match(v)) and not _DATE.match(v),
    "ip": lambda v: bool(_IP.match(v)),
    "tracking": lambda v: bool(_TRACKING.match(v.replace(" ", ""))),
    "flight": lambda v: bool(_FLIGHT.match(v)),
    "airport": lambda v: bool(_AIRPORT.match(v)),
    "person": lambda v: bool(_PERSON.match(v) or _CJK_NAME.match(v)),
    "carrier": _carrier,
    "card": lambda v: bool(_CARD.match(v)),
    "device": lambda v: bool(_DEVICE.search(v)) and len(v) < 80,
    "sentence": lambda v: len(v.split()) >= 6,
}


def value_types(value: str) -> list[str]:
    """Names of the dictionaries that the value fully matches."""
    return [name for name, test in TYPES.items() if test(value)]


def column_types(values: Iterable[str], threshold: float = 0.7) -> dict[str, float]:
    """Hit rate per dictionary for a column's values, keeping those at or above ``threshold``."""
    vals = [v for v in values if v]
    if not vals:
        return {}
    hits: dict[str, int] = {}
    for v in vals:
        for name in value_types(v):
            hits[name] = hits.get(name, 0) + 1
    n = len(vals)
    return {name: round(c / n, 3) for name, c in hits.items() if c / n >= threshold}


def is_currency_token(token: str) -> bool:
    """True for a token that is only a currency code or symbol (absorbed into a money value)."""
    return token in CURRENCY_CODES or (len(token) == 1 and token in _CURRENCY_SYMBOLS)
