"""One rule-store test suite, run against SQLite and a real PostgreSQL server.

The PostgreSQL run uses a throwaway schema per test (created by the store on first use, dropped
after); it skips with the reason only when no server answers at ``MAILSTENCIL_TEST_PG_URL``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest
from helpers import PG_URL, pg_schema

from mailstencil.rules.corrections import Correction, apply_corrections, slot_key, training_labels
from mailstencil.rules.model import ClusterRules, FieldRule, Landmark, RuleSet, SenderRuleSet, indexed_json
from mailstencil.rules.store import RuleStore, StoreError
from mailstencil.rules.stores import open_store


class StoreFactory(Protocol):
    """Opens a store on this test's location (a second call opens a second handle on it)."""

    url: str

    def __call__(self) -> RuleStore: ...


class _Factory:
    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: list[RuleStore] = []

    def __call__(self) -> RuleStore:
        store = open_store(self.url)
        self.opened.append(store)
        return store


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Factory]:
    """A store factory on a fresh location of each backend."""
    if request.param == "sqlite":
        factory = _Factory(f"sqlite:///{tmp_path / 'rules.db'}")
        yield factory
        for s in factory.opened:
            s.close()
        return
    with pg_schema() as schema:
        factory = _Factory(f"{PG_URL}?schema={schema}")
        try:
            yield factory
        finally:
            for s in factory.opened:
                s.close()


@pytest.fixture
def store(stores: _Factory) -> RuleStore:
    return stores()


def _ruleset(n_clusters: int, tag: str = "a") -> RuleSet:
    """A small but complete rule set whose every cluster carries ``tag`` (to tell versions apart)."""
    clusters = [
        ClusterRules(
            cluster=f"orders@shop{i}.example:{tag}{i:04d}",
            sender=f"orders@shop{i}.example",
            structures=["s1"],
            paths=["html/body/p", "subject"],
            subject=["order", "your"],
            messages=10 + i,
            recipients=7,
            first_seen=datetime(2026, 1, 2, tzinfo=UTC),
            last_seen=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
            landmarks=[Landmark(ipath="html/body/p", text="Order number ✓")],
            skeleton=["Order number", "{…}", f"tag {tag}"],
            rules=[
                FieldRule(
                    field="order_number", anchor=0, ipath="html/body/p", pattern=r"#(\d+)", confidence=0.9
                ),
                FieldRule(
                    field="item_name",
                    ipath="html/body/table/tr/td",
                    mode="rows",
                    row_depth=2,
                    row_rel="td[1]/text()[1]",
                    pattern="(.+)",
                    confidence=0.7,
                ),
            ],
        )
        for i in range(n_clusters)
    ]
    return RuleSet(clusters=clusters)


def test_empty_store(store: RuleStore) -> None:
    assert store.current_version() == 0
    empty = store.load()
    assert (empty.version, empty.clusters) == (0, [])
    assert store.versions() == []
    with pytest.raises(StoreError):
        store.load(1)
    with pytest.raises(StoreError):
        store.rollback(1)


def test_publish_and_load_round_trip(store: RuleStore) -> None:
    original = _ruleset(3, "a")
    assert store.publish(original) == 1
    assert store.current_version() == 1
    loaded = store.load()
    assert loaded.version == 1
    assert loaded == original.model_copy(update={"version": 1})
    assert store.load(1) == loaded


def test_versions_and_current_flag(store: RuleStore) -> None:
    first, second = _ruleset(1, "a"), _ruleset(4, "b")
    assert store.publish(first) == 1
    assert store.publish(second) == 2
    rows = store.versions()
    assert [(v, n, cur) for v, _, n, cur in rows] == [(1, 1, False), (2, 4, True)]
    for (_, created, _, _), rs in zip(rows, (first, second), strict=True):
        assert datetime.fromisoformat(created) == rs.created
    assert store.load().clusters[0].cluster.endswith("b0000")
    assert store.load(1).clusters[0].cluster.endswith("a0000")


def test_rollback_then_publish(store: RuleStore) -> None:
    for tag in "abc":
        store.publish(_ruleset(2, tag))
    store.rollback(1)
    assert store.current_version() == 1
    assert store.load().version == 1
    assert [cur for *_, cur in store.versions()] == [True, False, False]
    with pytest.raises(StoreError):
        store.rollback(42)
    assert store.current_version() == 1
    assert store.publish(_ruleset(1, "d")) == 4  # versions keep increasing after a rollback
    assert store.load().version == 4


def test_persists_across_handles(stores: _Factory) -> None:
    writer = stores()
    writer.publish(_ruleset(2, "x"))
    writer.close()
    reader = stores()
    assert reader.current_version() == 1
    assert reader.load().clusters[1].cluster.endswith("x0001")


