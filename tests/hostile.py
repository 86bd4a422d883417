"""Hostile inputs of the reliability tests, built on our own order template (tests/helpers.py).

The template's Subject has three variables between constant words, so the rules learned from it
hold patterns with three lazy gaps: the shape that backtracks without end in Python's ``re``.
"""

from __future__ import annotations

import re

import pytest
from helpers import make_order, render_message

from mailstencil.offline.learn import learn
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import prepare
from mailstencil.rules.model import RuleSet

SUBJECT_START = "Your Pinecone Supply order"
_WORDS = "placed on for "  # the constant words between the Subject's variables


def subject(i: int) -> str:
    """The ``i``-th order's Subject (``{number}`` filled in by :func:`helpers.render_message`)."""
    o = make_order(i)
    return f"{SUBJECT_START} #{{number}} placed on {o.date} for {o.customer} is confirmed"


def message(i: int, subject_text: str | None = None) -> bytes:
    """The ``i``-th order message, with its own Subject or ``subject_text``."""
    text = subject(i) if subject_text is None else subject_text.replace("{", "{{").replace("}", "}}")
    return render_message(i, make_order(i), subject=text)


def messages(n: int = 12) -> list[bytes]:
    return [message(i) for i in range(n)]


def learned(n: int = 12) -> RuleSet:
    """The rule set learned from ``n`` order messages with the shipped role model (the test is
    skipped when no model is shipped: nothing would be named)."""
    samples = [s for s in (prepare(f"m{i}", raw) for i, raw in enumerate(messages(n))) if s is not None]
    ruleset, _ = learn(samples, load_default_model())
    if not any(c.rules for c in ruleset.clusters):
        pytest.skip("no role model shipped")
    return ruleset


def backtracking_subject(size: int) -> str:
    """A Subject of about ``size`` characters that repeats the rule's own constant words and
    never ends the way the pattern needs: every split of it into gaps gets tried by ``re``."""
    return f"{SUBJECT_START} " + _WORDS * (size // len(_WORDS)) + "x"


def subject_pattern(ruleset: RuleSet) -> str:
    """A learned Subject pattern with at least two gaps (the test premise)."""
    for c in ruleset.clusters:
        for r in c.rules:
            if r.ipath == "subject" and r.pattern.count(".*?") >= 2:
                return r.pattern
    raise AssertionError("no multi-gap Subject rule was learned")


def without_header(raw: bytes, name: str) -> bytes:
    """``raw`` with every ``name`` header removed."""
    head, _, body = raw.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not re.match(rb"(?i)" + re.escape(name.encode()) + rb":", ln)]
    return b"\n".join(lines) + b"\n\n" + body
