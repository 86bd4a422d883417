"""Read raw messages from directories of ``.eml`` files, mbox files and Maildirs."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["iter_raw_messages"]


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _from_mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            yield f"{path}#{key}", box.get_bytes(key)
    finally:
        box.close()


def _from_maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield f"{path}#{key}", box.get_bytes(key)


def _looks_like_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"From "


def iter_raw_messages(paths: Sequence[str | Path]) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, raw bytes)`` for every message under the given paths, in a stable order.

    A path may be a single message file, an mbox file, a Maildir, or a directory searched
    recursively for ``.eml`` files, mbox files (``*.mbox``) and Maildirs.
    """
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            if _is_maildir(path):
                yield from _from_maildir(path)
                continue
            for sub in sorted(path.rglob("*")):
                if sub.is_dir() and _is_maildir(sub):
                    yield from _from_maildir(sub)
                elif sub.is_file() and sub.suffix == ".eml" and not _inside_maildir(sub):
                    yield str(sub), sub.read_bytes()
                elif sub.is_file() and sub.suffix == ".mbox":
                    yield from _from_mbox(sub)
        elif path.is_file():
            if path.suffix != ".eml" and _looks_like_mbox(path):
                yield from _from_mbox(path)
            else:
                yield str(path), path.read_bytes()
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")


def _inside_maildir(path: Path) -> bool:
    return path.parent.name in ("cur", "new", "tmp") and _is_maildir(path.parent.parent)
