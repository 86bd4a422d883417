"""Where extraction jobs run: worker threads of the service, or extraction worker processes.

Parsing a large message and matching its leaves is CPU work that holds the GIL in long C calls; in
threads it delays every other request of the process, ``/healthz`` included. With
``MAILSTENCIL_EXTRACT_PROCESSES`` > 0 the jobs run in that many worker processes instead, each
holding its own copy of the rule set, so the service process only moves bytes: on its event
loop, a job written to an idle worker's pipe and the reply awaited there (a thread between the loop
and the pipe cost the service about a third of its CPU a request; a job over
:data:`INLINE_BYTES` still goes through one, as its write waits for the worker to read). Both
kinds admit at most ``workers + extract_queue`` jobs at once and refuse more with :class:`Busy`
(503 with Retry-After), so a flood queues in bounded memory instead of without end.

A new rule set is handed to one worker process at a time before it is served (the others keep
answering), split by sender (:class:`~mailstencil.rules.model.SenderRuleSet`): a worker parses and compiles a
sender's clusters on the sender's first message (milliseconds), never the whole set, so a large
rule set costs each worker only the senders it is asked about. Each worker keeps the last two rule sets
it loaded (a request that took the previous snapshot still finds it); one that lacks a job's
version (restarted, or a version rolled back to) is sent it first. A worker that dies or outlives
``MAILSTENCIL_EXTRACT_TIMEOUT`` on a job is killed and restarted, and that job answers 422.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Protocol

import anyio
import anyio.to_thread
from prometheus_client import Gauge

from mailstencil.rules.limits import Limits
from mailstencil.rules.model import SenderRuleSet

from . import worker_main
from .jobs import KEEP, Answer, Job, Load, Loaded, Missing, error_body
from .rulecache import Snapshot, compile_here

if TYPE_CHECKING:
    from mailstencil.rules.apply import Extractor

__all__ = ["Busy", "Runner", "ThreadRunner", "ProcessRunner", "runner"]

log = logging.getLogger("mailstencil.app.workers")


class Busy(Exception):
    """Every worker is busy and the queue of waiting jobs is full: answer 503, retry later."""


class Runner(Protocol):
    """Runs extraction jobs and readies rule sets for them."""

    def prepare(self, rules: SenderRuleSet) -> Extractor | None:
        """Ready ``rules`` for jobs before it is served (called by the rule cache)."""

    async def run(self, snap: Snapshot, job: Job) -> Answer:
        """``job``'s answer from ``snap``'s rule set (raises :class:`Busy` when the queue is full)."""

    def start(self) -> None:
        """Start what the runner needs (at app start-up)."""

    def close(self) -> None:
        """Stop it (at shutdown)."""


class _Admission:
    """At most ``workers + waiting`` jobs at once; the ones over it are refused with :class:`Busy`."""

    def __init__(self, workers: int, waiting: int, gauge: Gauge) -> None:
        self.limit = workers + waiting
        self.pending = 0
        self.gauge = gauge  # the count, for /metrics: how close the service runs to refusing
        self.hops = anyio.CapacityLimiter(self.limit)  # threads handing jobs over, off the event loop

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Count one job in for the ``with`` block, or raise :class:`Busy` when the limit is reached."""
        if self.pending >= self.limit:
            raise Busy(f"{self.pending} extractions running or waiting; the limit is {self.limit}")
        self.pending += 1  # only the event loop thread counts: no lock needed
        self.gauge.set(self.pending)
        try:
            yield
        finally:
            self.pending -= 1
            self.gauge.set(self.pending)


class ThreadRunner:
    """Jobs in ``threads`` worker threads of this process, with the rule set compiled here."""

    def __init__(self, threads: int, waiting: int, limits: Limits, gauge: Gauge) -> None:
        from .service import run_job  # the extraction code: only where jobs run

        self._run_job = run_job
        self._admission = _Admission(threads, waiting, gauge)
        self._threads = anyio.CapacityLimiter(threads)
        self.prepare = compile_here(limits)

    async def run(self, snap: Snapshot, job: Job) -> Answer:
        extractor = snap.extractor
        assert extractor is not None, "a thread runner's snapshots are compiled here"
        with self._admission.admit():
            return await anyio.to_thread.run_sync(self._run_job, job, extractor, limiter=self._threads)

    def start(self) -> None:
        """Import what extraction imports on first use (anyio's threads are made on demand)."""
        from .markup import load_extruct

        load_extruct()

    def close(self) -> None:
        """Nothing to stop."""


class WorkerLost(Exception):
    """A worker process died or overran its time on a job (it has been restarted)."""


