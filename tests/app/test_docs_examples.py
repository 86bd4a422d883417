"""docs/service.md and docs/batch.md tell the truth: their ``$ curl`` examples are run against
``mailstencil serve`` on loopback (on a store learned from our fixture corpus) and must answer with
the documented status and JSON shape; every ``mailstencil`` command they show parses; every route and
setting of the service is documented."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from svc_helpers import ADMIN, RFC822, Server

from mailstencil.app.core.config import Settings
from mailstencil.app.main import create_app
from mailstencil.cli import build_parser, main
from mailstencil.rules.model import RuleSet
from mailstencil.rules.vocabulary import FIELDS

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "service.md", ROOT / "docs" / "batch.md"]


def _blocks(path: Path) -> list[list[str]]:
    """The fenced code blocks of a Markdown file, as lists of lines."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _examples(path: Path) -> list[tuple[str, list[str]]]:
    """``(command, documented output lines)`` of each block that starts with a ``$`` prompt."""
    out = []
    for block in _blocks(path):
        if block and block[0].startswith("$ "):
            shown = []
            for line in block[1:]:
                if not line.strip():  # a blank line ends the output (notes such as "server log:" follow)
                    break
                shown.append(line)
            out.append((block[0][2:], shown))
    return out


def _shape(value: Any) -> Any:
    """The keys of a JSON value, recursively (values differ from run to run, keys must not); of a
    JSON-LD node only its type, as its properties are the fields that came out."""
    if isinstance(value, dict):
        if "@type" in value:
            return {"@type": value["@type"]}
        if value and set(value) <= set(FIELDS):  # {field: ...}: which fields depends on the rules
            return "{field: ...}"
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(_shape(v), sort_keys=True) for v in value})
    return type(value).__name__


CURL_EXAMPLES = [(p.name, cmd, shown) for p in DOCS for cmd, shown in _examples(p) if cmd.startswith("curl ")]


LEARN_EXAMPLES = [
    (p.name, cmd, shown) for p in DOCS for cmd, shown in _examples(p) if cmd.startswith("mailstencil learn ")
]


@pytest.mark.parametrize(
    ("doc", "command", "shown"), LEARN_EXAMPLES, ids=[c[:60] for _, c, _ in LEARN_EXAMPLES]
)
def test_learn_example_prints_the_documented_report(
    doc: str,
    command: str,
    shown: list[str],
    tmp_path: Path,
    corpus: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = _commands(command)[0]
    mail = tmp_path / words[2]
    for name, raw in corpus.items():
        (mail / name).parent.mkdir(parents=True, exist_ok=True)
        (mail / name).write_bytes(raw)
    at = words.index("--store")
    words[at + 1] = f"sqlite:///{tmp_path / 'rules.db'}"
    monkeypatch.chdir(tmp_path)
    assert main(words[1:]) == 0
    report = shown[: next(i for i, x in enumerate([*shown, "{"]) if x.startswith("{"))]
    assert _first_words(capsys.readouterr().out.splitlines()) == _first_words(report), doc


@pytest.fixture
def mail_files(tmp_path: Path, corpus: dict[str, bytes]) -> Path:
    """The files the examples name: the newest order, shipping notice and reset of the corpus."""
    work = tmp_path / "work"
    work.mkdir()
    for template, name in (("order", "order.eml"), ("shipping", "shipping.eml"), ("reset", "reset.eml")):
        newest = max(k for k in corpus if k.startswith(f"{template}/"))
        (work / name).write_bytes(corpus[newest])
    return work


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(
    ("doc", "command", "shown"), CURL_EXAMPLES, ids=[c[:60] for _, c, _ in CURL_EXAMPLES]
)
def test_curl_example_answers_as_documented(
    doc: str, command: str, shown: list[str], server: Server, mail_files: Path, ruleset: RuleSet
) -> None:
    port = server.base.rsplit(":", 1)[1]
    run = command.replace("localhost:8000", f"127.0.0.1:{port}")
    for sender, key in re.findall(r"([\w.+-]+@[\w.-]+):([0-9a-f]{12})", command):  # this run's cluster keys
        ours = next(c.cluster for c in ruleset.clusters if c.sender == sender)
        run = run.replace(f"{sender}:{key}", ours)
    # the examples pipe into `python`: the one of the environment the tests run in (Debian has no other)
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    env = {**os.environ, "TOKEN": ADMIN, "PATH": path}
    # the examples were taken on a service that had answered a message of each template before
    for name in ("order.eml", "shipping.eml", "reset.eml"):
        httpx.post(f"{server.base}/v1/extract", content=(mail_files / name).read_bytes(), headers=RFC822)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", run],
        cwd=mail_files,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    got = done.stdout.strip()
    text = "\n".join(shown)
    status = re.search(r" HTTP (\d{3})$", text)
    if status:
        assert got.endswith(f"HTTP {status.group(1)}"), (doc, command, got[-300:])
        return
    assert done.returncode == 0, (doc, command, done.stderr[-500:])
    try:
        documented = json.loads(text)
    except json.JSONDecodeError:
        documented = None
    if documented is not None:
        assert _shape(json.loads(got)) == _shape(documented), (doc, command)
    else:  # plain lines (metrics, summaries): the same kinds of line (their first words)
        assert _first_words(got.splitlines()) == _first_words(shown), (doc, command, got[-500:])


def _first_words(lines: list[str]) -> set[str]:
    return {re.split(r"[\s{(]", line, maxsplit=1)[0] for line in lines}


def _commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line (split at ; | & and redirections), without VAR=value prefixes."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    out: list[list[str]] = [[]]
    for token in lexer:
        if set(token) <= set(";|&<>()"):
            if ">" in token and out[-1] and out[-1][-1].isdigit():  # 2>/dev/null: the 2 is no argument
                out[-1].pop()
            out.append([])
        elif out[-1] or not re.match(r"^[A-Z_]+=", token):
            out[-1].append(token)
    return out


def test_every_mailstencil_command_in_the_docs_parses(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    seen = []
    for path in [*DOCS, ROOT / "README.md"]:
        for block in _blocks(path):
            for line in block:
                line = line.removeprefix("$ ")
                if "[" in line or "..." in line:  # a synopsis, not a command
                    continue
                for words in _commands(line):
                    at = next((i for i, w in enumerate(words) if w.endswith("mailstencil")), None)
                    if at is not None:  # after any prefix (a crontab's schedule)
                        seen.append(words)
                        try:
                            parser.parse_args(words[at + 1 :])
                        except SystemExit:
                            pytest.fail(
                                f"{path.name}: {shlex.join(words)}: {capsys.readouterr().err.strip()}"
                            )
    assert len(seen) >= 4, seen


def test_every_route_and_setting_is_documented() -> None:
    text = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
    app = create_app(Settings(admin_token=ADMIN))
    paths = set(app.openapi()["paths"])
    assert "/v1/extract" in paths
    missing = sorted(p for p in paths if p not in text)
    assert not missing, f"routes not in docs/service.md: {missing}"
    settings = sorted(f"MAILSTENCIL_{n.upper()}" for n in Settings.model_fields)
    assert not [s for s in settings if s not in text], "settings not in docs/service.md"
