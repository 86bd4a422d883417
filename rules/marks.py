"""A cluster signature's marks: the typed candidates for a message's constant text.

Apart from :mod:`mailstencil.rules.cluster` (which computes them from a message's leaves) so that
reading a published rule set needs no HTML or regex library.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["Mark", "MarkKind"]

MarkKind = Literal["subject", "text", "para"]
_PREFIX: dict[MarkKind, str] = {"subject": "s:", "text": "t:", "para": "p:"}
_KIND: dict[str, MarkKind] = {prefix: kind for kind, prefix in _PREFIX.items()}


class Mark(NamedTuple):
    """One candidate for a message's constant text (see :func:`text_signature`), typed: a Subject
    word and a body text that read the same are two marks."""

    kind: MarkKind
    text: str

    @property
    def key(self) -> str:
        """The stored form (``s:word``, ``t:text``, ``p:head``): what rule sets publish and cluster
        ids hash."""
        return _PREFIX[self.kind] + self.text

    @classmethod
    def from_key(cls, key: str) -> Mark:
        """Inverse of :attr:`key`, for reading a published rule set."""
        kind = _KIND.get(key[:2])
        if kind is None:
            raise ValueError(f"not a signature mark: {key[:2]!r}")
        return cls(kind, key[2:])
