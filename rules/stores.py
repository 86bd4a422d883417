"""Rule stores by URL: the one place that knows both (so neither store module imports the other)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import platformdirs

from .errors import StoreError

if TYPE_CHECKING:
    from .store import RuleStore

__all__ = ["default_store_url", "open_store"]


def default_store_url() -> str:
    """``sqlite:///`` URL of the per-user default store."""
    return "sqlite:///" + str(Path(platformdirs.user_data_dir("mailstencil")) / "rules.db")


def open_store(url: str | None = None, create: bool = True) -> RuleStore:
    """Open a store from a URL: ``sqlite:///path.db`` (default) or ``postgresql://...``.

    ``create=False`` (for commands that only read) refuses a SQLite file that does not exist
    instead of creating it and its folders.
    """
    from .store import SQLiteStore  # here: the command line reads default_store_url without it

    url = url or default_store_url()
    parsed = urlparse(url)
    if parsed.scheme in ("postgresql", "postgres"):
        from .pgstore import PostgresStore

        return PostgresStore(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
        if not path:
            raise StoreError(f"no database path in {url!r}")
    elif not parsed.scheme:
        path = url
    else:
        raise StoreError(f"unsupported store URL scheme {parsed.scheme!r} (use sqlite:/// or postgresql://)")
    if path == ":memory:":
        return SQLiteStore(path)
    if not create and not Path(path).is_file():
        raise StoreError(f"no rule store at {path}")
    return SQLiteStore(Path(path))
