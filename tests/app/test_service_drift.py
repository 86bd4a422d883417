"""Template drift seen by the service: a known sender's new layout is extracted by fallback and
shows up in the admin drift report and the metrics, with counts only."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from svc_helpers import AUTH, RFC822


def _wrapped(raw: bytes) -> bytes:
    """The same message with one wrapper div around its body, classes renamed (a redesign)."""
    text = raw.decode("utf-8", "replace")
    text = re.sub(r"(<body[^>]*>)", r'\1<div class="shell">', text, count=1, flags=re.I)
    text = re.sub(r"(</body>)", r"</div>\1", text, count=1, flags=re.I)
    return re.sub(r'class="([^"]+)"', r'class="\1-new"', text).encode()


def test_drift_is_reported(client: TestClient, corpus: dict[str, bytes]) -> None:
    name, raw = sorted(corpus.items())[-1]
    assert b"<body" in raw.lower(), "the fixture's HTML must be readable to rewrite it"
    plain = client.post("/v1/extract", content=raw, headers=RFC822).json()
    drifted = client.post("/v1/extract", content=_wrapped(raw), headers=RFC822).json()
    assert plain["known"] and not plain["fallback"]
    assert drifted["known"] and drifted["fallback"], name
    assert drifted["cluster"] == plain["cluster"]
    assert drifted["fields"], "the fallback still extracts"
    assert all(v in plain["fields"].get(k, []) for k, vs in drifted["fields"].items() for v in vs)
    report = client.get("/v1/admin/drift", headers=AUTH).json()
    row = next(r for r in report["senders"] if r["sender"] == plain["sender"])
    assert row["messages"] == 2 and row["fallback_share"] == 0.5
    text = str(report)
    assert all(v not in text for vs in plain["fields"].values() for v in vs if len(v) > 3)
    metrics = client.get("/metrics").text
    assert 'state="known_fallback"' in metrics
