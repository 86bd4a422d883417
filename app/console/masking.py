"""Masking of example values on console pages: ``John Doe`` reads ``J*** D**``, ``$12.50`` ``$**.**``."""

from __future__ import annotations

__all__ = ["mask"]


def mask(value: str) -> str:
    """Each word keeps its first letter; every other letter and every digit becomes ``*``
    (punctuation, currency signs and spaces stay, so the value's shape shows)."""
    out: list[str] = []
    start = True
    for ch in value:
        if ch.isspace():
            out.append(ch)
            start = True
            continue
        if ch.isalpha() and start:
            out.append(ch)
        elif ch.isalnum():
            out.append("*")
        else:
            out.append(ch)
        start = False
    return "".join(out)
