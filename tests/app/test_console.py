"""The admin console over real HTTP (``mailstencil serve``): sign-in, CSRF, masking, corrections
that reach extraction at once and outlive a learning run, history and rollback, test-a-message."""

from __future__ import annotations

import html
import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from console_helpers import csrf_of, learn_mail, signed_in
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, AUTH, PG_URL, RFC822, Server, publish, serve

from mailstencil.app.console.masking import mask
from mailstencil.app.console.session import Signer
from mailstencil.app.core.config import Settings
from mailstencil.app.main import create_app
from mailstencil.offline.batch import run_learning
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.roles import RoleModel, load_default_model
from mailstencil.offline.transport import LearnJob
from mailstencil.rules.corrections import slot_key
from mailstencil.rules.model import RuleSet
from mailstencil.rules.store import RuleStore
from mailstencil.rules.stores import open_store

PAGES = ["/admin/", "/admin/clusters", "/admin/cluster?key=x", "/admin/history", "/admin/test"]
FORMS = [
    "/admin/logout",
    "/admin/cluster/reveal",
    "/admin/cluster/correct",
    "/admin/history/rollback",
    "/admin/test",
]
ORDERS = "orders@northwind.example"


def _order_cluster(rs: RuleSet) -> str:
    return next(c.cluster for c in rs.clusters if c.sender == ORDERS and c.rules)


def _rename_order_total(rs: RuleSet) -> dict[str, str]:
    """The correction form renaming the order cluster's order_total to amount_due."""
    c = next(x for x in rs.clusters if x.cluster == _order_cluster(rs))
    slot = slot_key(c, next(r for r in c.rules if r.field == "order_total"))
    return {"key": c.cluster, "slot": slot, "action": "rename", "field": "amount_due"}


