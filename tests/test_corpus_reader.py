"""mailstencil.offline.corpus.iter_raw_messages: .eml trees, mbox files and Maildirs (real files in
tmp_path)."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from helpers import MESSAGES

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.rules.message import parse_message


def _msg(n: int) -> bytes:
    return (
        f"From: shop@shop.example\nTo: user{n}@x.example\nSubject: message {n}\n"
        f"Message-ID: <m{n}@shop.example>\n\nbody {n}\n"
    ).encode()


def _subjects(items: list[tuple[str, bytes]]) -> list[str]:
    return [parse_message(raw).subject for _, raw in items]


def _mbox(path: Path, ns: list[int]) -> Path:
    box = mailbox.mbox(str(path))
    for n in ns:
        box.add(_msg(n))
    box.flush()
    box.close()
    return path


def _maildir(path: Path, ns: list[int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(str(path), create=True)
    for n in ns:
        box.add(_msg(n))
    return path


def test_directory_of_eml_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "deep" / "2.eml").write_bytes(_msg(2))
    (tmp_path / "a" / "1.eml").write_bytes(_msg(1))
    (tmp_path / "0.eml").write_bytes(_msg(0))
    (tmp_path / "notes.txt").write_bytes(b"not mail")
    (tmp_path / "c.EML.bak").write_bytes(_msg(9))
    got = list(iter_raw_messages([tmp_path]))
    assert [Path(name).relative_to(tmp_path).as_posix() for name, _ in got] == [
        "0.eml",
        "a/1.eml",
        "b/deep/2.eml",
    ]
    assert [raw for _, raw in got] == [_msg(0), _msg(1), _msg(2)]


def test_single_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(_msg(5))
    assert list(iter_raw_messages([path])) == [(str(path), _msg(5))]
    assert list(iter_raw_messages([str(path)])) == [(str(path), _msg(5))]


def test_eml_file_starting_with_from_line_is_not_an_mbox(tmp_path: Path) -> None:
    path = tmp_path / "unix.eml"
    raw = b"From shop@shop.example Thu Apr  2 10:00:00 2026\n" + _msg(1)
    path.write_bytes(raw)
    assert list(iter_raw_messages([path])) == [(str(path), raw)]


def test_mbox_file(tmp_path: Path) -> None:
    path = _mbox(tmp_path / "inbox", [1, 2, 3])  # no suffix: sniffed by its "From " line
    got = list(iter_raw_messages([path]))
    assert _subjects(got) == ["message 1", "message 2", "message 3"]
    assert [name for name, _ in got] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    assert all(
        raw.rstrip().endswith(f"body {n}".encode()) for n, (_, raw) in zip([1, 2, 3], got, strict=True)
    )


def test_mbox_inside_directory(tmp_path: Path) -> None:
    _mbox(tmp_path / "archive.mbox", [7, 8])
    (tmp_path / "z.eml").write_bytes(_msg(9))
    got = list(iter_raw_messages([tmp_path]))
    assert _subjects(got) == ["message 7", "message 8", "message 9"]


def test_maildir(tmp_path: Path) -> None:
    md = _maildir(tmp_path / "Mail", [1, 2, 3, 4])
    got = list(iter_raw_messages([md]))
    assert sorted(_subjects(got)) == ["message 1", "message 2", "message 3", "message 4"]
    assert all(name.startswith(f"{md}#") for name, _ in got)
    names = [name for name, _ in got]
    assert names == sorted(names)  # stable order


def test_maildir_inside_directory_and_eml_named_files_in_it(tmp_path: Path) -> None:
    md = _maildir(tmp_path / "boxes" / "Work", [1, 2])
    # a file in a Maildir's cur/ that happens to end in .eml is read once, as a Maildir message
    (md / "cur" / "odd.eml:2,S").write_bytes(_msg(3))
    (md / "new" / "x.eml").write_bytes(_msg(4))
    (tmp_path / "loose.eml").write_bytes(_msg(5))
    got = list(iter_raw_messages([tmp_path]))
    subjects = _subjects(got)
    assert sorted(subjects) == ["message 1", "message 2", "message 3", "message 4", "message 5"]
    assert len(subjects) == len(set(subjects))


def test_several_paths_in_order(tmp_path: Path) -> None:
    a = tmp_path / "a.eml"
    a.write_bytes(_msg(1))
    box = _mbox(tmp_path / "b.mbox", [2])
    md = _maildir(tmp_path / "md", [3])
    got = list(iter_raw_messages([md, a, box]))
    assert _subjects(got) == ["message 3", "message 1", "message 2"]


def test_fixture_directory() -> None:
    got = list(iter_raw_messages([MESSAGES]))
    assert [Path(n).name for n, _ in got] == sorted(p.name for p in MESSAGES.glob("*.eml"))
    assert len(got) >= 4


def test_empty_directory(tmp_path: Path) -> None:
    assert list(iter_raw_messages([tmp_path])) == []
    assert list(iter_raw_messages([])) == []


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(iter_raw_messages([tmp_path / "nope"]))
    # paths before the missing one are still yielded
    ok = tmp_path / "ok.eml"
    ok.write_bytes(_msg(1))
    gen = iter_raw_messages([ok, tmp_path / "nope.mbox"])
    assert next(gen) == (str(ok), _msg(1))
    with pytest.raises(FileNotFoundError):
        next(gen)
