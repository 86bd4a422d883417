"""Learning engines: one job (prepare each message, learn each sender), run locally or on Spark.

The two steps are pure functions of :mod:`offline.state`: :func:`offline.state.prepare_private`
per message and :func:`offline.state.night_sender` per sender (the unit that distributes, since
clustering is per sender). An engine maps the first over the input, groups by sender, joins each
sender's stored state and maps the second; results come back sorted by sender, so every engine
yields the same rule set. The role model is loaded once per worker process from its path.

Learning iterates sets of strings in places, so its output depends on Python's string hash seed;
every engine runs its workers with ``PYTHONHASHSEED`` = :data:`HASH_SEED` so they agree.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context, resource_tracker
from multiprocessing.pool import Pool
from multiprocessing.synchronize import Semaphore
from pathlib import Path
from typing import Protocol

from .corpus import iter_raw_messages
from .defaults import ENGINES
from .roles import DEFAULT_MODEL_PATH, RoleModel
from .sample import Sample
from .state import (
    LearnJob,
    SenderResult,
    night_sender,
    prepare_private,
    privatize,
    sample_from_json,
    sample_to_json,
)

__all__ = [
    "ENGINES",
    "HASH_SEED",
    "SKIPPED_NAMED",
    "Engine",
    "EngineOutput",
    "LocalEngine",
    "Skipped",
    "StateLoader",
    "get_engine",
    "model_for",
    "learn_group",
    "prepare_one",
]

log = logging.getLogger("mailstencil.learn")

HASH_SEED = "0"
SKIPPED_NAMED = 20
"""How many skipped messages a run names (the rest are counted)."""
StateLoader = Callable[[list[str]], dict[str, str]]
"""Given the senders that received mail, their stored state bodies (absent ones left out)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message learning cannot read: its name and why (:func:`offline.sample.prepare_checked`)."""

    name: str
    why: str

    def label(self) -> str:
        """``"name: why"``, how ``learn`` names it to the operator (never stored)."""
        return f"{self.name}: {self.why}"


@dataclass(slots=True)
class EngineOutput:
    """What an engine hands back: per-sender results (sorted by sender) and counts and timings."""

    results: list[SenderResult]
    read: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    """Skipped messages per reason."""
    skipped_named: list[str] = field(default_factory=list)
    """:meth:`Skipped.label` of the first :data:`SKIPPED_NAMED` skipped messages."""
    seconds: dict[str, float] = field(default_factory=dict)

    def count_skipped(self, skip: Skipped) -> None:
        """Count one skipped message under its reason, and name it while fewer than
        :data:`SKIPPED_NAMED` are named."""
        self.skipped += 1
        self.skip_reasons[skip.why] = self.skip_reasons.get(skip.why, 0) + 1
        if len(self.skipped_named) < SKIPPED_NAMED:
            self.skipped_named.append(skip.label())


class Engine(Protocol):
    """Runs the learning job over messages under ``paths``."""

    name: str

    def run(self, paths: list[str], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Prepare every message, learn every sender that received mail, return the results."""
        ...


_MODELS: dict[str, RoleModel | None] = {}


def model_for(path: str | None) -> RoleModel | None:
    """The role model at ``path`` (``None``: no model), loaded once per process."""
    key = path or ""
    if key not in _MODELS:
        _MODELS[key] = RoleModel.load(Path(path)) if path else None
    return _MODELS[key]


def default_model_path() -> str | None:
    """The shipped role model's path, ``None`` when it has not been trained."""
    return str(DEFAULT_MODEL_PATH) if DEFAULT_MODEL_PATH.exists() else None


def prepare_one(item: tuple[str, bytes]) -> tuple[str, str] | Skipped:
    """Map step: ``(sender, sample JSON)`` of one raw message, or the message :class:`Skipped`."""
    s = prepare_private(*item)
    return Skipped(item[0], s) if isinstance(s, str) else (s.sender, sample_to_json(s))


def learn_group(sender: str, samples: Iterable[str], state: str | None, job: LearnJob) -> SenderResult:
    """Reduce step: one sender's night from its samples (JSON) and stored state."""
    new = [sample_from_json(text) for text in samples]
    return night_sender(sender, new, state, model_for(job.model_path), job)


