"""Write rules/cldr.json: currency codes and symbols, month and weekday names from CLDR (babel).

The typing module reads these as plain data; run this script again after a babel upgrade:
``python tools/gen_cldr.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_symbol, get_territory_currencies, list_currencies

# the languages (and regional variants) mail is written in; CLDR has their names
LOCALES = (
    "en", "en_GB", "en_IN", "en_AU", "en_CA", "de", "de_CH", "fr", "fr_CA", "fr_CH", "es", "es_MX", "it",
    "nl", "pt", "pt_PT", "sv", "da", "nb", "nn", "fi", "is", "pl", "cs", "sk", "hu", "ro", "hr", "sl",
    "bg", "el", "tr", "ru", "uk", "lt", "lv", "et", "ja", "zh", "ko", "id", "ms", "vi", "th", "fil",
    "he", "ar", "hi", "sr_Latn", "mk", "sq", "ca",
)  # fmt: skip
OUT = Path(__file__).resolve().parent.parent / "rules" / "cldr.json"
_DIGIT = re.compile(r"\d")
_INVISIBLE = re.compile("[\u200b-\u200f\u061c]")
# units mail writes after an amount that CLDR lists under no locale's symbols
EXTRA_SYMBOLS = ("円", "Fr.", "Fr", "Rs.", "EUR")


def main() -> None:
    codes = sorted(list_currencies())
    symbols: set[str] = set(EXTRA_SYMBOLS) - set(codes)
    used_for: dict[str, set[str]] = {"円": {"JPY"}, "Fr.": {"CHF"}, "Fr": {"CHF"}}
    months: list[set[str]] = [set() for _ in range(12)]
    weekdays: list[set[str]] = [set() for _ in range(7)]
    for tag in LOCALES:
        loc = Locale.parse(tag)
        for code in codes:
            for sym in (get_currency_symbol(code, tag), loc.currency_symbols.get(code, code)):
                sym = _INVISIBLE.sub("", sym).strip()
                letter = len(sym) == 1 and sym.isascii() and sym.isalpha()
                if sym not in (code, "¤") and not letter and not _DIGIT.search(sym) and 1 <= len(sym) <= 5:
                    symbols.add(sym)
                    used_for.setdefault(sym, set()).add(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for k, name in loc.months[context][width].items():
                    if not _DIGIT.search(name) and len(name.rstrip(".")) >= 3:
                        months[k - 1].add(name.lower().rstrip("."))
                for k, name in loc.days[context][width].items():
                    if not _DIGIT.search(name) and len(name.rstrip(".")) >= 2:
                        weekdays[k].add(name.lower().rstrip("."))
    data = {
        "source": "CLDR via babel, written by tools/gen_cldr.py; do not edit",
        "currency_codes": codes,
        "currency_symbols": sorted(symbols),
        # the one ISO code a symbol stands for, where the locales agree ("€", "zł"; not "$", "¥")
        "symbol_codes": {sym: next(iter(c)) for sym, c in sorted(used_for.items()) if len(c) == 1},
        # every ISO code a symbol stands for somewhere ("$": USD, CAD, AUD ...), to resolve it from context
        "symbol_candidates": {sym: sorted(c) for sym, c in sorted(used_for.items()) if len(c) > 1},
        # the currency in use in each country (ISO 3166 alpha-2), where CLDR names one
        "territory_currencies": _territory_currencies(),
        "months": [sorted(m) for m in months],  # January first
        "weekdays": [sorted(d) for d in weekdays],  # Monday first
    }
    body = json.dumps(data, ensure_ascii=False, indent=0) + "\n"
    OUT.write_text(body, encoding="utf-8")


def _territory_currencies() -> dict[str, str]:
    """Each territory's one current tender (the first CLDR lists; ``PA``: PAB before USD)."""
    out: dict[str, str] = {}
    for territory in sorted(get_global("territory_currencies")):
        if len(territory) == 2 and (current := get_territory_currencies(territory, tender=True)):
            out[territory] = current[0]
    return out


if __name__ == "__main__":
    main()
