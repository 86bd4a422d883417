"""A message's HTML, or a cluster's skeleton HTML, made safe to show on a console page, with
extracted values (or the skeleton's slots) highlighted.

lxml_html_clean strips scripts, event handlers, styles, forms, frames, embedded objects and
unknown tags and keeps only safe attributes; then every image and link loses its URL (an image
shows its alt text), so showing the mail makes no request at all — the page's
Content-Security-Policy would refuse one anyway. Each extracted value found in the text is wrapped
in ``<mark>`` titled with its field. A skeleton's placeholders (:mod:`mailstencil.rules.skeleton`) become
marks naming the field read there and its confidence, linked to the slot's row of the rules table;
a slot read once per row says so, and its further rows are marked as repeats of the first.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from lxml.html.defs import safe_attrs
from lxml_html_clean import Cleaner

from mailstencil.rules.skeleton import GAP, LINE, PLACEHOLDER, REPEAT

from .views import SlotView

__all__ = ["safe_mail", "safe_skeleton"]


def _cleaner(attrs: frozenset[str]) -> Cleaner:
    """The console's cleaner keeping only the attributes ``attrs``."""
    return Cleaner(
        scripts=True,
        javascript=True,
        comments=True,
        style=True,
        inline_style=True,
        links=True,
        meta=True,
        page_structure=True,
        processing_instructions=True,
        embedded=True,
        frames=True,
        forms=True,
        annoying_tags=True,
        remove_unknown_tags=True,
        safe_attrs_only=True,
        safe_attrs=attrs,
    )


_CLEANER = _cleaner(frozenset(safe_attrs))
_SKELETON_CLEANER = _cleaner(frozenset(safe_attrs) | {LINE, GAP, REPEAT})
_URL_ATTRS = ("href", "src", "srcset", "background", "action", "cite", "longdesc", "usemap", "poster")


def _unlink(root: lxml.html.HtmlElement) -> None:
    for img in list(root.iter("img")):
        alt = img.get("alt", "").strip()
        span = lxml.html.Element("span", {"class": "img"})
        span.text = f"[image: {alt}]" if alt else "[image]"
        span.tail = img.tail
        parent = img.getparent()
        if parent is not None:
            parent.replace(img, span)
    for el in root.iter():
        for attr in _URL_ATTRS:
            if attr in el.attrib:
                del el.attrib[attr]


def _mark_text(text: str, values: list[tuple[str, str]]) -> list[str | tuple[str, str]]:
    """``text`` split into plain parts and (field, value) parts, longest values first."""
    parts: list[str | tuple[str, str]] = [text]
    for field, value in values:
        out: list[str | tuple[str, str]] = []
        for part in parts:
            if not isinstance(part, str) or value not in part:
                out.append(part)
                continue
            pieces = part.split(value)
            for i, piece in enumerate(pieces):
                if i:
                    out.append((field, value))
                if piece:
                    out.append(piece)
        parts = out
    return parts


def _marks(parts: list[str | tuple[str, str]]) -> tuple[str, list[lxml.html.HtmlElement]]:
    """The leading text and the ``<mark>`` elements (each with its following text as tail)."""
    lead = ""
    marks: list[lxml.html.HtmlElement] = []
    for part in parts:
        if isinstance(part, str):
            if marks:
                marks[-1].tail = (marks[-1].tail or "") + part
            else:
                lead += part
        else:
            mark = lxml.html.Element("mark", {"class": "slot", "title": part[0]})
            mark.text = part[1]
            marks.append(mark)
    return lead, marks


def _highlight(root: lxml.html.HtmlElement, values: list[tuple[str, str]]) -> None:
    for el in list(root.iter()):
        if el.tag == "mark":
            continue
        if el.text:
            lead, marks = _marks(_mark_text(el.text, values))
            if marks:
                el.text = lead
                for i, mark in enumerate(marks):
                    el.insert(i, mark)
        if el.tail and el.getparent() is not None:
            lead, marks = _marks(_mark_text(el.tail, values))
            if marks:
                el.tail = lead
                parent = el.getparent()
                assert parent is not None
                at = parent.index(el) + 1
                for i, mark in enumerate(marks):
                    parent.insert(at + i, mark)


def _clean_root(html: str, cleaner: Cleaner) -> lxml.html.HtmlElement | None:
    """``html`` through ``cleaner`` and parsed, every URL taken out; ``None`` when nothing
    readable is left."""
    if not html.strip():
        return None
    try:
        root = lxml.html.fromstring(cleaner.clean_html(html))
    except (lxml.etree.LxmlError, ValueError):
        return None
    _unlink(root)
    return root


def safe_mail(html: str, fields: dict[str, list[str]]) -> str:
    """The body's HTML cleaned, without any URL, values of ``fields`` highlighted; ``""`` when
    nothing readable is left."""
    root = _clean_root(html, _CLEANER)
    if root is None:
        return ""
    values = sorted(
        {(name, v) for name, vals in fields.items() for v in vals if len(v.strip()) >= 2},
        key=lambda fv: -len(fv[1]),
    )
    _highlight(root, values)
    return str(lxml.html.tostring(root, encoding="unicode", method="html"))


def _slot_marks(slots: list[SlotView], repeat: bool) -> list[lxml.html.HtmlElement]:
    """One ``<mark>`` per slot read at a placeholder (field or "unnamed", confidence; "each row" on
    a per-row slot's first row, class ``repeat`` and no tab stop on its further ones), or a bare
    variable mark where no rule reads."""
    if not slots:
        bare = lxml.html.Element("mark", {"class": "slot var", "title": "variable text"})
        bare.text = "…"
        return [bare]
    out = []
    for s in slots:
        name = s.rule.field or "unnamed"
        cls = ("slot" if s.rule.field else "slot unnamed") + (" repeat" if repeat else "")
        mark = lxml.html.Element("mark", {"class": cls, "data-slot": s.key})
        link = lxml.etree.SubElement(mark, "a", {"href": f"#slot-{s.key}"})
        if repeat:  # the first row's link is the one tab stop of a slot
            link.set("tabindex", "-1")
        link.text = name
        small = lxml.etree.SubElement(mark, "small")
        each = " · each row" if s.rule.mode == "rows" and not repeat else ""
        small.text = f"{s.rule.confidence:.2f}{each}"
        link.tail = " "
        out.append(mark)
    return out


def safe_skeleton(html: str, by_line: dict[int, list[SlotView]]) -> str:
    """A cluster's skeleton HTML cleaned like a mail, without any URL, each placeholder replaced
    by the slots ``by_line`` says are read there (matched by line and gap); ``""`` when empty."""
    root = _clean_root(html, _SKELETON_CLEANER)
    if root is None:
        return ""
    for var in list(root.iter(PLACEHOLDER)):
        line, gap, parent = var.get(LINE, ""), var.get(GAP), var.getparent()
        if not line.isdigit() or parent is None:
            continue
        here = by_line.get(int(line), [])
        at = parent.index(var)
        read = [s for s in here if gap is not None and str(s.rule.gap) == gap]
        marks = _slot_marks(read, REPEAT in var.attrib)
        marks[-1].tail = var.tail
        parent.remove(var)
        for i, mark in enumerate(marks):
            parent.insert(at + i, mark)
    return str(lxml.html.tostring(root, encoding="unicode", method="html"))
