"""Tokenising of leaf text for token-level alignment of a column's values.

Tokens keep symbols glued to the value they belong to (``$440.95``, ``#1001``, ``2026-04-02``,
``a@b.example``) and split off sentence punctuation, so a template's constant words line up while
values stay whole. A sign before a currency symbol (``-£16.00``) is split off: templates write it
before the formatted amount. CJK characters are single tokens because those scripts have no spaces.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["tokenize", "join_tokens", "normalize_value", "safe_text"]

_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\uffef"
_RUN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_OPEN = "([{\"'“„«‘<"
_CLOSE = ".,:;!?)]}\"'”“»«’‘>"
_SIGN = "-−"
_SURROGATE = re.compile("[\ud800-\udfff]")


def tokenize(text: str) -> list[str]:
    """Split text into alignment tokens (see module docstring)."""
    out: list[str] = []
    for run in _RUN.findall(text):
        head = 0
        while head < len(run) - 1 and run[head] in _OPEN:
            out.append(run[head])
            head += 1
        if run[head] in _SIGN and head + 1 < len(run) and unicodedata.category(run[head + 1]) == "Sc":
            out.append(run[head])
            head += 1
        tail = len(run)
        while tail - 1 > head and run[tail - 1] in _CLOSE:
            tail -= 1
        out.append(run[head:tail])
        out.extend(run[tail:])
    return out


def join_tokens(tokens: list[str]) -> str:
    """Tokens back into text: a space between two tokens, none between two CJK characters (their
    scripts write none, so a label reads ``ご注文番号`` again, as its lexicon entry does)."""
    return _CJK_GAP.sub("", " ".join(tokens))


def normalize_value(text: str) -> str:
    """The form leaf texts and values are compared in: runs of white space (non-breaking spaces
    too) collapsed to one space, the ends stripped (HTML entities are decoded by the parser)."""
    return " ".join(text.split())


def safe_text(text: str) -> str:
    """``text`` with lone surrogates (from ``utf-7`` or ``unicode_escape`` decoding) replaced by
    U+FFFD: such text cannot be written as UTF-8, so JSON answers and RE2 would fail on it."""
    if text.isascii() or not _has_surrogate(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` cannot be encoded, tried a megabyte at a time: a body can be tens of
    megabytes, and a whole copy of it only to check it doubled its memory."""
    step = 1 << 20
    for start in range(0, len(text), step):
        try:
            text[start : start + step].encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False
