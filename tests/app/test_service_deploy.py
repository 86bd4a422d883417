"""Dockerfile and docker-compose.yml say only what the tested service accepts: valid CLI commands,
known settings, existing health endpoints, a non-root user, a store URL the stores parse."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from app.core.config import Settings
from mailstencil.cli import build_parser
from rules.pgstore import split_schema

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _json_list(line: str) -> list[str]:
    import json

    return list(json.loads(line.split(None, 1)[1]))


def test_dockerfile_runs_the_tested_command_as_non_root() -> None:
    text = _dockerfile()
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    entry = _json_list(next(line for line in text.splitlines() if line.startswith("ENTRYPOINT")))
    cmd = _json_list(next(line for line in text.splitlines() if line.startswith("CMD")))
    assert entry == ["mailstencil"]
    args = build_parser().parse_args(cmd)
    assert args.command == "serve" and args.host == "0.0.0.0"
    assert f"EXPOSE {args.port}" in text
    assert "http://127.0.0.1:8000/healthz" in text
    assert re.search(r"^ENV[\s\S]*MAILSTENCIL_STORE=sqlite:////data/", text, re.M)


def test_compose_matches_the_service() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"api", "postgres", "learner"} <= set(services)
    fields = {f"MAILSTENCIL_{name.upper()}" for name in Settings.model_fields}
    api = services["api"]
    assert set(api["environment"]) <= fields, set(api["environment"]) - fields
    assert "MAILSTENCIL_ADMIN_TOKEN" in api["environment"]
    args = build_parser().parse_args(api["command"])
    assert args.command == "serve" and args.workers >= 1
    store = api["environment"]["MAILSTENCIL_STORE"].replace("${POSTGRES_PASSWORD:-mailstencil}", "pw")
    assert store.startswith("postgresql://") and split_schema(store)[1] == "mailstencil"
    probe = " ".join(api["healthcheck"]["test"])
    assert "/readyz" in probe
    learner = services["learner"]
    script = learner["command"][0]
    learn_line = next(line for line in script.splitlines() if "mailstencil learn" in line)
    env = learner["environment"]
    default_args = env["LEARN_ARGS"].removeprefix("${LEARN_ARGS:-").removesuffix("}")
    line = learn_line.strip().split("||")[0].replace("$$", "$").replace("$LEARN_ARGS", default_args)
    words = shlex.split(line)
    args = build_parser().parse_args(words[1:])
    assert args.command == "learn" and args.min_recipients == 5
    assert learner["environment"]["MAILSTENCIL_STORE"] == api["environment"]["MAILSTENCIL_STORE"]


def test_paths_used_by_deployment_exist() -> None:
    from app.main import create_app

    app = create_app(Settings(store="sqlite:///:memory:", admin_auth_disabled=True))
    paths = set(app.openapi()["paths"])
    assert {"/healthz", "/readyz", "/metrics"} <= paths
