"""Sustained load while a real ``mailstencil learn`` publishes: ``mailstencil serve`` (uvicorn,
worker processes) on loopback answers a steady stream of extractions while the learner runs in its
own process and publishes a new version; no request may fail and the answers move to the new one.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from svc_helpers import RFC822, serve

from mailstencil.rules.apply import Extractor
from mailstencil.rules.model import RuleSet
from mailstencil.rules.stores import open_store

NEW_SENDER = "shipping@northwind.example"  # not in version 1: the learn run adds its clusters


def _view(answer: dict[str, object]) -> tuple[object, ...]:
    return (answer["cluster"], answer["known"], answer["fields"], answer["confidence"], answer["items"])


def _expected(rs: RuleSet, corpus: dict[str, bytes]) -> dict[str, tuple[object, ...]]:
    """What ``rs`` answers for each message, in the service's own terms."""
    ex = Extractor(rs)
    out = {}
    for name, raw in corpus.items():
        got = ex.extract(raw)
        out[name] = (got.cluster, got.known, got.fields, got.confidence, got.items)
    return out


def test_answers_never_fail_while_a_learn_run_publishes(
    tmp_path: Path, corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    """Four clients post the fixture mail for the whole of a ``mailstencil learn`` run (its start,
    learning, publish and the reload after it): every answer is a 200 equal to what its reported
    version gives, no connection fails, and once the run has ended every answer is the new one."""
    first = ruleset.model_copy(update={"clusters": [c for c in ruleset.clusters if c.sender != NEW_SENDER]})
    assert len(first.clusters) < len(ruleset.clusters), "the fixture rules must know the new sender"
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    store = open_store(url)
    assert store.publish(first) == 1
    store.close()
    mail = tmp_path / "new-mail"
    mail.mkdir()
    for name, raw in corpus.items():
        if name.startswith("shipping/"):
            (mail / name.replace("/", "-")).write_bytes(raw)

    names = sorted(corpus)
    answers: list[tuple[float, str, int, dict[str, object]]] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = offset
            while not stop.is_set():
                name = names[i % len(names)]
                i += 1
                try:
                    r = http.post("/v1/extract", content=corpus[name], headers=RFC822)
                except httpx.HTTPError as exc:  # a refused, reset or timed-out connection
                    with lock:
                        failures.append(f"{name}: {type(exc).__name__}")
                    continue
                with lock:
                    if r.status_code != 200:
                        failures.append(f"{name}: HTTP {r.status_code}")
                    else:
                        answers.append((time.monotonic(), name, r.json()["version"], r.json()))

    with serve(url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.1"}) as srv:
        threads = [threading.Thread(target=client, args=(k * 7, srv.base)) for k in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)  # answers of version 1 first
            run = subprocess.run(
                [sys.executable, "-m", "mailstencil", "learn", "--store", url, str(mail)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            ended = time.monotonic()
            time.sleep(2.0)  # past the reload: answers of version 2 only
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert run.returncode == 0, run.stderr
    store = open_store(url)
    try:
        assert store.current_version() == 2
        second = store.load(2)
    finally:
        store.close()
    expected = {1: _expected(first, corpus), 2: _expected(second, corpus)}
    new_mail = [n for n in names if n.startswith("shipping/")]
    assert all(expected[1][n] != expected[2][n] for n in new_mail), "version 2 must know the new sender"

    by_version = Counter(version for _, _, version, _ in answers)
    took = [b - a for (a, *_), (b, *_) in zip(answers, answers[1:], strict=False)]
    print(f"{len(answers)} answers {dict(by_version)}, {len(failures)} failed; longest gap {max(took):.2f} s")
    assert failures == []
    assert by_version[1] > 20 and by_version[2] > 20, by_version
    mixed = [f"{name} v{v}" for _, name, v, body in answers if _view(body) != expected[v][name]]
    assert mixed == []
    late = [v for at, _, v, _ in answers if at > ended + 1.0]
    assert late and set(late) == {2}, Counter(late)
