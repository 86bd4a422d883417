"""Shared constants and helpers of the service tests (imported by name, unlike conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from mailstencil.rules.model import RuleSet
from mailstencil.rules.stores import open_store

ADMIN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
RFC822 = {"Content-Type": "message/rfc822"}
PG_URL = os.environ.get("MAILSTENCIL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def publish(url: str, rs: RuleSet) -> int:
    """Publish ``rs`` into the rule store at ``url`` (then closed); the version it was given."""
    store = open_store(url)
    try:
        return store.publish(rs)
    finally:
        store.close()


def variant(rs: RuleSet) -> RuleSet:
    """A visibly different rule set: each cluster loses its best rule, the others halve in confidence."""
    clusters = []
    for c in rs.clusters:
        rules = sorted(c.rules, key=lambda r: -r.confidence)[1:]
        rules = [r.model_copy(update={"confidence": round(r.confidence / 2, 4)}) for r in rules]
        clusters.append(c.model_copy(update={"rules": rules}))
    return rs.model_copy(update={"clusters": clusters, "version": 0})


@dataclass
class Server:
    """A running ``mailstencil serve``: its base URL, process and last lines of output."""

    base: str
    proc: subprocess.Popen[bytes]
    output: deque[str]


def _drain(proc: subprocess.Popen[bytes], into: deque[str]) -> None:
    """Read the server's output as it comes, keeping its last lines: unread, the pipe filled
    (64 KiB) at about the 1,100th access-log line and the server then blocked on its next log
    write, every request with it: a test polling ``/healthz`` every 10 ms saw a stall."""
    assert proc.stdout is not None
    for line in proc.stdout:
        into.append(line.decode(errors="replace"))


def free_port() -> int:
    """A TCP port free on the loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(store_url: str, env: dict[str, str], options: tuple[str, ...] = ()) -> Iterator[Server]:
    """``mailstencil serve [options]`` (uvicorn) on 127.0.0.1:<free port> with ``MAILSTENCIL_*``
    ``env``, up once ``/healthz`` answers, stopped on exit."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mailstencil",
        "serve",
        *options,
        "--store",
        store_url,
        "--host",
        "127.0.0.1",
    ]
    full_env = {**os.environ, "MAILSTENCIL_ADMIN_TOKEN": ADMIN, **env}
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    output: deque[str] = deque(maxlen=5000)
    drain = threading.Thread(target=_drain, args=(proc, output), daemon=True)
    drain.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                drain.join(5)
                pytest.fail(f"server exited with {proc.returncode}:\n{''.join(output)}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not come up in 30 s")
            time.sleep(0.1)
        yield Server(base, proc, output)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        drain.join(5)  # its output to the end, for a test to read in ``Server.output``
