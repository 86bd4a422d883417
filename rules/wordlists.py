"""Word lists kept as data: the type their JSON files are read with.

The lexicon, the given names and the carriers are JSON files beside the modules that match them
(each file's ``about`` says where its words come from); :data:`Words` is how each list is checked
on loading, so a slip in the data fails at import rather than never matching.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel

__all__ = ["Words", "read_data"]

_Model = TypeVar("_Model", bound=BaseModel)


def _lower_once(words: tuple[str, ...]) -> tuple[str, ...]:
    """Words are matched against lower-cased text: an upper-case, padded or repeated word is a slip."""
    if not words:
        raise ValueError("a word list is empty")
    for word in words:
        if not word or word != word.lower().strip():
            raise ValueError(f"{word!r} is not a lower-case word without surrounding spaces")
    if len(set(words)) != len(words):
        raise ValueError("a word is written twice")
    return words


Words = Annotated[tuple[str, ...], AfterValidator(_lower_once)]


def read_data(path: Path, shape: type[_Model]) -> _Model:
    """The JSON file at ``path``, checked against ``shape``."""
    return shape.model_validate_json(path.read_text(encoding="utf-8"))
