"""Bounds on what one message may cost to parse and match, so cost stays linear in its size.

Every limit is generous for real mail (a large newsletter stays far below each) and is a setting
of the service (``MAILSTENCIL_MAX_*``, see docs/service.md). A message over a parse limit is
refused with a reason (:class:`mailstencil.rules.dom.DomError`, a 422); a leaf over ``leaf_text`` is cut and
one over ``rule_text`` is not read by rules, so such a message still gets a bounded extraction.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "DEFAULT_LIMITS"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-message bounds of parsing and rule matching."""

    attributes_per_element: int = 256
    """Attribute words in one start tag (libxml2's attribute parse is quadratic in them)."""
    attributes: int = 200_000
    """Attribute words in all start tags of the HTML body."""
    depth: int = 400
    """Element nesting depth of the HTML body."""
    leaves: int = 20_000
    """Text leaves of the HTML body (lines of a text-only body)."""
    body_text: int = 10_000_000
    """Characters of the decoded HTML or text body that is parsed (memory grows about tenfold)."""
    leaf_text: int = 100_000
    """Characters kept of one leaf (the rest is cut)."""
    rule_text: int = 20_000
    """Longest leaf (characters) a rule or selector reads; longer ones are left alone."""
    seconds: float = 2.0
    """Time budget of one message's rule matching; past it the answer is marked cut short."""


DEFAULT_LIMITS = Limits()
