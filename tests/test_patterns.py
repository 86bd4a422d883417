"""Learned patterns under RE2 (rules/patterns.py): Python's white space, line breaks, bounds, refusals."""

from __future__ import annotations

import re

import pytest

from mailstencil.rules.limits import DEFAULT_LIMITS
from mailstencil.rules.model import ClusterRules, FieldRule, RuleSet
from mailstencil.rules.patterns import PatternError, check_patterns, compile_pattern, full_match

_SPACES = [c for c in map(chr, range(0x110000)) if c.isspace()]


def test_white_space_is_pythons_inside_and_outside_a_class() -> None:
    # learning writes \s meaning str.isspace; RE2's own \s is ASCII only (no NBSP, no U+2003)
    bare, in_class = compile_pattern(r"\s"), compile_pattern(r"[,\s]")
    assert all(bare.fullmatch(c) and in_class.fullmatch(c) for c in _SPACES)
    others = [c for c in map(chr, range(0x3100)) if not c.isspace() and c != ","]
    assert not any(bare.fullmatch(c) or in_class.fullmatch(c) for c in others)
    total = compile_pattern(r"Total:\s(\d+)")
    for space in ("\u00a0", "\u2003", "\u3000", "\x85", "\x1c", "\n"):
        m = total.fullmatch(f"Total:{space}12")
        assert m is not None and m.group(1) == "12"


def test_an_escaped_backslash_before_s_is_no_space() -> None:
    pattern = compile_pattern(r"a\\s")
    assert pattern.fullmatch("a\\s") is not None
    assert pattern.fullmatch("a ") is None
    closing = compile_pattern(r"[\]\s]+")  # an escaped ] does not end the class
    assert closing.fullmatch("]\u2003]") is not None


def test_a_gap_spans_line_breaks() -> None:
    m = compile_pattern(r"Ship to: (.*?) Total").fullmatch("Ship to: 1 Main St\nSpringfield Total")
    assert m is not None and m.group(1) == "1 Main St\nSpringfield"


@pytest.mark.parametrize(
    "text",
    [
        "Order 1001 total $4.00",
        "Order 1001",
        "Order  total",
        "Order 1001 total €4.00",
        "Ordér 7 total x",
        "no",
    ],
)
def test_groups_are_pythons_for_ascii_and_other_text(text: str) -> None:
    # ASCII text is matched by RE2's matcher itself, other text through its wrapper: both as re reads it
    pattern = r"Ord.r (\d*)(?: total (\S+))?( x)?"
    ours, theirs = compile_pattern(pattern).fullmatch(text), re.fullmatch(pattern, text, re.DOTALL)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert ours.groups() == theirs.groups()
        assert [ours.group(i) for i in range(4)] == [theirs.group(i) for i in range(4)]


def test_full_match_leaves_a_text_over_the_rule_limit_alone() -> None:
    anything = compile_pattern(r".+")
    limit = DEFAULT_LIMITS.rule_text
    assert full_match(anything, "x" * limit) is not None
    assert full_match(anything, "x" * (limit + 1)) is None
    assert full_match(anything, "xy", max_text=1) is None


def test_full_match_reads_a_lone_surrogate_as_a_replacement_character() -> None:
    m = full_match(compile_pattern(r"a(.)b"), "a\ud800b")
    assert m is not None and m.group(1) == "\ufffd"


def test_a_pattern_re2_refuses_raises_and_compiling_is_cached() -> None:
    with pytest.raises(PatternError, match="linear-time engine"):
        compile_pattern(r"(a)\1")  # a backreference: no linear-time engine has them
    assert compile_pattern(r"Order (\d+)") is compile_pattern(r"Order (\d+)")


def test_check_patterns_counts_the_clusters_it_refuses() -> None:
    def cluster(name: str, pattern: str) -> ClusterRules:
        return ClusterRules(
            cluster=name, sender="s@x.example", rules=[FieldRule(field="f", ipath="p", pattern=pattern)]
        )

    check_patterns(RuleSet(clusters=[cluster("a", r"(\d+)")]))
    bad = RuleSet(clusters=[cluster("a", r"(\d+)"), cluster("b", r"(x)\1"), cluster("c", r"(?<=x)y")])
    with pytest.raises(PatternError, match=r"^2 cluster\(s\).*first: b:"):
        check_patterns(bad)