def test_concurrent_publishers_get_distinct_versions(stores: _Factory) -> None:
    handles = [stores(), stores()]
    got: list[int] = []
    lock = threading.Lock()

    def run(s: RuleStore) -> None:
        for _ in range(5):
            v = s.publish(_ruleset(1, "p"))
            with lock:
                got.append(v)

    threads = [threading.Thread(target=run, args=(h,)) for h in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 11))
    assert handles[0].current_version() == 10


def test_reader_never_sees_a_half_published_set(stores: _Factory) -> None:
    writer, reader = stores(), stores()
    writer.publish(_ruleset(1, "v"))
    stop = threading.Event()
    bad: list[str] = []

    def read() -> None:
        while not stop.is_set():
            rs = reader.load()
            # version n was published with n clusters, all tagged with the same letter
            if len(rs.clusters) != rs.version or len({c.cluster[-5] for c in rs.clusters}) != 1:
                bad.append(f"version {rs.version} with {len(rs.clusters)} clusters")

    t = threading.Thread(target=read)
    t.start()
    try:
        for n in range(2, 13):
            assert writer.publish(_ruleset(n, "v")) == n
    finally:
        stop.set()
        t.join()
    assert bad == []


def test_corrections_are_kept_in_order_and_reapplied(stores: _Factory) -> None:
    store = stores()
    rs = _ruleset(2)
    c = rs.clusters[0]
    number, items = (slot_key(c, r) for r in c.rules)
    assert store.corrections() == []
    first = store.add_correction(
        Correction(cluster=c.cluster, slot=number, field="invoice_number", previous="order_number")
    )
    second = store.add_correction(Correction(cluster=c.cluster, slot=items, field=None, previous="item_name"))
    third = store.add_correction(Correction(cluster=c.cluster, slot=number, field="reservation_number"))
    assert first.id < second.id < third.id
    again = stores()  # a second handle reads what the first wrote
    kept = again.corrections()
    assert [(k.id, k.slot, k.field, k.previous) for k in kept] == [
        (first.id, number, "invoice_number", "order_number"),
        (second.id, items, None, "item_name"),
        (third.id, number, "reservation_number", ""),
    ]
    assert kept[0].created.tzinfo is not None
    fixed = apply_corrections(rs, kept)
    got = fixed.clusters[0]
    assert [(r.field, r.confidence, r.corrected) for r in got.rules] == [("reservation_number", 1.0, True)]
    assert [(r.field, r.corrected) for r in got.unnamed] == [("", True)]
    assert fixed.clusters[1] == rs.clusters[1]  # other clusters untouched
    assert apply_corrections(fixed, kept) == fixed  # idempotent: every run re-applies them
    labels = training_labels(fixed, kept)
    assert [(lb.field, lb.context) for lb in labels] == [("reservation_number", ""), ("none", "")]
    # the key follows the landmark's text, not its index: a relearned cluster numbering its
    # landmarks differently still matches
    shifted = [r.model_copy(update={"anchor": r.anchor + 1 if r.anchor >= 0 else -1}) for r in c.rules]
    landmarks = [Landmark(ipath="html/body/h1", text="Thanks"), *c.landmarks]
    moved = c.model_copy(update={"landmarks": landmarks, "rules": shifted})
    assert [slot_key(moved, r) for r in moved.rules] == [number, items]


def test_skeleton_html_is_kept_apart_named_by_its_digest(stores: _Factory) -> None:
    store = stores()
    rs = _ruleset(2)
    html = "<p>Order number <var></var></p>"
    learned = rs.clusters[0].model_copy(update={"skeleton_html": html})
    assert store.publish(RuleSet(clusters=[learned, rs.clusters[1]])) == 1
    loaded = store.load()
    first, second = loaded.clusters
    assert first.skeleton_html == "" and html not in store.load().model_dump_json()  # not in the body
    assert first.skeleton_id and first.model_copy(update={"skeleton_id": ""}) == rs.clusters[0]
    assert second.skeleton_id == "" and store.skeleton_html(first.skeleton_id) == html
    assert stores().skeleton_html(first.skeleton_id) == html  # another handle reads it
    # a correction republishes the loaded set: the same skeleton, named by the same id
    assert store.publish(loaded) == 2
    assert store.load().clusters[0].skeleton_id == first.skeleton_id
    relearned = rs.clusters[0].model_copy(update={"skeleton_html": "<p>Total <var></var></p>"})
    assert store.publish(RuleSet(clusters=[relearned])) == 3
    now = store.load().clusters[0].skeleton_id
    assert now != first.skeleton_id and store.skeleton_html(now) == relearned.skeleton_html
    store.rollback(1)  # a rollback serves its own version's skeleton
    assert store.skeleton_html(store.load().clusters[0].skeleton_id) == html
    twin = rs.clusters[1].model_copy(update={"skeleton_html": html})
    assert store.publish(RuleSet(clusters=[learned, twin])) == 4  # the same HTML is kept once
    assert {c.skeleton_id for c in store.load().clusters} == {first.skeleton_id}
    assert store.skeleton_html("no-such-id") == ""


