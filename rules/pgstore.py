"""The PostgreSQL rule store (psycopg 3): the same versions + ``current`` pointer as the SQLite one.

A publish inserts the whole rule set as a new version and moves the pointer in one transaction;
readers fetch the current body with a single statement, so they see one complete version. The
schema (default ``mailstencil``; ``?schema=NAME`` in the URL picks another) is created on first use.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import psycopg
from psycopg import sql

from .corrections import Correction, apply_corrections
from .model import RuleSet
from .store import (
    ADD_FIELD_COUNT,
    CORRECTION_COLUMNS,
    FIELD_COUNTS,
    PRUNE_FIELD_COUNTS,
    SELECT_CORRECTIONS,
    SET_CURRENT,
    SKELETON,
    TABLES,
    SenderState,
    StoreError,
    ddl,
    field_count_rows,
    publish_steps,
)

__all__ = ["PostgresStore", "DEFAULT_SCHEMA"]

DEFAULT_SCHEMA = "mailstencil"
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_T = TypeVar("_T")

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


class PostgresStore:
    """Rule store in a PostgreSQL schema; one lazily (re)opened connection, safe to share across threads."""

    def __init__(self, url: str, schema: str | None = None, connect_timeout: int = 5) -> None:
        self._url, url_schema = split_schema(url)
        self.schema = schema or url_schema
        if not _SCHEMA_NAME.match(self.schema):
            raise StoreError(f"invalid schema name {self.schema!r} (letters, digits and _ only)")
        self._timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._closed = False

    # -- connection handling -------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
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

    def _run(self, op: Callable[[psycopg.Connection[tuple[object, ...]]], _T]) -> _T:
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

    def _t(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    def _sql(self, statement: str) -> sql.Composed:
        """A shared statement (:func:`rules.store.publish_steps`) with this schema's tables."""
        return sql.SQL(statement.replace("?", "%s")).format(**{name: self._t(name) for name in TABLES})

    # -- RuleStore protocol --------------------------------------------------------------------

    def publish(self, ruleset: RuleSet) -> int:
        """Store a rule set as a new version, make it current, return its version number."""
        return self.publish_run(ruleset)

    def publish_run(
        self,
        ruleset: RuleSet,
        report: str = "",
        states: Sequence[SenderState] = (),
        replace_states: bool = False,
    ) -> int:
        """Rule set, run report and learning state in one transaction (see :class:`RuleStore`)."""
        return self._publish(ruleset, report, states, replace_states)

    def republish(self) -> int:
        """Publish the current rule set again (stored corrections applied) in one transaction."""
        return self._publish(None)

    def _publish(
        self,
        ruleset: RuleSet | None,
        report: str = "",
        states: Sequence[SenderState] = (),
        replace_states: bool = False,
    ) -> int:
        """Publish ``ruleset`` (``None``: the current one) with the stored corrections applied."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> int:
            with conn.transaction():
                # publishers queue on this lock; readers (plain SELECTs) are never blocked by it,
                # and a correction published after this one reads what this one wrote
                conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(self._t("rulesets")))
                base = ruleset if ruleset is not None else RuleSet(clusters=self._current(conn).clusters)
                fixed = apply_corrections(base, self._corrections(conn))
                row = conn.execute(
                    sql.SQL("SELECT COALESCE(MAX(version), 0) FROM {}").format(self._t("rulesets"))
                ).fetchone()
                version = int(row[0]) + 1 if row else 1  # type: ignore[call-overload]
                for statement, rows in publish_steps(
                    fixed, report, states, replace_states, version, lambda when: when
                ):
                    with conn.cursor() as cur:
                        cur.executemany(self._sql(statement), rows)
            return version

        return self._run(op)

    def load_states(self, senders: Iterable[str]) -> dict[str, SenderState]:
        """The stored learning state of the given senders (absent senders are left out)."""
        wanted = sorted(set(senders))

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
            if not wanted:
                return []
            query = sql.SQL("SELECT sender, oldest_kept, body FROM {} WHERE sender = ANY(%s)").format(
                self._t("learn_state")
            )
            return conn.execute(query, (wanted,)).fetchall()

        out: dict[str, SenderState] = {}
        for sender, oldest, body in self._run(op):
            when = oldest if isinstance(oldest, datetime) else None
            out[str(sender)] = SenderState(str(sender), str(body), when)
        return out

    def state_senders(self, kept_before: datetime | None = None) -> list[str]:
        """Senders with learning state (only those keeping a sample kept before ``kept_before``)."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
            if kept_before is None:
                query = sql.SQL('SELECT sender FROM {} ORDER BY sender COLLATE "C"').format(
                    self._t("learn_state")
                )
                return conn.execute(query).fetchall()
            query = sql.SQL(
                'SELECT sender FROM {} WHERE oldest_kept < %s ORDER BY sender COLLATE "C"'
            ).format(self._t("learn_state"))
            return conn.execute(query, (kept_before,)).fetchall()

        return [str(r[0]) for r in self._run(op)]

    def load_report(self, version: int | None = None) -> str | None:
        """The run report JSON of the current (or a given) version, ``None`` when there is none."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> object | None:
            if version is None:
                query = sql.SQL(
                    "SELECT r.body::text FROM {} r JOIN {} p ON p.version = r.version "
                    "WHERE p.name = 'current'"
                ).format(self._t("run_reports"), self._t("pointer"))
                row = conn.execute(query).fetchone()
            else:
                query = sql.SQL("SELECT body::text FROM {} WHERE version = %s").format(self._t("run_reports"))
                row = conn.execute(query, (version,)).fetchone()
            return row[0] if row else None

        body = self._run(op)
        return None if body is None else str(body)

    def _set_current(self, conn: psycopg.Connection[tuple[object, ...]], version: int) -> None:
        conn.execute(self._sql(SET_CURRENT), (version,))

    def current_version(self) -> int:
        """The current version number (0 when nothing was published)."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> int:
            row = conn.execute(
                sql.SQL("SELECT version FROM {} WHERE name = 'current'").format(self._t("pointer"))
            ).fetchone()
            return int(row[0]) if row else 0  # type: ignore[call-overload]

        return self._run(op)

    def _current(self, conn: psycopg.Connection[tuple[object, ...]]) -> RuleSet:
        query = sql.SQL(
            "SELECT r.body::text FROM {} r JOIN {} p ON p.version = r.version WHERE p.name = 'current'"
        ).format(self._t("rulesets"), self._t("pointer"))
        row = conn.execute(query).fetchone()
        return RuleSet() if row is None else RuleSet.model_validate_json(str(row[0]))

    def load(self, version: int | None = None) -> RuleSet:
        """The current (or a given) rule set; an empty one when nothing was published."""
        if version is None:
            return self._run(self._current)

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> object | None:
            query = sql.SQL("SELECT body::text FROM {} WHERE version = %s").format(self._t("rulesets"))
            row = conn.execute(query, (version,)).fetchone()
            return row[0] if row else None

        body = self._run(op)
        if body is None:
            raise StoreError(f"no rule set version {version}")
        return RuleSet.model_validate_json(str(body))

    def versions(self) -> list[tuple[int, str, int, bool]]:
        """(version, created ISO time, clusters, is current) for every stored version."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
            query = sql.SQL(
                "SELECT r.version, r.created, r.clusters, COALESCE(p.version = r.version, false) "
                "FROM {} r LEFT JOIN {} p ON p.name = 'current' ORDER BY r.version"
            ).format(self._t("rulesets"), self._t("pointer"))
            return conn.execute(query).fetchall()

        out: list[tuple[int, str, int, bool]] = []
        for v, created, n, cur in self._run(op):
            when = created.isoformat() if isinstance(created, datetime) else str(created)
            out.append((int(v), when, int(n), bool(cur)))  # type: ignore[call-overload]
        return out

    def rollback(self, version: int) -> None:
        """Make an earlier version current again."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
            with conn.transaction():
                row = conn.execute(
                    sql.SQL("SELECT 1 FROM {} WHERE version = %s").format(self._t("rulesets")), (version,)
                ).fetchone()
                if row is None:
                    return False
                self._set_current(conn, version)
            return True

        if not self._run(op):
            raise StoreError(f"no rule set version {version}")

    def report_as_of(self, version: int) -> str | None:
        """The run report of the latest learning run at or before ``version``, ``None`` for none."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> object | None:
            query = sql.SQL(
                "SELECT body::text FROM {} WHERE version <= %s ORDER BY version DESC LIMIT 1"
            ).format(self._t("run_reports"))
            row = conn.execute(query, (version,)).fetchone()
            return row[0] if row else None

        body = self._run(op)
        return None if body is None else str(body)

    def skeleton_html(self, skeleton_id: str) -> str:
        """The skeleton HTML ``skeleton_id`` names (``""`` for none)."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> object | None:
            row = conn.execute(self._sql(SKELETON), (skeleton_id,)).fetchone()
            return row[0] if row else None

        html = self._run(op)
        return "" if html is None else str(html)

    def add_correction(self, correction: Correction) -> Correction:
        """Store an operator's correction of a slot; returns it with its id."""
        c = correction

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> int:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (cluster, slot, field, previous, created) VALUES (%s, %s, %s, %s, %s) "
                    "RETURNING id"
                ).format(self._t("corrections")),
                (c.cluster, c.slot, c.field, c.previous, c.created),
            ).fetchone()
            return int(row[0]) if row else 0  # type: ignore[call-overload]

        return c.model_copy(update={"id": self._run(op)})

    def corrections(self) -> list[Correction]:
        """Every stored correction, oldest first."""
        return self._run(self._corrections)

    def _corrections(self, conn: psycopg.Connection[tuple[object, ...]]) -> list[Correction]:
        rows = conn.execute(self._sql(SELECT_CORRECTIONS)).fetchall()
        return [Correction.model_validate(dict(zip(CORRECTION_COLUMNS, r, strict=True))) for r in rows]

    # -- field counts (rules.store.FieldCountStore) ---------------------------------------------

    def add_field_counts(self, day: int, counts: Mapping[tuple[str, str], int], keep_from: int) -> None:
        """Add per-field message counts to ``day``, drop the days before ``keep_from``, at once."""
        rows = field_count_rows(day, counts)

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(self._sql(ADD_FIELD_COUNT), rows)
                cur.execute(self._sql(PRUNE_FIELD_COUNTS), (keep_from,))

        self._run(op)

    def field_counts(self, cluster: str, since: int) -> dict[str, int]:
        """Per field of ``cluster`` (``""``: its messages), the counts of the days from ``since``."""

        def op(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
            return conn.execute(self._sql(FIELD_COUNTS), (cluster, since)).fetchall()

        return {str(name): int(n) for name, n in self._run(op)}  # type: ignore[call-overload]

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
