"""Template-independent features of a slot, for the role classifier.

Only context that any sender's template has: the constant text around the slot (inline and in
neighbouring leaves), its dictionary types, where it sits (tag shape, position, repeated row or
not, link or Subject), the cluster's constant Subject words, and statistics of its values.
No sender names, template ids or literal strings from any corpus.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from .induce import Slot
from .lexicon import mentions, specific
from .names import given_share

__all__ = [
    "SlotFacts",
    "SlotInput",
    "slot_facts",
    "slot_features",
    "table_features",
    "value_class",
    "TYPE_PREFIX",
    "generic_view",
]

# the feature strings of a slot's facts (SlotFacts): only the model's input, never read back;
# TYPE_PREFIX is also the form in which a stored model lists a field's value classes
TYPE_PREFIX = "tc:"
_DISTINCT_PREFIX = "distinct:"  # how much a slot's values vary: bucket of distinct values / values
_WHEN_PREFIX = "when:"  # when a slot's dates fall relative to the message's day (mailstencil.offline.dates)
_MULTI = "multi"  # the slot holds several values per message: one per row
# a slot's one value class: its most specific dictionary type (a URL that also reads as a device
# name is a URL; a date that also reads as a code is a date; a number long enough to read as a
# code is an identifier, not a count)
# fmt: off
_CLASS_ORDER = (
    "url", "ip", "email", "money", "date", "tracking", "flight", "airport", "card", "code",
    "integer", "phone", "carrier", "device", "person", "sentence",
)
# fmt: on

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str, limit: int = 8) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text) if not w.isdigit()]
    return words[-limit:]


def _cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _grams(text: str, prefix: str) -> list[str]:
    """Character 1- and 2-grams of a label in an unspaced script (CJK), where a word is no unit;
    none for spaced scripts: on senders never seen, their words and the lexicon generalize and
    the 3- and 4-grams of their labels only learned each template's wording."""
    low = "".join(text.lower().split())[:40]
    if not _cjk(low):
        return []
    low = re.sub(r"\d", "0", low)
    return [f"{prefix}{n}:{low[i : i + n]}" for n in (1, 2) for i in range(max(0, len(low) - n + 1))]


# the feature families that hold a template's own words (its labels, Subject, link text, URL
# path), as opposed to what they mean (the lexicon's fields), the value's type, shape and place
_LITERAL = ("ib:", "ia:", "b0:", "b1:", "a0:", "subj:", "lt:", "ibg", "b0g", "ltg", "up:")


def generic_view(features: list[str]) -> list[str]:
    """A slot's features without its template's own words: the slot as a sender never seen
    shows it, where only the lexicon, types, shapes and places speak."""
    return [x for x in features if not x.startswith(_LITERAL)]


def _bucket(x: float, edges: tuple[float, ...]) -> int:
    return sum(1 for e in edges if x >= e)


@lru_cache(maxsize=4096)
def _word_fields(words: frozenset[str]) -> tuple[str, ...]:
    """The fields that any word of a set (no order) names."""
    hits: set[str] = set()
    for w in words:
        hits.update(mentions(w))
    return tuple(sorted(hits))


NEAR = 60  # characters of a context text read for label words, nearest the value first


def _tail(text: str) -> str:
    """The last ``NEAR`` characters of a text before a value, whole words only."""
    if len(text) <= NEAR:
        return text
    cut = text[-NEAR:]
    return cut if text[-NEAR - 1].isspace() else cut.partition(" ")[2]


def _head(text: str) -> str:
    """The first ``NEAR`` characters of a text after a value, whole words only."""
    if len(text) <= NEAR:
        return text
    cut = text[:NEAR]
    return cut if text[NEAR].isspace() else cut.rpartition(" ")[0]


def _machinery_first(fields: list[str]) -> list[str]:
    """Only ``boilerplate`` when the words name the mail's machinery, else the fields."""
    return ["boilerplate"] if "boilerplate" in fields else fields