def test_pages_need_a_session_or_the_token(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as anon:
        for path in PAGES:
            r = anon.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/admin/login?next=%2Fadmin%2F"), r.headers["location"]
        for path in FORMS:
            assert anon.post(path, data={"csrf": "x"}).status_code == 401, path
        wrong = {"Authorization": "Bearer wrong"}
        assert anon.get("/admin/clusters", headers=wrong).status_code == 303
        ok = anon.get("/admin/clusters", headers=AUTH)
        assert ok.status_code == 200 and ORDERS in ok.text
        # a forged or altered session cookie is no session
        anon.cookies.set("mailstencil_console", "e30.AAAA", domain="127.0.0.1", path="/admin")
        assert anon.get("/admin/clusters").status_code == 303


def test_sign_in_form_sets_a_strict_http_only_cookie_and_sign_out_ends_it(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as c:
        form = c.get("/admin/login")
        csp = form.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        token = csrf_of(form.text)
        assert c.post("/admin/login", data={"token": ADMIN}).status_code == 403  # no CSRF token
        bad = c.post("/admin/login", data={"token": "wrong", "csrf": token})
        assert bad.status_code == 401 and "mailstencil_console" not in bad.headers.get("set-cookie", "")
        r = c.post("/admin/login", data={"token": ADMIN, "csrf": token, "next": "https://evil.example/"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/"  # no open redirect
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("mailstencil_console="))
        low = cookie.lower()
        assert "httponly" in low and "samesite=strict" in low and "path=/admin" in low and "max-age=" in low
        assert "secure" not in low  # plain http here; https requests get a Secure cookie
        page = c.get("/admin/clusters")
        assert page.status_code == 200 and "Sign out" in page.text
        assert c.post("/admin/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
        assert c.get("/admin/clusters").status_code == 303


def test_forms_without_their_csrf_token_are_refused(
    server: Server, ruleset: RuleSet, corpus: dict[str, bytes]
) -> None:
    key = _order_cluster(ruleset)
    c = ruleset.clusters[[x.cluster for x in ruleset.clusters].index(key)]
    with signed_in(server.base) as client:
        data = {"key": key, "slot": slot_key(c, c.rules[0]), "action": "not_field"}
        for csrf in ({}, {"csrf": "forged"}):
            r = client.post("/admin/cluster/correct", data={**data, **csrf})
            assert r.status_code == 403, r.text
            assert r.headers["content-type"].startswith("text/html") and "CSRF token" in r.text
            assert "default-src 'none'" in r.headers["content-security-policy"]
        # every other form, complete but for its token, is refused too and does nothing
        message = next(raw for name, raw in sorted(corpus.items()) if name.startswith("order/"))
        forms = {
            "/admin/history/rollback": {"version": "1"},
            "/admin/logout": {},
            "/admin/cluster/reveal": {"key": key, "field": "order_number"},
            "/admin/test": {"raw": message.decode()},
        }
        assert set(forms) | {"/admin/cluster/correct"} == set(FORMS)
        for path, fields in forms.items():
            r = client.post(path, data=fields)
            assert r.status_code == 403 and "CSRF token" in r.text, path
            assert 'id="result"' not in r.text and "Reveal" not in r.text, path
        assert client.get("/admin/clusters").status_code == 200  # still signed in
        assert httpx.get(f"{server.base}/v1/admin/rulesets", headers=AUTH).json()["current"] == 1


def test_no_page_shows_an_extracted_value_until_revealed(
    client: TestClient, corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    values: set[str] = set()
    for raw in corpus.values():
        got = client.post("/v1/extract", content=raw, headers=RFC822).json()
        values |= {v for vals in got["fields"].values() for v in vals if len(v) >= 4}
    assert len(values) > 50
    client.post("/admin/cluster/correct", headers=AUTH, data=_rename_order_total(ruleset))  # a version 2
    pages = ["/admin/clusters", "/admin/clusters?sort=problems", "/admin/history", "/admin/history?a=1&b=2"]
    pages += ["/admin/test", *(f"/admin/cluster?key={c.cluster}" for c in ruleset.clusters)]
    for path in pages:
        r = client.get(path, headers=AUTH)
        assert r.status_code == 200, path
        shown = [v for v in values if v in r.text or html.escape(v) in r.text]
        assert shown == [], (path, shown)


def test_invalid_console_requests_answer_an_error_page_and_the_api_keeps_json(
    client: TestClient, ruleset: RuleSet
) -> None:
    key = _order_cluster(ruleset)
    form = {"key": key, "slot": "x", "action": "rename-everything", "field": "<b>secret</b>"}
    for r in (
        client.post("/admin/cluster/correct", data=form, headers=AUTH),
        client.get("/admin/history", params={"a": "one", "b": 2}, headers=AUTH),
    ):
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text
        assert "Error 422" in r.text and "default-src 'none'" in r.headers["content-security-policy"]
        assert (
            "<b>secret</b>" not in r.text and "rename-everything" not in r.text
        )  # the values sent are not shown
    assert "action:" in client.post("/admin/cluster/correct", data=form, headers=AUTH).text
    assert "a:" in client.get("/admin/history", params={"a": "one", "b": 2}, headers=AUTH).text
    api = client.get("/v1/admin/clusters", params={"page": 0}, headers=AUTH)
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "page"]


def test_example_values_are_masked_until_revealed_and_the_reveal_is_logged(
    store_url: str, corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    key = _order_cluster(ruleset)
    with serve(store_url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.05"}) as srv:
        got = httpx.post(f"{srv.base}/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).json()
        assert got["cluster"] == key
        values = {f: v[0] for f, v in got["fields"].items() if len(v[0]) >= 3}
        assert "order_number" in values
        with signed_in(srv.base) as client:
            page = client.get("/admin/cluster", params={"key": key}).text
            for value in values.values():
                assert html.escape(value) not in page and value not in page
            assert "*" in page
            r = client.post(
                "/admin/cluster/reveal", data={"key": key, "field": "order_number", "csrf": csrf_of(page)}
            )
            assert r.status_code == 200 and values["order_number"] in r.text
            others = [v for f, v in values.items() if f != "order_number" and v not in values["order_number"]]
            assert all(html.escape(v) not in r.text for v in others)
    log = "".join(srv.output)
    assert "example value of field order_number revealed" in log
    assert all(v not in log for v in values.values())


def test_corrections_apply_at_once_and_survive_a_learning_run(
    server: Server, store_url: str, corpus: dict[str, bytes], ruleset: RuleSet, tmp_path: Path
) -> None:
    key = _order_cluster(ruleset)
    message = corpus["order/0001.eml"]
    before = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
    assert "order_number" in before["fields"]
    with signed_in(server.base) as client:
        page = client.get("/admin/cluster", params={"key": key}).text
        c = next(x for x in ruleset.clusters if x.cluster == key)
        rule = next(r for r in c.rules if r.field == "order_number")
        csrf = csrf_of(page)
        bad = {
            "key": key,
            "slot": slot_key(c, rule),
            "action": "rename",
            "field": "no_such_field",
            "csrf": csrf,
        }
        assert client.post("/admin/cluster/correct", data=bad).status_code == 422
        fix = {**bad, "field": "reservation_number"}
        r = client.post("/admin/cluster/correct", data=fix)
        assert r.status_code == 303, r.text
        assert "reservation_number" in client.get(r.headers["location"]).text
        # applied at once: a new version, served by the next extraction
        after = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
        assert after["version"] == 2
        assert after["fields"]["reservation_number"] == before["fields"]["order_number"]
        diff = client.get("/admin/history", params={"a": 1, "b": 2}).text
        assert "Rules renamed: 1" in diff and "reservation_number" in diff

    store = open_store(store_url)
    try:
        stored = store.corrections()
        assert [x.field for x in stored][:1] == ["reservation_number"] and stored[
            0
        ].previous == "order_number"
    finally:
        store.close()
    # a learning run over the same mail relearns the cluster and keeps the correction
    learn_mail(corpus, tmp_path / "mail", store_url)
    versions = httpx.get(f"{server.base}/v1/admin/rulesets", headers=AUTH).json()
    latest = max(v["version"] for v in versions["versions"])
    httpx.post(f"{server.base}/v1/admin/reload", headers=AUTH)
    relearned = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
    assert relearned["version"] == latest >= 3
    assert relearned["fields"]["reservation_number"] == before["fields"]["order_number"]


def test_not_a_field_history_rollback_and_test_a_message(
    server: Server, corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    key = _order_cluster(ruleset)
    c = next(x for x in ruleset.clusters if x.cluster == key)
    slots = [slot_key(c, r) for r in c.rules if r.field == "order_number"]
    message = corpus["order/0002.eml"]
    with signed_in(server.base) as client:
        csrf = csrf_of(client.get("/admin/clusters").text)
        for slot in slots:  # every slot the model named order_number (a best one and a backup)
            data = {"key": key, "slot": slot, "action": "not_field", "csrf": csrf}
            assert client.post("/admin/cluster/correct", data=data).status_code == 303
        gone = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
        assert "order_number" not in gone["fields"] and gone["version"] == 1 + len(slots)
        # the message's own microdata names its order number: the cluster is now flagged
        flagged = client.get("/admin/clusters", params={"sort": "problems"}).text
        assert flagged.index(ORDERS) < flagged.index("shipping@northwind.example")
        assert "disagrees with the mail&#39;s schema.org markup" in flagged
        page = client.get("/admin/cluster", params={"key": key}).text
        assert page.count("marked not a field") == len(slots)
        # a slot now unnamed can be named again
        data = {"key": key, "slot": slots[0], "action": "name", "field": "invoice_number", "csrf": csrf}
        assert client.post("/admin/cluster/correct", data=data).status_code == 303
        named = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
        assert named["fields"]["invoice_number"] and "order_number" not in named["fields"]
        diff = client.get("/admin/history", params={"a": 1, "b": 2}).text
        assert "Rules removed: 1" in diff
        assert client.get("/admin/history", params={"a": 1, "b": 99}).status_code == 404
        r = client.post("/admin/history/rollback", data={"version": "1", "csrf": csrf})
        assert r.status_code == 303
        back = httpx.post(f"{server.base}/v1/extract", content=message, headers=RFC822).json()
        assert back["version"] == 1 and "order_number" in back["fields"]
        tested = client.post("/admin/test", data={"raw": message.decode(), "csrf": csrf})
        assert tested.status_code == 200 and key in tested.text and "order_number" in tested.text
        name = back["fields"]["recipient_name"][0]
        assert f'<mark class="slot" title="recipient_name">{name}</mark>' in tested.text
        hostile = message.replace(
            b"</body>",
            b"<script>alert(1)</script><img src='http://tracker.example/p.gif' alt='logo' onerror='x()'>"
            b"<a href='javascript:x()'>x</a><iframe src='http://evil.example/'></iframe></body>",
        )
        uploaded = client.post(
            "/admin/test", data={"csrf": csrf}, files={"upload": ("m.eml", hostile, "message/rfc822")}
        )
        mail = uploaded.text[uploaded.text.index('id="mail"') :]
        assert "[image: logo]" in mail and f'title="recipient_name">{name}</mark>' in mail
        for bad in ("<script", "alert(1)", "tracker.example", "onerror", "javascript:", "<iframe", "evil"):
            assert bad not in mail, bad
        assert client.post("/admin/test", data={"raw": "", "csrf": csrf}).status_code == 400
        by_problems = client.get("/admin/clusters", params={"sort": "problems", "q": "NORTHWIND"}).text
        assert ORDERS in by_problems and "no-reply@acme-cloud.example" not in by_problems


def _skeleton_of(page: str) -> str:
    start = page.index('id="skeleton"')
    return page[start : page.index("<h2>Rules</h2>", start)]


def test_cluster_page_shows_the_skeleton_as_the_mail_looks(
    store_url: str, make_client: Callable[..., TestClient], corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    key = _order_cluster(ruleset)
    c = next(x for x in ruleset.clusters if x.cluster == key)
    store = open_store(store_url)
    try:
        served = next(x for x in store.load().clusters if x.cluster == key)
        assert store.skeleton_html(served.skeleton_id) == c.skeleton_html != ""
        # a stored skeleton someone tampered with is sanitised like a mail
        hostile = c.skeleton_html.replace(
            "</p>",
            "<script>alert(1)</script><img src='http://tracker.example/p.gif' onerror='x()'>"
            "<a href='http://evil.example/'>x</a><style>p{}</style></p>",
            1,
        )
        clusters = [
            x.model_copy(update={"skeleton_html": hostile}) if x.cluster == key else x
            for x in ruleset.clusters
        ]
        assert store.publish(RuleSet(clusters=clusters)) == 2
    finally:
        store.close()
    client = make_client()
    got = client.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).json()
    page = client.get("/admin/cluster", params={"key": key}, headers=AUTH)
    assert page.status_code == 200
    shown = _skeleton_of(page.text)
    assert "<table>" in shown and "Order number" in shown and "Thank you for your order." in shown
    for rule in c.rules:
        if rule.line >= 0:
            mark = f'data-slot="{slot_key(c, rule)}"><a href="#slot-{slot_key(c, rule)}">{rule.field}</a>'
            each = " · each row" if rule.mode == "rows" else ""
            assert f"{mark} <small>{rule.confidence:.2f}{each}</small>" in shown, rule.field
    assert "<var" not in shown  # every placeholder became a mark
    # the line items: every row of the first order shows the row slots, the further ones as
    # repeats (their links out of the tab order), none as bare variable text
    per_row = [r for r in c.rules if r.mode == "rows" and r.line >= 0]
    assert {"item_name", "item_quantity", "item_price"} <= {r.field for r in per_row}
    items = shown[shown.index("<th>Item</th>") : shown.index("Shipping")]
    rows = {items.count(f'data-slot="{slot_key(c, r)}"') for r in per_row}
    assert len(rows) == 1 and (n := rows.pop()) >= 2  # the fixture's orders have 2 to 4 items
    assert items.count('class="slot repeat"') == items.count('tabindex="-1"') == (n - 1) * len(per_row)
    assert 'class="slot var"' not in items and "…" not in items
    for bad in ("<script", "alert(1)", "tracker.example", "onerror", "evil.example", "<style", "http"):
        assert bad not in shown, bad
    for values in got["fields"].values():
        for value in values:
            assert len(value) < 3 or html.escape(value) not in shown, value


def test_clusters_page_shows_how_many_corrections_the_model_learned_from(
    store_url: str, make_client: Callable[..., TestClient], corpus: dict[str, bytes], tmp_path: Path
) -> None:
    client = make_client()
    assert "does not record how many corrections" in client.get("/admin/clusters", headers=AUTH).text
    # a role model trained with 4 corrected slots (its metadata says so) learns the next version
    shipped = load_default_model()
    assert shipped is not None
    model = tmp_path / "roles.json"
    RoleModel(shipped.spec.model_copy(update={"corrections": 4})).save(model)
    store = open_store(store_url)
    try:
        job = LearnJob(model_path=str(model), now=datetime.now(UTC))
        report = run_learning(store, engine=LocalEngine(1), job=job, messages=sorted(corpus.items()))
    finally:
        store.close()
    assert report.version == 2 and report.model_corrections == 4
    client.post("/v1/admin/reload", headers=AUTH)
    learned = "learned from 4 corrected slots"
    page = client.get("/admin/clusters", headers=AUTH).text
    assert learned in page and "0 corrections stored by operators" in page
    # a correction publishes a version of its own; the count stays the learning run's model's
    rs = client.get("/v1/admin/clusters", headers=AUTH).json()["items"]
    key = next(c["key"] for c in rs if c["sender"] == ORDERS)
    slot = re.search(
        r'name="slot" value="([^"]+)"', client.get("/admin/cluster", params={"key": key}, headers=AUTH).text
    )
    assert slot is not None
    data = {"key": key, "slot": slot.group(1), "action": "not_field"}
    assert (
        client.post("/admin/cluster/correct", data=data, headers=AUTH, follow_redirects=False).status_code
        == 303
    )
    page = client.get("/admin/clusters", headers=AUTH).text
    assert learned in page and "1 corrections stored by operators" in page and "version 3" in page


@pytest.mark.parametrize(
    "value, masked", [("Jane Doe", "J*** D**"), ("$12.50", "$**.**"), ("A-1234", "A-****")]
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked


@pytest.fixture
def pg_store_url(ruleset: RuleSet) -> Iterator[str]:
    """A throwaway PostgreSQL schema holding the learned rule set as version 1 (skips without a server)."""
    psycopg = pytest.importorskip("psycopg")
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL server answers at {PG_URL} ({type(exc).__name__})")
    schema = f"mstest_console_{uuid.uuid4().hex[:12]}"
    url = f"{PG_URL}?schema={schema}"
    assert publish(url, ruleset) == 1
    yield url
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_corrections_on_postgresql(
    pg_store_url: str, corpus: dict[str, bytes], ruleset: RuleSet, tmp_path: Path
) -> None:
    key = _order_cluster(ruleset)
    c = next(x for x in ruleset.clusters if x.cluster == key)
    slot = slot_key(c, next(r for r in c.rules if r.field == "order_total"))
    message = corpus["order/0004.eml"]
    with serve(pg_store_url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.05"}) as srv, signed_in(srv.base) as client:
        total = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()["fields"]
        csrf = csrf_of(client.get("/admin/clusters").text)
        data = {"key": key, "slot": slot, "action": "rename", "field": "amount_due", "csrf": csrf}
        assert client.post("/admin/cluster/correct", data=data).status_code == 303
        got = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()
        assert got["version"] == 2 and got["fields"]["amount_due"] == total["order_total"]
        learn_mail(corpus, tmp_path / "mail", pg_store_url)
        httpx.post(f"{srv.base}/v1/admin/reload", headers=AUTH)
        kept = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()
        assert kept["version"] == 3 and kept["fields"]["amount_due"] == total["order_total"]
    store = open_store(pg_store_url)
    try:
        assert [(x.cluster, x.slot, x.field, x.previous) for x in store.corrections()] == [
            (key, slot, "amount_due", "order_total")
        ]
    finally:
        store.close()


def test_sessions_expire_and_cannot_be_forged() -> None:
    signer = Signer("token-a", lifetime=60)
    cookie, session = signer.issue(now=1000.0)
    assert signer.check(cookie, now=1059.0) == session
    assert signer.check(cookie, now=1061.0) is None  # expired
    assert Signer("token-b", lifetime=60).check(cookie, now=1001.0) is None  # another admin token
    payload, _, signature = cookie.partition(".")
    assert signer.check(f"{payload}x.{signature}", now=1001.0) is None
    assert signer.check(None) is None and signer.check("garbage") is None


def test_wrong_tokens_slow_down_sign_in_from_that_client(store_url: str) -> None:
    with serve(store_url, {}) as srv, httpx.Client(base_url=srv.base, timeout=30) as c:
        csrf = csrf_of(c.get("/admin/login").text)
        for _ in range(5):
            assert c.post("/admin/login", data={"token": "guess", "csrf": csrf}).status_code == 401
        held = c.post("/admin/login", data={"token": ADMIN, "csrf": csrf})  # the right token waits too
        assert held.status_code == 429 and 0 < int(held.headers["retry-after"]) <= 60
        assert "Too many wrong tokens" in held.text and "mailstencil_console" not in held.headers.get(
            "set-cookie", ""
        )
        assert c.get("/admin/clusters", headers=AUTH).status_code == 200  # scripts with the token go on


@pytest.fixture(params=["store_url", "pg_store_url"])
def shared_store_url(request: pytest.FixtureRequest) -> str:
    """The learned rule set in a SQLite file, then in a PostgreSQL schema."""
    url = request.getfixturevalue(request.param)
    assert isinstance(url, str)
    return url


_RATE = re.compile(
    r'<tr id="slot-[^"]+">\s*<td><code>([^<]+)</code>.*?<td class="num rate">([^<]*)</td>', re.S
)


def _rates(page: str) -> dict[str, str]:
    """The Rate cell of each rule row of a cluster page, by field."""
    return dict(_RATE.findall(page))


def test_field_counts_written_by_one_store_connection_are_read_by_another(shared_store_url: str) -> None:
    writer, reader = open_store(shared_store_url), open_store(shared_store_url)
    try:
        day = 20_000
        writer.add_field_counts(day - 10, {("c", "f"): 5}, keep_from=day - 30)
        writer.add_field_counts(day, {("c", ""): 2, ("c", "f"): 1, ("d", ""): 7}, keep_from=day - 30)
        reader.add_field_counts(day, {("c", ""): 3, ("c", "f"): 3}, keep_from=day - 30)
        assert reader.field_counts("c", day - 6) == writer.field_counts("c", day - 6) == {"": 5, "f": 4}
        assert reader.field_counts("c", day - 30) == {"": 5, "f": 9}
        assert writer.field_counts("nowhere", day - 30) == {}
        reader.add_field_counts(day + 1, {("c", "f"): 1}, keep_from=day - 6)  # the old day is dropped
        assert writer.field_counts("c", day - 30) == {"": 5, "f": 5}
        # two connections adding at once (two processes' polls) lose nothing and never deadlock
        both = {("c", ""): 1, ("c", "f"): 1, ("d", "f"): 1}

        def add(store: RuleStore) -> None:
            for _ in range(25):
                store.add_field_counts(day + 1, both, keep_from=day - 6)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(add, [writer, reader]))
        assert reader.field_counts("c", day - 6) == {"": 55, "f": 55}
        assert writer.field_counts("d", day) == {"": 7, "f": 50}
    finally:
        writer.close()
        reader.close()


def test_field_rates_are_counted_in_the_store_for_every_process(
    shared_store_url: str, corpus: dict[str, bytes], ruleset: RuleSet
) -> None:
    key = _order_cluster(ruleset)
    settings = Settings(store=shared_store_url, admin_token=ADMIN, reload_interval=0.05)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as other:
        orders = [raw for name, raw in sorted(corpus.items()) if name.startswith("order/")][:6]
        answers = [one.post("/v1/extract", content=raw, headers=RFC822).json() for raw in orders]
        mine = [a["fields"] for a in answers if a["cluster"] == key]
        assert len(mine) >= 3
        names = {f for fields in mine for f, values in fields.items() if values}
        want = {f: f"{100 * sum(bool(fields.get(f)) for fields in mine) / len(mine):.0f}%" for f in names}
        assert want["order_number"] == "100%"
        # the other process extracted nothing: what it shows is what the first one stored at its poll
        deadline = time.monotonic() + 10
        while True:
            page = other.get("/admin/cluster", params={"key": key}, headers=AUTH).text
            rates = _rates(page)
            if {f: r for f, r in rates.items() if r != "—"} == want:
                break
            assert time.monotonic() < deadline, (rates, want)
            time.sleep(0.1)
        assert "Rate (7 days)" in page and set(rates) >= names
