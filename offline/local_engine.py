"""The local engine (the default): the learning job on a pool of processes over the machine's cores."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_context, resource_tracker
from multiprocessing.pool import Pool
from multiprocessing.synchronize import Semaphore

from .corpus import iter_raw_messages
from .engine import EngineOutput, Skipped, StateLoader, learn_task, model_for, prepare_one
from .privacy import privatize
from .progress import Progress
from .sample import Sample
from .transport import LearnJob, SenderResult, sample_to_json

__all__ = ["LocalEngine"]

log = logging.getLogger("mailstencil.learn")


def _init_worker(model_path: str | None, ready: Semaphore | None = None) -> None:
    model_for(model_path)
    if ready is not None:
        ready.release()


def _learn_task(task: tuple[str, list[str], str | None, str]) -> str:
    return learn_task(*task)


WORKER_START_TIMEOUT = 120.0
"""Seconds to wait for each worker to start (a Ctrl-C meanwhile waits too) before going on."""


def _pool(processes: int, model_path: str | None) -> Pool:
    """A pool of fresh interpreters, each with the role model loaded.

    Ctrl-C is the parent's to handle (it ends the pool), so no worker prints a traceback of its own.
    While the pool starts, SIGINT is blocked, so the workers inherit it blocked (the pool's threads
    too, so any worker they restart), and a Ctrl-C meanwhile is held, not dropped: it stops the
    wait for the workers and is acted on as a :class:`KeyboardInterrupt` that ends the pool (a
    worker still starting ends by its SIGTERM, before any handler of its own could print). The
    resource tracker is started first: starting it unblocks the signals it blocked, SIGINT among
    them.
    """
    resource_tracker.ensure_running()
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    # another thread may take the signal and run the handler here: it is held, and stops the wait
    previous = signal.signal(signal.SIGINT, lambda signum, _: held.append(signum)) if main else None
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        context = get_context("spawn")
        ready = context.Semaphore(0)
        pool = context.Pool(processes, initializer=_init_worker, initargs=(model_path, ready))
        _wait_for_workers(ready, processes, lambda: bool(held) or signal.SIGINT in signal.sigpending())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a blocked Ctrl-C is held now
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if main:
            signal.signal(signal.SIGINT, previous)
    if held and previous is not signal.SIG_IGN:
        pool.terminate()
        raise KeyboardInterrupt
    return pool


def _wait_for_workers(ready: Semaphore, processes: int, interrupted: Callable[[], bool]) -> None:
    """Wait until ``processes`` workers are up, or at once on a Ctrl-C (held by the handler or
    pending, blocked): a worker loading the learning libraries takes seconds on a loaded machine
    (9 s at load 8), and ending the pool ends one still starting too."""
    deadline = time.monotonic() + WORKER_START_TIMEOUT * processes
    up = 0
    while up < processes and time.monotonic() < deadline:
        if ready.acquire(timeout=0.05):
            up += 1
        elif interrupted():
            return


class LocalEngine:
    """Multiprocessing over the machine's cores (the default engine)."""

    name = "local"

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or os.cpu_count() or 1

    def run(self, paths: list[str], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Prepare every message under ``paths``, learn every sender that received mail."""
        return self.run_messages(iter_raw_messages(list(paths)), job, load_states)

    def run_messages(
        self, messages: Iterable[tuple[str, bytes]], job: LearnJob, load_states: StateLoader
    ) -> EngineOutput:
        """Run on ``(name, raw bytes)`` pairs from any source (files, or built in memory)."""
        out = EngineOutput(results=[])
        with _pool(self.processes, job.model_path) as pool:
            start = time.perf_counter()
            groups: dict[str, list[str]] = {}
            bar = Progress("prepare")
            for got in pool.imap(prepare_one, messages, chunksize=16):
                out.read += 1
                bar.step()
                if isinstance(got, Skipped):
                    out.count_skipped(got)
                else:
                    groups.setdefault(got[0], []).append(got[1])
            bar.done()
            out.seconds["prepare"] = time.perf_counter() - start
            self._learn(pool, groups, job, load_states, out)
        return out

    def run_samples(self, samples: Iterable[Sample], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Run on samples prepared elsewhere (made private here, as the map step would)."""
        out = EngineOutput(results=[])
        start = time.perf_counter()
        groups: dict[str, list[str]] = {}
        for s in samples:
            out.read += 1
            groups.setdefault(s.sender, []).append(sample_to_json(privatize(s)))
        out.seconds["prepare"] = time.perf_counter() - start
        with _pool(self.processes, job.model_path) as pool:
            self._learn(pool, groups, job, load_states, out)
        return out

    def _learn(
        self,
        pool: Pool,
        groups: dict[str, list[str]],
        job: LearnJob,
        load_states: StateLoader,
        out: EngineOutput,
    ) -> None:
        start = time.perf_counter()
        states = load_states(sorted(groups))
        out.seconds["load_state"] = time.perf_counter() - start
        start = time.perf_counter()
        job_json = job.model_dump_json()
        # biggest senders first, so the last task is a small one
        order = sorted(groups, key=lambda k: (-len(groups[k]), k))
        tasks: Iterator[tuple[str, list[str], str | None, str]] = (
            (k, groups.pop(k), states.get(k), job_json) for k in order
        )
        bar = Progress("learn", len(order))
        for text in pool.imap_unordered(_learn_task, tasks):
            out.results.append(SenderResult.model_validate_json(text))
            bar.step()
        bar.done()
        out.seconds["learn"] = time.perf_counter() - start
        out.results.sort(key=lambda r: r.sender)
        log.info("engine local: %d messages read, %d skipped, %d senders", out.read, out.skipped, len(order))
