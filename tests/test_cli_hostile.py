"""The command line on hostile input: ``extract`` reports a bad message and goes on, ``learn``
refuses to empty the rules and ends on Ctrl-C with one line, the previous version serving."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import hostile
import pytest

from mailstencil.cli import main
from mailstencil.rules.store import SQLiteStore

_ATTRS = " ".join(f"a{i}=x" for i in range(5000))
BAD = {
    "b-junk.eml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00\x00\x00",
    "c-attributes.eml": b"From: orders@pinecone.example\nContent-Type: text/html\n\n<td "
    + _ATTRS.encode()
    + b">x",
    "d-surrogate.eml": b"From: orders@pinecone.example\nSubject: =?utf-7?Q?+2D0-?=\n\nhi",
}


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    ruleset = hostile.learned()
    if not any(c.rules for c in ruleset.clusters):
        pytest.skip("no role model shipped")
    store = SQLiteStore(tmp_path / "rules.db")
    store.publish(ruleset)
    store.close()
    return f"sqlite:///{tmp_path / 'rules.db'}"


def test_extract_reports_a_bad_message_and_goes_on(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "a-good.eml").write_bytes(hostile.message(1))
    for name, raw in BAD.items():
        (mail / name).write_bytes(raw)
    (mail / "e-good.eml").write_bytes(hostile.message(2))
    assert main(["extract", "--store", store_url, str(mail)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["file"]).name for r in out] == sorted(["a-good.eml", "e-good.eml", *BAD])
    by_name = {Path(r["file"]).name: r for r in out}
    assert by_name["a-good.eml"]["fields"] and by_name["e-good.eml"]["fields"]
    assert "error" in by_name["b-junk.eml"] and "attributes" in by_name["c-attributes.eml"]["error"]
    assert by_name["d-surrogate.eml"]["message_id"] == ""  # answered, not an error
    assert main(["extract", "--strict", "--store", store_url, str(mail)]) == 1
    assert "2 messages could not be read" in capsys.readouterr().err


def test_learn_refuses_to_publish_an_empty_rule_set(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["learn", "--store", store_url, "--full", str(empty)]) == 3
    err = capsys.readouterr().err
    assert "learn refused: the run would publish an empty rule set" in err and "--allow-shrink" in err
    store = SQLiteStore(Path(store_url.removeprefix("sqlite:///")))
    assert store.current_version() == 1
    store.close()


@pytest.fixture(scope="module")
def sample_mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mailstencil.offline.samplegen import generate

    return generate(tmp_path_factory.mktemp("ctrl-c") / "sample", messages_per_template=40, seed=3)


def _interpreter_start() -> float:
    """Seconds this machine takes now to start Python and load the ``mailstencil`` package: a
    Ctrl-C before that lands in the interpreter's own start, which no code of ours can handle."""
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", "import mailstencil"], check=True)
    return time.monotonic() - start


@pytest.mark.parametrize(
    ("after", "delay"),
    [("start", 0.05), ("start", 0.2), ("start", 0.5), ("run", 0.0), ("run", 0.02), ("run", 0.3)],
)
def test_ctrl_c_ends_learn_with_one_line(store_url: str, sample_mail: Path, after: str, delay: float) -> None:
    """Ctrl-C at any moment of a run ends it with one line and 130, the previous version serving:
    ``delay`` s after the interpreter is up (its modules loading), or after the run's start is
    logged (the worker pool being made, then reading the messages)."""
    before = SQLiteStore(Path(store_url.removeprefix("sqlite:///")))
    served = before.load()
    before.close()
    if after == "start":
        delay += _interpreter_start()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailstencil", "learn", "--store", store_url, str(sample_mail)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as an interactive shell starts its job: Ctrl-C at its default, whatever this process has
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    if after == "run":
        assert any("run on engine local started" in line for line in proc.stderr)
    time.sleep(delay)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    print(f"Ctrl-C {delay:.2f} s after the {after}: ended {took:.2f} s later")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "mailstencil: learn interrupted; nothing published, previous version serving"
    )
    assert took < 10, f"the run took {took:.1f} s to end after Ctrl-C"
    store = SQLiteStore(Path(store_url.removeprefix("sqlite:///")))
    assert store.current_version() == 1
    assert store.load() == served
    store.close()
