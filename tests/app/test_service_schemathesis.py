"""Property-based run over the app's own OpenAPI schema (schemathesis): no input yields a 5xx."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
import svc_mailgen
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from svc_helpers import ADMIN, AUTH

from mailstencil.app.core.config import Settings
from mailstencil.app.main import create_app
from mailstencil.offline.learn import learn
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import prepare
from mailstencil.rules.stores import open_store

_TMP = tempfile.TemporaryDirectory(prefix="ms-schemathesis-")  # removed when the session ends


def _app() -> object:
    """An app on a store with learned rules (built at import: schemathesis loads the schema then)."""
    model = load_default_model()
    corpus = svc_mailgen.corpus(8)
    rs, _ = learn([s for s in (prepare(n, r) for n, r in corpus.items()) if s], model)
    path = Path(_TMP.name) / "rules.db"
    store = open_store(f"sqlite:///{path}")
    store.publish(rs)
    store.close()
    return create_app(
        Settings(
            store=f"sqlite:///{path}",
            admin_token=ADMIN,
            max_message_bytes=100_000,
            max_batch_bytes=400_000,
            max_batch_messages=20,
        )
    )


APP = _app()
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
MAX_EXAMPLES = int(os.environ.get("MAILSTENCIL_SCHEMATHESIS_EXAMPLES", "30"))


# no 5xx, and every answer is one the schema documents (status, media type, body shape)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)


def test_schema_lists_every_endpoint() -> None:
    paths = set(schema.raw_schema["paths"])
    assert {
        "/v1/extract",
        "/v1/extract/batch",
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/admin/clusters",
        "/v1/admin/clusters/{key}",
        "/v1/admin/rulesets",
        "/v1/admin/rulesets/{version}/rollback",
        "/v1/admin/reload",
    } <= paths, paths


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
