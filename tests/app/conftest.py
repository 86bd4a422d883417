"""Fixtures of the service tests: a rule set learned once per session from our own small corpus,
stores on real SQLite files, and apps/clients built with ``create_app`` (lifespan included)."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import svc_mailgen  # noqa: E402
from svc_helpers import ADMIN, Server, publish, serve  # noqa: E402

from mailstencil.app.core.config import Settings  # noqa: E402
from mailstencil.app.main import create_app  # noqa: E402
from mailstencil.offline.learn import learn  # noqa: E402
from mailstencil.offline.roles import load_default_model  # noqa: E402
from mailstencil.offline.sample import prepare  # noqa: E402
from mailstencil.rules.model import RuleSet  # noqa: E402

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Service settings come from each test alone, not from the developer's MAILSTENCIL_* variables."""
    for name in list(os.environ):
        if name.startswith("MAILSTENCIL_") and not name.startswith("MAILSTENCIL_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def corpus() -> dict[str, bytes]:
    """Our fixture messages: ``{template/nnnn.eml: raw}``."""
    return svc_mailgen.corpus()


@pytest.fixture(scope="session")
def ruleset(corpus: dict[str, bytes]) -> RuleSet:
    """The rule set learned from the fixture corpus (built once per session)."""
    model = load_default_model()
    if model is None:
        pytest.skip("no role model shipped (offline/models/roles.json)")
    samples = [s for s in (prepare(n, r) for n, r in corpus.items()) if s is not None]
    rs, report = learn(samples, model)
    assert report.clusters_with_rules >= 3, report
    return rs


@pytest.fixture
def store_url(tmp_path: Path, ruleset: RuleSet) -> str:
    """A fresh SQLite store holding the learned rule set as version 1."""
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    assert publish(url, ruleset) == 1
    return url


@pytest.fixture
def make_client(store_url: str) -> Iterator[Callable[..., TestClient]]:
    """Build a client (lifespan running) on a configured app; all are closed after the test."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {"store": store_url, "admin_token": ADMIN, "reload_interval": 0.05}
        values.update(overrides)
        client = TestClient(create_app(Settings(**values)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A client of the default test configuration (admin token set, extraction open)."""
    return make_client()


@pytest.fixture
def server(store_url: str) -> Iterator[Server]:
    """``mailstencil serve`` on 127.0.0.1:<free port>, stopped after the test."""
    with serve(
        store_url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.02", "MAILSTENCIL_MAX_MESSAGE_BYTES": "200000"}
    ) as srv:
        yield srv
