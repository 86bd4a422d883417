"""The leaves of an HTML body from lxml (what mailstencil does) against selectolax's lexbor parser.

Issue 21 asks to measure a leaner HTML parser before deciding on one. Both sides read the same
decoded HTML bodies (the messages ``python -m benchmarks`` cycles, spread over ../shared/corpus)
and produce the same leaves: text nodes and ``http(s)`` link targets with their indexed and
index-free paths (:func:`mailstencil.rules.dom.html_leaves`; the lexbor walk below mirrors it).
Reported: microseconds a body for the parse alone and for the whole of it (the check of the start
tags against the limits, the parse, the walk), best of ``--repeat`` passes on one core, and how
many bodies give the same leaves, or the same texts in the same order, under both parsers (rules
learned under one parser address leaves by their paths).

    python -m benchmarks.parsers [--messages 200] [--repeat 5] [--out benchmarks/results/parsers.md]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import lxml.etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from mailstencil.rules.dom import SKIPPED_TAGS, Leaf, check_attributes, html_leaves, leaf_text, parse_html
from mailstencil.rules.message import parse_message

from .__main__ import CORPUS, ROOT, pick_messages, rate


def lexbor_leaves(html: str) -> list[Leaf]:
    """:func:`mailstencil.rules.dom.html_leaves` with lexbor's HTML5 tree instead of libxml2's: the
    same check of the start tags first (a limit any parser needs), then lexbor's parse and a walk."""
    body = html.encode("utf-8", "replace")
    check_attributes(body)
    out: list[Leaf] = []
    root = LexborHTMLParser(body).root
    if root is not None:
        _walk(root, "html", "/html", "html", out)
    return out


def _walk(node: LexborNode, tag: str, xp: str, ip: str, out: list[Leaf]) -> None:
    """The leaves of ``node`` and its descendants, addressed as the lxml walk addresses them."""
    if tag == "a":
        href = (node.attributes.get("href") or "").strip()
        if href[:8].lower().startswith(("http://", "https://")):
            out.append(Leaf(ip + "/@href", xp + "/@href", href, "href"))
    ntext = 0
    counts: dict[str, int] = {}
    child = node.first_child
    while child is not None:
        if child.is_text_node:
            ntext += 1
            text = child.text_content or ""
            if text and not text.isspace():
                out.append(Leaf(ip, f"{xp}/text()[{ntext}]", leaf_text(text), "text"))
        elif child.is_element_node and child.tag is not None:
            name = child.tag
            if name not in SKIPPED_TAGS:
                n = counts[name] = counts.get(name, 0) + 1
                cls = child.attributes.get("class")
                first = cls.split(None, 1) if cls else None
                step = f"{ip}/{name}.{first[0]}" if first else f"{ip}/{name}"
                _walk(child, name, f"{xp}/{name}[{n}]", step, out)
        child = child.next


def _us(fn: Callable[[str], object], bodies: list[str], repeat: int) -> float:
    """Microseconds a body of ``fn``, best of ``repeat`` passes."""
    return 1e6 / rate(fn, bodies, repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "parsers.md"))
    args = ap.parse_args()
    bodies = [m.html for m in (parse_message(r) for r in pick_messages(CORPUS, args.messages)) if m.html]
    rows = [
        ("lxml (libxml2): parse", _us(lambda b: parse_html(b.encode()), bodies, args.repeat)),
        (
            "lxml (libxml2): `html_leaves` (start-tag check, parse, walk)",
            _us(html_leaves, bodies, args.repeat),
        ),
        ("selectolax (lexbor): parse", _us(LexborHTMLParser, bodies, args.repeat)),
        (
            "selectolax (lexbor): the same (start-tag check, parse, walk)",
            _us(lexbor_leaves, bodies, args.repeat),
        ),
    ]
    pairs = [(html_leaves(b), lexbor_leaves(b)) for b in bodies]
    same = sum(ours == theirs for ours, theirs in pairs)
    texts = sum([x.text for x in ours] == [x.text for x in theirs] for ours, theirs in pairs)
    lines = [
        f"{len(bodies)} HTML bodies (of {args.messages} messages spread over ../shared/corpus), "
        f"best of {args.repeat} passes, one core, lxml {lxml.etree.__version__}",
        "",
        "| path | µs a body |",
        "|---|---|",
        *(f"| {name} | {us:.0f} |" for name, us in rows),
        "",
        f"The same leaves (texts and paths) under both parsers: {same} of {len(bodies)} bodies; the same "
        f"texts in the same order: {texts} of {len(bodies)}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
