"""Locale-specific formatting of dates, times and money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
}


def fmt_date(d: date, style: str) -> str:
    """Format a calendar date in one of the named styles (``us``, ``de``, ``ja``...)."""
    m, day, y = d.month, d.day, d.year
    wd = d.weekday()
    en, en3 = MONTHS["en"][m - 1], MONTHS["en"][m - 1][:3]
    table = {
        "us": lambda: f"{en} {day}, {y}",
        "us_abbr": lambda: f"{en3} {day}, {y}",
        "us_num": lambda: f"{m:02d}/{day:02d}/{y}",
        "uk": lambda: f"{day} {en} {y}",
        "uk_abbr": lambda: f"{day:02d} {en3} {y}",
        "iso": lambda: f"{y}-{m:02d}-{day:02d}",
        "de": lambda: f"{day}. {MONTHS['de'][m - 1]} {y}",
        "de_num": lambda: f"{day:02d}.{m:02d}.{y}",
        "fr": lambda: f"{'1er' if day == 1 else day} {MONTHS['fr'][m - 1]} {y}",
        "fr_num": lambda: f"{day:02d}/{m:02d}/{y}",
        "es": lambda: f"{day} de {MONTHS['es'][m - 1]} de {y}",
        "es_num": lambda: f"{day:02d}/{m:02d}/{y}",
        "ja": lambda: f"{y}年{m}月{day}日",
        "ja_num": lambda: f"{y}/{m:02d}/{day:02d}",
        "us_weekday": lambda: f"{WEEKDAYS['en'][wd]}, {en} {day}",
        "uk_weekday": lambda: f"{WEEKDAYS['en'][wd]} {day} {en}",
        "de_weekday": lambda: f"{WEEKDAYS['de'][wd]}, {day}. {MONTHS['de'][m - 1]}",
        "fr_weekday": lambda: f"{WEEKDAYS['fr'][wd]} {day} {MONTHS['fr'][m - 1]}",
        "es_weekday": lambda: f"{WEEKDAYS['es'][wd]}, {day} de {MONTHS['es'][m - 1]}",
        "ja_weekday": lambda: f"{m}月{day}日（{WEEKDAYS['ja'][wd]}）",
        "us_short": lambda: f"{en3} {day}",
        "de_short": lambda: f"{day:02d}.{m:02d}.",
        "ja_short": lambda: f"{m}月{day}日",
    }
    return table[style]()


def fmt_time(dt: datetime, style: str) -> str:
    """Format a clock time: ``24h`` (10:41), ``12h`` (10:41 AM), ``fr`` (10h41), ``de`` (10:41 Uhr)."""
    h, mi = dt.hour, dt.minute
    if style == "12h":
        return f"{(h % 12) or 12}:{mi:02d} {'AM' if h < 12 else 'PM'}"
    if style == "fr":
        return f"{h:02d}h{mi:02d}"
    if style == "de":
        return f"{h:02d}:{mi:02d} Uhr"
    return f"{h:02d}:{mi:02d}"


def fmt_datetime(dt: datetime, style: str) -> str:
    """Format a timestamp in one of the named styles used for events and flight times."""
    d = dt.date()
    table = {
        "us_at_utc": lambda: f"{fmt_date(d, 'us')} at {fmt_time(dt, '24h')} UTC",
        "us_12h": lambda: f"{fmt_date(d, 'us_abbr')}, {fmt_time(dt, '12h')}",
        "us_short": lambda: f"{fmt_date(d, 'us_short')}, {fmt_time(dt, '24h')}",
        "uk": lambda: f"{fmt_date(d, 'uk')}, {fmt_time(dt, '24h')}",
        "iso_utc": lambda: f"{fmt_date(d, 'iso')} {fmt_time(dt, '24h')} UTC",
        "de": lambda: f"{fmt_date(d, 'de_num')}, {fmt_time(dt, 'de')}",
        "fr": lambda: f"{fmt_date(d, 'fr')} à {fmt_time(dt, 'fr')}",
        "es": lambda: f"{fmt_date(d, 'es_num')} {fmt_time(dt, '24h')}",
        "es_long": lambda: f"{fmt_date(d, 'es_weekday')}, {fmt_time(dt, '24h')}",
        "ja": lambda: f"{fmt_date(d, 'ja')} {fmt_time(dt, '24h')}",
        "ja_short": lambda: f"{fmt_date(d, 'ja_short')} {fmt_time(dt, '24h')}",
        "time": lambda: fmt_time(dt, "24h"),
    }
    return table[style]()


@dataclass(frozen=True)
class Money:
    """How one sender writes amounts of its currency."""

    symbol: str
    prefix: bool = True
    thousands: str = ","
    decimal: str = "."
    decimals: int = 2
    gap: str = ""
    minus: str = "-"
    free: str = ""

    def fmt(self, minor: int, negative: bool = False) -> str:
        """Format an amount given in minor units (cents; yen for ``decimals=0``)."""
        if minor == 0 and self.free:
            return self.free
        major, frac = divmod(abs(minor), 10**self.decimals) if self.decimals else (abs(minor), 0)
        groups = f"{major:,}".replace(",", self.thousands)
        num = f"{groups}{self.decimal}{frac:0{self.decimals}d}" if self.decimals else groups
        body = f"{self.symbol}{self.gap}{num}" if self.prefix else f"{num}{self.gap}{self.symbol}"
        return f"{self.minus}{body}" if negative else body

    def scale(self) -> int:
        """Minor units per major unit."""
        return int(10**self.decimals)


USD = Money("$", free="FREE")
USD_PLAIN = Money("$")
GBP = Money("£", free="Free")
CAD = Money("CA$")
EUR_DE = Money("€", prefix=False, thousands=".", decimal=",", gap="\u00a0", free="kostenlos")
EUR_DE_CODE = Money("EUR", prefix=False, thousands=".", decimal=",", gap=" ")
EUR_FR = Money(
    "€", prefix=False, thousands="\u202f", decimal=",", gap="\u00a0", minus="\u2212", free="Offerte"
)
EUR_ES = Money("EUR", prefix=False, thousands=".", decimal=",", gap=" ", free="Gratis")
EUR_ES_SIGN = Money("€", prefix=False, thousands=".", decimal=",", gap=" ")
JPY = Money("¥", decimals=0, free="無料")
JPY_SUFFIX = Money("円", prefix=False, decimals=0)
