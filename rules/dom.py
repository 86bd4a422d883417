"""Turn a message into its ordered list of text leaves, each with an indexed and an index-free path.

A leaf is one visible text node of the HTML (or one line of a text-only body), one link target
(``href``), or the Subject. Leaves are what clusters are keyed on and what rules extract from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

__all__ = ["Leaf", "html_leaves", "text_leaves", "split_label", "message_leaves", "collapse", "DomError"]

SUBJECT = "subject"
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "xml"})
_MAX_LEAVES = 20_000
_MAX_DEPTH = 400
# bodies arrive decoded; we re-encode them as UTF-8 and say so, overriding any stale <meta charset>
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, recover=True, encoding="utf-8", huge_tree=True
)
_LABEL_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s+(\S.*?)\s*$")


class DomError(ValueError):
    """Raised when a body cannot be turned into leaves (e.g. nested beyond any sane template)."""


def collapse(text: str) -> str:
    """Collapse runs of white space (including non-breaking spaces) to one space and strip."""
    return " ".join(text.split())


@dataclass(slots=True, frozen=True)
class Leaf:
    """One text leaf: ``ipath`` is the index-free path, ``xpath`` the indexed one."""

    ipath: str
    xpath: str
    text: str
    kind: str = "text"  # text | href | subject | line


def _step(tag: str, cls: str | None) -> str:
    if cls:
        first = cls.split(None, 1)
        if first:
            return f"{tag}.{first[0]}"
    return tag


def html_leaves(html: str | bytes) -> list[Leaf]:
    """Leaves of an HTML document in document order: text nodes and ``http(s)`` link targets."""
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogatepass")
    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise DomError(f"unparseable HTML: {exc}") from exc
    out: list[Leaf] = []
    _walk(root, "/html", "html", 0, out)
    return out


def _walk(el: lxml.etree._Element, xp: str, ip: str, depth: int, out: list[Leaf]) -> None:
    if depth > _MAX_DEPTH:
        raise DomError("HTML nested too deeply")
    if len(out) > _MAX_LEAVES:
        raise DomError("HTML has too many text nodes")
    if el.tag == "a":
        href = (el.get("href") or "").strip()
        if href[:8].lower().startswith(("http://", "https://")):
            out.append(Leaf(ip + "/@href", xp + "/@href", href, "href"))
    ntext = 0  # XPath counts every text node, white space included
    text = el.text
    if text:
        ntext = 1
        if not text.isspace():
            out.append(Leaf(ip, xp + "/text()[1]", collapse(text), "text"))
    counts: dict[str, int] = {}
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in _SKIP:
            n = counts.get(tag, 0) + 1
            counts[tag] = n
            _walk(child, f"{xp}/{tag}[{n}]", f"{ip}/{_step(tag, child.get('class'))}", depth + 1, out)
        tail = child.tail
        if tail:
            ntext += 1
            if not tail.isspace():
                out.append(Leaf(ip, f"{xp}/text()[{ntext}]", collapse(tail), "text"))


def split_label(line: str) -> tuple[str, str] | None:
    """``("Tracking number", "1Z999")`` for ``Tracking number: 1Z999``; ``None`` for other text."""
    m = _LABEL_LINE.match(line)
    if m is None or m.group(1).lower().startswith("http"):
        return None
    return m.group(1), m.group(2)


def text_leaves(text: str) -> list[Leaf]:
    """Leaves of a plain-text body: one per non-empty line, split into label and value at ``:``."""
    out: list[Leaf] = []
    n = 0
    for raw in text.splitlines():
        line = collapse(raw)
        if not line:
            continue
        n += 1
        pair = split_label(line)
        if pair is not None:
            out.append(Leaf("line/label", f"/line[{n}]/label", pair[0], "line"))
            out.append(Leaf("line/value", f"/line[{n}]/value", pair[1], "line"))
        else:
            out.append(Leaf("line", f"/line[{n}]", line, "line"))
    return out


def message_leaves(subject: str, html: str | None, text: str | None) -> list[Leaf]:
    """All leaves of a message: the Subject first, then the HTML body (or the text body)."""
    leaves = [Leaf(SUBJECT, SUBJECT, subject, "subject")] if subject else []
    if html and html.strip():
        leaves.extend(html_leaves(html))
    elif text:
        leaves.extend(text_leaves(text))
    return leaves
