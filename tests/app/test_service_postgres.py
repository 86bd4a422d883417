"""PostgreSQL stopped under load: the cached rules keep serving, ``/readyz`` says the store is down,
and the service recovers (ready, then a new version served) once the server is back.

The test stops and starts a PostgreSQL server of its own (``initdb`` in a temporary directory, a
free loopback port), from the binaries scripts/ensure-postgres.sh installs: stopping the shared
server at 127.0.0.1:5432 would break every other PostgreSQL test running on the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import hostile
import httpx
import pytest
from svc_helpers import RFC822, free_port, serve

from mailstencil.rules.stores import open_store


def _bindir() -> Path | None:
    """Where the PostgreSQL server binaries are (Debian's layout, or on the PATH)."""
    root = Path("/usr/lib/postgresql")
    versions = (
        sorted(root.iterdir(), key=lambda p: [int(x) for x in p.name.split(".") if x.isdigit()])
        if root.is_dir()
        else []
    )
    for candidate in [
        *(v / "bin" for v in reversed(versions)),
        *(Path(p) for p in os.environ.get("PATH", "").split(":")),
    ]:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


@dataclass
class Postgres:
    """A private PostgreSQL server: its URL, and stop/start."""

    url: str
    _ctl: Callable[[str], None]

    def stop(self) -> None:
        self._ctl("stop")

    def start(self) -> None:
        self._ctl("start")


@pytest.fixture
def private_postgres() -> Iterator[Postgres]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (scripts/ensure-postgres.sh installs them)")
    data = Path(tempfile.mkdtemp(prefix="mailstencil-pg-"))
    # initdb refuses to run as root: the cluster then belongs to the postgres user
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(data, "postgres")
    port = free_port()

    def run(*argv: str) -> None:
        subprocess.run([*run_as, *argv], check=True, capture_output=True, timeout=60)

    def ctl(action: str) -> None:
        opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
        extra = ["-m", "fast"] if action == "stop" else ["-o", opts, "-l", str(data / "log")]
        run(str(bindir / "pg_ctl"), "-D", str(data / "db"), "-w", "-t", "30", *extra, action)

    try:
        run(str(bindir / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres", "--no-sync")
        ctl("start")
        yield Postgres(f"postgresql://postgres@127.0.0.1:{port}/postgres", ctl)
        ctl("stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _wait_for(cond: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_postgres_stopped_under_load(private_postgres: Postgres) -> None:
    rules = hostile.learned()
    store = open_store(private_postgres.url)
    store.publish(rules)
    store.close()
    answers: list[tuple[int, int, bool]] = []  # (status, version, has fields) of each extraction
    stop = threading.Event()
    with serve(private_postgres.url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.1"}) as srv:

        def load() -> None:
            with httpx.Client(base_url=srv.base, timeout=30) as own:
                while not stop.is_set():
                    r = own.post("/v1/extract", content=hostile.message(1), headers=RFC822)
                    body = r.json() if r.status_code == 200 else {}
                    answers.append((r.status_code, body.get("version", 0), bool(body.get("fields"))))

        loader = threading.Thread(target=load)
        loader.start()
        try:
            with httpx.Client(base_url=srv.base, timeout=30) as http:
                assert http.get("/readyz").json()["ready"] is True
                stopped = time.perf_counter()
                private_postgres.stop()
                assert _wait_for(lambda: http.get("/readyz").status_code == 503), "/readyz never said down"
                noticed = time.perf_counter() - stopped
                down = http.get("/readyz").json()
                assert down["store_reachable"] is False and "unreachable" in down["reason"]
                served_while_down = len(answers)
                time.sleep(0.5)  # the load goes on against the cached rules
                assert len(answers) > served_while_down
                during = len(answers) - served_while_down
                private_postgres.start()
                back = time.perf_counter()
                assert _wait_for(lambda: http.get("/readyz").status_code == 200), "no recovery"
                recovered = time.perf_counter() - back
                store = open_store(private_postgres.url)  # a learning run publishes after the outage
                store.publish(rules)
                store.close()
                assert _wait_for(lambda: http.get("/readyz").json()["version"] == 2)
                time.sleep(0.3)
        finally:
            stop.set()
            loader.join()
    print(
        f"{len(answers)} extractions, all 200 with fields; /readyz 503 {noticed:.2f} s after the stop "
        f"(pg_ctl stop included), {during} answers in 0.5 s of outage, ready {recovered:.2f} s after "
        "the server was back"
    )
    assert answers and all(status == 200 and fields for status, _, fields in answers)
    assert {v for _, v, _ in answers} == {1, 2}
