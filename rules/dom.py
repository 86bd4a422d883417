"""Turn a message into its ordered list of text leaves, each with an indexed and an index-free path.

A leaf is one visible text node of the HTML (or one line of a text-only body), one link target
(``href``), or the Subject. Leaves are what clusters are keyed on and what rules extract from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.etree

from .limits import DEFAULT_LIMITS, Limits
from .text import normalize_value

__all__ = [
    "Leaf",
    "check_attributes",
    "html_leaves",
    "text_leaves",
    "leaf_text",
    "parse_html",
    "SKIPPED_TAGS",
    "split_label",
    "message_leaves",
    "DomError",
]

SUBJECT = "subject"
# elements whose text is no leaf (their tails still are)
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "xml"})
# bodies arrive decoded; we re-encode them as UTF-8 and say so, overriding any stale <meta charset>;
# lxml.etree's parser, not lxml.html's: the same libxml2 tree without a Python class looked up for
# each element (the walk reads only tags, attributes and texts)
_PARSER = lxml.etree.HTMLParser(
    remove_comments=True, remove_pis=True, recover=True, encoding="utf-8", huge_tree=True
)
_LABEL_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s+(\S.*?)\s*$")
# a start tag up to its closing ">", quoted values taken whole (the alternatives start with
# different characters, so the scan never backtracks: linear in the document)
_START_TAG = re.compile(rb"<[A-Za-z](?:[^>\"']+|\"[^\"]*\"|'[^']*')*")
_TAG_WORD = re.compile(rb"\"[^\"]*\"|'[^']*'|[^\s\"']+")


class DomError(ValueError):
    """Raised when a body cannot be turned into leaves (e.g. nested beyond any sane template)."""


@dataclass(slots=True, frozen=True)
class Leaf:
    """One text leaf: ``ipath`` is the index-free path, ``xpath`` the indexed one."""

    ipath: str
    xpath: str
    text: str
    kind: str = "text"  # text | href | subject | line


def check_attributes(html: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`DomError` when a start tag, or all of them, hold more attribute words than
    ``limits`` allow: checked before the parse, whose cost grows with the square of them.

    Attribute words are the words of a tag outside its quoted values (an upper bound of its
    attributes); they are counted one by one only in a tag with enough spaces to be over the
    limit, and only up to it, so no step holds the interpreter long on a huge tag.
    """
    per_tag, total = limits.attributes_per_element, 0
    tags = _START_TAG.findall(html)
    # within both limits when its spaces are: every tag's (only one longer than the limit can
    # have more) and all of them together (fewer than the document's bytes), as words count at
    # most one a space
    short = len(html) <= limits.attributes
    if (short or _spaces(b"".join(tags)) <= limits.attributes) and all(
        _spaces(tag) <= per_tag for tag in tags if len(tag) > per_tag
    ):
        return
    for tag in tags:
        words = _spaces(tag)
        if words > per_tag:
            words = _attribute_words(tag, per_tag)
            if words > per_tag:
                raise DomError(f"an HTML element has over {per_tag} attributes")
        total += words
        if total > limits.attributes:
            raise DomError(f"the HTML has over {limits.attributes} attributes")


def _spaces(tag: bytes) -> int:
    """Spaces, tabs and line feeds in ``tag``: an upper bound of its attribute words."""
    return tag.count(b" ") + tag.count(b"\n") + tag.count(b"\t")


def _check_size(what: str, size: int, limits: Limits) -> None:
    """Raise :class:`DomError` for a body over ``limits.body_text``: its parse would take memory
    of about ten times its size."""
    if size > limits.body_text:
        raise DomError(f"the {what} body has {size} characters; the limit is {limits.body_text}")


def _attribute_words(tag: bytes, stop: int) -> int:
    """Words of a start tag outside quoted values, after its name; counting ends past ``stop``."""
    n = -1  # the tag name
    for m in _TAG_WORD.finditer(tag):
        if m.group()[:1] not in (b'"', b"'"):
            n += 1
            if n > stop:
                break
    return n


def html_leaves(html: str | bytes, limits: Limits = DEFAULT_LIMITS) -> list[Leaf]:
    """Leaves of an HTML document in document order: text nodes and ``http(s)`` link targets."""
    size = len(html)  # characters (bytes when given bytes)
    if isinstance(html, str):
        html = html.encode("utf-8", "replace")
    if not html or html.isspace():  # what ``strip()`` leaves empty, without its copy of the body
        return []
    check_attributes(html, limits)  # first: its reason is the one to give for a huge tag
    _check_size("HTML", size, limits)
    root = parse_html(html)
    out: list[Leaf] = []
    _walk(root, root.tag, "/html", "html", 0, out, limits)
    return out