def _label_fields(text: str, edge: Literal["end", "start"] | None = None) -> list[str]:
    """The fields a label reads as most specifically (:func:`mailstencil.offline.lexicon.specific`); only
    ``boilerplate`` when it names the mail's machinery ("Unsubscribe from login notifications"
    is an opt-out, not a sign-in link)."""
    return ["boilerplate"] if "boilerplate" in mentions(text, edge) else specific(text, edge)


def value_class(dtypes: Iterable[str]) -> str:
    """The most specific dictionary type of a slot, or ``none`` when no dictionary types it."""
    have = set(dtypes)
    return next((d for d in _CLASS_ORDER if d in have), "none")


_PATH_WORD = re.compile(r"[^\W\d_]{3,}")


def _url_words(values: list[str]) -> list[str]:
    """Words of the URLs' paths and query keys that most values share (template text of the
    link: ``/account/orders/…``, ``/unsubscribe?token=…``), in path order."""
    seen: dict[str, int] = {}
    for v in values:
        parts = urlsplit(v)
        keys = " ".join(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))
        for w in dict.fromkeys(_PATH_WORD.findall(f"{parts.path} {keys}".lower())):
            seen[w] = seen.get(w, 0) + 1
    return [w for w, n in seen.items() if n >= len(values) / 2][:6]


@dataclass(frozen=True, slots=True)
class SlotFacts:
    """What the role model's hard gates decide on (the value class, several values per message),
    and the value statistics its features are written from, typed: computed once per slot beside
    its feature strings (which only feed the model), and carried with them to training and naming."""

    value_class: str  # the most specific dictionary type (:func:`value_class`), ``none`` untyped
    variability: int | None  # bucket of distinct values / values; ``None``: the slot has no values
    # when its dates fall (mailstencil.offline.dates.PERIODS, or ``mixed``); ``None``: few dates
    period: str | None
    multi: bool  # several values per message: one per row


class SlotInput(NamedTuple):
    """What the role model takes of one slot: the feature strings it hashes and the facts its
    gates read."""

    features: list[str]
    facts: SlotFacts


_VARIABILITY_EDGES = (0.2, 0.5, 0.8, 0.99)
_MULTI_ROWS = 1.5  # values per message from which a slot holds several: one per row


def slot_facts(slot: Slot) -> SlotFacts:
    """A slot's value class, how much its values vary, when its dates fall, whether it holds
    several values per message."""
    vals = _flat(slot)
    return SlotFacts(
        value_class=value_class(slot.dtypes),
        variability=_bucket(len(set(vals)) / len(vals), _VARIABILITY_EDGES) if vals else None,
        period=_period(slot.periods, len(vals)) if vals else None,
        multi=_per_message(slot) >= _MULTI_ROWS,
    )


def _period(periods: list[str], n: int) -> str | None:
    """The period most of ``n`` values' dates fall in, ``mixed`` when none holds most, ``None``
    when fewer than half the values read as dates."""
    if len(periods) < n / 2:
        return None
    common, k = Counter(periods).most_common(1)[0]
    return common if k >= 0.6 * len(periods) else "mixed"


def _per_message(slot: Slot) -> float:
    """The mean number of values of the messages that hold any."""
    return sum(len(r) for r in slot.values if r) / max(1, sum(1 for r in slot.values if r))


def slot_features(slot: Slot, subject: frozenset[str], doc_words: frozenset[str]) -> list[str]:
    """The feature strings of one slot (hashed by the model)."""
    return _features(slot, slot_facts(slot), subject, doc_words)


