"""A record built from another's same-named attributes: copied, overridden, prefixed, and loud
when a field has no source."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from mailstencil.rules.limits import DEFAULT_LIMITS, Limits
from mailstencil.rules.model import Landmark
from mailstencil.rules.shapes import from_attributes

LEAF = SimpleNamespace(ipath="/html/body/p", text="Order", xpath="/html/body/p[2]")


def test_same_named_attributes_are_copied_and_given_ones_win() -> None:
    assert from_attributes(Landmark, LEAF) == Landmark(ipath="/html/body/p", text="Order")
    assert from_attributes(Landmark, LEAF, text="Total") == Landmark(ipath="/html/body/p", text="Total")


def test_a_field_the_source_lacks_raises_instead_of_taking_its_default() -> None:
    partial = SimpleNamespace(**{f"max_{f.name}": 1 for f in dataclasses.fields(Limits)[1:]})
    with pytest.raises(AttributeError, match="max_attributes_per_element"):
        from_attributes(Limits, partial, prefix="max_", seconds=1.0)


def test_a_given_name_no_field_has_raises() -> None:
    with pytest.raises(TypeError, match="txt"):
        from_attributes(Landmark, LEAF, txt="typo")


def test_a_prefix_reads_other_names_into_a_dataclass() -> None:
    settings = SimpleNamespace(**{f"max_{k}": v for k, v in dataclasses.asdict(DEFAULT_LIMITS).items()})
    got = from_attributes(Limits, settings, prefix="max_", depth=7)
    assert got == dataclasses.replace(DEFAULT_LIMITS, depth=7)


def test_the_target_still_validates() -> None:
    with pytest.raises(ValidationError):
        from_attributes(Landmark, LEAF, text=["not", "text"])


def test_a_target_of_neither_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="neither"):
        from_attributes(dict, LEAF)
