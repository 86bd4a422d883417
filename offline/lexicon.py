"""A multilingual label lexicon: words that transactional mail puts next to each field.

The words are data (``offline/lexicon.json``, which says where they come from); this module reads
and matches them. The role classifier gets "this context mentions a word for X" as a feature, so
a sender whose labels it has never seen still maps "Gesamtbetrag" or "合計" to a total.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from mailstencil.rules.wordlists import Words, read_data

__all__ = ["LEXICON", "mentions", "specific"]


class _LexiconFile(BaseModel):
    """The shape of ``offline/lexicon.json``: per field (or ``boilerplate``), its label words."""

    about: str
    fields: dict[str, Words]


# in the file's order: the order features are written in
LEXICON: dict[str, tuple[str, ...]] = read_data(Path(__file__).with_name("lexicon.json"), _LexiconFile).fields

SHORT = 3
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


EDGE_WORDS = 3  # a short label word labels a value only from the words of a context next to it


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]]:
    """Per field: its long and CJK terms (anywhere in a label), its short Latin words."""
    out: list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]] = []
    for field, terms in LEXICON.items():
        latin = sorted({t for t in terms if not _CJK.search(t)}, key=len, reverse=True)
        cjk = sorted({t for t in terms if _CJK.search(t)}, key=len, reverse=True)
        parts = []
        short = [t for t in latin if len(t) <= SHORT]
        long = [t for t in latin if len(t) > SHORT]
        if long:
            parts.append(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in long) + r")")
        if cjk:
            parts.append("(?:" + "|".join(re.escape(t) for t in cjk) + ")")
        anywhere = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        words = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in short) + r")(?!\w)", re.IGNORECASE)
            if short
            else None
        )
        out.append((field, anywhere, words))
    return out


# the mail speaking of itself ("this email is to let you know", "diese E-Mail wurde an … gesendet"):
# no label of the account's address
_THIS_MAIL = re.compile(
    r"(?<!\w)(?:this|diese[rnms]?|cet(?:te)?|ce|este|esta)\s+(?:e-?mail|message|nachricht|correo|mensaje)"
    r"|この(?:メール|メッセージ)",
    re.IGNORECASE,
)


def _hits(text: str, edge: Literal["end", "start"] | None) -> dict[str, int]:
    """Per field (or ``boilerplate``) that ``text`` mentions, the length of its longest term found."""
    if not text:
        return {}
    low = _THIS_MAIL.sub(" ", " ".join(text.lower().split()))
    near = low
    if edge is not None:
        words = low.split()
        near = " ".join(words[-EDGE_WORDS:] if edge == "end" else words[:EDGE_WORDS])
    out: dict[str, int] = {}
    for field, anywhere, short in _patterns():
        longest = max((len(m[0]) for m in anywhere.finditer(low)), default=0) if anywhere else 0
        if not longest and short is not None and (m := short.search(near)):
            longest = len(m[0])
        if longest:
            out[field] = longest
    return out


def mentions(text: str, edge: Literal["end", "start"] | None = None) -> list[str]:
    """Fields (or ``boilerplate``) whose label words occur in ``text`` (Latin words at a word
    start, so German compounds like "Versandkosten" still hit "versand"; CJK anywhere).

    ``edge``: the text is a value's context that ends (``"end"``) or starts (``"start"``) at the
    value; its short words ("to", "at", "de", "x") then count only among the ``EDGE_WORDS``
    words next to the value: "to" labels "Flight to <airport>", not "is to notify you that"."""
    return list(_hits(text, edge))


def specific(text: str, edge: Literal["end", "start"] | None = None) -> list[str]:
    """The fields of :func:`mentions` whose term found is the longest: the most specific reading
    of a label ("Trial end date" is a trial's end before it is any date, "Device name" a device
    before it is any name, "Due by" a due date before an amount due)."""
    hits = _hits(text, edge)
    top = max(hits.values(), default=0)
    return [field for field, n in hits.items() if n == top]