def _features(slot: Slot, facts: SlotFacts, subject: frozenset[str], doc_words: frozenset[str]) -> list[str]:
    """The feature families of one slot, in their fixed order (the model's input)."""
    tc = facts.value_class
    labels = _label_features(slot)
    docf = [f"docf:{field}" for field in _word_fields(doc_words)]
    return [
        *_place_features(slot),
        *_type_features(slot, tc),
        *_reader_features(slot, tc),
        *_context_words(slot),
        *labels,
        # the Subject's constant words are a set (no order): each word on its own, so the features
        # do not depend on the order a set happens to iterate in
        *(f"lxsj:{field}" for field in _word_fields(subject)),
        *_near_features(slot),
        *_link_features(slot),
        *_subject_words(subject),
        # the cluster's constant text only as the fields its words name (the vertical: an invoice,
        # a shipment, a sign-in alert), never its literal words: those identify a template
        *docf,
        *_far_features(slot),
        *(f"{tc}&{x}" for x in [*labels, *docf] if x.startswith(_CROSSED)),
        *_url_features(slot),
        *_value_features(slot, facts),
    ]


def _place_features(slot: Slot) -> list[str]:
    """Where the slot sits: its kind, repeated row or not, its tags, its position."""
    tags = [re.sub(r"\..*", "", t) for t in slot.ipath.split("/")]
    return [
        f"kind:{slot.kind}",
        f"rep:{slot.repeated}",
        "bias",
        f"tag:{tags[-1]}",
        f"tag2:{'/'.join(tags[-2:])}",
        f"pos:{_bucket(slot.position, (0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9))}",
    ]


def _type_features(slot: Slot, tc: str) -> list[str]:
    """The slot's dictionary types, its value class, and whether constant text shares its leaf."""
    dts = [f"dt:{d}" for d in slot.dtypes] or ["dt:none"]
    return [*dts, TYPE_PREFIX + tc, f"inline:{bool(slot.inline_before)}:{bool(slot.inline_after)}"]


def _reader_features(slot: Slot, tc: str) -> list[str]:
    """Whether the value is the reader's own: their address, their name, a name titled."""
    f: list[str] = []
    if "email" in slot.dtypes:  # the reader's own address is the account; another one a person
        f.append(f"own_address:{slot.own_address >= 0.5}")
    if tc in _PLAIN:  # a name that is in the reader's own address is the reader's
        f.append(f"reader_name:{_bucket(slot.reader_name, (0.2, 0.5, 0.8))}")
    if slot.gap in slot.template.titled:
        f.append("titled")  # a courtesy title before the value: a person addressed
    return f


def _context_words(slot: Slot) -> list[str]:
    """The words of the constant text around the slot: in its leaf, in the leaves before and after."""
    ib, ia = slot.inline_before, slot.inline_after
    f = [f"ib:{w}" for w in _words(ib, 4)]
    f.extend(_grams(" ".join(ib.split()[-3:]), "ibg"))
    f.extend(f"ia:{w}" for w in _words(ia, 3)[:3])
    for k, text in enumerate(slot.before[:2]):
        f.extend(f"b{k}:{w}" for w in _words(text, 5))
        if k == 0:
            f.extend(_grams(text[-30:], "b0g"))
        if text.rstrip().endswith(":"):
            f.append(f"b{k}:colon")
    for k, text in enumerate(slot.after[:1]):
        f.extend(f"a{k}:{w}" for w in _words(text, 4)[:4])
    return f


def _label_features(slot: Slot) -> list[str]:
    """The fields the label words nearest the value name: the end of a text before it, the start
    of one after it, its link text."""
    before, after = slot.before, slot.after
    contexts: tuple[tuple[str, str, Literal["end", "start"] | None], ...] = (
        ("ib", _tail(slot.inline_before), "end"),
        ("ia", _head(slot.inline_after), "start"),
        ("b0", _tail(before[0]) if before else "", "end"),
        ("b1", _tail(before[1]) if len(before) > 1 else "", "end"),
        ("a0", _head(after[0]) if after else "", "start"),
        ("lt", _tail(slot.link_text), None),
    )
    return [f"lx{ctx}:{field}" for ctx, text, edge in contexts for field in _label_fields(text, edge)]


def _near_features(slot: Slot) -> list[str]:
    """Every field the words just before the value mention."""
    near = " ".join([slot.inline_before[-40:], slot.before[0][-40:] if slot.before else ""])
    return [f"lxnear:{field}" for field in mentions(near)]


