"""``POST /v1/extract``: answers equal the library's, JSON-LD and embedded markup, limits and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from svc_helpers import AUTH, RFC822

from mailstencil.cli import main
from mailstencil.rules.apply import Extractor
from mailstencil.rules.message import parse_message
from mailstencil.rules.model import RuleSet
from mailstencil.rules.typed import type_extraction


def _expected(ruleset: RuleSet, raw: bytes) -> dict[str, object]:
    msg = parse_message(raw)
    got = Extractor(ruleset.model_copy(update={"version": 1})).extract_parsed(msg)
    typed, rows = type_extraction(got.fields, got.items, msg.date, got.sender, got.around)
    return {
        "message_id": got.message_id,
        "sender": got.sender,
        "subject": got.subject,
        "cluster": got.cluster,
        "known": got.known,
        "exact": got.exact,
        "fallback": got.fallback,
        "version": 1,
        "fields": got.fields,
        "typed": {k: [t.model_dump() if t else None for t in v] for k, v in typed.items()},
        "confidence": got.confidence,
        "items": got.items,
        "typed_items": [{k: t.model_dump() for k, t in row.items()} for row in rows],
        "cut_short": got.cut_short,
    }


def test_extract_matches_the_library(client: TestClient, corpus: dict[str, bytes], ruleset: RuleSet) -> None:
    seen_items = False
    for name in ("order/0001.eml", "order/0005.eml", "shipping/0002.eml", "reset/0003.eml"):
        raw = corpus[name]
        r = client.post("/v1/extract", content=raw, headers=RFC822)
        assert r.status_code == 200, r.text
        body = r.json()
        markup = body.pop("markup")
        assert body == _expected(ruleset, raw)
        assert body["known"] and body["fields"]
        assert all(len(forms) == len(body["fields"][k]) for k, forms in body["typed"].items())
        seen_items |= bool(body["items"])
        assert isinstance(markup, list)
    assert seen_items, "the order template should yield line items"


def test_cli_extract_prints_the_same_typed_forms(
    client: TestClient,
    corpus: dict[str, bytes],
    store_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "order.eml"
    path.write_bytes(corpus["order/0005.eml"])
    assert main(["extract", str(path), "--store", store_url]) == 0
    printed = json.loads(capsys.readouterr().out)
    body = client.post("/v1/extract", content=path.read_bytes(), headers=RFC822).json()
    assert printed["fields"] == body["fields"] and printed["typed"] == body["typed"]
    amounts = [t for forms in body["typed"].values() for t in forms if t and t["kind"] == "amount"]
    assert amounts and all(t["currency"] and Decimal(t["value"]) for t in amounts)


def test_octet_stream_and_no_content_type_are_accepted(client: TestClient, corpus: dict[str, bytes]) -> None:
    raw = corpus["reset/0001.eml"]
    a = client.post("/v1/extract", content=raw, headers={"Content-Type": "application/octet-stream"})
    b = client.post("/v1/extract", content=raw)
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()


def test_the_lean_lane_answers_as_the_fastapi_route(client: TestClient, corpus: dict[str, bytes]) -> None:
    """A plain POST is answered by ``ExtractLane``; one with a query it does not know goes on to the
    FastAPI route (which ignores the extra parameter): the two answers are the same bytes."""
    for name in ("order/0001.eml", "shipping/0002.eml"):
        for fmt in ("json", "jsonld"):
            raw = corpus[name]
            lane = client.post(f"/v1/extract?format={fmt}", content=raw, headers=RFC822)
            route = client.post(f"/v1/extract?format={fmt}&unused=1", content=raw, headers=RFC822)
            assert lane.status_code == route.status_code == 200
            assert lane.content == route.content
            assert lane.headers["content-type"] == route.headers["content-type"]
    assert 'route="/v1/extract",status="200"} 8.0' in client.get("/metrics").text


FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl --data-binary sends by default


def test_a_message_sent_as_form_data_is_read_as_raw(client: TestClient, corpus: dict[str, bytes]) -> None:
    raw = corpus["order/0001.eml"]
    as_form = client.post("/v1/extract", content=raw, headers=FORM)
    as_message = client.post("/v1/extract", content=raw, headers=RFC822)
    assert as_form.status_code == 200 and as_form.json() == as_message.json()
    folded = b"Subject: a long\r\n subject\r\nSender: a@b.example\r\n\r\nhi"
    assert client.post("/v1/extract", content=folded, headers=FORM).status_code == 200


def test_form_data_that_is_no_message_is_refused_with_a_reason(client: TestClient) -> None:
    for body in (
        b"order=1&total=2",
        b"Subject: no sender\r\n\r\nFrom: a@b.example",  # From: only in the body
        b"\r\nFrom: a@b.example\r\n\r\nhi",  # no header block before the blank line
        b" From: a@b.example\r\n\r\nhi",  # a continuation cannot come first
        b"",
    ):
        r = client.post("/v1/extract", content=body, headers=FORM)
        assert r.status_code == 415, (body, r.text)
        assert "From:" in r.json()["detail"] and "message/rfc822" in r.json()["detail"]


def test_unknown_sender_is_answered_not_refused(client: TestClient) -> None:
    raw = b"From: someone@else.example\r\nSubject: hello\r\nMessage-ID: <x@y>\r\n\r\nJust a note.\r\n"
    r = client.post("/v1/extract", content=raw, headers=RFC822)
    assert r.status_code == 200
    assert r.json()["known"] is False and r.json()["cluster"] is None and r.json()["fields"] == {}


def test_embedded_markup_is_read_and_marked(client: TestClient, corpus: dict[str, bytes]) -> None:
    ship = client.post("/v1/extract", content=corpus["shipping/0001.eml"], headers=RFC822).json()
    assert [(m["syntax"], m["type"]) for m in ship["markup"]] == [("json-ld", ["ParcelDelivery"])]
    assert ship["markup"][0]["data"]["trackingNumber"] == ship["fields"]["tracking_number"][0]
    order = client.post("/v1/extract", content=corpus["order/0001.eml"], headers=RFC822).json()
    assert [(m["syntax"], m["type"]) for m in order["markup"]] == [("microdata", ["Order"])]


def _disagreements(client: TestClient) -> float:
    line = next(
        x
        for x in client.get("/metrics").text.splitlines()
        if x.startswith("mailstencil_markup_disagreements_total")
    )
    return float(line.split()[1])


def test_markup_that_contradicts_the_extraction_is_counted(
    client: TestClient, corpus: dict[str, bytes]
) -> None:
    raw = corpus["shipping/0001.eml"]
    before = _disagreements(client)
    agree = client.post("/v1/extract", content=raw, headers=RFC822).json()
    assert _disagreements(client) == before  # its markup says what extraction found
    number = agree["fields"]["tracking_number"][0].encode()
    marked = f'"trackingNumber": "{number.decode()}"'.encode()
    assert raw.count(marked) == 1, "the fixture's markup names its tracking number once"
    forged = raw.replace(marked, b'"trackingNumber": "ZZ0000000000"')
    r = client.post("/v1/extract", content=forged, headers=RFC822).json()
    assert (
        r["fields"]["tracking_number"] == [number.decode()]
        and r["markup"][0]["data"]["trackingNumber"] == "ZZ0000000000"
    )
    assert _disagreements(client) == before + 1


def _with_html(html: str) -> bytes:
    return (
        "From: Shop <orders@northwind.example>\r\nSubject: hi\r\nMessage-ID: <m@x>\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + html
    ).encode()


def test_malformed_markup_is_tolerated(client: TestClient) -> None:
    html = (
        '<html><head><script type=\'application/ld+json\'>{"@type": "Order", oops</script>'
        '<script type=\'application/ld+json\'>{"@type": "Invoice", "confirmationNumber": "7",}</script>'
        "</head><body><div itemscope itemtype='http://schema.org/Order'><span itemprop='orderNumber'>9"
        "</div><p>unclosed <b>tags <i>everywhere</body>"
    )
    r = client.post("/v1/extract", content=_with_html(html), headers=RFC822)
    assert r.status_code == 200, r.text
    types = sorted((m["syntax"], m["type"][0]) for m in r.json()["markup"])
    assert types == [("json-ld", "Invoice"), ("microdata", "Order")]


def test_jsonld_by_query_and_by_accept(client: TestClient, corpus: dict[str, bytes]) -> None:
    raw = corpus["shipping/0003.eml"]
    plain = client.post("/v1/extract", content=raw, headers=RFC822).json()
    by_query = client.post("/v1/extract?format=jsonld", content=raw, headers=RFC822)
    by_accept = client.post("/v1/extract", content=raw, headers={**RFC822, "Accept": "application/ld+json"})
    assert by_query.headers["content-type"].startswith("application/ld+json")
    assert by_query.json() == by_accept.json()
    doc = by_query.json()
    assert doc["@context"]["@vocab"] == "https://schema.org/"
    extracted = [n for n in doc["@graph"] if n["ms:source"] == "extracted"]
    embedded = [n for n in doc["@graph"] if n["ms:source"] == "message-markup"]
    parcel = next(n for n in extracted if n["@type"] == "ParcelDelivery")
    assert parcel["trackingNumber"] == plain["fields"]["tracking_number"][0]
    assert [n["@type"] for n in embedded] == ["ParcelDelivery"] and embedded[0]["ms:syntax"] == "json-ld"
    # JSON wins when ranked higher, and ?format=json overrides Accept
    pref_json = client.post(
        "/v1/extract",
        content=raw,
        headers={**RFC822, "Accept": "application/json, application/ld+json;q=0.5"},
    )
    assert pref_json.headers["content-type"] == "application/json"
    forced = client.post(
        "/v1/extract?format=json", content=raw, headers={**RFC822, "Accept": "application/ld+json"}
    )
    assert forced.json() == plain


def test_order_items_in_jsonld(client: TestClient, corpus: dict[str, bytes]) -> None:
    doc = client.post("/v1/extract?format=jsonld", content=corpus["order/0002.eml"], headers=RFC822).json()
    order = next(n for n in doc["@graph"] if n["@type"] == "Order" and n["ms:source"] == "extracted")
    items = order["orderedItem"] if isinstance(order["orderedItem"], list) else [order["orderedItem"]]
    assert all(i["@type"] == "OrderItem" for i in items)


def test_bad_input_gets_a_reason_never_a_500(client: TestClient) -> None:
    cases: list[tuple[bytes, dict[str, str], int]] = [
        (b"", RFC822, 400),
        (b"\x00\x01\x02 not mail at all", RFC822, 422),
        (b"no header block here", RFC822, 422),
        (b"From: a@b\r\n\r\nhi", {"Content-Type": "application/json"}, 415),
        (b"From: a@b\r\n\r\nhi", {"Content-Type": "text/plain; charset=utf-8"}, 415),
    ]
    for body, headers, status in cases:
        r = client.post("/v1/extract", content=body, headers=headers)
        assert r.status_code == status, (body[:40], r.status_code, r.text)
        assert r.json()["detail"], "every refusal says why"
    assert (
        client.post("/v1/extract?format=xml", content=b"From: a@b\r\n\r\nx", headers=RFC822).status_code
        == 422
    )
    assert client.get("/v1/extract").status_code == 405


def test_size_limit_413(make_client: Callable[..., TestClient], corpus: dict[str, bytes]) -> None:
    raw = corpus["order/0001.eml"]
    client = make_client(max_message_bytes=len(raw) - 1)
    r = client.post("/v1/extract", content=raw, headers=RFC822)
    assert r.status_code == 413 and "limit" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is applied while streaming
        for i in range(0, len(raw), 1000):
            yield raw[i : i + 1000]

    r = client.post("/v1/extract", content=chunks(), headers=RFC822)
    assert r.status_code == 413
    assert 'mailstencil_extraction_rejected_total{reason="too_large"} 2.0' in client.get("/metrics").text
    ok = make_client(max_message_bytes=len(raw))
    assert ok.post("/v1/extract", content=raw, headers=RFC822).status_code == 200


def test_extraction_can_require_a_token(
    make_client: Callable[..., TestClient], corpus: dict[str, bytes]
) -> None:
    client = make_client(extract_token="extract-secret")
    raw = corpus["reset/0002.eml"]
    assert client.post("/v1/extract", content=raw, headers=RFC822).status_code == 401
    wrong = client.post("/v1/extract", content=raw, headers={**RFC822, **AUTH})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    good = {**RFC822, "Authorization": "Bearer extract-secret"}
    assert client.post("/v1/extract", content=raw, headers=good).status_code == 200
    assert client.get("/healthz").status_code == 200  # health stays open
