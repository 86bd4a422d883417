"""Where extraction jobs run: worker threads of the service, or extraction worker processes.

Parsing a large message and matching its leaves is CPU work that holds the GIL in long C calls; in
threads it delays every other request of the process, ``/healthz`` included. With
``MAILSTENCIL_EXTRACT_PROCESSES`` > 0 the jobs run in that many worker processes instead, each
holding its own copy of the rule set, so the service process only moves bytes. Both
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

import contextlib
import logging
import multiprocessing
import queue
import threading
from collections.abc import Iterator
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
        self.stop()
        self.start()
        raise WorkerLost(why)

    def stop(self) -> None:
        """Kill the process (a worker holds no state worth a graceful end)."""
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
        self.conn = self.proc = None


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
        self._idle: queue.Queue[_Worker] = queue.Queue()
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
            worker = self._idle.get()
            try:
                self._load(worker, rules)
            except WorkerLost as exc:
                log.error("extraction worker lost while loading rule set %d: %s", rules.version, exc)
            finally:
                self._idle.put(worker)

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
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            self._started = False
        for worker in self._workers:
            worker.stop()

    async def run(self, snap: Snapshot, job: Job) -> Answer:
        with self._admission.admit():
            return await anyio.to_thread.run_sync(self._run, snap, job, limiter=self._admission.hops)

    def _run(self, snap: Snapshot, job: Job) -> Answer:
        if not self._started:
            raise Busy("the extraction workers are stopped (the service is shutting down)")
        worker = self._idle.get()
        try:
            reply = worker.ask(job)
            if isinstance(reply, Missing):
                with self._lock:
                    payload = self._payloads.get(job.version)
                self._load(worker, payload or snap.rules)
                reply = worker.ask(job)
        except WorkerLost as exc:
            log.error("extraction worker lost on a %s job: %s", job.kind, exc)
            return Answer(422, error_body(f"message could not be processed: {exc}"))
        finally:
            self._idle.put(worker)
        assert isinstance(reply, Answer)
        return reply


def runner(
    processes: int, threads: int, waiting: int, limits: Limits, timeout: float, gauge: Gauge
) -> Runner:
    """The runner the settings ask for: ``processes`` worker processes, or ``threads`` threads when
    ``processes`` is 0; ``gauge`` shows how many jobs run or wait."""
    if processes > 0:
        return ProcessRunner(processes, waiting, limits, timeout, gauge)
    return ThreadRunner(threads, waiting, limits, gauge)