def _link_features(slot: Slot) -> list[str]:
    """The words of the link text, and its characters in an unspaced script."""
    return [*(f"lt:{w}" for w in _words(slot.link_text, 4)), *_grams(slot.link_text, "ltg")]


def _subject_words(subject: frozenset[str]) -> list[str]:
    """The cluster's constant Subject words (no numbers), sorted: the features do not depend on the
    order a set happens to iterate in."""
    return [f"subj:{w}" for w in sorted(subject) if not w.isdigit() and any(c.isalpha() for c in w)]


def _far_features(slot: Slot) -> list[str]:
    """The fields the texts farther away name: the third before the slot, the second after it."""
    f = [
        f"lxb{k}:{field}"
        for k, text in enumerate(slot.before[2:3], start=2)
        for field in mentions(_tail(text), "end")
    ]
    f += [
        f"lxa{k}:{field}"
        for k, text in enumerate(slot.after[1:2], start=1)
        for field in mentions(_head(text), "start")
    ]
    return f


# the label fields that are crossed with the value class ("total" before an amount, before a date)
_CROSSED = ("lxib:", "lxb0:", "lxia:", "lxa0:", "docf:")


def _url_features(slot: Slot) -> list[str]:
    """The path words a URL slot's values share, and the fields they name."""
    vals = _flat(slot)
    if not vals or "url" not in slot.dtypes:
        return []
    path_words = _url_words(vals)
    # an opt-out link's path makes it machinery, whatever else it says (/unsubscribe/login/…)
    fields = _machinery_first(mentions(" ".join(path_words)))
    return [*(f"up:{w}" for w in path_words), *(f"lxup:{field}" for field in fields)]


def _value_features(slot: Slot, facts: SlotFacts) -> list[str]:
    """Statistics of the slot's values: their shape, how much they vary, how many per message,
    given names, when their dates fall (none for a slot without values)."""
    vals = _flat(slot)
    if not vals:
        return []
    tc = facts.value_class
    # for a strongly typed value (an address, an amount) the shape is crossed with its type: a
    # name's shape ("capitalised words") says nothing of an address's role
    shape = "" if tc in _PLAIN else f"{tc}&"
    f = [*_shape_features(vals, tc, shape), f"{_DISTINCT_PREFIX}{facts.variability}"]
    f.append(f"rows:{_bucket(_per_message(slot), (_MULTI_ROWS, 3))}")
    if facts.multi:
        f.append(_MULTI)
    f.append(f"vdistinct:{_bucket(len(set(vals)), (2, 4, 8))}")
    if tc in _PLAIN or tc == "email":  # a person, or a team, a project, a product
        f.append(f"{shape}given:{_bucket(given_share(vals), (0.1, 0.4, 0.7))}")
    if facts.period is not None:  # when its dates fall, relative to the message's own day
        f.append(f"{_WHEN_PREFIX}{facts.period}")
    return f


def _shape_features(vals: list[str], tc: str, shape: str) -> list[str]:
    """The shape of a slot's values: length, digits, words, case, leading symbol, sign."""
    n = len(vals)
    digits = sum(sum(c.isdigit() for c in v) / max(1, len(v)) for v in vals) / n
    f = [
        f"{shape}len:{_bucket(_mean_len(vals), (3, 6, 10, 16, 25, 40, 80))}",
        f"{shape}digits:{_bucket(digits, (0.01, 0.2, 0.5, 0.8, 0.99))}",
    ]
    if tc == "email":  # every address is one word, lower case, unsigned: that would only repeat
        return f  # its type, and outvote the words around it
    words = sum(len(v.split()) for v in vals) / n
    return f + [
        f"{shape}words:{_bucket(words, (1.5, 2.5, 4, 8))}",
        f"{shape}upper:{all(v.isupper() for v in vals)}",
        f"{shape}cap:{all(v[:1].isupper() for v in vals)}",
        f"{shape}sym:{vals[0][:1] if not vals[0][:1].isalnum() else 'alnum'}",
        f"{shape}neg:{sum(v.lstrip()[:1] in '-−(' for v in vals) / n >= 0.5}",
    ]


