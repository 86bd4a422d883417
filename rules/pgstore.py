"""The PostgreSQL rule store (psycopg 3): the same versions + ``current`` pointer as the SQLite one.

A publish inserts the whole rule set as a new version and moves the pointer in one transaction;
readers fetch the current body with a single statement, so they see one complete version. The
schema (default ``mailstencil``; ``?schema=NAME`` in the URL picks another) is created on first use.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import psycopg
from psycopg import sql

from .corrections import Correction
from .store import (
    CORRECTION_COLUMNS,
    SELECT_CORRECTIONS,
    TABLES,
    BaseStore,
    Row,
    SenderState,
    StoreError,
    ddl,
)

__all__ = ["PostgresStore", "DEFAULT_SCHEMA"]

DEFAULT_SCHEMA = "mailstencil"
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_T = TypeVar("_T")
_Conn = psycopg.Connection[Row]

_TYPES = {
    "time": "TIMESTAMPTZ",
    "json": "JSON",
    "serial": "SERIAL PRIMARY KEY",
    "ref_rulesets": " REFERENCES {schema}.rulesets (version)",
}
_DDL = "CREATE SCHEMA IF NOT EXISTS {schema};\n" + ddl(_TYPES, lambda name: "{schema}." + name)


def split_schema(url: str) -> tuple[str, str]:
    """Remove a ``schema=`` query parameter from a ``postgresql://`` URL: (libpq URL, schema)."""
    parsed = urlparse(url)
    query = parse_qsl(parsed.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    rest: list[tuple[str, str]] = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            rest.append((key, value))
    if not _SCHEMA_NAME.match(schema):
        raise StoreError(f"invalid schema name {schema!r} (letters, digits and _ only)")
    return urlunparse(parsed._replace(query=urlencode(rest))), schema


class PostgresStore(BaseStore[_Conn]):
    """Rule store in a PostgreSQL schema; one lazily (re)opened connection, safe to share across threads."""

    def __init__(self, url: str, schema: str | None = None, connect_timeout: int = 5) -> None:
        self._url, url_schema = split_schema(url)
        self.schema = schema or url_schema
        if not _SCHEMA_NAME.match(self.schema):
            raise StoreError(f"invalid schema name {self.schema!r} (letters, digits and _ only)")
        self._timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn: _Conn | None = None
        self._closed = False

    # -- connection handling -------------------------------------------------------------------

    def _connect(self) -> _Conn:
        conn = psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)
        try:
            conn.execute("SET TIME ZONE 'UTC'")
            with conn.transaction():
                # serialise concurrent first uses: CREATE ... IF NOT EXISTS is not race-free
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(self.schema.encode()),))
                conn.execute(sql.SQL(_DDL).format(schema=sql.Identifier(self.schema)))
        except BaseException:
            conn.close()
            raise
        return conn

    def _read(self, op: Callable[[_Conn], _T]) -> _T:
        """Run ``op`` on the connection (opened on first use, reopened after a broken one)."""
        with self._lock:
            if self._closed:
                raise StoreError("store is closed")
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = self._connect()
                return op(self._conn)
            except psycopg.Error as exc:
                if self._conn is not None and (self._conn.broken or self._conn.closed):
                    self._conn.close()
                    self._conn = None
                raise StoreError(f"PostgreSQL store: {type(exc).__name__}: {exc}".strip()) from exc

    def _write(self, op: Callable[[_Conn], _T]) -> _T:
        def locked(conn: _Conn) -> _T:
            # publishers queue on this lock; readers (plain SELECTs) are never blocked by it,
            # and a correction published after this one reads what this one wrote
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(self._t("rulesets")))
            return op(conn)

        return self._transaction(locked)

    def _transaction(self, op: Callable[[_Conn], _T]) -> _T:
        def transaction(conn: _Conn) -> _T:
            with conn.transaction():
                return op(conn)

        return self._read(transaction)

    def _t(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    def _sql(self, statement: str) -> sql.Composed:
        """A shared statement (``{table}`` names, ``?`` parameters) with this schema's tables."""
        return sql.SQL(statement.replace("?", "%s")).format(**{name: self._t(name) for name in TABLES})

    def _fetch(self, conn: _Conn, statement: str, params: Sequence[object] = ()) -> list[Row]:
        return conn.execute(self._sql(statement), params).fetchall()

    def _execute(self, conn: _Conn, statement: str, rows: Sequence[Sequence[object]]) -> None:
        with conn.cursor() as cur:
            cur.executemany(self._sql(statement), rows)

    def _time(self, when: datetime | None) -> datetime | None:
        return when

    # -- the rest of the store ------------------------------------------------------------------

    def load_states(self, senders: Iterable[str]) -> dict[str, SenderState]:
        """The stored learning state of the given senders (absent senders are left out)."""
        wanted = sorted(set(senders))

        def op(conn: _Conn) -> list[Row]:
            if not wanted:
                return []
            query = sql.SQL("SELECT sender, oldest_kept, body FROM {} WHERE sender = ANY(%s)").format(
                self._t("learn_state")
            )
            return conn.execute(query, (wanted,)).fetchall()

        out: dict[str, SenderState] = {}
        for sender, oldest, body in self._read(op):
            when = oldest if isinstance(oldest, datetime) else None
            out[str(sender)] = SenderState(str(sender), str(body), when)
        return out

    def state_senders(self, kept_before: datetime | None = None) -> list[str]:
        """Senders with learning state (only those keeping a sample kept before ``kept_before``)."""

        def op(conn: _Conn) -> list[Row]:
            if kept_before is None:
                query = sql.SQL('SELECT sender FROM {} ORDER BY sender COLLATE "C"').format(
                    self._t("learn_state")
                )
                return conn.execute(query).fetchall()
            query = sql.SQL(
                'SELECT sender FROM {} WHERE oldest_kept < %s ORDER BY sender COLLATE "C"'
            ).format(self._t("learn_state"))
            return conn.execute(query, (kept_before,)).fetchall()

        return [str(r[0]) for r in self._read(op)]

    def add_correction(self, correction: Correction) -> Correction:
        """Store an operator's correction of a slot; returns it with its id."""
        c = correction

        def op(conn: _Conn) -> int:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (cluster, slot, field, previous, created) VALUES (%s, %s, %s, %s, %s) "
                    "RETURNING id"
                ).format(self._t("corrections")),
                (c.cluster, c.slot, c.field, c.previous, c.created),
            ).fetchone()
            return int(row[0]) if row else 0

        return c.model_copy(update={"id": self._read(op)})

    def _corrections(self, conn: _Conn) -> list[Correction]:
        rows = conn.execute(self._sql(SELECT_CORRECTIONS)).fetchall()
        return [Correction.model_validate(dict(zip(CORRECTION_COLUMNS, r, strict=True))) for r in rows]

    def replaced(self) -> bool:
        """Never: a broken connection is reopened by each operation."""
        return False

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
