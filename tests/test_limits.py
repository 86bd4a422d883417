"""Per-message bounds (rules/limits.py): every limit is a setting of the service, and each one
bounds what it says: the parse limits refuse a message with a reason, ``leaf_text`` cuts a leaf.
(``rule_text`` is tests/test_patterns.py's, the time budget ``seconds`` tests/test_hostile.py's.)"""

from __future__ import annotations

import dataclasses

import pytest

from mailstencil.app.core.config import Settings
from mailstencil.rules.dom import DomError, html_leaves, message_leaves
from mailstencil.rules.limits import DEFAULT_LIMITS, Limits

SETTINGS = {
    "attributes_per_element": "MAX_ATTRIBUTES_PER_ELEMENT",
    "attributes": "MAX_ATTRIBUTES",
    "depth": "MAX_DEPTH",
    "leaves": "MAX_LEAVES",
    "body_text": "MAX_BODY_TEXT",
    "leaf_text": "MAX_LEAF_TEXT",
    "rule_text": "MAX_RULE_TEXT",
    "seconds": "EXTRACT_BUDGET",
}
"""Each limit and the service setting (``MAILSTENCIL_`` + name) that sets it."""


def test_every_limit_is_a_service_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(SETTINGS) == [f.name for f in dataclasses.fields(Limits)]
    for var in SETTINGS.values():
        monkeypatch.delenv(f"MAILSTENCIL_{var}", raising=False)
    assert Settings().limits() == DEFAULT_LIMITS
    for i, var in enumerate(SETTINGS.values()):
        monkeypatch.setenv(f"MAILSTENCIL_{var}", str(7 + i))
    assert dataclasses.asdict(Settings().limits()) == {name: 7 + i for i, name in enumerate(SETTINGS)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.depth = 1  # type: ignore[misc]


def test_attribute_limits_are_settings() -> None:
    html = "<html><body><td " + " ".join(f'a{i}="v w"' for i in range(300)) + ">hi</td></body></html>"
    with pytest.raises(DomError, match="over 256 attributes"):
        html_leaves(html)
    assert [x.text for x in html_leaves(html, Limits(attributes_per_element=300))] == ["hi"]
    many = "<html><body>" + "<p a=1 b=2>t</p>" * 600 + "</body></html>"
    assert len(html_leaves(many)) == 600
    with pytest.raises(DomError, match="over 1000 attributes"):
        html_leaves(many, Limits(attributes=1000))


def test_leaf_text_is_cut_and_depth_bounded() -> None:
    leaves = html_leaves("<html><body><p>" + "word " * 50_000 + "</p></body></html>", Limits(leaf_text=1000))
    assert len(leaves[0].text) == 1000
    with pytest.raises(DomError, match="deeper than 50"):
        html_leaves("<html><body>" + "<div>" * 60 + "x" + "</div>" * 60 + "</body></html>", Limits(depth=50))


def test_a_body_over_the_size_limit_is_refused_before_its_parse() -> None:
    """A decoded body over ``body_text`` (default 10,000,000 characters) is refused with a reason
    before it is parsed; a text body's lines count as leaves, as an HTML body's text nodes do."""
    html = "<html><body>" + "<p>word word word</p>" * 500_000 + "</body></html>"
    assert len(html) > DEFAULT_LIMITS.body_text
    with pytest.raises(DomError, match="the HTML body has 10500026 characters; the limit is 10000000"):
        html_leaves(html)
    assert len(html_leaves(html[:5000] + "</body></html>")) > 200  # the same HTML, small, is read
    text = "Order line: walking boots\n" * 400_000
    with pytest.raises(DomError, match="the text body has 10400000 characters; the limit is 10000000"):
        message_leaves("hi", None, text)
    with pytest.raises(DomError, match="the text body has over 300 lines"):
        message_leaves("hi", None, text[: 400 * 26], Limits(leaves=300))
    assert len(message_leaves("hi", None, text[: 300 * 26], Limits(leaves=300))) == 1 + 2 * 300
