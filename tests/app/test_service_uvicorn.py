"""The real thing: ``mailstencil serve`` (uvicorn) on a free loopback port, driven over HTTP.

While client threads stream requests, another thread publishes alternating rule sets into the
store; every answer must be exactly what its own reported version gives (never a mix of two).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from svc_helpers import AUTH, RFC822, Server, serve, variant

from mailstencil.rules.apply import Extractor
from mailstencil.rules.model import RuleSet
from mailstencil.rules.stores import open_store


def test_serve_basics(server: Server, corpus: dict[str, bytes]) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as http:
        assert http.get("/readyz").json()["ready"] is True
        r = http.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822)
        assert r.status_code == 200 and r.json()["known"]
        assert http.get("/v1/admin/clusters").status_code == 401
        assert http.get("/v1/admin/clusters", headers=AUTH).status_code == 200
        big = http.post("/v1/extract", content=b"From: a@b\r\n\r\n" + b"x" * 300_000, headers=RFC822)
        assert big.status_code == 413
        assert "mailstencil_http_requests_total" in http.get("/metrics").text


def _parents() -> dict[int, int]:
    """Each running process's parent (read from each process's stat)."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parent[int(stat.parent.name)] = int(fields[1])
    return parent


def _descendants(pid: int, parent: dict[int, int] | None = None) -> list[int]:
    """The processes started by ``pid``, and by them, and so on."""
    parent = _parents() if parent is None else parent
    children = [c for c, p in parent.items() if p == pid]
    return [d for c in children for d in (c, *_descendants(c, parent))]


def _extension_modules(pid: int) -> set[str]:
    """The names of the compiled Python modules mapped into process ``pid`` (``etree``, ``_re2``)."""
    maps = Path(f"/proc/{pid}/maps").read_text().split()
    return {Path(f).name.split(".")[0] for f in maps if f.endswith(".so") and ".cpython-" in f}


def test_the_service_leaves_the_extraction_code_to_its_workers(
    store_url: str, corpus: dict[str, bytes]
) -> None:
    """With extraction worker processes (and no console, which renders mail) the service process
    never loads the parsers and the pattern engine, start-up time each service process would
    spend: its workers do."""
    env = {"MAILSTENCIL_EXTRACT_PROCESSES": "1", "MAILSTENCIL_ADMIN_ENABLED": "false"}
    with (
        serve(store_url, env) as srv,
        httpx.Client(base_url=srv.base) as http,
    ):
        assert http.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).json()["known"]
        extraction = {"etree", "_re2"}
        assert not extraction & _extension_modules(srv.proc.pid)
        assert any(extraction <= _extension_modules(p) for p in _descendants(srv.proc.pid))


def test_workers_are_one_pool_behind_one_http_process(store_url: str, corpus: dict[str, bytes]) -> None:
    """``--workers 3`` (over the variable's 1) is three extraction workers, all started by one
    forkserver of the one process serving HTTP: no process of its own per worker, whose requests
    would queue for its own workers while another's sit idle."""
    env = {"MAILSTENCIL_EXTRACT_PROCESSES": "1", "MAILSTENCIL_ADMIN_ENABLED": "false"}
    with (
        serve(store_url, env, ("--workers", "3")) as srv,
        httpx.Client(base_url=srv.base) as http,
    ):
        assert http.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).json()["known"]
        parent = _parents()
        extracting = [p for p in _descendants(srv.proc.pid, parent) if "_re2" in _extension_modules(p)]
        forkservers = [p for p in extracting if parent[p] == srv.proc.pid]
        assert len(forkservers) == 1, extracting
        workers = [p for p in extracting if parent[p] == forkservers[0]]
        assert len(workers) == 3 and len(extracting) == 4, extracting


_IDLE_WORKER = """
import sys, threading, time
from multiprocessing import Pipe
from mailstencil.app import service
from mailstencil.app.jobs import Job, Load
from mailstencil.rules.limits import DEFAULT_LIMITS
from mailstencil.rules.model import RuleSet, SenderRuleSet

ours, theirs = Pipe()
seen = []

def drive():
    ours.send(Load(SenderRuleSet.of(RuleSet(version=3))))
    seen.append((type(ours.recv()).__name__, "extruct" in sys.modules))
    time.sleep(2 * service.IDLE_IMPORT)  # the worker has waited its idle time meanwhile
    ours.send(Job("message", 3, 10**6, raw=b"From: a@b.example\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n"))
    seen.append((ours.recv().status, "extruct" in sys.modules))
    ours.close()

threading.Thread(target=drive).start()
service.serve_jobs(theirs, DEFAULT_LIMITS)  # in the main thread, as in a worker process
print(seen)
"""


