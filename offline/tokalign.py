"""Token-level alignment of one column's values into constant template text and variable gaps.

The constant tokens of a column are the longest common subsequence of its values' tokens; the
spans between them are the variables. The result is a full-match regex with one group per gap
(the regex holds only constant text, never a value).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from mailstencil.rules.dictionaries import TYPES, is_currency_token
from mailstencil.rules.patterns import compile_pattern, full_match
from mailstencil.rules.text import join_tokens, tokenize

__all__ = ["Template", "align_values", "lcs"]

_SAMPLE = 40
_MAX_JOIN = 3
LEAD_SHARE = 0.6
_MAX_LEAD = 3
_MAX_ALTERNATIVES = 3
_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Hr|Fr|M|Mme|Mlle|Monsieur|Madame|Sr|Sra|Srta|Señor|Señora"
    r"|Don|Doña|Sig|Sig\.ra|Signor|Signora)\.?"
)
_TITLE = re.compile(_TITLES + r"\s+\S", re.IGNORECASE)
_date = TYPES["date"]
_money = TYPES["money"]
_card = TYPES["card"]
_BRACKETS = frozenset("()[]")
_AMOUNT = re.compile(r"^[-−+]?\d{1,3}(?:[,.\u202f' ]?\d{3})*(?:[.,]\d{1,2})?$")


def _amount(value: str) -> bool:
    return bool(_AMOUNT.match(value))


@dataclass(slots=True)
class Template:
    """A column's template: ``items`` are constant tokens (str) and gap numbers (int), in order.

    ``absorb[g]`` = (tokens taken from the left, tokens taken from the right) of gap ``g``: constant
    tokens that belong to the value (a currency code after an amount, the year of a date).
    ``titled`` gaps are names after a courtesy title that varies (``Dear Mr. Lee``): the title is
    matched outside the value. ``lead[g]`` are words most (not all) values of gap ``g`` start
    with, one list of alternatives per word: template text that is sometimes left out
    (``Dear Ann`` / ``Ann``), matched outside it. ``trail[g]`` is a word every value of gap ``g``
    ends with, in either case, and some values are only: template text after an optional value
    (``DPD tracking number`` / ``Tracking number``), matched outside it whatever its case.
    """

    items: list[str | int]
    absorb: dict[int, tuple[int, int]]
    titled: set[int] = field(default_factory=set)
    lead: dict[int, list[list[str]]] = field(default_factory=dict)
    trail: dict[int, str] = field(default_factory=dict)

    @property
    def gaps(self) -> list[int]:
        return [i for i in self.items if isinstance(i, int)]

    def context(self, gap: int) -> tuple[str, str]:
        """The template text before and after ``gap``, its optional words included (``Dear``
        before a name, ``tracking`` after a carrier)."""
        before: list[str] = []
        after: list[str] = []
        side = before
        for item in self.items:
            if isinstance(item, str):
                side.append(item)
                continue
            side.extend(w for step in self.lead.get(item, []) for w in step)
            if item == gap:
                side = after
            if item in self.trail:
                side.append(self.trail[item])
        return join_tokens(before), join_tokens(after)

    def regex(self, gap: int | None = None) -> str:
        """Full-match regex; every gap is a group, or only ``gap`` when given (others non-capturing)."""
        parts: list[str] = []
        items = self.items
        skip_until = -1
        for pos, item in enumerate(items):
            if pos <= skip_until:
                continue
            if isinstance(item, int):
                left, right = self.absorb.get(item, (0, 0))
                if left:
                    del parts[-left:]
                skip_until = pos + right
                body = _group_body(items, pos, left, right)
                capture = gap is None or gap == item
                title = f"(?:{_TITLES}\\s+)?" if item in self.titled else ""
                if item in self.lead:
                    title = _lead_regex(self.lead[item]) + title
                after = f"\\s*(?i:{re.escape(self.trail[item])})" if item in self.trail else ""
                parts.append(f"{title}({body}){after}" if capture else f"{title}(?:{body}){after}")
            else:
                parts.append(re.escape(item))
        return r"\s*" + r"\s*".join(parts) + r"\s*"


def _lead_regex(steps: list[list[str]]) -> str:
    """Nested optional words: ``(?:Sehr\\s+(?:(?:geehrte|geehrter)\\s+)?)?``."""
    inner = ""
    for words in reversed(steps):
        inner = f"(?:(?:{'|'.join(re.escape(w) for w in words)})\\s+{inner})?"
    return inner


def _group_body(items: list[str | int], pos: int, left: int, right: int) -> str:
    pieces: list[str] = []
    for k in range(left, 0, -1):
        pieces.append(re.escape(str(items[pos - k])))
    pieces.append(".*?")
    for k in range(1, right + 1):
        pieces.append(re.escape(str(items[pos + k])))
    return r"\s*".join(pieces)


def lcs(a: list[str], b: list[str]) -> list[str]:
    """Longest common subsequence of two token lists."""
    n, m = len(a), len(b)
    if not n or not m:
        return []
    prev = [0] * (m + 1)
    table = [prev]
    for i in range(n):
        cur = [0] * (m + 1)
        ai = a[i]
        for j in range(m):
            cur[j + 1] = prev[j] + 1 if ai == b[j] else max(prev[j + 1], cur[j])
        table.append(cur)
        prev = cur
    out: list[str] = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            out.append(a[i - 1])
            i -= 1
            j -= 1
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    out.reverse()
    return out


def align_values(values: list[str], rows: bool = False) -> tuple[Template, list[list[str | None]]] | None:
    """Align a column's values; returns its template and, per value, the text of each gap.

    ``rows``: the values are the cells of repeated records (the items of an order), whose first
    words are their own (``Formule Essentiel`` beside ``Stockage``), never optional template text.
    Returns ``None`` when the values do not share a template (no regex fits them all).
    """
    distinct = list(dict.fromkeys(values))
    sample = distinct[:_SAMPLE]
    const = tokenize(sample[0])
    for v in sample[1:]:
        const = lcs(const, tokenize(v))
        if not const:
            break
    items: list[str | int] = []
    gap = 0
    for tok in const:
        items.append(gap)
        items.append(tok)
        gap += 1
    items.append(gap)
    parsed = _parse(Template(items, {}), values)
    # drop gaps that are empty in every value
    nonempty = {g for row in parsed for g, text in enumerate(row) if text}
    if not nonempty:
        return None
    items = [i for i in items if not isinstance(i, int) or i in nonempty]
    template = _merge_brackets(_renumber(items))
    template = _merge_dates(template, values)
    parsed = _parse(template, values)
    _absorb(template, parsed)
    if not rows:
        _leads(template, parsed)
    _trails(template, parsed)
    _titles(template, _parse(template, values) if template.lead else parsed)
    if template.absorb or template.titled or template.lead or template.trail:
        parsed = _parse(template, values)
    return template, parsed


def _renumber(items: list[str | int]) -> Template:
    gaps = sorted({i for i in items if isinstance(i, int)})
    renum = {old: new for new, old in enumerate(gaps)}
    return Template([renum[i] if isinstance(i, int) else i for i in items], {})


def _merge_brackets(template: Template) -> Template:
    """One gap for values whose only shared text is brackets after a start of their own:
    ``{name} ({qualifier})`` (``Scale plan (per seat)``, ``Extra storage (100 GB)``) is one value
    that writes its own qualifier, not two values in a template's brackets."""
    items = template.items
    consts = [t for t in items if isinstance(t, str)]
    if consts and isinstance(items[0], int) and all(t in _BRACKETS for t in consts):
        return Template([0], {})
    return template


