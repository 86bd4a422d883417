"""Learned patterns compiled with RE2, a linear-time engine: no text makes a rule backtrack.

Rules are full-match regexes learned from mail and applied to mail, so both the pattern's shape
and the text are outside our control; Python's ``re`` backtracks (cubic in the text for a pattern
with a few lazy gaps), RE2 never does. ``\\s`` is widened to Python's Unicode white space so the
two engines agree on every pattern learning writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol, cast

import re2

from .limits import DEFAULT_LIMITS
from .model import RuleSet
from .text import safe_text

__all__ = [
    "Match",
    "Pattern",
    "PatternError",
    "compile_pattern",
    "check_patterns",
    "full_match",
]


# Python's str ``\s`` (exactly the characters ``str.isspace`` accepts) in RE2 syntax
_UNICODE_SPACE = r"\s\x0b\x1c-\x1f\x85\pZ"
_OPTIONS = re2.Options()
_OPTIONS.dot_nl = True  # re.DOTALL: a gap may span a line break
_OPTIONS.log_errors = False
_BOTH = re2._Anchor.ANCHOR_BOTH
_NO_SPAN = (-1, -1)


class Match(Protocol):
    """The part of a match object rules use."""

    def group(self, index: int) -> str | None: ...

    def groups(self) -> tuple[str | None, ...]: ...


class Pattern(Protocol):
    """A compiled full-match pattern."""

    def fullmatch(self, text: str) -> Match | None: ...


class PatternError(ValueError):
    """A pattern the linear-time engine does not accept (a rule set holding one is not published)."""


def _translate(pattern: str) -> str:
    """``pattern`` with every ``\\s`` escape (outside or inside a class) widened to Unicode space."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(_UNICODE_SPACE if in_class else f"[{_UNICODE_SPACE}]")
            else:
                out.append(c + nxt)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class and out and out[-1] != "[":
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


class _Spans:
    """A match of ASCII text: its groups read from RE2's byte spans, which are its character spans."""

    __slots__ = ("_text", "_spans")

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self._text, self._spans = text, spans

    def group(self, index: int) -> str | None:
        start, end = self._spans[index]
        return None if start < 0 else self._text[start:end]

    def groups(self) -> tuple[str | None, ...]:
        return tuple(self.group(i) for i in range(1, len(self._spans)))


class _RE2Pattern:
    """An RE2 pattern whose full match of ASCII text calls RE2's matcher itself: the wrapper's
    ``fullmatch`` (a generator and a map of byte to character offsets) costs five times the match.
    Other text goes through the wrapper."""

    __slots__ = ("_regexp", "_match")

    def __init__(self, regexp: Any) -> None:
        self._regexp = regexp
        self._match = regexp._regexp.Match

    def fullmatch(self, text: str) -> Match | None:
        if not text.isascii():
            return cast(Match | None, self._regexp.fullmatch(text))
        spans = self._match(_BOTH, text.encode("ascii"), 0, len(text))
        return None if spans[0] == _NO_SPAN else _Spans(text, spans)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Pattern:
    """Compile a learned pattern with RE2 (raises :class:`PatternError` when RE2 refuses it); cached,
    as learning compiles the same few patterns over and over."""
    try:
        return _RE2Pattern(re2.compile(_translate(pattern), _OPTIONS))
    except re2.error as exc:
        raise PatternError(f"pattern not accepted by the linear-time engine: {exc}") from exc


def full_match(pattern: Pattern, text: str, max_text: int = DEFAULT_LIMITS.rule_text) -> Match | None:
    """``pattern.fullmatch(text)``; ``None`` for a text over ``max_text`` characters."""
    if len(text) > max_text:
        return None
    try:
        return pattern.fullmatch(text)
    except UnicodeEncodeError:  # a lone surrogate in a caller's own text
        return pattern.fullmatch(safe_text(text))


def _patterns(ruleset: RuleSet) -> Iterable[tuple[str, str]]:
    for c in ruleset.clusters:
        for r in c.rules:
            yield c.cluster, r.pattern
        for s in c.selectors:
            yield c.cluster, s.pattern


def check_patterns(ruleset: RuleSet) -> None:
    """Raise :class:`PatternError` naming the clusters whose patterns RE2 does not accept."""
    bad: dict[str, str] = {}
    for cluster, pattern in _patterns(ruleset):
        if cluster in bad:
            continue
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            bad[cluster] = str(exc)
    if bad:
        first = next(iter(bad.items()))
        raise PatternError(
            f"{len(bad)} cluster(s) hold patterns the linear-time engine refuses "
            f"(first: {first[0]}: {first[1]}); the rule set is not published"
        )
