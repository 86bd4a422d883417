"""Admin API: token handling, cluster listing and detail, rule-set versions and rollback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, AUTH, RFC822, publish, variant

from mailstencil.app.core.config import ConfigError, Settings
from mailstencil.app.main import create_app
from mailstencil.rules.model import RuleSet

ADMIN_GETS = ["/v1/admin/clusters", "/v1/admin/rulesets", "/v1/admin/clusters/x@y:0"]


def test_admin_refuses_without_the_token(client: TestClient) -> None:
    for path in ADMIN_GETS:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": ADMIN},
            {"Authorization": "Basic x"},
        ):
            r = client.get(path, headers=headers)
            assert r.status_code == 401, (path, headers, r.status_code)
            assert r.headers.get("www-authenticate") == "Bearer"
    assert client.post("/v1/admin/rulesets/1/rollback").status_code == 401
    assert client.post("/v1/admin/reload").status_code == 401
    assert client.get("/v1/admin/clusters", headers=AUTH).status_code == 200


def test_wrong_bearer_tokens_are_rate_limited_per_client(client: TestClient) -> None:
    for _ in range(5):
        assert client.get("/v1/admin/rulesets", headers={"Authorization": "Bearer guess"}).status_code == 401
    for path in ("/v1/admin/rulesets", "/admin/clusters"):  # the API and the console count together
        held = client.get(path, headers=AUTH)  # the right token waits too: no answer tells a right guess
        assert held.status_code == 429, path
        assert 0 < int(held.headers["retry-after"]) <= 60
    assert client.get("/v1/admin/rulesets", headers={"Authorization": "Bearer guess"}).status_code == 429
    assert client.get("/healthz").status_code == 200  # nothing else is held


def test_console_bearer_guesses_count_too(client: TestClient) -> None:
    guess = {"Authorization": "Bearer guess"}
    for _ in range(5):
        assert client.get("/admin/clusters", headers=guess, follow_redirects=False).status_code == 303
    held = client.get("/v1/admin/clusters", headers=AUTH)
    assert held.status_code == 429 and held.json()["detail"].startswith("too many wrong admin tokens")


def test_no_token_means_no_admin_api(store_url: str) -> None:
    with pytest.raises(ConfigError, match="MAILSTENCIL_ADMIN_TOKEN"):
        create_app(Settings(store=store_url))
    with pytest.raises(ConfigError):
        create_app(Settings(store=store_url, admin_token="   "))


def test_admin_api_can_be_left_out_or_opened_for_local_use(make_client: Callable[..., TestClient]) -> None:
    off = make_client(admin_token=None, admin_enabled=False)
    assert off.get("/v1/admin/clusters").status_code == 404
    local = make_client(admin_token=None, admin_auth_disabled=True)
    assert local.get("/v1/admin/clusters").status_code == 200


def test_cluster_listing(client: TestClient, corpus: dict[str, bytes], ruleset: RuleSet) -> None:
    for name in ("order/0001.eml", "order/0002.eml", "shipping/0001.eml"):
        client.post("/v1/extract", content=corpus[name], headers=RFC822)
    page = client.get("/v1/admin/clusters", headers=AUTH).json()
    assert page["total"] == len(ruleset.clusters) == len(page["items"])
    assert page["version"] == 1
    volumes = [c["messages"] for c in page["items"]]
    assert volumes == sorted(volumes, reverse=True)
    order = next(c for c in page["items"] if c["sender"] == "orders@northwind.example")
    assert order["extracted"] == 2 and order["extraction_rate"] == 1.0
    assert order["recipients"] >= 5 and order["first_seen"] <= order["last_seen"]
    assert "order_number" in order["fields"]
    never = [c for c in page["items"] if c["extracted"] == 0]
    assert all(c["extraction_rate"] is None for c in never)

    by_rate = client.get("/v1/admin/clusters?sort=extraction_rate&order=desc", headers=AUTH).json()["items"]
    assert by_rate[-1]["extraction_rate"] is None  # clusters never seen sort last
    paged = client.get("/v1/admin/clusters?per_page=1&page=2&sort=key&order=asc", headers=AUTH).json()
    assert [c["key"] for c in paged["items"]] == [sorted(c.cluster for c in ruleset.clusters)[1]]
    only = client.get("/v1/admin/clusters?sender=no-reply@acme-cloud.example", headers=AUTH).json()
    assert [c["sender"] for c in only["items"]] == ["no-reply@acme-cloud.example"]
    assert client.get("/v1/admin/clusters?sort=bogus", headers=AUTH).status_code == 422
    assert client.get("/v1/admin/clusters?page=0", headers=AUTH).status_code == 422


def test_cluster_detail(client: TestClient, ruleset: RuleSet) -> None:
    c = next(c for c in ruleset.clusters if c.sender == "orders@northwind.example")
    d = client.get(f"/v1/admin/clusters/{c.cluster}", headers=AUTH).json()
    assert d["key"] == c.cluster and d["skeleton"] == c.skeleton
    assert d["template"].splitlines() == c.skeleton
    assert d["slots"] == sum(s.count("{…}") for s in c.skeleton) > 0
    assert {r["field"] for r in d["rules"]} == {r.field for r in c.rules}
    confidences = [r["confidence"] for r in d["rules"]]
    assert confidences == sorted(confidences, reverse=True)
    assert client.get("/v1/admin/clusters/nobody@nowhere:abc", headers=AUTH).status_code == 404


def test_versions_rollback_and_reload(
    make_client: Callable[..., TestClient], store_url: str, ruleset: RuleSet, corpus: dict[str, bytes]
) -> None:
    client = make_client(reload_interval=3600)  # only the explicit reload loads the new version
    assert publish(store_url, variant(ruleset)) == 2
    r = client.post("/v1/admin/reload", headers=AUTH).json()
    assert r == {"reloaded": True, "serving": 2, "store_reachable": True}
    versions = client.get("/v1/admin/rulesets", headers=AUTH).json()
    assert (versions["current"], versions["serving"]) == (2, 2)
    assert [(v["version"], v["current"]) for v in versions["versions"]] == [(1, False), (2, True)]
    raw = corpus["order/0001.eml"]
    assert client.post("/v1/extract", content=raw, headers=RFC822).json()["version"] == 2

    rb = client.post("/v1/admin/rulesets/1/rollback", headers=AUTH)
    assert rb.status_code == 200 and rb.json() == {"previous": 2, "current": 1, "serving": 1}
    assert client.post("/v1/extract", content=raw, headers=RFC822).json()["version"] == 1
    assert client.get("/v1/admin/rulesets", headers=AUTH).json()["current"] == 1
    assert client.post("/v1/admin/rulesets/7/rollback", headers=AUTH).status_code == 404
    assert client.post("/v1/admin/rulesets/0/rollback", headers=AUTH).status_code == 422