def _learn_task(task: tuple[str, list[str], str | None, str]) -> str:
    sender, samples, state, job_json = task
    return learn_group(sender, samples, state, LearnJob.model_validate_json(job_json)).model_dump_json()


def _init_worker(model_path: str | None, ready: Semaphore | None = None) -> None:
    model_for(model_path)
    if ready is not None:
        ready.release()


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, label: str, total: int | None = None) -> None:
        self.label, self.total, self.n = label, total, 0
        self.on = sys.stderr.isatty()
        self.start = self.last = time.perf_counter()

    def step(self, n: int = 1) -> None:
        self.n += n
        now = time.perf_counter()
        if self.on and now - self.last >= 0.2:
            self.last = now
            rate = self.n / max(1e-9, now - self.start)
            if self.total:
                done = int(30 * self.n / self.total)
                bar = "#" * done + "." * (30 - done)
                print(f"\r{self.label} [{bar}] {self.n}/{self.total} ({rate:.0f}/s)", end="", file=sys.stderr)
            else:
                print(f"\r{self.label}: {self.n} ({rate:.0f}/s)", end="", file=sys.stderr)

    def done(self) -> None:
        if self.on and self.n:
            print(file=sys.stderr)


WORKER_START_TIMEOUT = 120.0
"""Seconds to wait for each worker to start (a Ctrl-C meanwhile waits too) before going on."""


def _seeded_pool(processes: int, model_path: str | None) -> Pool:
    """A pool of fresh interpreters whose string hash seed is :data:`HASH_SEED`.

    Ctrl-C is the parent's to handle (it ends the pool), so no worker prints a traceback of its own.
    While the pool starts, SIGINT is blocked, so the workers inherit it blocked (the pool's threads
    too, so any worker they restart), and a Ctrl-C meanwhile is held, not dropped: it is acted on
    once every worker is up (one still starting when the pool ends would print a traceback), as
    a :class:`KeyboardInterrupt` that ends the pool. The resource tracker is started first:
    starting it unblocks the signals it blocked, SIGINT among them.
    """
    saved = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = HASH_SEED
    resource_tracker.ensure_running()
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    # another thread may take the signal and run the handler here: hold it until the pool is up
    previous = signal.signal(signal.SIGINT, lambda signum, _: held.append(signum)) if main else None
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pool: Pool | None = None
    try:
        context = get_context("spawn")
        ready = context.Semaphore(0)
        pool = context.Pool(processes, initializer=_init_worker, initargs=(model_path, ready))
        for _ in range(processes):
            ready.acquire(timeout=WORKER_START_TIMEOUT)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a blocked Ctrl-C is held now
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if main:
            signal.signal(signal.SIGINT, previous)
        if saved is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = saved
    if held and previous is not signal.SIG_IGN:
        pool.terminate()
        raise KeyboardInterrupt
    return pool


class LocalEngine:
    """Multiprocessing over the machine's cores (the default engine)."""

    name = "local"

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or os.cpu_count() or 1

    def run(self, paths: list[str], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        return self.run_messages(iter_raw_messages(list(paths)), job, load_states)

    def run_messages(
        self, messages: Iterable[tuple[str, bytes]], job: LearnJob, load_states: StateLoader
    ) -> EngineOutput:
        """Run on ``(name, raw bytes)`` pairs from any source (files, or built in memory)."""
        out = EngineOutput(results=[])
        with _seeded_pool(self.processes, job.model_path) as pool:
            start = time.perf_counter()
            groups: dict[str, list[str]] = {}
            bar = _Progress("prepare")
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
        with _seeded_pool(self.processes, job.model_path) as pool:
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
        bar = _Progress("learn", len(order))
        for text in pool.imap_unordered(_learn_task, tasks):
            out.results.append(SenderResult.model_validate_json(text))
            bar.step()
        bar.done()
        out.seconds["learn"] = time.perf_counter() - start
        out.results.sort(key=lambda r: r.sender)
        log.info("engine local: %d messages read, %d skipped, %d senders", out.read, out.skipped, len(order))


def get_engine(name: str, **options: object) -> Engine:
    """The engine called ``name`` (``local`` or ``spark``); anything else is a ``ValueError``."""
    if name == "local":
        return LocalEngine(**options)  # type: ignore[arg-type]
    if name == "spark":
        from .spark_engine import SparkEngine

        return SparkEngine(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
