"""The progress line (offline/progress.py): what it writes to a log, and nothing by default."""

from __future__ import annotations

import re

import pytest

from mailstencil.offline.progress import Progress


def test_off_a_terminal_it_logs_every_so_many_items(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress("learning", total=10, unit="senders", log_every=5)
    for _ in range(10):
        bar.step()
    bar.done()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"learning \[#{15}\.{15}\] 5/10 senders \(\d+/s\)", lines[0])
    assert re.fullmatch(r"learning \[#{30}\] 10/10 senders \(\d+/s\)", lines[1])


def test_a_counter_without_a_total_and_silence_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = Progress("reading")
    quiet.step(1000)
    quiet.done()
    assert capsys.readouterr().err == ""
    counter = Progress("reading", log_every=3)
    counter.step(3)
    assert re.fullmatch(r"reading: 3 \(\d+/s\)\n", capsys.readouterr().err)