def _parse(template: Template, values: list[str]) -> list[list[str | None]]:
    """Per value, the text of each gap ([] when the template's regex does not match it)."""
    rx = compile_pattern(template.regex())
    out: list[list[str | None]] = []
    for v in values:
        m = full_match(rx, v, len(v))
        out.append([g.strip() if g is not None else None for g in m.groups()] if m else [])
    return out


def _merge_dates(template: Template, values: list[str]) -> Template:
    """Join neighbouring gaps whose span is one value of a compound type: a date with its time
    (``7 Feb 2026, 03:46``) or a payment card (``Visa ending in 4242``)."""
    merged = True
    while merged:
        merged = False
        items = template.items
        gaps = [pos for pos, it in enumerate(items) if isinstance(it, int)]
        parsed = _parse(template, values)
        for pa, pb in zip(gaps, gaps[1:], strict=False):
            if pb - pa - 1 > _MAX_JOIN:
                continue
            alone = [row[items[pa]] for row in parsed if row and row[items[pa]]]  # type: ignore[index]
            candidate = _renumber(items[:pa] + [items[pa]] + items[pb + 1 :])
            joined_rows = _parse(candidate, values)
            g = candidate.items[pa]
            joined = [row[g] for row in joined_rows if row and row[g]]  # type: ignore[index]
            if not joined or len(joined) < len(alone):
                continue
            for test in (_date, _card):
                rate = _rate(test, joined)  # type: ignore[arg-type]
                if rate >= 0.7 and rate >= (_rate(test, alone) if alone else 0.0):  # type: ignore[arg-type]
                    template = candidate
                    merged = True
                    break
            if merged:
                break
    return template


