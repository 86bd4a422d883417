"""Incremental nights: two halves learned on two nights match one run; re-runs, kills, retention."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailstencil.offline.batch import RunReport, run_learning
from mailstencil.offline.engine import default_model_path
from mailstencil.offline.evaluate import f1, score_ruleset, split_by_date
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.sample import Sample
from mailstencil.offline.transport import LearnJob, SenderStateBody
from mailstencil.offline.truth import TruthRecord
from mailstencil.rules.store import SQLiteStore

NIGHT1 = datetime(2026, 12, 1, 2, tzinfo=UTC)
NIGHT2 = NIGHT1 + timedelta(days=1)


def _job(now: datetime, **kw: object) -> LearnJob:
    return LearnJob(model_path=default_model_path(), now=now, **kw)  # type: ignore[arg-type]


def _halves(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    """Per sender, the older and the newer half (by Date) of the learning portion."""
    first, second = split_by_date(samples, 0.5)
    return first, second


@pytest.mark.corpus
def test_two_nights_match_one_run(
    corpus_samples: list[Sample], corpus_truth: dict[str, TruthRecord], tmp_path: Path
) -> None:
    samples = [s for s in corpus_samples if s.message_id in corpus_truth]
    train, test = split_by_date(samples, 0.3)
    night1, night2 = _halves(train)
    engine = LocalEngine(2)

    one = SQLiteStore(tmp_path / "one.db")
    run_learning(one, engine=engine, job=_job(NIGHT2), incremental=False, samples=train)
    one_rules = one.load()

    two = SQLiteStore(tmp_path / "two.db")
    r1 = run_learning(two, engine=engine, job=_job(NIGHT1), samples=night1)
    r2 = run_learning(two, engine=engine, job=_job(NIGHT2), samples=night2)
    two_rules = two.load()
    assert (r1.version, r2.version) == (1, 2)
    assert r2.messages_new == len(night2) and r2.messages_duplicate == 0
    assert r2.senders_relearned == len({s.sender for s in night2})
    assert r2.clusters_changed + r2.clusters_new > 0

    f_one = f1(score_ruleset(one_rules, test, corpus_truth))
    f_two = f1(score_ruleset(two_rules, test, corpus_truth))
    print(f"one run F1 {f_one:.4f}, two nights F1 {f_two:.4f}")
    assert f_one > 0.8
    assert abs(f_one - f_two) <= 0.01
    # counts accumulate across nights: the same messages and recipients as one run saw
    assert sum(c.messages for c in two_rules.clusters) == sum(c.messages for c in one_rules.clusters)
    one.close()
    two.close()


@pytest.fixture(scope="module")
def small(corpus_samples: list[Sample]) -> list[Sample]:
    """Two senders of the corpus (about 600 messages): enough for the fast incremental tests."""
    senders = sorted({s.sender for s in corpus_samples})
    pick = {senders[0], senders[-1]}
    return [s for s in corpus_samples if s.sender in pick]


@pytest.mark.corpus
def test_rerun_changes_nothing_and_counts_are_idempotent(small: list[Sample], tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    run_learning(store, engine=LocalEngine(2), job=_job(NIGHT1), samples=small)
    first = store.load()
    again = run_learning(store, engine=LocalEngine(2), job=_job(NIGHT2), samples=small)
    assert again.senders_relearned == 0 and again.messages_new == 0
    assert again.messages_duplicate == len(small)
    assert again.clusters_unchanged == len(first.clusters)
    assert store.load().clusters == first.clusters
    report = RunReport.model_validate_json(store.load_report() or "{}")
    assert report.version == 2 and report.messages_read == len(small)
    store.close()


@pytest.mark.corpus
def test_reservoir_is_capped_and_counts_accumulate(small: list[Sample], tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    report = run_learning(store, engine=LocalEngine(2), job=_job(NIGHT1, cap=6), samples=small)
    rules = store.load()
    states = store.load_states(store.state_senders())
    for st in states.values():
        body = SenderStateBody.model_validate_json(st.body)
        per_cluster: dict[str, int] = {}
        for s in body.samples:
            per_cluster[s.cluster] = per_cluster.get(s.cluster, 0) + 1
            assert s.recipient.startswith("r:") or not s.recipient  # recipients only as hashes
        assert max(per_cluster.values()) <= 6
    assert report.samples_retained < len(small) / 2
    # published counts are the whole night's, not the reservoir's
    assert sum(c.messages for c in rules.clusters) == len(small)
    store.close()


@pytest.mark.corpus
def test_retention_prunes_senders_without_new_mail(small: list[Sample], tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    senders = sorted({s.sender for s in small})
    run_learning(store, engine=LocalEngine(2), job=_job(NIGHT1, retention_days=30), samples=small)
    clusters = store.load().clusters
    later = NIGHT1 + timedelta(days=31)
    only = [s for s in small if s.sender == senders[0]][:1]  # one known message of one sender
    report = run_learning(store, engine=LocalEngine(2), job=_job(later, retention_days=30), samples=only)
    assert report.samples_expired > 0
    left = store.load_states(senders)
    other = SenderStateBody.model_validate_json(left[senders[1]].body)
    assert other.samples == [] and left[senders[1]].oldest_kept is None
    # the other sender's rules stay published; values in its retained samples are gone
    assert [c for c in store.load().clusters if c.sender == senders[1]] == [
        c for c in clusters if c.sender == senders[1]
    ]
    store.close()


@pytest.mark.corpus
def test_failed_publish_leaves_previous_version_serving(small: list[Sample], tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    run_learning(store, engine=LocalEngine(2), job=_job(NIGHT1), samples=small)
    before = store.load()
    states = {k: v.body for k, v in store.load_states(store.state_senders()).items()}

    def boom(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt  # what a kill during publishing looks like to the run

    real = store.publish_run
    store.publish_run = boom  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run_learning(  # a full run that replaces every cluster: let it through the shrink guard
            store,
            engine=LocalEngine(2),
            job=_job(NIGHT2, cap=3),
            samples=small,
            incremental=False,
            allow_shrink=True,
        )
    store.publish_run = real  # type: ignore[method-assign]
    assert store.current_version() == 1 and store.load() == before
    assert {k: v.body for k, v in store.load_states(store.state_senders()).items()} == states
    store.close()


@pytest.mark.corpus
def test_killed_run_leaves_previous_version_and_next_completes(corpus_dir: Path, tmp_path: Path) -> None:
    small_dir = corpus_dir / "zulip" / "messages" / "zulip-lakeside-robotics-root"
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    learn = [sys.executable, "-m", "mailstencil", "learn", "--store", url]
    subprocess.run([*learn, str(small_dir)], check=True, capture_output=True, timeout=300)
    store = SQLiteStore(tmp_path / "kill.db")
    before = store.load()
    proc = subprocess.Popen(  # a run over the whole corpus, killed while it reads and learns
        [*learn, str(corpus_dir), "--full", "--allow-shrink"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.current_version() == 1 and store.load() == before
    done = subprocess.run([*learn, str(small_dir)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "learned rule-set version 2" in done.stdout
    assert store.current_version() == 2 and store.load().clusters == before.clusters
    store.close()
