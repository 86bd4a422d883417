"""A cluster's skeleton as HTML: the first member's element structure with only its constant text,
and a placeholder for every variable leaf, so the console can show the template as the mail looks.

Learning writes it (:func:`skeleton_html`) from the leaves of the cluster's first member, the set
of leaves that are constant template text (seen by k recipients, as the rules' text is) and, per
variable leaf, the token template of its column (constant tokens and gap numbers, what the rule's
regex holds). A variable leaf never contributes its text: each gap is an empty
``<var data-line="i" data-gap="g">`` (``data-gap`` absent on a leaf no slot reads), so no value
can reach it. A further row of a repeated slot (mode ``rows``) shows the first row's template, its
placeholders naming the first row's line and marked ``data-repeat``, as every row is read by the
same rule. Elements are rebuilt from the leaves' indexed paths, tag names only: no attribute,
style or URL of the mail is kept. The console sanitises it again before showing it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

import lxml.html
import lxml.html.defs

from .dom import SUBJECT, Leaf

__all__ = ["skeleton_html", "PLACEHOLDER", "LINE", "GAP", "REPEAT"]

PLACEHOLDER = "var"
LINE = "data-line"
GAP = "data-gap"
REPEAT = "data-repeat"
_STEP = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\[(\d+)\]$")
_SHOWN = frozenset(lxml.html.defs.tags) - {"html", "head", "body", "title", "meta", "link", "base"}
_CLOSING = frozenset(",.;:!?)%")
_TAGS = {"body": "div", "line": "p", "label": "span", "value": "span", SUBJECT: "p"}


def _steps(leaf: Leaf) -> list[str]:
    """The indexed element steps holding a leaf's text (``["body[1]", "p[2]"]``)."""
    if leaf.kind == SUBJECT:
        return [f"{SUBJECT}[1]"]
    steps = [s for s in leaf.xpath.split("/") if s]
    if steps and steps[0] == "html":
        steps = steps[1:]
    if steps and (steps[-1] == "@href" or steps[-1].startswith("text()")):
        steps = steps[:-1]
    return steps


def _tag(step: str) -> str:
    m = _STEP.match(step)
    name = m.group(1).lower() if m else ""
    return _TAGS.get(name) or (name if name in _SHOWN else "span")


def _element(
    nodes: dict[str, lxml.html.HtmlElement], root: lxml.html.HtmlElement, steps: list[str]
) -> lxml.html.HtmlElement:
    """The element at ``steps``, created (after its parent's content so far) when first seen."""
    el, path = root, ""
    for step in steps:
        path += "/" + step
        child = nodes.get(path)
        if child is None:
            child = lxml.html.Element(_tag(step))
            el.append(child)
            nodes[path] = child
        el = child
    return el


def _add_text(el: lxml.html.HtmlElement, text: str, sep: str = " ") -> None:
    """Append text after an element's content so far, ``sep`` apart from what is there."""
    if len(el):
        last = el[-1]
        last.tail = f"{last.tail or ''}{sep}{text}"
    else:
        el.text = f"{el.text}{sep}{text}" if el.text else text


def _add_slot(el: lxml.html.HtmlElement, line: int, gap: int | None, repeat: bool = False) -> None:
    if len(el) or el.text:
        _add_text(el, "")
    attrs = {LINE: str(line)} if gap is None else {LINE: str(line), GAP: str(gap)}
    if repeat:
        attrs[REPEAT] = "1"
    el.append(lxml.html.Element(PLACEHOLDER, attrs))


def skeleton_html(
    leaves: Sequence[Leaf],
    constant: Collection[int],
    templates: Mapping[int, Sequence[str | int]],
    repeats: Mapping[int, int] | None = None,
) -> str:
    """The skeleton of one message as HTML: constant leaves as text, each variable leaf as its
    template's constant tokens around one placeholder per gap (one bare placeholder without a
    template); ``repeats`` maps a further row's leaf to its first row's (whose template it shows);
    constant link targets are left out, a variable one is a placeholder in its link."""
    repeats = repeats or {}
    root = lxml.html.Element("div", {"class": "skeleton-mail"})
    nodes: dict[str, lxml.html.HtmlElement] = {}
    for i, leaf in enumerate(leaves):
        if leaf.kind == "href" and i in constant:
            continue
        el = _element(nodes, root, _steps(leaf))
        if i in constant:
            _add_text(el, leaf.text)
            if leaf.xpath.endswith("/label"):
                _add_text(el, ":", "")
            continue
        line = repeats.get(i, i)
        items = templates.get(line)
        if not items:
            _add_slot(el, i, None)
            continue
        for item in items:
            if isinstance(item, int):
                _add_slot(el, line, item, line != i)
            else:
                _add_text(el, item, "" if item in _CLOSING else " ")
    return str(lxml.html.tostring(root, encoding="unicode", method="html"))
