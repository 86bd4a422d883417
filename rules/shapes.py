"""One record built from another's same-named attributes, as a domain object becomes its wire shape.

One call instead of a keyword argument per copied field; a field the source lacks fails loudly
instead of quietly taking the target's default.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["from_attributes"]

T = TypeVar("T")


def _field_names(target: type[Any]) -> list[str]:
    """The constructor fields of a pydantic model or a dataclass, in declaration order."""
    if issubclass(target, BaseModel):
        return list(target.model_fields)
    if dataclasses.is_dataclass(target):
        return [f.name for f in dataclasses.fields(target)]
    raise TypeError(f"{target.__name__} is neither a pydantic model nor a dataclass")


def from_attributes(target: type[T], source: object, *, prefix: str = "", **given: Any) -> T:
    """``target`` with each field ``given`` or else ``source``'s attribute ``prefix + name``
    (raises AttributeError when the source has none, TypeError for a given name no field has)."""
    names = _field_names(target)
    unknown = given.keys() - set(names)
    if unknown:
        raise TypeError(f"{target.__name__} has no field {', '.join(sorted(unknown))}")
    values = {name: given[name] if name in given else getattr(source, prefix + name) for name in names}
    return target(**values)