class _Worker:
    """One worker process and the service's end of its pipe."""

    def __init__(self, context: BaseContext, limits: Limits, timeout: float) -> None:
        self._context = context
        self._limits = limits
        self.timeout = timeout
        self.conn: Connection | None = None
        self.proc: BaseProcess | None = None

    def start(self) -> None:
        ours, theirs = self._context.Pipe()
        proc = self._context.Process(  # type: ignore[attr-defined]
            target=worker_main.main, args=(theirs, self._limits), name="mailstencil-extract", daemon=True
        )
        proc.start()
        theirs.close()  # so a dead worker reads as EOF on our end
        self.conn, self.proc = ours, proc

    def ask(self, msg: object, timeout: float | None = None) -> object:
        """Send ``msg`` and wait for the reply (raises :class:`WorkerLost`, after a restart, when
        the worker dies or does not answer within its timeout)."""
        if self.conn is None:
            self.start()
        assert self.conn is not None
        try:
            self.conn.send(msg)
            if self.conn.poll(timeout or self.timeout):
                return self.conn.recv()
            why = f"took over {timeout or self.timeout:g} s"
        except (EOFError, OSError):
            why = "its worker process died"
        self.restart()
        raise WorkerLost(why)

    async def ask_here(self, job: Job) -> object:
        """:meth:`ask` on the event loop: the job written to the pipe and its reply awaited on the
        loop, no thread handing either over (a job no larger than :data:`INLINE_BYTES` fits the
        pipe's buffer, so the write does not wait for the worker)."""
        if self.conn is None:  # its restart failed
            await anyio.to_thread.run_sync(self.start)
        conn = self.conn
        assert conn is not None
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = conn.fileno()
        why = f"took over {self.timeout:g} s"
        try:
            conn.send(job)
            loop.add_reader(fd, _settle, readable)
            try:
                async with asyncio.timeout(self.timeout):
                    await readable
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop's reader made it non-blocking: a recv could cut a reply
            return conn.recv()
        except TimeoutError:
            pass
        except (EOFError, OSError):
            why = "its worker process died"
        await anyio.to_thread.run_sync(self.restart)
        raise WorkerLost(why)

    def restart(self) -> None:
        """Kill the process and start a new one."""
        self.stop()
        self.start()

    def stop(self) -> None:
        """Kill the process (a worker holds no state worth a graceful end)."""
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
        self.conn = self.proc = None


INLINE_BYTES = 1 << 16
"""A job of at most this many message bytes is handed over on the event loop (:meth:`_Worker.ask_here`);
a larger one in a thread, whose write to the pipe waits while the worker reads it."""


def _settle(future: asyncio.Future[None]) -> None:
    """Mark ``future`` done (once: a readable pipe calls again until its reader is removed)."""
    if not future.done():
        future.set_result(None)


