"""The rule store: versioned rule sets, published atomically. SQLite is the embedded default.

A learning run writes a whole rule set as a new version in one transaction and then moves the
``current`` pointer; readers always see one complete version. Rule sets are stored as JSON.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import platformdirs

from .model import RuleSet

__all__ = ["RuleStore", "SQLiteStore", "open_store", "default_store_url", "StoreError"]


class StoreError(RuntimeError):
    """Raised for an unusable store URL or an unreachable store."""


class RuleStore(Protocol):
    """What both sides need from a rule store."""

    def publish(self, ruleset: RuleSet) -> int:
        """Store a rule set as a new version, make it current, return its version number."""
        ...

    def current_version(self) -> int:
        """The current version number (0 when nothing was published)."""
        ...

    def load(self, version: int | None = None) -> RuleSet:
        """The current (or a given) rule set; an empty one when nothing was published."""
        ...

    def versions(self) -> list[tuple[int, str, int, bool]]:
        """(version, created ISO time, clusters, is current) for every stored version."""
        ...

    def rollback(self, version: int) -> None:
        """Make an earlier version current again."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS rulesets (
    version INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    clusters INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pointer (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
"""


class SQLiteStore:
    """Rule store in one SQLite file (WAL mode, so readers never block a publishing run)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc

    def publish(self, ruleset: RuleSet) -> int:
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                row = cur.execute("SELECT COALESCE(MAX(version), 0) FROM rulesets").fetchone()
                version = int(row[0]) + 1
                body = ruleset.model_copy(update={"version": version})
                cur.execute(
                    "INSERT INTO rulesets (version, created, clusters, body) VALUES (?, ?, ?, ?)",
                    (version, body.created.isoformat(), len(body.clusters), body.model_dump_json()),
                )
                cur.execute(
                    "INSERT INTO pointer (name, version) VALUES ('current', ?) "
                    "ON CONFLICT(name) DO UPDATE SET version = excluded.version",
                    (version,),
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            return version

    def current_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT version FROM pointer WHERE name = 'current'").fetchone()
        return int(row[0]) if row else 0

    def load(self, version: int | None = None) -> RuleSet:
        with self._lock:
            if version is None:
                row = self._db.execute(
                    "SELECT r.body FROM rulesets r JOIN pointer p ON p.version = r.version "
                    "WHERE p.name = 'current'"
                ).fetchone()
            else:
                row = self._db.execute("SELECT body FROM rulesets WHERE version = ?", (version,)).fetchone()
        if row is None:
            if version is not None:
                raise StoreError(f"no rule set version {version}")
            return RuleSet()
        return RuleSet.model_validate_json(row[0])

    def versions(self) -> list[tuple[int, str, int, bool]]:
        current = self.current_version()
        with self._lock:
            rows = self._db.execute(
                "SELECT version, created, clusters FROM rulesets ORDER BY version"
            ).fetchall()
        return [(int(v), str(c), int(n), int(v) == current) for v, c, n in rows]

    def rollback(self, version: int) -> None:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM rulesets WHERE version = ?", (version,)).fetchone()
            if row is None:
                raise StoreError(f"no rule set version {version}")
            self._db.execute(
                "INSERT INTO pointer (name, version) VALUES ('current', ?) "
                "ON CONFLICT(name) DO UPDATE SET version = excluded.version",
                (version,),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def default_store_url() -> str:
    """``sqlite:///`` URL of the per-user default store."""
    return "sqlite:///" + str(Path(platformdirs.user_data_dir("mailstencil")) / "rules.db")


def open_store(url: str | None = None) -> RuleStore:
    """Open a store from a URL: ``sqlite:///path.db`` (default) or ``postgresql://...``."""
    url = url or default_store_url()
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
        if not path:
            raise StoreError(f"no database path in {url!r}")
        return SQLiteStore(path if path == ":memory:" else Path(path))
    if parsed.scheme in ("postgresql", "postgres"):
        from .pgstore import PostgresStore

        return PostgresStore(url)
    if not parsed.scheme:
        return SQLiteStore(Path(url))
    raise StoreError(f"unsupported store URL scheme {parsed.scheme!r} (use sqlite:/// or postgresql://)")
