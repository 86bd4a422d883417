"""KMV sketches and the sample reservoir (offline/reservoir.py): idempotent counts, stable caps."""

from __future__ import annotations

import random
from datetime import timedelta

from helpers import START, bare_sample

from mailstencil.offline.reservoir import SKETCH_SIZE, ClusterStats, Sketch, cap_by_group, h64, sample_order


def _sketch(items: range) -> Sketch:
    s = Sketch()
    s.add_hashes(h64(f"item-{i}") for i in items)
    return s


def test_a_sketch_counts_exactly_below_its_size_and_adding_twice_changes_nothing() -> None:
    s = _sketch(range(100))
    assert s.count() == 100
    s.add_hashes(h64(f"item-{i}") for i in range(50))
    assert s.count() == 100
    assert _sketch(range(0)).count() == 0


def test_a_sketch_estimates_a_large_count_within_a_few_percent_and_stays_bounded() -> None:
    s = _sketch(range(20_000))
    assert len(s.mins) == SKETCH_SIZE
    assert abs(s.count() - 20_000) / 20_000 < 0.2  # KMV with k=256: standard error about 6%


def test_merging_sketches_is_their_union() -> None:
    a, b = _sketch(range(0, 150)), _sketch(range(100, 200))
    a.merge(b)
    assert a.count() == 200
    assert a.mins == _sketch(range(200)).mins


def test_cluster_stats_count_readers_and_span_the_dates() -> None:
    stats = ClusterStats()
    stats.add(
        [bare_sample(1, "ann@mail.example", 3), bare_sample(2, "ann@mail.example", 1), bare_sample(3, day=5)]
    )
    assert (stats.messages.count(), stats.recipients.count()) == (3, 2)
    assert (stats.first_seen, stats.last_seen) == (START + timedelta(days=1), START + timedelta(days=5))
    stats.add([])
    later = ClusterStats()
    later.add([bare_sample(1, "ann@mail.example", 3), bare_sample(4, day=9)])
    stats.merge(later)
    assert (stats.messages.count(), stats.recipients.count()) == (4, 3)
    assert stats.last_seen == START + timedelta(days=9) and stats.first_seen == START + timedelta(days=1)


def test_the_reservoir_keeps_the_same_samples_whatever_order_they_come_in() -> None:
    group = [bare_sample(i, day=i % 7) for i in range(40)]
    kept = cap_by_group([group], 10)
    shuffled = group[:]
    random.Random(1).shuffle(shuffled)
    assert [s.message_id for s in cap_by_group([shuffled], 10)] == [s.message_id for s in kept]
    assert len(kept) == 10 and kept == sorted(kept, key=sample_order)
    # more mail replaces kept samples only by newcomers that rank below them
    newcomers = [bare_sample(i) for i in range(40, 80)]
    more = {s.message_id for s in cap_by_group([group + newcomers], 10)}
    assert more - {s.message_id for s in kept} <= {s.message_id for s in newcomers}


def test_the_cap_applies_per_group() -> None:
    a, b = [bare_sample(i) for i in range(5)], [bare_sample(i) for i in range(5, 30)]
    kept = cap_by_group([a, b], 8)
    assert len(kept) == 5 + 8
    assert {s.message_id for s in a} <= {s.message_id for s in kept}
