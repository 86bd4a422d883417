"""Addressing leaves relative to landmarks: the shared coordinate system of learning and extraction.

Each leaf gets ``(anchor, ordinal)``: the nearest preceding landmark (constant template text that
occurs once per message) and how many leaves with the same index-free path came before it since
that landmark. Optional blocks and repeated rows elsewhere in the message then do not move it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .dom import Leaf
from .limits import DEFAULT_LIMITS
from .patterns import Pattern, full_match

__all__ = ["LANDMARK", "addresses", "row_key", "beside", "claim"]

LANDMARK = -2


def addresses(leaves: Sequence[Leaf], landmarks: Mapping[tuple[str, str], int]) -> list[tuple[int, int]]:
    """``(anchor, ordinal)`` per leaf; landmark leaves themselves get ``(id, LANDMARK)``."""
    out: list[tuple[int, int]] = []
    anchor = -1
    seen: set[int] = set()
    counts: dict[str, int] = {}
    for leaf in leaves:
        lid = landmarks.get((leaf.ipath, leaf.text))
        if lid is not None and lid not in seen:
            seen.add(lid)
            anchor = lid
            counts = {}
            out.append((lid, LANDMARK))
            continue
        n = counts.get(leaf.ipath, 0)
        counts[leaf.ipath] = n + 1
        out.append((anchor, n))
    return out


def row_key(xpath: str, depth: int) -> str:
    """The part of an indexed path below the row element at ``depth`` steps."""
    return "/".join(xpath.split("/")[depth + 1 :])


def beside(xpath: str, landmark: str) -> bool:
    """Whether a leaf shares its element with its anchor landmark: the value on a label's own line
    (``Track: <url>`` in a text body), read by its place, never as one of the rows that follow."""
    return xpath.rsplit("/", 1)[0] == landmark.rsplit("/", 1)[0]


def claim(
    texts: Sequence[str], selectors: Sequence[tuple[int, Pattern]], max_text: int = DEFAULT_LIMITS.rule_text
) -> list[int]:
    """For the leaves of one (anchor, ipath) group: which selector claims each (-1 for none).

    Each selector claims the first leaf it fully matches, in document order; a leaf goes to the
    first selector (in the given order) that matches it. A text over ``max_text`` characters is
    never claimed.
    """
    out = [-1] * len(texts)
    if not selectors:
        return out
    used: set[int] = set()
    for k, text in enumerate(texts):
        for sid, rx in selectors:
            if sid not in used and full_match(rx, text, max_text):
                out[k] = sid
                used.add(sid)
                break
    return out
