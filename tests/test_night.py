"""One night of one sender (offline/night.py): relearn on new mail only, duplicates, the reservoir
cap, counts across nights, retention."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from types import CodeType, FrameType
from typing import TypeVar

from helpers import SENDER, START, render_message

from mailstencil.offline.clustering import cluster_samples
from mailstencil.offline.night import night_sender, prune_state
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.transport import LearnJob, SenderStateBody


def _mail(indices: range) -> list[Sample]:
    out = [prepare(f"m{i}.eml", render_message(i)) for i in indices]
    return [s for s in out if s is not None]


def _job(days: int = 0, cap: int = 50) -> LearnJob:
    return LearnJob(now=START + timedelta(days=days), cap=cap, retention_days=30)


_T = TypeVar("_T")


def _calls(code: CodeType, run: Callable[[], _T]) -> tuple[_T, int]:
    """What ``run`` returns and how often it called the function of ``code``: a profiler counts
    the calls, so the real code runs with nothing replaced."""
    calls = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call" and frame.f_code is code

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = run()
    finally:
        sys.setprofile(previous)
    return result, calls


def test_a_first_night_learns_the_sender_and_keeps_its_samples() -> None:
    got = night_sender(SENDER, _mail(range(6)), None, None, _job())
    assert got.relearned and (got.fresh, got.duplicates, got.retained) == (6, 0, 6)
    [cluster] = got.clusters
    assert (cluster.messages, cluster.recipients) == (6, 6) and cluster.induced
    body = SenderStateBody.model_validate_json(got.state)
    assert {s.cluster for s in body.samples} == {cluster.cluster} and got.oldest_kept == START


def test_the_same_mail_again_relearns_nothing() -> None:
    first = night_sender(SENDER, _mail(range(6)), None, None, _job())
    again = night_sender(SENDER, _mail(range(6)), first.state, None, _job(1))
    assert not again.relearned and (again.duplicates, again.retained, again.clusters) == (6, 6, [])


def test_the_reservoir_is_capped_while_counts_go_on() -> None:
    first = night_sender(SENDER, _mail(range(8)), None, None, _job(cap=5))
    assert first.retained == 5 and first.clusters[0].messages == 8
    second = night_sender(SENDER, _mail(range(8, 12)), first.state, None, _job(1, cap=5))
    assert second.fresh == 4 and second.retained == 5
    assert (second.clusters[0].messages, second.clusters[0].recipients) == (12, 12)


def test_a_night_clusters_the_sender_once_when_the_cap_cuts() -> None:
    mail = _mail(range(8))
    got, clusterings = _calls(
        cluster_samples.__code__, lambda: night_sender(SENDER, mail, None, None, _job(cap=5))
    )
    assert clusterings == 1
    [cluster] = got.clusters
    assert cluster.induced and cluster.messages == 8 and got.retained == 5


def test_samples_past_retention_expire() -> None:
    first = night_sender(SENDER, _mail(range(6)), None, None, _job())
    state, oldest, dropped = prune_state(first.state, _job(31))
    assert (oldest, dropped) == (None, 6) and SenderStateBody.model_validate_json(state).samples == []
    _, oldest, dropped = prune_state(first.state, _job(29))
    assert (oldest, dropped) == (START, 0)
    later = night_sender(SENDER, _mail(range(6, 12)), first.state, None, _job(31))
    assert later.relearned and (later.expired, later.fresh, later.retained) == (6, 6, 6)
