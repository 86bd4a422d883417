"""The command line refuses what it cannot do with one clear line and a non-zero exit, and says what
it does: run through ``main()`` and, where standard input or the installed script matter, as a process."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers import orders

from mailstencil.cli import build_parser, main
from mailstencil.rules.stores import open_store


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse refusals
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve order confirmations of one template, one file each."""
    root = tmp_path_factory.mktemp("mail")
    for i, (_, raw) in enumerate(orders(range(12))):
        (root / f"{i:02d}.eml").write_bytes(raw)
    return root


@pytest.fixture(scope="module")
def learned(mail_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store URL holding the rules learned from ``mail_dir``."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'rules.db'}"
    assert main(["learn", str(mail_dir), "--store", url, "--min-recipients", "1"]) == 0
    return url


@pytest.mark.parametrize("command", [["extract", "x.eml"], ["clusters"]])
def test_a_read_of_a_missing_store_creates_nothing(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    rc, out, err = _run(capsys, *command, "--store", f"sqlite:///{db}")
    assert rc != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "mailstencil learn" in err
    assert not (tmp_path / "no").exists()


def test_a_read_of_an_empty_store_points_to_learn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).close()
    rc, _, err = _run(capsys, "clusters", "--store", url)
    assert rc != 0 and "no rule set" in err and "mailstencil learn" in err


def test_learn_from_a_missing_path_creates_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "rules.db"
    rc, _, err = _run(capsys, "learn", str(tmp_path / "nonexistent"), "--store", f"sqlite:///{db}")
    assert rc != 0 and "nonexistent" in err
    assert not db.exists()


def test_extract_from_a_folder_without_messages_fails(
    learned: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = _run(capsys, "extract", str(tmp_path), "--store", learned)
    assert rc == 1 and out == ""
    assert "no messages found" in err


def test_extract_dash_reads_standard_input(
    learned: str, mail_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = (mail_dir / "11.eml").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "mailstencil", "extract", "-", "--store", learned],
        input=raw,
        capture_output=True,
        timeout=120,
        check=True,
    )
    (line,) = done.stdout.decode().splitlines()
    got = json.loads(line)
    assert got.pop("file") == "-" and got["cluster"] and "note" not in got
    assert set(got["typed"]) <= set(got["fields"])
    assert main(["extract", str(mail_dir / "11.eml"), "--store", learned]) == 0
    from_file = json.loads(capsys.readouterr().out)
    from_file.pop("file")
    assert got == from_file


@pytest.mark.parametrize("command", ["learn", "evaluate", "train-roles"])
@pytest.mark.parametrize("k", ["0", "-3"])
def test_min_recipients_below_one_is_refused(
    command: str, k: str, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--truth", "t.jsonl"] if command != "learn" else []
    rc, _, err = _run(capsys, command, "mail", *extra, "--min-recipients", k)
    assert rc == 2 and "--min-recipients" in err and "at least 1" in err


def test_version_is_the_installed_package_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailstencil", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == f"mailstencil {version('mailstencil')}"


def test_the_command_line_loads_only_what_its_parser_needs() -> None:
    """``serve`` becomes uvicorn as soon as its arguments are read: the command line itself loads
    neither the rule model (pydantic), the parsers (lxml) nor the learners, which would only delay
    the service's start."""
    code = (
        "import sys; from mailstencil.cli import build_parser; build_parser(); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('mailstencil.') or m.split('.')[0] in "
        "{'pydantic', 'lxml', 'sklearn', 'numpy', 'rules', 'offline', 'app'})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == [
        "mailstencil.cli",
        "mailstencil.offline",
        "mailstencil.offline.defaults",
        "mailstencil.rules",
        "mailstencil.rules.errors",
        "mailstencil.rules.stores",
    ]


def test_importing_the_namespace_leaves_ctrl_c_alone_outside_the_command_line() -> None:
    """A program that imports :mod:`mailstencil.rules` keeps Python's Ctrl-C (a KeyboardInterrupt),
    even with ``learn`` as its first argument: only the ``mailstencil`` command ends at once."""
    code = (
        "import signal, mailstencil.rules; "
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "learn"], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["True"]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_has_help_and_shows_its_default() -> None:
    for name, sub in _subparsers(build_parser()).items():
        text = "".join(sub.format_help().split())  # help wraps long defaults anywhere
        for action in sub._actions:
            assert action.help, f"{name} {action.dest} has no help"
            if action.option_strings and action.default not in (None, argparse.SUPPRESS, True, False):
                assert "".join(f"(default: {action.default})".split()) in text, (
                    f"{name} {action.option_strings[0]}"
                )
    learn_help = " ".join(_subparsers(build_parser())["learn"].format_help().split())
    assert "a cluster needs (privacy) (default: 5)" in learn_help


def test_top_help_is_plain_text() -> None:
    text = build_parser().format_help()
    assert "``" not in text and ":func:" not in text
    assert "learn" in text and "extract" in text


def test_learn_names_each_skipped_file_and_why(
    mail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    for f in mail_dir.iterdir():
        (mail / f.name).write_bytes(f.read_bytes())
    (mail / "junk.eml").write_bytes(b"not a message at all")
    no_from = b"\n".join(
        line for line in (mail_dir / "00.eml").read_bytes().split(b"\n") if not line.startswith(b"From:")
    )
    (mail / "nofrom.eml").write_bytes(no_from)
    rc, out, _ = _run(
        capsys, "learn", str(mail), "--store", f"sqlite:///{tmp_path / 'r.db'}", "--min-recipients", "1"
    )
    assert rc == 0 and "skipped 2" in out
    assert f"skipped {mail / 'junk.eml'}: not an RFC 822 message" in out
    assert f"skipped {mail / 'nofrom.eml'}: no sender" in out
