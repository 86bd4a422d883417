"""HTTP load on a real ``mailstencil serve`` on loopback: wrk posts a table of messages in turn.

wrk (Debian's, installed by ``scripts/ensure-wrk.sh``) runs ``benchmarks/lua/bodies.lua``, which
cycles through the bodies listed in an index file and prints its figures as one JSON line. Each
figure is measured ``repeat`` times; the table reports the median run and lists every run.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "benchmarks" / "lua" / "bodies.lua"
RFC822 = "message/rfc822"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``mailstencil serve``: its base URL, pid and seconds from start to first answer."""

    base: str
    pid: int
    startup: float


@contextmanager
def serve(
    store: Path, workers: int, probe: bytes, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``mailstencil serve --workers N`` on ``store``; ready once it answered ``probe`` with 200."""
    port = free_port()
    env = {
        **os.environ,
        "MAILSTENCIL_ADMIN_AUTH_DISABLED": "true",
        "MAILSTENCIL_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    argv = [sys.executable, "-m", "mailstencil", "serve", "--store", f"sqlite:///{store}"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = start + 120
        while True:
            try:
                r = httpx.post(
                    f"{base}/v1/extract", content=probe, headers={"Content-Type": RFC822}, timeout=5
                )
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline or proc.poll() is not None:
                raise RuntimeError("mailstencil serve did not answer")
            time.sleep(0.02)
        yield Server(base, proc.pid, time.perf_counter() - start)
    finally:
        proc.terminate()
        proc.wait(30)


SERVICE, WORKER = 0, 2
"""Depths in :func:`tree_cpu` under ``serve --workers N``: the one HTTP service process, and its N
extraction workers (children of its forkserver, which is at depth 1 with the resource tracker)."""


def tree_cpu(pid: int) -> dict[int, tuple[int, float]]:
    """Depth below ``pid`` and CPU seconds (user + system) of ``pid`` and each descendant (Linux
    /proc); see :data:`SERVICE` and :data:`WORKER`."""
    out: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    todo = [(pid, 0)]
    while todo:
        p, depth = todo.pop()
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = depth, (int(stat[11]) + int(stat[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [(int(c), depth + 1) for c in (task / "children").read_text().split()]
        except (OSError, IndexError):
            continue
    return out


def _cpu_split(pid: int) -> tuple[float, float]:
    """CPU seconds so far of the service process (with its forkserver and resource tracker, idle
    under load) and of its extraction workers."""
    tree = tree_cpu(pid).values()
    return sum(c for d, c in tree if d < WORKER), sum(c for d, c in tree if d >= WORKER)


def rss_mb(pid: int) -> dict[int, float]:
    """Resident memory of ``pid`` and each descendant, MB."""
    out: dict[int, float] = {}
    for p in tree_cpu(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        kb = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0)
        out[p] = kb / 1024
    return out


@dataclass
class Load:
    """One wrk run: requests/s, latency percentiles (ms), non-2xx answers, CPU ms per request in
    the service processes and in the extraction workers."""

    rps: float
    p50: float
    p99: float
    errors: int
    service_ms: float
    workers_ms: float


def wrk(url: str, index: Path, content_type: str, connections: int, seconds: float, pid: int) -> Load:
    """Run wrk against ``url`` with the bodies of ``index``; CPU is the server tree's, per request."""
    before = _cpu_split(pid)
    threads = min(2, connections)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA)]
    out = subprocess.run(
        [*argv, url, "--", str(index), content_type], check=True, capture_output=True, text=True
    ).stdout
    after = _cpu_split(pid)
    d = json.loads(out.strip().splitlines()[-1])
    n = max(1, d["requests"])
    errors = sum(d[k] for k in d if k.startswith("errors_"))
    service, workers = ((a - b) / n * 1e3 for a, b in zip(after, before, strict=True))
    return Load(n / d["duration_us"] * 1e6, d["p50_us"] / 1e3, d["p99_us"] / 1e3, errors, service, workers)


def write_bodies(messages: list[bytes], workdir: Path, batch: int) -> tuple[Path, Path]:
    """Index files for wrk: one body per message, and JSON batches of ``batch`` base64 messages."""
    single, batches = workdir / "single", workdir / "batch"
    single.mkdir(parents=True, exist_ok=True)
    batches.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, raw in enumerate(messages):
        (single / f"{i}.eml").write_bytes(raw)
        paths.append(single / f"{i}.eml")
    bpaths = []
    for i in range(0, len(messages), batch):
        body = json.dumps([base64.b64encode(m).decode() for m in messages[i : i + batch]])
        (batches / f"{i}.json").write_text(body)
        bpaths.append(batches / f"{i}.json")
    (workdir / "single.txt").write_text("".join(f"{p}\n" for p in paths))
    (workdir / "batch.txt").write_text("".join(f"{p}\n" for p in bpaths))
    return workdir / "single.txt", workdir / "batch.txt"


@dataclass
class Case:
    """One load case: endpoint, format, connections."""

    name: str
    path: str
    batch: bool
    connections: int


CASES = [
    *(Case(f"single JSON, {c} conn.", "/v1/extract", False, c) for c in (2, 16, 64)),
    *(Case(f"single JSON-LD, {c} conn.", "/v1/extract?format=jsonld", False, c) for c in (2, 16, 64)),
    *(Case(f"batch of 10 (JSON), {c} conn.", "/v1/extract/batch", True, c) for c in (2, 16, 64)),
]


def run_cases(
    server: Server, messages: list[bytes], seconds: float, repeat: int, batch: int = 10
) -> dict[str, list[Load]]:
    """Every case of :data:`CASES`, ``repeat`` times each (rounds over all cases, so noise spreads)."""
    with tempfile.TemporaryDirectory() as tmp:
        single, batches = write_bodies(messages, Path(tmp), batch)
        # warm-up: every worker process sees every message once
        wrk(server.base + "/v1/extract", single, RFC822, 4, 2, server.pid)
        out: dict[str, list[Load]] = {c.name: [] for c in CASES}
        for _ in range(repeat):
            for c in CASES:
                index, ctype = (batches, "application/json") if c.batch else (single, RFC822)
                out[c.name].append(
                    wrk(server.base + c.path, index, ctype, c.connections, seconds, server.pid)
                )
    return out


def median_run(runs: list[Load]) -> Load:
    """The run of median requests/s."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