def test_a_worker_imports_extruct_once_idle_not_before_its_first_answer() -> None:
    """A worker answers from the moment it is loaded, without extruct's imports (about 0.2 s, in
    every worker of every service process starting at once); it imports extruct once it has had
    nothing to do for a while, so a message with markup seldom waits for them."""
    done = subprocess.run([sys.executable, "-c", _IDLE_WORKER], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[('Loaded', False), (200, True)]"


@pytest.mark.parametrize("options", [(), ("--access-log",)], ids=["default", "access-log"])
def test_the_access_log_is_written_only_when_asked_for(
    store_url: str, corpus: dict[str, bytes], options: tuple[str, ...]
) -> None:
    """A line per request costs the service CPU on every request: ``serve`` writes uvicorn's access
    log only with ``--access-log`` (requests are counted in /metrics either way)."""
    with serve(store_url, {}, options) as srv, httpx.Client(base_url=srv.base, timeout=10) as http:
        assert http.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).status_code == 200
        assert 'route="/v1/extract",status="200"' in http.get("/metrics").text
    out = "".join(srv.output)  # all of it: the server has ended and its output was read to the end
    assert ('"POST /v1/extract HTTP/1.1" 200' in out) is bool(options), out[-2000:]


def test_docs_pages_load_only_the_services_own_assets(server: Server) -> None:
    """/docs and /redoc work offline: every script, style and icon they name is a path on the
    service itself, and it answers."""
    with httpx.Client(base_url=server.base, timeout=10) as http:
        for page in ("/docs", "/redoc"):
            html = http.get(page)
            assert html.status_code == 200
            assert not re.search(r"https?://|//[a-z]", html.text), (page, "names another host")
            urls = re.findall(r'(?:src|href)="([^"]+)"', html.text)
            assert len(urls) >= 2, (page, urls)
            for url in urls:
                asset = http.get(url)
                assert asset.status_code == 200 and len(asset.content) > 1000, url
        assert http.get("/openapi.json").json()["info"]["title"] == "mailstencil"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_data_binary_without_a_content_type_is_answered(
    server: Server, corpus: dict[str, bytes], tmp_path: Path
) -> None:
    """``curl --data-binary @m.eml`` sends application/x-www-form-urlencoded: a message is still one."""
    eml = tmp_path / "m.eml"
    eml.write_bytes(corpus["order/0001.eml"])
    url = f"{server.base}/v1/extract"
    done = subprocess.run(
        ["curl", "-s", "--data-binary", f"@{eml}", url], capture_output=True, timeout=30, check=True
    )
    expected = httpx.post(url, content=eml.read_bytes(), headers=RFC822, timeout=10).json()
    assert json.loads(done.stdout) == expected and expected["known"]


def _view(body: dict[str, object]) -> tuple[object, ...]:
    return (body["cluster"], body["fields"], body["confidence"], body["items"])


def test_publish_during_requests_never_mixes(
    server: Server, corpus: dict[str, bytes], ruleset: RuleSet, store_url: str
) -> None:
    a, b = ruleset, variant(ruleset)
    names = [n for n in corpus if n.endswith(("0001.eml", "0002.eml", "0003.eml"))]
    expected: dict[tuple[int, str], tuple[object, ...]] = {}
    for parity, rs in ((1, a), (0, b)):  # odd versions are a, even ones b
        ex = Extractor(rs)
        for n in names:
            got = ex.extract(corpus[n])
            expected[(parity, n)] = (got.cluster, got.fields, got.confidence, got.items)
    assert any(expected[(1, n)] != expected[(0, n)] for n in names), "the two rule sets must differ"

    stop = threading.Event()
    problems: list[str] = []
    versions: set[int] = set()
    count = 0
    lock = threading.Lock()

    def client_loop(offset: int) -> None:
        nonlocal count
        with httpx.Client(base_url=server.base, timeout=10) as http:
            i = offset
            while not stop.is_set():
                name = names[i % len(names)]
                i += 1
                r = http.post("/v1/extract", content=corpus[name], headers=RFC822)
                body = r.json()
                with lock:
                    count += 1
                    versions.add(body["version"])
                    if r.status_code != 200 or _view(body) != expected[(body["version"] % 2, name)]:
                        problems.append(f"{name} v{body.get('version')}: {r.status_code}")

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    store = open_store(store_url)
    try:
        for k in range(2, 14):
            time.sleep(0.12)
            assert store.publish(b if k % 2 == 0 else a) == k
        time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
        store.close()
    assert problems == []
    assert count > 50 and len(versions) >= 4, (count, versions)
    with httpx.Client(base_url=server.base, timeout=10) as http:
        assert http.get("/readyz").json()["version"] == 13
