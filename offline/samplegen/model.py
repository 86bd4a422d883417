"""Document model: templates build a :class:`Doc` of blocks; layouts render it.

Variables are wrapped in :class:`Var` so the ground truth is collected from the
very objects that get rendered, which keeps truth and output in sync.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from mailstencil.rules.text import normalize_value

from .vocab import FIELD_KINDS, LINE_ITEM


@dataclass(frozen=True)
class Var:
    """A variable text fragment labelled with a vocabulary field (or ``""`` for unlabelled)."""

    name: str
    value: str


@dataclass(frozen=True)
class Link:
    """An inline hyperlink; ``field`` names the vocabulary field the href belongs to, if any."""

    text: tuple[Inline, ...]
    href: str
    field: str = ""


Inline = str | Var | Link
Parts = tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    """A title line."""

    parts: Parts


@dataclass(frozen=True)
class Para:
    """A paragraph of running text; ``muted`` marks small print."""

    parts: Parts
    muted: bool = False


@dataclass(frozen=True)
class Fields:
    """Label/value rows (``Order number: 1001``)."""

    rows: tuple[tuple[str, Parts], ...]
    title: str = ""


@dataclass(frozen=True)
class Items:
    """A repeated-row table (line items, flight legs, rooms)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Parts, ...], ...]
    title: str = ""


@dataclass(frozen=True)
class Totals:
    """Money summary rows; the last row is the grand total."""

    rows: tuple[tuple[str, Parts], ...]


@dataclass(frozen=True)
class Button:
    """The main call-to-action link."""

    label: str
    href: str
    field: str = ""


@dataclass(frozen=True)
class Code:
    """A prominently displayed code (verification code, gift card code)."""

    parts: Parts


Block = Heading | Para | Fields | Items | Totals | Button | Code


@dataclass
class Doc:
    """A rendered-to-be message: subject plus body blocks."""

    subject: Parts
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block | None) -> None:
        """Append the given blocks, skipping ``None`` (optional blocks switched off)."""
        self.blocks.extend(b for b in blocks if b is not None)


def fill(fmt: str, **values: Inline) -> Parts:
    """Split ``fmt`` at ``{name}`` placeholders and insert the given inline values."""
    out: list[Inline] = []
    for literal, name, _spec, _conv in string.Formatter().parse(fmt):
        if literal:
            out.append(literal)
        if name is not None:
            out.append(values[name])
    return tuple(out)


def plain(parts: Parts) -> str:
    """The reader-visible text of inline parts (no markup)."""
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, Var):
            out.append(p.value)
        else:
            out.append(plain(p.text))
    return "".join(out)


class _Collector:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        if not name:
            return
        kind = FIELD_KINDS[name]
        values = self.fields.setdefault(name, [])
        if kind == LINE_ITEM or not values:
            values.append(value)
        elif values[0] != value:
            raise ValueError(f"single field {name!r} rendered with two values: {values[0]!r} / {value!r}")

    def parts(self, parts: Parts) -> None:
        for p in parts:
            if isinstance(p, Var):
                self.add(p.name, normalize_value(p.value))
            elif isinstance(p, Link):
                self.parts(p.text)
                self.add(p.field, p.href)


def collect_truth(doc: Doc) -> dict[str, list[str]]:
    """Collect ``{field: [values]}`` from the body (document order) and then the subject."""
    c = _Collector()
    for b in doc.blocks:
        if isinstance(b, Heading | Para | Code):
            c.parts(b.parts)
        elif isinstance(b, Fields | Totals):
            for _label, parts in b.rows:
                c.parts(parts)
        elif isinstance(b, Items):
            for row in b.rows:
                for cell in row:
                    c.parts(cell)
        else:
            c.add(b.field, b.href)
    subject_only = _Collector()
    subject_only.parts(doc.subject)
    for name, values in subject_only.fields.items():
        if name not in c.fields:
            c.fields[name] = values
    return c.fields
