"""Engines: one job, two engines, identical rule sets and skip reports (engines by name: test_engines)."""

from __future__ import annotations

import importlib.util
import shutil
from datetime import UTC, datetime
from pathlib import Path

import hostile
import pytest

from mailstencil.offline.batch import run_learning
from mailstencil.offline.engine import default_model_path
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.transport import LearnJob
from mailstencil.rules.store import SQLiteStore

NOW = datetime(2026, 12, 31, tzinfo=UTC)


def _spark_unavailable() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None:
        return "no Java runtime (scripts/ensure-java.sh installs one)"
    return None


def _learn(engine: object, paths: list[str], db: Path) -> tuple[dict[str, object], dict[str, str]]:
    store = SQLiteStore(db)
    job = LearnJob(model_path=default_model_path(), now=NOW)
    report = run_learning(store, paths, engine=engine, job=job, incremental=False)  # type: ignore[arg-type]
    assert report.messages_read > 0 and report.messages_skipped == 0
    rules = store.load().model_dump(exclude={"created", "version"})
    states = {k: v.body for k, v in store.load_states(store.state_senders()).items()}
    store.close()
    return rules, states


@pytest.mark.corpus
def test_local_and_spark_learn_identical_rule_sets(corpus_dir: Path, tmp_path: Path) -> None:
    """On the whole of ../shared/corpus (8,790 messages; Spark in local mode takes about 30 s)."""
    reason = _spark_unavailable()
    if reason:
        pytest.skip(reason)
    from mailstencil.offline.spark_engine import SparkEngine

    paths = [str(corpus_dir)]
    local_rules, local_states = _learn(LocalEngine(2), paths, tmp_path / "local.db")
    spark_rules, spark_states = _learn(SparkEngine(master="local[2]"), paths, tmp_path / "spark.db")
    assert len(local_rules["clusters"]) > 500  # type: ignore[arg-type]
    assert sum(len(c["rules"]) for c in local_rules["clusters"]) > 2000  # type: ignore[union-attr,index]
    assert spark_rules == local_rules
    assert spark_states == local_states


def test_both_engines_count_and_name_skipped_messages_alike(tmp_path: Path) -> None:
    """Skipped messages are counted per reason (stored) and named with it (printed, not stored), the
    same by either engine: one reason, :func:`mailstencil.offline.sample.prepare_checked`'s, for both."""
    reason = _spark_unavailable()
    if reason:
        pytest.skip(reason)
    from mailstencil.offline.spark_engine import SparkEngine

    mail = tmp_path / "mail"
    mail.mkdir()
    for i, raw in enumerate(hostile.messages(6)):
        (mail / f"{i:02}.eml").write_bytes(raw)
    (mail / "junk.eml").write_bytes(b"no header block")
    (mail / "empty.eml").write_bytes(b"From: x@y.example\n\n")
    want = {"not an RFC 822 message": 1, "no text": 1}
    named = sorted([f"{mail / 'empty.eml'}: no text", f"{mail / 'junk.eml'}: not an RFC 822 message"])
    job = LearnJob(model_path=default_model_path(), now=NOW, min_recipients=1)
    for name, engine in (("local", LocalEngine(1)), ("spark", SparkEngine(master="local[1]"))):
        store = SQLiteStore(tmp_path / f"{name}.db")
        report = run_learning(store, [str(mail)], engine=engine, job=job, incremental=False)  # type: ignore[arg-type]
        assert (report.messages_read, report.messages_skipped, report.skipped) == (8, 2, want), name
        assert sorted(report.skipped_named) == named, name
        stored = store.load_report()
        store.close()
        assert stored is not None and '"skipped"' in stored and str(mail) not in stored, name


def test_both_engines_take_messages_and_samples_from_memory_alike(tmp_path: Path) -> None:
    """The whole Engine protocol on both engines: ``run_learning`` hands either one raw messages or
    prepared samples built in memory, and they publish the same rule set."""
    reason = _spark_unavailable()
    if reason:
        pytest.skip(reason)
    from mailstencil.offline.sample import prepare
    from mailstencil.offline.spark_engine import SparkEngine

    named = [(f"{i:02}.eml", raw) for i, raw in enumerate(hostile.messages(6))]
    samples = [s for s in (prepare(n, raw) for n, raw in named) if s is not None]
    job = LearnJob(model_path=default_model_path(), now=NOW, min_recipients=1)
    got: dict[tuple[str, str], object] = {}
    for name, engine in (("local", LocalEngine(1)), ("spark", SparkEngine(master="local[1]"))):
        for kind in ("messages", "samples"):
            store = SQLiteStore(tmp_path / f"{name}-{kind}.db")
            if kind == "messages":
                report = run_learning(store, engine=engine, job=job, incremental=False, messages=named)
            else:
                report = run_learning(store, engine=engine, job=job, incremental=False, samples=samples)
            got[name, kind] = store.load().model_dump(exclude={"created", "version"})
            store.close()
            assert report.engine == name
            assert report.messages_read == (len(named) if kind == "messages" else len(samples)) > 0
    assert got["local", "messages"] == got["local", "samples"]
    assert got["spark", "messages"] == got["local", "messages"]
    assert got["spark", "samples"] == got["local", "samples"]
    assert got["local", "messages"]["clusters"]  # type: ignore[index]
