"""The service answers exactly what ``mailstencil extract`` prints, on real evaluation-corpus mail.

Learns (with the CLI) from one shop of ``../shared/corpus/shopify`` (line items) and one Zulip
server, then compares a sample of their messages. Skips when the corpus is not there.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from svc_helpers import RFC822

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SOURCES = ["shopify/messages/northwind-goods", "zulip/messages/zulip-lakeside-robotics-root"]

pytestmark = pytest.mark.corpus


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mailstencil", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_service_matches_cli_extract(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    dirs = [CORPUS / s for s in SOURCES]
    if not all(d.is_dir() for d in dirs):
        pytest.skip(f"evaluation corpus not found at {CORPUS}")
    url = f"sqlite:///{tmp_path / 'corpus.db'}"
    _cli("learn", *map(str, dirs), "--store", url)
    files = sorted(p for d in dirs for p in d.rglob("*.eml"))[::9]
    cli = [json.loads(line) for line in _cli("extract", *map(str, files), "--store", url).splitlines()]
    assert len(cli) == len(files)
    client = make_client(store=url)
    with_fields = with_items = 0
    for path, want in zip(files, cli, strict=True):
        r = client.post("/v1/extract", content=path.read_bytes(), headers=RFC822)
        if "error" in want:
            assert r.status_code == 422, path
            continue
        assert r.status_code == 200, (path, r.text)
        got = r.json()
        assert (got["message_id"], got["cluster"], got["fields"]) == (
            want["message_id"],
            want["cluster"],
            want["fields"],
        ), path
        assert got["known"] == ("note" not in want)
        with_fields += bool(got["fields"])
        with_items += bool(got["items"])
    assert with_fields > len(files) // 3, with_fields
    assert with_items > 0
    batch = client.post(
        "/v1/extract/batch", json=[base64.b64encode(p.read_bytes()).decode() for p in files[:40]]
    )
    assert [(x["result"] or {}).get("fields") for x in batch.json()["results"]] == [
        w.get("fields") for w in cli[:40]
    ]
