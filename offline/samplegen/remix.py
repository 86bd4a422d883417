"""Remixed senders: new template families recombined from the fictional senders' parts.

Each remix keeps one sender's templates and brand and takes its layout, wording, formats and
structure options from the senders of its vertical and language, so the role model sees many
more families than were written by hand (on unseen families recall rises with each family).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from .context import Sender
from .layouts import LAYOUTS, Brand

__all__ = ["remixes"]

_KEEP = frozenset(("web",))  # a sender's own: its web domain


def _labels(rng: random.Random, base: Sender, peers: Sequence[Sender]) -> dict[str, str]:
    """Each wording from a random sender of the same vertical and language that has it, its
    brand name replaced by the remix's."""
    out: dict[str, str] = {}
    for key, text in base.labels.items():
        donor = rng.choice([p for p in peers if key in p.labels] or [base])
        out[key] = donor.labels[key].replace(donor.brand.name, base.brand.name) if donor is not base else text
    return out


def _opts(rng: random.Random, base: Sender, peers: Sequence[Sender]) -> dict[str, object]:
    """Structure options (where a value sits, its format, optional blocks), each from a random
    sender of the vertical; a donor without the option leaves its default."""
    out = dict(base.opts)
    for key in sorted({k for p in peers for k in p.opts} - _KEEP):
        donor = rng.choice(peers)
        if key in donor.opts:
            out[key] = donor.opts[key]
        else:
            out.pop(key, None)
    return out


def remix(rng: random.Random, base: Sender, senders: Sequence[Sender], k: int) -> Sender:
    """Remix ``k`` of ``base``: a new sender address, look, wording, formats and options."""
    peers = [s for s in senders if s.source == base.source and s.lang == base.lang] or [base]
    tongue = [s for s in senders if s.lang == base.lang]
    formats = rng.choice(tongue)
    slug = f"{base.slug}-r{k}"
    local = base.address.split("@", 1)[0]
    color = "#" + "".join(rng.choice("0123456789abcdef") for _ in range(6))
    return replace(
        base,
        slug=slug,
        address=f"{local}@{slug}.example",
        layout=rng.choice(sorted(LAYOUTS)),
        brand=Brand(base.brand.name, color, base.brand.footer, lang=base.lang),
        labels=_labels(rng, base, peers),
        money=rng.choice(tongue).money,
        date_style=formats.date_style,
        dt_style=rng.choice(tongue).dt_style,
        mime=rng.choice(("alt", "alt", "html")),
        opts=_opts(rng, base, peers),
    )


def remixes(senders: Sequence[Sender], rounds: int, seed: int) -> tuple[Sender, ...]:
    """``rounds`` remixes of every sender (deterministic for ``seed``)."""
    rng = random.Random(seed)
    return tuple(remix(rng, base, senders, k) for k in range(1, rounds + 1) for base in senders)