_PLAIN = frozenset(("none", "person", "sentence", "code", "carrier", "device"))


def _row_features(slots: list[Slot]) -> list[list[str]]:
    """Where each slot sits among the slots of its repeated row (same anchor and row depth):
    first or last in reading order, the longest free text of the row, the first or last amount.
    The name of an item is its row's longest text, its line total the row's last amount."""
    out: list[list[str]] = [[] for _ in slots]
    groups: dict[tuple[int, int], list[int]] = {}
    for k, slot in enumerate(slots):
        if slot.repeated:
            groups.setdefault((slot.anchor, slot.row_depth), []).append(k)
    for members in groups.values():
        members.sort(key=lambda k: (slots[k].position, slots[k].gap))
        n = len(members)
        for i, k in enumerate(members):
            out[k] += [f"rowi:{min(i, 3)}", f"rowr:{min(n - 1 - i, 3)}"]
        texts = [k for k in members if value_class(slots[k].dtypes) in _PLAIN]
        if texts:
            out[max(texts, key=lambda k: _mean_len(_flat(slots[k])))].append("row:longest")
        money = [k for k in members if "money" in slots[k].dtypes]
        for j, k in enumerate(money):
            out[k] += [f"rowm:{min(j, 2)}", f"rowmr:{min(len(money) - 1 - j, 2)}"]
    return out


def _flat(slot: Slot) -> list[str]:
    """A slot's values, all messages' rows in one list."""
    return [v for row in slot.values for v in row]


def _mean_len(vals: list[str]) -> float:
    return sum(len(v) for v in vals) / max(1, len(vals))


ECHO_SHARE = 0.5


def _echo_features(slots: list[Slot]) -> list[list[str]]:
    """Where else in the same message a slot's value appears: in the Subject, in another text,
    inside a link's URL. The entity a mail is about (its order, project, sender) is repeated
    across the mail; a value said once is more often an incidental detail."""
    n = max((len(s.values) for s in slots), default=0)
    hits: list[dict[str, int]] = [{} for _ in slots]
    seen = [0] * len(slots)
    for m in range(n):
        where: dict[str, set[tuple[int, str]]] = {}  # value -> (slot, kind) holding it
        urls: list[tuple[int, str]] = []
        for k, slot in enumerate(slots):
            row = slot.values[m] if m < len(slot.values) else []
            for v in row:
                if slot.kind == "href":
                    urls.append((k, v.lower()))
                elif len(v.strip()) >= 3:
                    where.setdefault(v.strip().lower(), set()).add((k, slot.kind))
        for k, slot in enumerate(slots):
            row = slot.values[m] if m < len(slot.values) else []
            if not row or slot.kind == "href":
                continue
            seen[k] += 1
            kinds: set[str] = set()
            for v in row:
                key = v.strip().lower()
                if len(key) < 3:
                    continue
                kinds.update(kind for j, kind in where.get(key, ()) if j != k)
                slug = re.sub(r"\s+", "-", key)
                if any(j != k and (key in u or slug in u) for j, u in urls):
                    kinds.add("url")
            for kind in kinds:
                hits[k][kind] = hits[k].get(kind, 0) + 1
    return [
        [f"echo:{kind}" for kind, c in sorted(h.items()) if c >= ECHO_SHARE * seen[k]]
        for k, h in enumerate(hits)
    ]


def table_features(slots: list[Slot], subject: frozenset[str], doc_words: frozenset[str]) -> list[SlotInput]:
    """The feature strings of every slot of one cluster (its own, its place in its row, and where
    else in the message its value appears), each with the slot's facts."""
    out: list[SlotInput] = []
    for slot, row, echo in zip(slots, _row_features(slots), _echo_features(slots), strict=True):
        facts = slot_facts(slot)
        own = _features(slot, facts, subject, doc_words)
        out.append(SlotInput([*own, *row, *echo, *(f"{facts.value_class}&{e}" for e in echo)], facts))
    return out
