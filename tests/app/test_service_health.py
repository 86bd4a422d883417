"""Liveness, readiness, Prometheus metrics, and serving on when the store goes away."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from svc_helpers import AUTH, PG_URL, RFC822

from mailstencil.rules.model import RuleSet
from mailstencil.rules.stores import open_store


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "ready": True,
        "store_reachable": True,
        "rules_loaded": True,
        "version": 1,
        "clusters": 3,
        "reason": None,
    }


def test_metrics(client: TestClient, corpus: dict[str, bytes]) -> None:
    client.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822)
    client.post("/v1/extract", content=b"From: x@unknown.example\r\n\r\nhello", headers=RFC822)
    client.post("/v1/extract", content=b"\x00junk", headers=RFC822)
    client.get("/v1/admin/clusters", headers=AUTH)
    client.get("/no/such/path/12345")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    m = _samples(r.text)
    assert m[("mailstencil_ruleset_version", ())] == 1
    assert m[("mailstencil_ruleset_clusters", ())] == 3
    assert (
        m[
            (
                "mailstencil_http_requests_total",
                (("method", "POST"), ("route", "/v1/extract"), ("status", "200")),
            )
        ]
        == 2
    )
    assert (
        m[
            (
                "mailstencil_http_requests_total",
                (("method", "POST"), ("route", "/v1/extract"), ("status", "422")),
            )
        ]
        == 1
    )
    assert (
        m[("mailstencil_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))]
        == 1
    )
    assert (
        m[("mailstencil_http_request_duration_seconds_count", (("method", "POST"), ("route", "/v1/extract")))]
        == 3
    )
    hits = m[("mailstencil_extractions_total", (("cluster_state", "known_exact"), ("result", "hit")))]
    fuzzy = m.get(("mailstencil_extractions_total", (("cluster_state", "known_fuzzy"), ("result", "hit"))), 0)
    assert hits + fuzzy == 1
    assert m[("mailstencil_extractions_total", (("cluster_state", "unknown"), ("result", "miss")))] == 1
    assert m[("mailstencil_extraction_rejected_total", (("reason", "malformed"),))] == 1
    assert m[("mailstencil_store_up", ())] == 1
    assert "Omar" not in r.text  # no values in metrics


def test_an_empty_store_is_not_ready_until_clusters_are_published(
    make_client: Callable[..., TestClient], tmp_path: Path, ruleset: RuleSet
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).close()
    client = make_client(store=url)
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert (body["ready"], body["store_reachable"], body["rules_loaded"]) == (False, True, False)
    assert (body["version"], body["clusters"]) == (0, 0) and "mailstencil learn" in body["reason"]
    store = open_store(url)
    try:
        store.publish(ruleset)
    finally:
        store.close()
    _wait_until(lambda: client.get("/readyz").status_code == 200)
    assert client.get("/readyz").json()["clusters"] == len(ruleset.clusters)


def test_docs_and_schema_are_labelled_by_their_route(client: TestClient) -> None:
    for path in ("/docs", "/openapi.json", "/docs/assets/swagger-ui.css", "/docs/assets/none.js", "/x"):
        client.get(path)
    m = _samples(client.get("/metrics").text)

    def count(route: str, status: str) -> float:
        labels = (("method", "GET"), ("route", route), ("status", status))
        return m.get(("mailstencil_http_requests_total", labels), 0)

    assert count("/docs", "200") == count("/openapi.json", "200") == 1
    assert count("/docs/assets/{path}", "200") == count("/docs/assets/{path}", "404") == 1
    assert count("unmatched", "404") == 1 and count("unmatched", "200") == 0


def test_unreachable_store_at_start_is_not_ready(make_client: Callable[..., TestClient]) -> None:
    client = make_client(store="postgresql://nobody@127.0.0.1:1/none")
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert (body["ready"], body["store_reachable"], body["rules_loaded"]) == (False, False, False)
    assert "unreachable" in body["reason"]
    assert client.get("/healthz").status_code == 200
    assert (
        client.post("/v1/extract", content=b"From: a@b.example\r\n\r\nhi", headers=RFC822).status_code == 200
    )
    assert client.get("/v1/admin/rulesets", headers=AUTH).status_code == 503


def _wait_until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_serves_last_rules_when_sqlite_store_breaks(
    make_client: Callable[..., TestClient], store_url: str, corpus: dict[str, bytes]
) -> None:
    client = make_client()
    raw = corpus["order/0003.eml"]
    before = client.post("/v1/extract", content=raw, headers=RFC822).json()
    db = Path(store_url.removeprefix("sqlite:///"))
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():  # the database is destroyed in place under the open connection
            with path.open("r+b") as f:
                f.write(b"this is no longer a database" * 2000)
    # on its next check the store finds that a fresh connection no longer reads its file as a
    # database (the open connection's page cache went on answering for 20 s and more under load)
    _wait_until(lambda: client.get("/readyz").status_code == 503, timeout=20.0)
    after = client.post("/v1/extract", content=raw, headers=RFC822)
    assert after.status_code == 200 and after.json() == before


def _schema_exists(schema: str) -> bool:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    return row is not None


def _pg_or_skip() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            pass
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL at {PG_URL}: {type(exc).__name__}")


def test_postgres_store_lost_and_back(
    make_client: Callable[..., TestClient], ruleset: RuleSet, corpus: dict[str, bytes]
) -> None:
    _pg_or_skip()
    import uuid

    import psycopg

    schema = f"mstest_{uuid.uuid4().hex[:12]}"
    url = f"{PG_URL}?schema={schema}"
    store = open_store(url)
    try:
        store.publish(ruleset)
        client = make_client(store=url)
        raw = corpus["shipping/0005.eml"]
        before = client.post("/v1/extract", content=raw, headers=RFC822).json()
        assert before["version"] == 1 and before["known"]
        with psycopg.connect(PG_URL, autocommit=True) as conn:  # the rules vanish from under the service
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        # as with a vanished SQLite file: the check fails once, the store is reopened (its schema
        # made anew, empty) and the cached rules keep serving; the service is ready again
        _wait_until(lambda: _schema_exists(schema) and client.get("/readyz").status_code == 200)
        assert client.get("/readyz").json()["version"] == 1
        assert client.post("/v1/extract", content=raw, headers=RFC822).json() == before
        store.close()
        store = open_store(url)  # a learning run publishes into it again
        store.publish(ruleset)
        store.publish(ruleset)
        _wait_until(lambda: client.get("/readyz").json()["version"] == 2)
        again = client.post("/v1/extract", content=raw, headers=RFC822).json()
        assert again == {**before, "version": 2}
    finally:
        store.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
