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
from rules.store import SQLiteStore

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


def test_ctrl_c_ends_learn_with_one_line(store_url: str, tmp_path: Path) -> None:
    from offline.samplegen import generate

    corpus = generate(tmp_path / "sample", messages_per_template=40, seed=3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailstencil", "learn", "--store", store_url, str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as an interactive shell starts its job: Ctrl-C at its default, whatever this process has
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    started = next((line for line in proc.stderr if "run on engine local started" in line), None)
    # past the start of the worker pool (a Ctrl-C in its first milliseconds, while it is made, is
    # ignored) and well within reading the messages
    time.sleep(1.0)
    assert started is not None and proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "mailstencil: learn interrupted; nothing published, previous version serving"
    )
    store = SQLiteStore(Path(store_url.removeprefix("sqlite:///")))
    assert store.current_version() == 1
    store.close()