def _drop_table(url: str, table: str) -> None:
    """Make the store at ``url`` look like one made before ``table`` existed."""
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///") :]) as db:
            db.execute(f"DROP TABLE {table}")
        return
    import psycopg

    base, _, schema = url.partition("?schema=")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{schema}".{table}')


def test_a_store_made_before_skeletons_gains_the_table(stores: _Factory) -> None:
    old = stores()
    rs = _ruleset(1)
    assert old.publish(rs) == 1
    old.close()
    _drop_table(stores.url, "skeletons")
    store = stores()  # opening it again migrates it
    assert store.load().clusters == rs.clusters
    html = rs.clusters[0].model_copy(update={"skeleton_html": "<p>x</p>"})
    assert store.publish(RuleSet(clusters=[html])) == 2
    assert store.skeleton_html(store.load().clusters[0].skeleton_id) == "<p>x</p>"


def _interleaved() -> RuleSet:
    """Clusters of two senders taking turns, so neither sender's clusters stand together."""
    clusters = _ruleset(5).clusters
    return RuleSet(
        clusters=[c.model_copy(update={"sender": f"s{i % 2}@x.example"}) for i, c in enumerate(clusters)]
    )


def _assert_split_of(split: SenderRuleSet, whole: RuleSet) -> None:
    """``split`` is ``whole`` cut by sender: the same senders, clusters, order and head."""
    ref = SenderRuleSet.of(whole)
    assert (split.version, split.clusters, split.created, split.order) == (
        ref.version,
        ref.clusters,
        ref.created,
        ref.order,
    )
    assert {s: split.parse(s) for s in split.senders} == {s: ref.parse(s) for s in ref.senders}
    assert list(split.senders) == list(ref.senders) and split.ruleset() == whole


def test_the_split_rule_set_is_the_loaded_one_cut_by_sender(store: RuleStore) -> None:
    assert store.load_split().clusters == 0
    rs = _interleaved()
    assert indexed_json(rs)[0] == rs.model_dump_json()  # the body is what it always was
    assert store.publish(rs) == 1
    split = store.load_split()
    assert split.order == (0, 1, 0, 1, 0)
    _assert_split_of(split, store.load())


def test_a_version_published_before_the_index_is_split_by_parsing_it(stores: _Factory) -> None:
    old = stores()
    assert old.publish(_interleaved()) == 1
    old.close()
    _drop_table(stores.url, "ruleset_index")
    store = stores()  # opening it again creates the table, empty: version 1 has no index
    _assert_split_of(store.load_split(), store.load())
    assert store.publish(_ruleset(2, "b")) == 2
    _assert_split_of(store.load_split(), store.load())


def test_report_as_of_a_version_is_its_latest_learning_runs(store: RuleStore) -> None:
    rs = _ruleset(1)
    assert store.report_as_of(1) is None
    assert store.publish_run(rs, report='{"model_corrections": 3}') == 1
    assert store.publish(rs) == 2  # a correction: no report of its own
    assert store.publish_run(rs, report='{"model_corrections": 5}') == 3
    assert json.loads(store.report_as_of(2) or "") == {"model_corrections": 3, "version": 1}
    assert json.loads(store.report_as_of(3) or "")["model_corrections"] == 5
    assert store.report_as_of(0) is None


def test_a_correction_saved_while_a_run_computes_is_in_what_it_publishes(stores: _Factory) -> None:
    store = stores()
    rs = _ruleset(1)
    c = rs.clusters[0]
    number = slot_key(c, c.rules[0])
    assert store.publish(rs) == 1
    learned = store.load()  # a learning run read the rule set and the corrections (none) ...
    assert apply_corrections(learned, store.corrections()) == learned
    # ... and while it computes, an operator saves a correction through another handle
    stores().add_correction(Correction(cluster=c.cluster, slot=number, field="invoice_number"))
    assert store.publish_run(learned, report="{}") == 2
    assert [r.field for r in store.load().clusters[0].rules] == ["invoice_number", "item_name"]


def test_republish_corrects_what_is_current_when_it_runs(stores: _Factory) -> None:
    store, run = stores(), stores()
    old, new = _ruleset(1, "a"), _ruleset(1, "b")
    c = new.clusters[0]
    assert store.publish(old) == 1
    store.add_correction(Correction(cluster=c.cluster, slot=slot_key(c, c.rules[0]), field="invoice_number"))
    assert run.publish(new) == 2  # a learning run publishes between the correction and its publish
    assert store.republish() == 3
    current = store.load()
    assert current.clusters[0].skeleton == new.clusters[0].skeleton  # the run's rule set, not a stale one
    assert [r.field for r in current.clusters[0].rules] == ["invoice_number", "item_name"]
