"""Given names: the dictionary that tells a person from a team, a project or a product.

"Celia González" and "Client Accounts" are both capitalised words; only one of them starts with a
given name. The names are data (``offline/given_names.json``, which says where they come from);
this module reads them, and tells whether a value names the message's own reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from mailstencil.rules.wordlists import Words, read_data

__all__ = ["GIVEN_NAMES", "given_share", "names_reader"]


class _NamesFile(BaseModel):
    """The shape of ``offline/given_names.json``: given names, lower case as values are looked up."""

    about: str
    names: Words


_DATA = read_data(Path(__file__).with_name("given_names.json"), _NamesFile)
GIVEN_NAMES: frozenset[str] = frozenset(_DATA.names)

_FIRST = re.compile(r"[^\W\d_]+")


def given_share(values: Iterable[str]) -> float:
    """The share of values whose first word is a given name (0.0 for no values)."""
    vals = [v for v in values if v]
    if not vals:
        return 0.0
    hits = sum(1 for v in vals if (m := _FIRST.match(v.strip())) is not None and m[0].lower() in GIVEN_NAMES)
    return hits / len(vals)


_LETTERS = re.compile(r"[a-z]{3,}")


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _fold(text: str) -> str:
    """Lower case without accents (``José`` as ``jose``; ``ß`` as ``ss``)."""
    low = text.lower().replace("ß", "ss")
    return unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()


def names_reader(value: str, address: str) -> bool:
    """Whether a value names the message's own reader: one of its words (three letters or more,
    accents folded) is in the local part of the address the mail was sent to (``Leon Gould``
    and ``leon.gould59@``, ``D. Johnson`` and ``djohnson@``, ``Jürgen`` and ``juergen.``).
    Mail addressed to someone says their name; another person's name (who commented, who
    invited) is not in the reader's address."""
    local = _fold(address.partition("@")[0])
    words = _LETTERS.findall(_fold(value)) + _LETTERS.findall(_fold(value.lower().translate(_UMLAUTS)))
    return bool(local) and any(w in local for w in words)
