"""Tests for ``offline.samplegen.remix``: new template families recombined from our senders."""

from __future__ import annotations

import json
import random
from pathlib import Path

from offline.samplegen import SENDERS, generate
from offline.samplegen.layouts import LAYOUTS
from offline.samplegen.remix import remix, remixes


def test_remixes_are_new_senders_of_the_same_vertical_and_language() -> None:
    mixed = remixes(SENDERS, 2, seed=5)
    assert len(mixed) == 2 * len(SENDERS)
    addresses = [s.address for s in (*SENDERS, *mixed)]
    assert len(set(addresses)) == len(addresses)
    by_slug = {s.slug: s for s in SENDERS}
    for s in mixed:
        base = by_slug[s.slug.rsplit("-r", 1)[0]]
        assert (s.source, s.lang, s.templates) == (base.source, base.lang, base.templates)
        assert s.layout in LAYOUTS
        assert set(s.labels) == set(base.labels)


def test_a_remix_takes_its_wording_from_its_peers_with_its_own_brand() -> None:
    base = next(s for s in SENDERS if s.source == "shop" and s.lang == "en")
    peers = [s for s in SENDERS if s.source == base.source and s.lang == base.lang]
    assert len(peers) >= 2
    others = {p.brand.name for p in peers if p is not base}
    changed = 0
    for k in range(8):
        s = remix(random.Random(k), base, SENDERS, k)
        assert not any(name in text for text in s.labels.values() for name in others)
        changed += sum(s.labels[key] != text for key, text in base.labels.items())
    assert changed > 0  # some wording comes from another sender


def test_generate_writes_remixed_senders_deterministically(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", messages_per_template=2, seed=3, remixed=1)
    b = generate(tmp_path / "b", messages_per_template=2, seed=3, remixed=1)
    truth_a = (a / "shop" / "truth.jsonl").read_text(encoding="utf-8")
    assert truth_a == (b / "shop" / "truth.jsonl").read_text(encoding="utf-8")
    senders = {json.loads(line)["sender"] for line in truth_a.splitlines()}
    plain = generate(tmp_path / "c", messages_per_template=2, seed=3)
    base = {json.loads(line)["sender"] for line in (plain / "shop" / "truth.jsonl").read_text().splitlines()}
    assert base < senders and len(senders) == 2 * len(base)
