"""``POST /v1/extract/batch``: JSON base64 list and multipart; per-message errors; limits."""

from __future__ import annotations

import base64
from collections.abc import Callable

from fastapi.testclient import TestClient
from svc_helpers import RFC822


def _single(client: TestClient, raw: bytes) -> dict[str, object]:
    r = client.post("/v1/extract", content=raw, headers=RFC822)
    assert r.status_code == 200
    body: dict[str, object] = r.json()
    return body


def test_json_batch_matches_single_requests(client: TestClient, corpus: dict[str, bytes]) -> None:
    names = ["order/0003.eml", "shipping/0004.eml", "reset/0005.eml"]
    payload = [base64.b64encode(corpus[n]).decode() for n in names]
    payload.insert(1, "%%% not base64 %%%")
    payload.append(base64.b64encode(b"\x00junk").decode())
    r = client.post("/v1/extract/batch", json=payload)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["count"], body["failed"], body["version"]) == (5, 2, 1)
    statuses = [x["status"] for x in body["results"]]
    assert statuses == [200, 400, 200, 200, 422]
    assert [x["index"] for x in body["results"]] == list(range(5))
    ok = [x["result"] for x in body["results"] if x["status"] == 200]
    assert ok == [_single(client, corpus[n]) for n in names]
    assert all(x["error"] for x in body["results"] if x["status"] != 200)


def test_base64_with_line_breaks_is_accepted(client: TestClient, corpus: dict[str, bytes]) -> None:
    wrapped = base64.encodebytes(corpus["reset/0001.eml"]).decode()  # 76-column lines, like `base64`
    r = client.post("/v1/extract/batch", json=[wrapped])
    assert r.json()["results"][0]["status"] == 200


def test_multipart_batch(client: TestClient, corpus: dict[str, bytes]) -> None:
    names = ["order/0004.eml", "shipping/0006.eml"]
    files = [("messages", (n.replace("/", "_"), corpus[n], "message/rfc822")) for n in names]
    r = client.post("/v1/extract/batch", files=files)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["name"] for x in results] == ["order_0004.eml", "shipping_0006.eml"]
    assert [x["result"] for x in results] == [_single(client, corpus[n]) for n in names]


def test_batch_refusals(make_client: Callable[..., TestClient], corpus: dict[str, bytes]) -> None:
    client = make_client(max_batch_messages=2, max_batch_bytes=200_000)
    one = base64.b64encode(corpus["reset/0001.eml"]).decode()
    assert client.post("/v1/extract/batch", json=[one] * 3).status_code == 413
    assert client.post("/v1/extract/batch", json=[]).status_code == 422
    assert client.post("/v1/extract/batch", json={"messages": [one]}).status_code == 422
    assert client.post("/v1/extract/batch", json=[1, 2]).status_code == 422
    bad_json = client.post(
        "/v1/extract/batch", content=b"[not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 422 and bad_json.json()["detail"]
    assert client.post("/v1/extract/batch", content=b"x", headers=RFC822).status_code == 415
    no_boundary = client.post(
        "/v1/extract/batch", content=b"--x--", headers={"Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400
    big = client.post("/v1/extract/batch", json=["A" * 300_000])
    assert big.status_code == 413
    empty = client.post("/v1/extract/batch", files=[("messages", ("empty.eml", b"", "message/rfc822"))])
    assert empty.status_code == 200 and empty.json()["results"][0]["status"] == 400