def parse_html(html: bytes) -> lxml.etree._Element:
    """The libxml2 tree of an HTML body given as UTF-8 (:class:`DomError` when there is none);
    the caller has checked the body against the limits."""
    try:
        root = lxml.etree.fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise DomError(f"unparseable HTML: {exc}") from exc
    if root is None:  # what lxml.html.document_fromstring refuses as "Document is empty"
        raise DomError("unparseable HTML: Document is empty")
    return root


def leaf_text(raw: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """A text node collapsed, and cut at ``limits.leaf_text`` characters."""
    if len(raw) > limits.leaf_text:
        return normalize_value(raw[: 2 * limits.leaf_text])[: limits.leaf_text]
    return normalize_value(raw)


def _walk(
    el: lxml.etree._Element, tag: str, xp: str, ip: str, depth: int, out: list[Leaf], limits: Limits
) -> None:
    """Append the leaves of ``el`` (tag ``tag``, read once by its parent) and its descendants to
    ``out``; an element's index-free step is its tag and first class (``td.price``)."""
    if depth > limits.depth:
        raise DomError(f"HTML nested deeper than {limits.depth}")
    if len(out) > limits.leaves:
        raise DomError(f"HTML has over {limits.leaves} text nodes")
    if tag == "a":
        href = (el.get("href") or "").strip()
        if href[:8].lower().startswith(("http://", "https://")):
            out.append(Leaf(ip + "/@href", xp + "/@href", href[: limits.leaf_text], "href"))
    ntext = 0  # XPath counts every text node, white space included
    text = el.text
    if text:
        ntext = 1
        if not text.isspace():
            out.append(Leaf(ip, xp + "/text()[1]", leaf_text(text, limits), "text"))
    counts: dict[str, int] = {}
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in SKIPPED_TAGS:
            n = counts[tag] = counts.get(tag, 0) + 1
            cls = child.get("class")
            first = cls.split(None, 1) if cls else None
            step = f"{ip}/{tag}.{first[0]}" if first else f"{ip}/{tag}"
            _walk(child, tag, f"{xp}/{tag}[{n}]", step, depth + 1, out, limits)
        tail = child.tail
        if tail:
            ntext += 1
            if not tail.isspace():
                out.append(Leaf(ip, f"{xp}/text()[{ntext}]", leaf_text(tail, limits), "text"))


def split_label(line: str) -> tuple[str, str] | None:
    """``("Tracking number", "1Z999")`` for ``Tracking number: 1Z999``; ``None`` for other text."""
    m = _LABEL_LINE.match(line)
    if m is None or m.group(1).lower().startswith("http"):
        return None
    return m.group(1), m.group(2)


def text_leaves(text: str, limits: Limits = DEFAULT_LIMITS) -> list[Leaf]:
    """Leaves of a plain-text body: one per non-empty line, split into label and value at ``:``.

    Blank lines cut the body into paragraphs, the elements of its indexed paths
    (``/p[2]/line[1]/value``): an item written as a few lines of its own is then a row, as a table
    row is in HTML, with its cells addressed by their line in the paragraph."""
    _check_size("text", len(text), limits)
    out: list[Leaf] = []
    n = para = 0
    at = 0  # the line within the paragraph; 0 after a blank line
    for raw in _text_lines(text):
        line = leaf_text(raw, limits)
        if not line:
            at = 0
            continue
        n += 1
        if n > limits.leaves:
            raise DomError(f"the text body has over {limits.leaves} lines")
        if not at:
            para += 1
        at += 1
        xp = f"/p[{para}]/line[{at}]"
        pair = split_label(line)
        if pair is not None:
            out.append(Leaf("line/label", xp + "/label", pair[0], "line"))
            out.append(Leaf("line/value", xp + "/value", pair[1], "line"))
        else:
            out.append(Leaf("line", xp, line, "line"))
    return out


def _text_lines(text: str) -> Iterator[str]:
    """``text.splitlines()`` a window at a time (cut after a LF, so a CRLF stays whole): the line
    limit then stops the split early instead of after a list of every line of a huge body."""
    pos = 0
    while pos < len(text):
        cut = text.find("\n", pos + (1 << 16)) + 1 or len(text)
        yield from text[pos:cut].splitlines()
        pos = cut


def message_leaves(
    subject: str, html: str | None, text: str | None, limits: Limits = DEFAULT_LIMITS
) -> list[Leaf]:
    """All leaves of a message: the Subject first, then the HTML body (or the text body)."""
    leaves = [Leaf(SUBJECT, SUBJECT, subject[: limits.leaf_text], "subject")] if subject else []
    if html and not html.isspace():
        leaves.extend(html_leaves(html, limits))
    elif text:
        leaves.extend(text_leaves(text, limits))
    return leaves
