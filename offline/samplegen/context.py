"""Sender definition and the per-message context handed to template builders."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from . import pools
from .catalogs import Catalog
from .formats import USD_PLAIN, Money, fmt_date, fmt_datetime
from .layouts import Brand
from .model import Doc, Inline, Parts, Var, fill

Builder = Callable[["Ctx"], Doc]


@dataclass(frozen=True)
class Sender:
    """One fictional company: its address, look, language, formats and templates."""

    source: str
    slug: str
    address: str
    display: str
    lang: str
    layout: str
    brand: Brand
    labels: Mapping[str, str]
    templates: tuple[tuple[str, Builder], ...]
    money: Money = USD_PLAIN
    date_style: str = "us"
    dt_style: str = "us_at_utc"
    mime: str = "alt"  # alt | html | text
    charset: str = "utf-8"
    cte: tuple[str, str] = ("quoted-printable", "quoted-printable")
    tz_hours: int = 0
    name_locales: tuple[str, ...] = ("en",)
    catalog: Catalog | None = None
    opts: Mapping[str, object] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        """The sender's mail domain."""
        return self.address.split("@", 1)[1]


_TOKEN = re.compile(r"\{([nAXhy])(\d*)\}")


def ident(rng: random.Random, pattern: str, year: int = 2026) -> str:
    """Expand an identifier pattern: ``{n6}`` digits, ``{A3}`` letters, ``{X8}`` alnum, ``{h12}`` "
    "hex, ``{y}``."""

    def sub(m: re.Match[str]) -> str:
        kind, k = m.group(1), int(m.group(2) or 1)
        if kind == "y":
            return str(year)
        if kind == "n":
            return str(rng.randint(1, 9)) + pools.code(rng, pools.DIGITS, k - 1)
        alphabet = {"A": pools.UPPER, "X": pools.UPPER_DIGITS, "h": pools.HEX}[kind]
        return pools.code(rng, alphabet, k)

    return _TOKEN.sub(sub, pattern)


@dataclass
class Ctx:
    """Everything a template builder needs for one message."""

    rng: random.Random
    s: Sender
    when: datetime
    to: pools.Person

    def L(self, key: str) -> str:  # noqa: N802 - short on purpose, used everywhere
        """The sender's wording for ``key``."""
        return self.s.labels[key]

    def f(self, key: str, **values: Inline) -> Parts:
        """The sender's wording for ``key`` with ``{placeholders}`` filled."""
        return fill(self.s.labels[key], **values)

    def has(self, key: str) -> bool:
        """Whether the sender defines wording for ``key``."""
        return key in self.s.labels

    def opt(self, key: str, default: object = None) -> object:
        """A layout/structure option of the sender."""
        return self.s.opts.get(key, default)

    def sopt(self, key: str, default: str) -> str:
        """A string option."""
        return str(self.s.opts.get(key, default))

    def chance(self, key: str, default: float) -> bool:
        """Draw a boolean with the sender's probability for optional block ``key``."""
        p = self.s.opts.get(key, default)
        return self.rng.random() < float(p)  # type: ignore[arg-type]

    def money(self, minor: int, negative: bool = False) -> str:
        """Format an amount in the sender's currency."""
        return self.s.money.fmt(minor, negative)

    def price(self, major: int) -> int:
        """Turn a catalogue price (major units) into minor units with a realistic ending."""
        if self.s.money.decimals == 0:
            return major
        return major * 100 + self.rng.choice((0, 0, 50, 95, 99, 49))

    def date(self, d: date | datetime, style: str | None = None) -> str:
        """Format a date in the sender's (or the given) style."""
        return fmt_date(d.date() if isinstance(d, datetime) else d, style or self.s.date_style)

    def dt(self, t: datetime, style: str | None = None) -> str:
        """Format a timestamp in the sender's (or the given) style."""
        return fmt_datetime(t, style or self.s.dt_style)

    def ident(self, key: str, default: str) -> str:
        """Draw an identifier following the sender's pattern option ``key``."""
        return ident(self.rng, self.sopt(key, default), self.when.year)

    def greet_name(self) -> Var:
        """The recipient's name as the sender addresses them (first or full name)."""
        full = self.sopt("greet", "first") == "full" or self.to.locale == "ja"
        return Var("recipient_name", self.to.full if full else self.to.first)

    def person(self) -> pools.Person:
        """Another person (actor, passenger) from the sender's name locales."""
        return pools.person(self.rng, self.s.name_locales)

    def actor(self) -> Var:
        """Who caused the mail, as the sender shows them: a name, or (option ``actor_id``) the
        person's e-mail address, as services without display names do."""
        who = self.person()
        return Var("actor_name", who.email if self.sopt("actor_id", "name") == "email" else who.full)

    def url(self, path: str) -> str:
        """An https URL on the sender's web domain."""
        return f"https://{self.s.opts.get('web', 'www.' + self.s.domain)}{path}"
