"""The extraction worker processes as the service drives them: jobs handed over on the event loop,
rule sets loaded from threads meanwhile, and requests that go away or workers that die.

Real worker processes (forkserver) and the rules learned from our order template (tests/hostile.py).
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator

import anyio
import hostile
import pytest
from prometheus_client import CollectorRegistry, Gauge

from mailstencil.app.jobs import Answer, Job
from mailstencil.app.rulecache import Snapshot
from mailstencil.app.workers import ProcessRunner
from mailstencil.rules.limits import DEFAULT_LIMITS
from mailstencil.rules.model import RuleSet, SenderRuleSet

LIMIT = 1_000_000


@pytest.fixture(scope="module")
def rules() -> SenderRuleSet:
    return SenderRuleSet.of(hostile.learned().model_copy(update={"version": 1}))


def _runner(processes: int) -> ProcessRunner:
    gauge = Gauge("pending", "jobs", registry=CollectorRegistry())
    return ProcessRunner(processes, 16, DEFAULT_LIMITS, 30.0, gauge)


@pytest.fixture
def one(rules: SenderRuleSet) -> Iterator[tuple[ProcessRunner, Snapshot]]:
    runner = _runner(1)
    runner.prepare(rules)
    runner.start()
    try:
        yield runner, Snapshot.of(rules, None)
    finally:
        runner.close()


def _job(i: int, version: int = 1, subject: str | None = None) -> Job:
    return Job("message", version, LIMIT, raw=hostile.message(i, subject))


def _message_id(answer: Answer) -> str:
    assert answer.status == 200, answer.body[:200]
    return str(json.loads(answer.body)["message_id"])


def test_concurrent_jobs_each_get_their_own_answer_while_a_thread_loads_a_new_rule_set(
    rules: SenderRuleSet,
) -> None:
    """Twelve requests at once on two workers, while the rule cache's thread hands each worker
    the next version (taking them one at a time between jobs): every answer is its own message's,
    from the version its job took."""
    runner = _runner(2)
    runner.prepare(rules)
    runner.start()
    newer = SenderRuleSet.of(RuleSet.model_validate({**rules.ruleset().model_dump(), "version": 2}))
    snap = Snapshot.of(rules, None)
    answers: dict[int, Answer] = {}
    alone = {i: _message_id(anyio.run(runner.run, snap, _job(i))) for i in range(12)}

    async def ask(i: int) -> None:
        answers[i] = await runner.run(snap, _job(i))

    async def main() -> None:
        loader = threading.Thread(target=runner.prepare, args=(newer,))
        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for i in range(12):
                    tg.start_soon(ask, i)
                loader.start()
            await anyio.to_thread.run_sync(loader.join)

    try:
        anyio.run(main)
        assert len(set(alone.values())) == 12
        assert {i: _message_id(a) for i, a in answers.items()} == alone
        assert all(json.loads(a.body)["version"] == 1 for a in answers.values())
        later = anyio.run(runner.run, Snapshot.of(newer, None), _job(0, 2))
        assert json.loads(later.body)["version"] == 2
    finally:
        runner.close()


def test_a_request_cancelled_mid_job_leaves_the_next_job_its_own_answer(
    one: tuple[ProcessRunner, Snapshot],
) -> None:
    """A request that goes away while its worker extracts: the worker still answers it, and the
    next job on that worker reads its own answer, not the abandoned one."""
    runner, snap = one
    slow = _job(3, subject=hostile.backtracking_subject(30_000))

    async def main() -> str:
        with anyio.move_on_after(0.001):
            await runner.run(snap, slow)
        return _message_id(await runner.run(snap, _job(5)))

    assert anyio.run(main) == _message_id(anyio.run(runner.run, snap, _job(5)))


def test_a_request_cancelled_while_waiting_for_a_worker_leaves_it_to_the_next(
    one: tuple[ProcessRunner, Snapshot],
) -> None:
    """With the one worker busy, a request waiting for it goes away: the worker goes on to the
    request after it (none waits forever)."""
    runner, snap = one
    slow = _job(3, subject=hostile.backtracking_subject(30_000))
    got: list[str] = []

    async def main() -> None:
        with anyio.fail_after(60):
            await tasks()

    async def tasks() -> None:
        async with anyio.create_task_group() as tg:

            async def first() -> None:
                got.append(_message_id(await runner.run(snap, slow)))

            async def gives_up() -> None:
                with anyio.move_on_after(0.001):
                    await runner.run(snap, _job(4))
                got.append("gave up")

            async def last() -> None:
                await anyio.sleep(0.01)
                got.append(_message_id(await runner.run(snap, _job(5))))

            tg.start_soon(first)
            await anyio.sleep(0)
            tg.start_soon(gives_up)
            tg.start_soon(last)

    anyio.run(main)
    alone = [_message_id(anyio.run(runner.run, snap, job)) for job in (slow, _job(5))]
    assert got == ["gave up", *alone]


def test_a_worker_that_dies_is_answered_for_and_restarted(one: tuple[ProcessRunner, Snapshot]) -> None:
    """The worker process killed between jobs: the next job answers 422 saying so, and the one
    after it is answered by the restarted worker (sent the rule set it lacks first)."""
    runner, snap = one
    assert anyio.run(runner.run, snap, _job(1)).status == 200
    for proc in multiprocessing.active_children():
        if proc.name == "mailstencil-extract":
            proc.kill()
            proc.join(10)
    lost = anyio.run(runner.run, snap, _job(1))
    assert lost.status == 422 and b"died" in lost.body
    assert anyio.run(runner.run, snap, _job(2)).status == 200