class _Idle:
    """The idle worker processes, taken by jobs on the event loop and by threads loading a rule
    set; a worker given back goes straight to whoever has waited longest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: deque[_Worker] = deque()
        self._waiters: deque[Callable[[_Worker], None]] = deque()

    def give(self, worker: _Worker) -> None:
        """``worker`` is idle again."""
        with self._lock:
            if not self._waiters:
                self._free.append(worker)
                return
            hand = self._waiters.popleft()
        hand(worker)

    async def take(self) -> _Worker:
        """An idle worker, awaited on the event loop."""
        loop = asyncio.get_running_loop()
        got: asyncio.Future[_Worker] = loop.create_future()

        def settle(worker: _Worker) -> None:
            if got.cancelled():  # its request went away meanwhile
                self.give(worker)
            else:
                got.set_result(worker)

        def hand(worker: _Worker) -> None:
            try:
                here = asyncio.get_running_loop() is loop
            except RuntimeError:  # given back by a thread
                here = False
            if here:
                loop.call_soon(settle, worker)
            else:
                loop.call_soon_threadsafe(settle, worker)

        with self._lock:
            if self._free:
                return self._free.popleft()
            self._waiters.append(hand)
        try:
            return await got
        except asyncio.CancelledError:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(hand)
            if got.done() and not got.cancelled():  # handed over just as it was cancelled
                self.give(got.result())
            raise

    def take_blocking(self) -> _Worker:
        """An idle worker, waited for in this (non-event-loop) thread."""
        got: list[_Worker] = []
        ready = threading.Event()

        def hand(worker: _Worker) -> None:
            got.append(worker)
            ready.set()

        with self._lock:
            if self._free:
                return self._free.popleft()
            self._waiters.append(hand)
        ready.wait()
        return got[0]


class ProcessRunner:
    """Jobs in ``processes`` extraction worker processes (forkserver: safe beside the service's
    threads, and cheap to start once the server has imported the extraction code)."""

    def __init__(self, processes: int, waiting: int, limits: Limits, timeout: float, gauge: Gauge) -> None:
        self._admission = _Admission(processes, waiting, gauge)
        context = multiprocessing.get_context("forkserver")
        # what a worker runs, imported once by the forkserver: the extraction code, which this
        # service process never imports (extruct: by each worker once idle, see serve_jobs)
        context.set_forkserver_preload(["mailstencil.app.worker_main", "mailstencil.app.service"])
        # started now, so its imports run while the service builds the app and loads the rules
        forkserver.ensure_running()
        self._workers = [_Worker(context, limits, timeout) for _ in range(processes)]
        self._idle = _Idle()
        self._payloads: dict[int, SenderRuleSet] = {}  # the last rule sets prepared, by version
        self._lock = threading.Lock()
        self._started = False

    def prepare(self, rules: SenderRuleSet) -> None:
        """Have each worker load ``rules``, one at a time while the others keep answering (the
        rule cache serves it only afterwards). Before start-up it is only remembered."""
        with self._lock:
            self._payloads.pop(rules.version, None)
            self._payloads[rules.version] = rules
            while len(self._payloads) > KEEP:
                del self._payloads[next(iter(self._payloads))]
            started = self._started
        if not started:
            return
        for _ in self._workers:
            worker = self._idle.take_blocking()
            try:
                self._load(worker, rules)
            except WorkerLost as exc:
                log.error("extraction worker lost while loading rule set %d: %s", rules.version, exc)
            finally:
                self._idle.give(worker)

    def _load(self, worker: _Worker, payload: SenderRuleSet) -> None:
        # handing over a large rule set takes a while: allow it well over a job's time
        loaded = worker.ask(Load(payload), worker.timeout * 4)
        assert isinstance(loaded, Loaded)

    def start(self) -> None:
        """Start the worker processes, each loading the rule set being served."""
        with self._lock:
            latest = next(reversed(self._payloads.values()), None)
            self._started = True

        def ready(worker: _Worker) -> None:
            worker.start()
            if latest is not None:
                self._load(worker, latest)

        # all at once: each takes in the rule set while the others do
        with ThreadPoolExecutor(len(self._workers)) as pool:
            list(pool.map(ready, self._workers))
        for worker in self._workers:
            self._idle.give(worker)

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            self._started = False
        for worker in self._workers:
            worker.stop()

    async def run(self, snap: Snapshot, job: Job) -> Answer:
        with self._admission.admit():
            if not self._started:
                raise Busy("the extraction workers are stopped (the service is shutting down)")
            worker = await self._idle.take()
            # shielded: a request cancelled meanwhile still has its reply read before the worker
            # is given back, so the next job never reads this one's
            return await asyncio.shield(self._run_on(worker, snap, job))

    async def _run_on(self, worker: _Worker, snap: Snapshot, job: Job) -> Answer:
        """``job``'s answer from ``worker`` (taken for it, given back here)."""
        try:
            reply = await self._ask(worker, job)
            if isinstance(reply, Missing):
                with self._lock:
                    payload = self._payloads.get(job.version)
                await anyio.to_thread.run_sync(self._load, worker, payload or snap.rules)
                reply = await self._ask(worker, job)
        except WorkerLost as exc:
            log.error("extraction worker lost on a %s job: %s", job.kind, exc)
            return Answer(422, error_body(f"message could not be processed: {exc}"))
        finally:
            self._idle.give(worker)
        assert isinstance(reply, Answer)
        return reply

    async def _ask(self, worker: _Worker, job: Job) -> object:
        """``job``'s reply from ``worker``: on the event loop, or for a large job in a thread."""
        if len(job.raw) + sum(len(raw) for _, raw in job.entries) <= INLINE_BYTES:
            return await worker.ask_here(job)
        return await anyio.to_thread.run_sync(worker.ask, job, limiter=self._admission.hops)


def runner(
    processes: int, threads: int, waiting: int, limits: Limits, timeout: float, gauge: Gauge
) -> Runner:
    """The runner the settings ask for: ``processes`` worker processes, or ``threads`` threads when
    ``processes`` is 0; ``gauge`` shows how many jobs run or wait."""
    if processes > 0:
        return ProcessRunner(processes, waiting, limits, timeout, gauge)
    return ThreadRunner(threads, waiting, limits, gauge)
