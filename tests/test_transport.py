"""What learning ships between processes and keeps between nights (offline/transport.py), as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from helpers import START, render_message

from mailstencil.offline.reservoir import ClusterStats
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.transport import (
    LearnJob,
    SenderStateBody,
    dump_state,
    load_state,
    sample_from_json,
    sample_to_json,
)


def _samples(n: int) -> list[Sample]:
    out = [prepare(f"m{i}.eml", render_message(i)) for i in range(n)]
    assert all(s is not None for s in out)
    return [s for s in out if s is not None]


def test_a_sample_travels_as_json_and_comes_back_the_same() -> None:
    s = _samples(1)[0]
    text = sample_to_json(s)
    back = sample_from_json(text)
    assert json.loads(text)["message_id"] == s.message_id
    for name in ("message_id", "sender", "subject", "date", "recipient", "leaves", "paths", "signature"):
        assert getattr(back, name) == getattr(s, name), name
    assert back.name == ""  # the file name stays with the reader


def test_a_state_body_keeps_samples_within_retention_with_their_clusters() -> None:
    samples = _samples(3)
    kept = {s.message_id: START + timedelta(days=k * 20) for k, s in enumerate(samples)}
    where = {samples[0].message_id: "c1", samples[2].message_id: "c2"}
    stats = {"c1": ClusterStats()}
    stats["c1"].add(samples[:1])
    body = dump_state(samples[0].sender, samples, kept, where, stats)
    # leaf paths are stored once per sender: the three renderings share theirs
    assert len(body.ipaths) == len({lf.ipath for s in samples for lf in s.leaves})
    again = SenderStateBody.model_validate_json(body.model_dump_json())
    assert again.format == "mailstencil.state/1" and again.oldest_kept() == START
    out, when, cluster, expired = load_state(again, cutoff=START + timedelta(days=10))
    assert expired == 1 and [s.message_id for s in out] == [s.message_id for s in samples[1:]]
    assert [s.leaves for s in out] == [s.leaves for s in samples[1:]]
    assert when == {s.message_id: kept[s.message_id] for s in samples[1:]}
    assert cluster == {samples[1].message_id: "", samples[2].message_id: "c2"}
    assert again.clusters["c1"].messages.count() == 1


def test_the_jobs_retention_cutoff_is_counted_back_from_now() -> None:
    job = LearnJob(now=START, retention_days=30)
    assert job.cutoff == START - timedelta(days=30)
    assert LearnJob.model_validate_json(job.model_dump_json()) == job
