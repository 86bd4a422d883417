"""Read the schema.org markup a message carries itself (JSON-LD scripts, microdata) with extruct.

Senders add it for Gmail; it is often malformed, so each JSON-LD script is read on its own (one
broken script does not hide the others) and any failure just yields fewer items.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import lxml.etree
import lxml.html

from mailstencil.rules.vocabulary import FIELDS

from .schemas import MarkupItem

__all__ = ["read_markup", "load_extruct", "markup_fields", "disagrees", "MAX_ITEMS"]

log = logging.getLogger("mailstencil.app.markup")

MAX_ITEMS = 50
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, recover=True)
_SCRIPTS = lxml.etree.XPath(
    "//script[translate(normalize-space(@type), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'application/ld+json']"
)


def _types(item: dict[str, Any]) -> list[str]:
    t = item.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [str(x) for x in t if isinstance(x, str | int | float)]
    return []


def _flatten(data: Any) -> list[dict[str, Any]]:
    """Top-level items of one JSON-LD script: a dict, a list of them, or an ``@graph``."""
    out: list[dict[str, Any]] = []
    stack = data if isinstance(data, list) else [data]
    for item in stack:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            ctx = item.get("@context")
            for g in graph:
                if isinstance(g, dict):
                    out.append({"@context": ctx, **g} if ctx and "@context" not in g else g)
        else:
            out.append(item)
    return out


def load_extruct() -> ModuleType:
    """extruct, imported on first use: its import (bs4, mf2py, rdflib) takes about 0.5 s, which a
    service process that hands extraction to worker processes never needs at start-up."""
    import extruct

    module: ModuleType = extruct
    return module


def read_markup(html: str | None) -> tuple[list[MarkupItem], int]:
    """schema.org items in an HTML body and the number of markup blocks that could not be read."""
    if not html:
        return [], 0
    data = html.encode("utf-8", "surrogatepass")
    # two plain searches (a case-blind regex over the body cost 0.3 ms a message) in the bytes
    # lowered: what the text lowered holds (no other character lowers to these ASCII letters in
    # this order), at half the cost of lowering a text that is not all ASCII
    lower = data.lower()
    if b"ld+json" not in lower and b"itemscope" not in lower:
        return [], 0
    try:
        tree = lxml.html.fromstring(data, parser=_PARSER)
    except (lxml.etree.LxmlError, ValueError):
        return [], 1
    extruct = load_extruct()
    items: list[MarkupItem] = []
    broken = 0
    nodes = _SCRIPTS(tree)  # a node-set expression: a list of elements
    for script in nodes if isinstance(nodes, list) else []:
        if not isinstance(script, lxml.etree._Element):
            continue
        script.set("type", "application/ld+json")  # extruct reads this spelling only; mail writes others
        try:
            found = extruct.extract(script, syntaxes=["json-ld"], errors="strict").get("json-ld", [])
        except Exception:  # noqa: BLE001 - malformed JSON-LD is common and never fatal
            broken += 1
            continue
        for item in _flatten(found):
            items.append(MarkupItem(syntax="json-ld", type=_types(item), data=item))
    if tree.xpath("boolean(//*[@itemscope])"):
        try:
            micro = extruct.extract(tree, syntaxes=["microdata"], uniform=True, errors="strict")
        except Exception:  # noqa: BLE001 - malformed microdata: keep what JSON-LD gave
            broken += 1
        else:
            for item in micro.get("microdata", []):
                if isinstance(item, dict):
                    items.append(MarkupItem(syntax="microdata", type=_types(item), data=item))
    if broken:
        log.debug("skipped %d unreadable markup blocks", broken)
    return items[:MAX_ITEMS], broken


def _walk(value: Any, props: list[str]) -> list[str]:
    """The text values at a property path below a node (lists followed, nodes' ``name`` not guessed)."""
    if not props:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return [str(value)]
        return []
    if isinstance(value, list):
        return [v for item in value for v in _walk(item, props)]
    if not isinstance(value, dict):
        return []
    return _walk(value.get(props[0]), props[1:])


def markup_fields(items: list[MarkupItem]) -> dict[str, list[str]]:
    """Per vocabulary field with a plain schema.org path (no qualifier, ``rules/fields.json``), the
    values the message's own markup gives it: what extraction can be checked against."""
    out: dict[str, list[str]] = {}
    for name, spec in FIELDS.items():
        path = spec.schema_org
        if path == "-" or "[" in path or ":" in path:
            continue
        steps = [step.split(".", 1) for step in path.split(">")]
        if any(len(step) != 2 for step in steps):
            continue
        root = steps[0][0]
        props = [prop for _, prop in steps]
        for item in items:
            if root == "*" or root in item.type:
                values = _walk(item.data, props)
                if values:
                    out.setdefault(name, []).extend(values)
    return out


def _norm(value: str) -> str:
    return " ".join(value.casefold().split()).lstrip("#").strip()


def disagrees(items: list[MarkupItem], fields: dict[str, list[str]]) -> bool:
    """Whether the message's own schema.org markup gives a field a value extraction did not find
    (the field missing, or none of its values equal after case and space folding, ``#`` aside)."""
    for name, values in markup_fields(items).items():
        got = {_norm(v) for v in fields.get(name, [])}
        if not got & {_norm(v) for v in values}:
            return True
    return False
