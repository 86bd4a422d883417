"""CPU isolation of the service: extraction in worker processes against worker threads.

Runs ``mailstencil serve`` on loopback twice, with ``MAILSTENCIL_EXTRACT_PROCESSES=2`` and with
``0`` (two threads), on rules learned from our own sample corpus (``mailstencil sample``), and
measures for each:

- the cost per request: latency of normal messages one at a time (median, p90) and messages/s
  from 4 clients at once;
- how long ``/healthz`` waits (polled every 10 ms) while the service works on a 23 MB message of
  attributes, a 10 MB batch of 100 messages with a 100 KB Subject, and a rule-set swap (a new
  version published while a client keeps extracting, 3 swaps a round; its slowest answer is
  reported too);
- resident memory of the service and its worker processes;
- without HTTP, the handover alone: the same jobs run through each runner in this process (best
  of the rounds, ms per message), the least noisy figure of what a worker process costs.

    python benchmarks/service_isolation.py [--rounds 3] [--out benchmarks/results/service_isolation.md]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import anyio
import httpx
from prometheus_client import CollectorRegistry, Gauge

from mailstencil.app.jobs import Job
from mailstencil.app.rulecache import Snapshot
from mailstencil.app.workers import ProcessRunner, Runner, ThreadRunner
from mailstencil.rules.limits import DEFAULT_LIMITS
from mailstencil.rules.store import SQLiteStore

RFC822 = {"Content-Type": "message/rfc822"}
JSON = {"Content-Type": "application/json"}
R = TypeVar("R")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(store: Path, processes: int) -> Iterator[tuple[str, int]]:
    """``mailstencil serve`` with ``processes`` extraction processes (0: threads): base URL, pid."""
    port = _port()
    env = {
        **os.environ,
        "MAILSTENCIL_ADMIN_AUTH_DISABLED": "true",
        "MAILSTENCIL_EXTRACT_PROCESSES": str(processes),
        "MAILSTENCIL_RELOAD_INTERVAL": "0.2",
        "MAILSTENCIL_MAX_BATCH_BYTES": "80000000",
        "MAILSTENCIL_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "mailstencil", "serve", "--store", f"sqlite:///{store}"]
    argv = [*cmd, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:")))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def while_polling(base: str, work: Callable[[], R]) -> tuple[R, float, list[float]]:
    """``work()``'s result and seconds, and each ``/healthz`` wait (polled every 10 ms) while it
    ran; raises if ``/healthz`` never answered or answered other than 200."""
    waits: list[float] = []
    refused: list[int] = []
    stop = threading.Event()
    polling = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                start = time.perf_counter()
                status = http.get("/healthz").status_code
                waits.append(time.perf_counter() - start)
                if status != 200:
                    refused.append(status)
                polling.set()
                time.sleep(0.01)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        # on a loaded machine the poller's client can take longer to build than the work takes
        if not polling.wait(30):
            raise RuntimeError("/healthz never answered")
        start = time.perf_counter()
        result = work()
        took = time.perf_counter() - start
    finally:
        stop.set()
        poller.join()
    if refused:
        raise RuntimeError(f"/healthz answered {sorted(set(refused))}")
    return result, took, waits


def attributes_message(size: int) -> bytes:
    """A message whose HTML is one element with ``size`` bytes of attributes (refused by the
    attribute limit, after the whole message was read)."""
    per = len(" a1000000=x")
    attrs = " ".join(f"a{i}=x" for i in range(size // per)).encode()
    return b"From: shop@example.com\r\nContent-Type: text/html\r\n\r\n<p>x</p><td " + attrs + b">y</td>"


def long_subject(raw: bytes, size: int) -> bytes:
    """``raw`` with a Subject of ``size`` characters of words."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = [ln for ln in head.splitlines() if not ln.lower().startswith(b"subject:")]
    words = (b"order placed on for " * (size // 20 + 1))[:size]
    return b"\r\n".join([*lines, b"Subject: " + words]) + sep + body


def measure(store: Path, processes: int, messages: list[bytes], rounds: int) -> dict[str, float]:
    """Every figure of one configuration (best or worst over ``rounds`` as each figure needs)."""
    out: dict[str, float] = {}
    bomb = attributes_message(23_000_000)
    # encoded beforehand: json.dumps of 13 MB in the request would hold this process's GIL and
    # delay its own /healthz poller
    batch = json.dumps([base64.b64encode(long_subject(messages[0], 100_000)).decode()] * 100).encode()
    with serve(store, processes) as (base, pid), httpx.Client(base_url=base, timeout=120) as http:
        for raw in messages[:20]:  # warm up
            http.post("/v1/extract", content=raw, headers=RFC822)
        lat: list[float] = []
        for _ in range(rounds):
            for raw in messages:
                t = time.perf_counter()
                assert http.post("/v1/extract", content=raw, headers=RFC822).status_code == 200
                lat.append(time.perf_counter() - t)
        lat.sort()
        out["median_ms"] = statistics.median(lat) * 1000
        out["p90_ms"] = lat[int(len(lat) * 0.9)] * 1000

        def clients() -> None:
            def one() -> None:
                with httpx.Client(base_url=base, timeout=60) as c:
                    for raw in messages:
                        c.post("/v1/extract", content=raw, headers=RFC822)

            threads = [threading.Thread(target=one) for _ in range(4)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()

        took = min(while_polling(base, clients)[1] for _ in range(rounds))
        out["msgs_per_s"] = 4 * len(messages) / took
        for name, work in (
            ("bomb", lambda: http.post("/v1/extract", content=bomb, headers=RFC822)),
            ("batch", lambda: http.post("/v1/extract/batch", content=batch, headers=JSON)),
        ):
            runs = [while_polling(base, work) for _ in range(rounds)]
            out[f"{name}_s"] = statistics.median(took for _, took, _ in runs)
            out[f"{name}_healthz_max_ms"] = max(max(waits) for *_, waits in runs) * 1000
            medians = [statistics.median(waits) for *_, waits in runs]
            out[f"{name}_healthz_median_ms"] = statistics.median(medians) * 1000
        swaps: list[tuple[float, float]] = []  # (longest /healthz wait, slowest extraction) per swap
        for _ in range(rounds * 3):
            rules = SQLiteStore(store)
            version = rules.publish(rules.load())  # a new version: compiled anew before it serves
            rules.close()
            slowest = 0.0

            def until_swapped(version: int = version) -> None:
                nonlocal slowest
                while True:
                    t = time.perf_counter()
                    r = http.post("/v1/extract", content=messages[1], headers=RFC822)
                    slowest = max(slowest, time.perf_counter() - t)
                    if r.json()["version"] == version:
                        return

            worst = max(while_polling(base, until_swapped)[2])
            swaps.append((worst * 1000, slowest * 1000))
        out["swap_healthz_max_ms"] = max(w for w, _ in swaps)
        out["swap_healthz_median_ms"] = statistics.median(w for w, _ in swaps)
        out["swap_extract_max_ms"] = max(e for _, e in swaps)
        out["swap_extract_median_ms"] = statistics.median(e for _, e in swaps)
        out["rss_mb"] = _rss_mb(pid)
    return out


def handover(store: Path, runner: Runner, messages: list[bytes], rounds: int) -> float:
    """Best ms per message of ``runner`` on ``messages`` (one at a time), in this process."""
    rules = SQLiteStore(store)
    split = rules.load_split()
    rules.close()
    snap = Snapshot.of(split, runner.prepare(split))
    jobs = [Job("message", split.version, 30_000_000, raw=raw) for raw in messages]

    async def run_all() -> float:
        best = float("inf")
        for _ in range(rounds * 3):
            t = time.perf_counter()
            for job in jobs:
                await runner.run(snap, job)
            best = min(best, time.perf_counter() - t)
        return best

    runner.start()
    try:
        return anyio.run(run_all) / len(jobs) * 1000
    finally:
        runner.close()


def learn_store(workdir: Path) -> tuple[Path, list[bytes]]:
    """Learn our sample corpus into an SQLite store; the store and one message per template."""
    corpus = workdir / "sample"
    store = workdir / "rules.db"
    run = [sys.executable, "-m", "mailstencil"]
    subprocess.run([*run, "sample", str(corpus)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*run, "learn", str(corpus), "--store", f"sqlite:///{store}"], check=True, stdout=subprocess.DEVNULL
    )
    files = sorted(corpus.rglob("*.eml"))
    firsts = {f.parent: f for f in reversed(files)}  # one message per template folder
    return store, [f.read_bytes() for f in sorted(firsts.values())]


ROWS = (
    ("normal message, one at a time: median ms", "median_ms", "{:.1f}"),
    ("normal message, one at a time: p90 ms", "p90_ms", "{:.1f}"),
    ("4 clients at once: messages/s", "msgs_per_s", "{:.0f}"),
    ("23 MB message of attributes: s (422)", "bomb_s", "{:.2f}"),
    ("… /healthz longest wait ms (median wait)", "bomb_healthz", ""),
    ("10 MB batch of 100 × 100 KB Subject: s", "batch_s", "{:.2f}"),
    ("… /healthz longest wait ms (median wait)", "batch_healthz", ""),
    ("rule-set swap: /healthz longest wait, max ms (median of swaps)", "swap_healthz", ""),
    ("rule-set swap: slowest extraction, max ms (median of swaps)", "swap_extract", ""),
    ("resident memory, service + workers: MB", "rss_mb", "{:.0f}"),
    ("handover without HTTP: ms per message (best)", "handover_ms", "{:.2f}"),
)


def _cell(figures: dict[str, float], key: str, fmt: str) -> str:
    if not fmt:
        return f"{figures[key + '_max_ms']:.0f} ({figures[key + '_median_ms']:.0f})"
    return fmt.format(figures[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, messages = learn_store(Path(tmp))
        procs = measure(store, 2, messages, args.rounds)
        threads = measure(store, 0, messages, args.rounds)
        pending = Gauge("bench_pending", "jobs running or waiting", registry=CollectorRegistry())
        procs["handover_ms"] = handover(
            store, ProcessRunner(2, 32, DEFAULT_LIMITS, 60, pending), messages, args.rounds
        )
        threads["handover_ms"] = handover(
            store, ThreadRunner(2, 32, DEFAULT_LIMITS, pending), messages, args.rounds
        )
    load = os.getloadavg()[0]
    lines = [
        f"{len(messages)} sample templates, {args.rounds} rounds, load average {load:.1f} at the end",
        "",
        "| figure | 2 worker processes (default) | 2 threads (`MAILSTENCIL_EXTRACT_PROCESSES=0`) |",
        "|---|---|---|",
        *(f"| {label} | {_cell(procs, k, f)} | {_cell(threads, k, f)} |" for label, k, f in ROWS),
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(
            "# service isolation\n\n`python benchmarks/service_isolation.py`\n\n" + text + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
