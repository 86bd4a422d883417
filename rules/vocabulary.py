"""The field vocabulary: the names extraction output uses, single vs line-item, schema.org mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

__all__ = ["FieldSpec", "ValueKind", "FIELDS", "LINE_ITEM_FIELDS", "MONEY_FIELDS"]

# how a field's text reads as a typed value (rules/typed.py); money is also scored by its number
ValueKind = Literal["text", "money", "date", "quantity", "reference", "tracking", "airport"]


class FieldSpec(BaseModel):
    """One vocabulary entry."""

    kind: Literal["single", "line_item"]
    value: ValueKind = "text"
    schema_org: str
    example: str = ""


def _load() -> dict[str, FieldSpec]:
    raw = json.loads((Path(__file__).parent / "fields.json").read_text(encoding="utf-8"))
    return {name: FieldSpec.model_validate(spec) for name, spec in raw["fields"].items()}


FIELDS: dict[str, FieldSpec] = _load()
LINE_ITEM_FIELDS: frozenset[str] = frozenset(n for n, s in FIELDS.items() if s.kind == "line_item")
MONEY_FIELDS: frozenset[str] = frozenset(n for n, s in FIELDS.items() if s.value == "money")