def _absorb(template: Template, parsed: list[list[str | None]]) -> None:
    """Extend gaps over neighbouring constant tokens that belong to their dictionary type."""
    items = template.items
    taken: set[int] = set()  # a constant token belongs to at most one gap
    for pos, item in enumerate(items):
        if not isinstance(item, int):
            continue
        vals = _gap_values(parsed, item)
        if not vals:
            continue
        right = 0
        left = 0
        if _rate(_money, vals) >= 0.7 or _rate(_amount, vals) >= 0.7:
            # a currency code or symbol next to an amount is part of the value: "12,50 €", "€ 5 EUR"
            while pos + right + 1 < len(items) and _is_currency(items[pos + right + 1]):
                right += 1
            while pos - left - 1 >= 0 and pos - left - 1 not in taken and _is_currency(items[pos - left - 1]):
                left += 1
        if not (left or right):
            base = _rate(_date, vals)
            for k in (1, 2, 3):
                nxt = items[pos + 1 : pos + 1 + k]
                if len(nxt) < k or not all(isinstance(t, str) for t in nxt):
                    break
                if not any(c.isalnum() for c in str(nxt[-1])):
                    continue  # a date does not end in punctuation
                suffix = " ".join(str(t) for t in nxt)
                joined = [_join(v, suffix) for v in vals]
                rate = _rate(_date, joined)
                if rate >= 0.7 and rate >= base:
                    right, base = k, rate
        if left or right:
            template.absorb[item] = (left, right)
            taken.update(range(pos - left, pos + right + 1))


def _gap_values(parsed: list[list[str | None]], gap: int) -> list[str]:
    """The values a gap took, in the rows that have one."""
    return [v for row in parsed if row and (v := row[gap])]


def _leads(template: Template, parsed: list[list[str | None]]) -> None:
    """Find the words most (not all) values of a gap start with: optional template text.

    The first is one word (``Dear Ann`` / ``Ann``); after it may follow words that vary with
    the reader's gender or number, a few alternatives that cover its values (``Sehr geehrte`` /
    ``Sehr geehrter``). Names are too varied to pass for either. What follows the words must
    vary too: ``Offline Payment`` in most messages is one value, not ``Offline`` before one.
    """
    for gap in template.gaps:
        vals = _gap_values(parsed, gap)
        if len(vals) < 3 or gap in template.absorb:
            continue
        rest: list[str] = vals
        steps: list[list[str]] = []
        while len(steps) < _MAX_LEAD:
            heads = [v.split(None, 1) for v in rest]
            counts = Counter(h[0] for h in heads if len(h) == 2 and h[0].isalpha())
            if not counts:
                break
            if not steps:
                word, n = counts.most_common(1)[0]
                if not LEAD_SHARE * len(rest) <= n < len(rest):
                    break
                words = [word]
            else:
                words = sorted(w for w, n in counts.items() if n >= 2)
                if not 0 < len(words) <= _MAX_ALTERNATIVES or sum(counts[w] for w in words) < 0.9 * len(rest):
                    break
            steps.append(words)
            rest = [h[1] for h in heads if len(h) == 2 and h[0] in words]
        if steps and len(set(rest)) > 1:
            template.lead[gap] = steps


def _trails(template: Template, parsed: list[list[str | None]]) -> None:
    """Find a word every value of a gap ends with and some values are only, in any case: the
    template's text after an optional value, capitalised when the value is left out."""
    for gap in template.gaps:
        vals = _gap_values(parsed, gap)
        if len(vals) < 3 or gap in template.absorb:
            continue
        last = {v.rsplit(None, 1)[-1].lower() for v in vals}
        word = next(iter(last))
        alone = [v.lower() == word for v in vals]
        if len(last) == 1 and word.isalpha() and any(alone) and not all(alone):
            template.trail[gap] = word


def _titles(template: Template, parsed: list[list[str | None]]) -> None:
    """Mark gaps whose values mostly start with a courtesy title: the title is not the name."""
    for gap in template.gaps:
        vals = _gap_values(parsed, gap)
        if vals and sum(1 for v in vals if _TITLE.match(v)) >= 0.5 * len(vals):
            template.titled.add(gap)


def _is_currency(item: str | int) -> bool:
    return isinstance(item, str) and is_currency_token(item)


def _join(value: str, suffix: str) -> str:
    if suffix[:1] in ",.":
        return value + suffix
    return f"{value} {suffix}"


def _rate(test: object, vals: list[str]) -> float:
    assert callable(test)
    return sum(1 for v in vals if test(v)) / len(vals)
