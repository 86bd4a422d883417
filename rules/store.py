"""The rule store: versioned rule sets, published atomically. SQLite is the embedded default.

A learning run writes a whole rule set as a new version in one transaction and then moves the
``current`` pointer; readers always see one complete version. Rule sets are stored as JSON.

A learning run also keeps per-sender learning state (opaque JSON bodies, see
``mailstencil.offline.transport``) and a run report; :meth:`BaseStore.publish_run` writes rule set, report
and state in the same transaction, so a run that dies before it commits changes nothing.
:func:`mailstencil.rules.stores.open_store` opens a store (this one or :mod:`mailstencil.rules.pgstore`) by
URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeAlias, TypeVar
from urllib.parse import quote

from .corrections import Correction, apply_corrections
from .errors import StoreError
from .model import ClusterRules, RuleSet, SenderRuleSet, indexed_json

__all__ = ["BaseStore", "RuleStore", "SQLiteStore", "SenderState", "StoreError"]


@dataclass(frozen=True, slots=True)
class SenderState:
    """One sender's learning state: an opaque JSON ``body`` and when its oldest retained sample was
    kept (``None`` when it keeps none), so retention sweeps find the senders to prune cheaply."""

    sender: str
    body: str
    oldest_kept: datetime | None = None


def stamp_report(report: str, version: int) -> str:
    """The run report JSON object with the published ``version`` filled in (``""`` stays empty)."""
    if not report:
        return ""
    data = json.loads(report)
    data["version"] = version
    return json.dumps(data, ensure_ascii=False)


def _utc(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat()


# -- field counts: how many messages each cluster's fields came from, per day (no values) -------

ADD_FIELD_COUNT = (
    "INSERT INTO {field_counts} (day, cluster, field, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, cluster, field) DO UPDATE SET n = {field_counts}.n + excluded.n"
)
PRUNE_FIELD_COUNTS = "DELETE FROM {field_counts} WHERE day < ?"
FIELD_COUNTS = "SELECT field, SUM(n) FROM {field_counts} WHERE cluster = ? AND day >= ? GROUP BY field"


def field_count_rows(day: int, counts: Mapping[tuple[str, str], int]) -> list[tuple[int, str, str, int]]:
    """The rows of :data:`ADD_FIELD_COUNT` for ``counts``, sorted: writers adding at once lock the
    rows in one order, so two processes' flushes never deadlock."""
    return [(day, cluster, name, n) for (cluster, name), n in sorted(counts.items())]


TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "rulesets": (
        ("version", "INTEGER PRIMARY KEY"),
        ("created", "{time} NOT NULL"),
        ("clusters", "INTEGER NOT NULL"),
        ("body", "{json} NOT NULL"),
    ),
    "pointer": (("name", "TEXT PRIMARY KEY"), ("version", "INTEGER NOT NULL{ref_rulesets}")),
    "learn_state": (
        ("sender", "TEXT PRIMARY KEY"),
        ("oldest_kept", "{time}"),
        ("version", "INTEGER NOT NULL"),
        ("body", "TEXT NOT NULL"),
    ),
    "run_reports": (("version", "INTEGER PRIMARY KEY{ref_rulesets}"), ("body", "{json} NOT NULL")),
    "corrections": (
        ("id", "{serial}"),
        ("cluster", "TEXT NOT NULL"),
        ("slot", "TEXT NOT NULL"),
        ("field", "TEXT"),
        ("previous", "TEXT NOT NULL"),
        ("created", "{time} NOT NULL"),
    ),
    "skeletons": (("id", "TEXT PRIMARY KEY"), ("html", "TEXT NOT NULL")),
    "ruleset_index": (("version", "INTEGER PRIMARY KEY{ref_rulesets}"), ("body", "TEXT NOT NULL")),
    "field_counts": (  # per-field extraction counts (add_field_counts); the last "column" is the key
        ("day", "INTEGER NOT NULL"),
        ("cluster", "TEXT NOT NULL"),
        ("field", "TEXT NOT NULL"),
        ("n", "BIGINT NOT NULL"),
        ("PRIMARY KEY", "(day, cluster, field)"),
    ),
}
"""The store's tables, written once for both stores (every publish applies ``corrections`` to the
rule set it writes, reading them in its own transaction, and an index of each rule set's JSON
by sender to ``ruleset_index``): ``{time}``, ``{json}``, ``{serial}`` and
``{ref_rulesets}`` are the types and references each store renders its own way (:func:`ddl`).
Every store opened creates the tables it lacks, which is how a store made before a table existed
gains it (``skeletons``: empty until the next learning run)."""


def ddl(types: dict[str, str], table: Callable[[str], str]) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for every table of :data:`TABLES`, with a store's types and
    table names."""
    return "".join(
        f"CREATE TABLE IF NOT EXISTS {table(name)} (\n"
        + ",\n".join(f"    {col} {spec.format(**types)}" for col, spec in cols)
        + "\n);\n"
        for name, cols in TABLES.items()
    )


_INSERT_RULESET = "INSERT INTO {rulesets} (version, created, clusters, body) VALUES (?, ?, ?, ?)"
_INSERT_INDEX = "INSERT INTO {ruleset_index} (version, body) VALUES (?, ?)"
_INSERT_SKELETON = "INSERT INTO {skeletons} (id, html) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"
_SKELETON = "SELECT html FROM {skeletons} WHERE id = ?"
_INSERT_REPORT = "INSERT INTO {run_reports} (version, body) VALUES (?, ?)"
_DELETE_STATES = "DELETE FROM {learn_state}"
_UPSERT_STATE = (
    "INSERT INTO {learn_state} (sender, oldest_kept, version, body) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (sender) DO UPDATE SET oldest_kept = excluded.oldest_kept, "
    "version = excluded.version, body = excluded.body"
)
SET_CURRENT = (
    "INSERT INTO {pointer} (name, version) VALUES ('current', ?) "
    "ON CONFLICT (name) DO UPDATE SET version = excluded.version"
)
"""Make ``?`` the current version (publishing, and rolling back)."""


CORRECTION_COLUMNS = ("id", "cluster", "slot", "field", "previous", "created")
SELECT_CORRECTIONS = f"SELECT {', '.join(CORRECTION_COLUMNS)} FROM {{corrections}} ORDER BY id"


def publish_steps(
    ruleset: RuleSet,
    report: str,
    states: Sequence[SenderState],
    replace_states: bool,
    version: int,
    when: Callable[[datetime | None], object],
) -> list[tuple[str, list[tuple[object, ...]]]]:
    """The statements (``{table}`` names, ``?`` parameters) and rows that publish a run as
    ``version``, in order, the same for both stores; ``when`` is how a store writes a time."""
    skeletons: dict[str, str] = {}
    clusters: list[ClusterRules] = []
    for c in ruleset.clusters:
        if c.skeleton_html:  # learned in this run: its skeleton is kept apart, named by its digest
            sid = hashlib.sha256(c.skeleton_html.encode()).hexdigest()[:32]
            skeletons[sid] = c.skeleton_html
            c = c.model_copy(update={"skeleton_id": sid, "skeleton_html": ""})
        clusters.append(c)
    body = ruleset.model_copy(update={"version": version, "clusters": clusters})
    text, index = indexed_json(body)
    steps: list[tuple[str, list[tuple[object, ...]]]] = [
        (_INSERT_RULESET, [(version, when(body.created), len(body.clusters), text)]),
        (_INSERT_INDEX, [(version, index)]),
    ]
    if skeletons:
        steps.append((_INSERT_SKELETON, sorted(skeletons.items())))
    if report:
        steps.append((_INSERT_REPORT, [(version, stamp_report(report, version))]))
    if replace_states:
        steps.append((_DELETE_STATES, [()]))
    if states:
        steps.append((_UPSERT_STATE, [(st.sender, when(st.oldest_kept), version, st.body) for st in states]))
    steps.append((SET_CURRENT, [(version,)]))
    return steps


_MAX_VERSION = "SELECT COALESCE(MAX(version), 0) FROM {rulesets}"
_CURRENT_VERSION = "SELECT version FROM {pointer} WHERE name = 'current'"
_CURRENT_BODY = (
    "SELECT CAST(r.body AS TEXT) FROM {rulesets} r JOIN {pointer} p ON p.version = r.version "
    "WHERE p.name = 'current'"
)
_CURRENT_INDEXED = (
    "SELECT CAST(r.body AS TEXT), i.body FROM {rulesets} r JOIN {pointer} p ON p.version = r.version "
    "LEFT JOIN {ruleset_index} i ON i.version = r.version WHERE p.name = 'current'"
)
_BODY = "SELECT CAST(body AS TEXT) FROM {rulesets} WHERE version = ?"
_HAS_VERSION = "SELECT 1 FROM {rulesets} WHERE version = ?"
_VERSIONS = (
    "SELECT r.version, r.created, r.clusters, COALESCE(p.version = r.version, false) "
    "FROM {rulesets} r LEFT JOIN {pointer} p ON p.name = 'current' ORDER BY r.version"
)
_CURRENT_REPORT = (
    "SELECT CAST(r.body AS TEXT) FROM {run_reports} r JOIN {pointer} p ON p.version = r.version "
    "WHERE p.name = 'current'"
)
_REPORT = "SELECT CAST(body AS TEXT) FROM {run_reports} WHERE version = ?"
_REPORT_AS_OF = (
    "SELECT CAST(body AS TEXT) FROM {run_reports} WHERE version <= ? ORDER BY version DESC LIMIT 1"
)

_Conn = TypeVar("_Conn")
Row = tuple[Any, ...]
"""A row as a database driver returns it."""
_T = TypeVar("_T")


class BaseStore(ABC, Generic[_Conn]):
    """A rule store. What both stores do the same way is written here over the shared statements
    (``{table}`` names, ``?`` parameters): publishing, versions, rollback, reports, skeletons. A
    store supplies how it uses its connection (:meth:`_read`, :meth:`_write`), runs a statement and
    writes a time, and its learning-state and correction queries."""

    @abstractmethod
    def load_states(self, senders: Iterable[str]) -> dict[str, SenderState]:
        """The stored learning state of the given senders (absent senders are left out)."""

    @abstractmethod
    def state_senders(self, kept_before: datetime | None = None) -> list[str]:
        """Senders with learning state, sorted; with ``kept_before`` only those keeping a sample
        kept before that time (the ones a retention sweep must prune)."""

    @abstractmethod
    def add_correction(self, correction: Correction) -> Correction:
        """Store an operator's correction of a slot; returns it with its id."""

    @abstractmethod
    def replaced(self) -> bool:
        """Whether what the URL names is no longer what this object opened (an SQLite file deleted
        or written anew at its path): the caller then closes it and opens the URL again."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    @abstractmethod
    def _read(self, op: Callable[[_Conn], _T]) -> _T:
        """Run ``op`` on the store's connection (serialised with the store's other uses)."""

    @abstractmethod
    def _write(self, op: Callable[[_Conn], _T]) -> _T:
        """Run ``op`` in one write transaction that publishers queue on: committed when ``op``
        returns, rolled back when it raises."""

    @abstractmethod
    def _transaction(self, op: Callable[[_Conn], _T]) -> _T:
        """Run ``op`` in one write transaction that publishers need not queue behind (where the
        database lets them: SQLite has one writer at a time)."""

    @abstractmethod
    def _fetch(self, conn: _Conn, statement: str, params: Sequence[object] = ()) -> list[Row]:
        """The rows of a shared statement."""

    @abstractmethod
    def _execute(self, conn: _Conn, statement: str, rows: Sequence[Sequence[object]]) -> None:
        """Run a shared statement once for each parameter row."""

    @abstractmethod
    def _time(self, when: datetime | None) -> object:
        """A time as this store writes it."""

    @abstractmethod
    def _corrections(self, conn: _Conn) -> list[Correction]:
        """Every stored correction, oldest first, read on ``conn``."""

    def _value(self, conn: _Conn, statement: str, params: Sequence[object] = ()) -> Any:
        """The first column of a shared statement's first row, ``None`` when it has none."""
        rows = self._fetch(conn, statement, params)
        return rows[0][0] if rows else None

    def _lookup(self, statement: str, params: Sequence[object] = ()) -> Any:
        """:meth:`_value` on the store's connection."""
        return self._read(lambda conn: self._value(conn, statement, params))

    def add_field_counts(self, day: int, counts: Mapping[tuple[str, str], int], keep_from: int) -> None:
        """Add ``{(cluster, field): messages}`` to ``day`` (UTC days since 1970; field ``""``
        counts the cluster's messages) and drop the days before ``keep_from``, in one transaction:
        only counts, never a value, and only the days a reader still asks for."""
        rows = field_count_rows(day, counts)

        def op(conn: _Conn) -> None:
            self._execute(conn, ADD_FIELD_COUNT, rows)
            self._execute(conn, PRUNE_FIELD_COUNTS, [(keep_from,)])

        self._transaction(op)

    def field_counts(self, cluster: str, since: int) -> dict[str, int]:
        """Per field of ``cluster`` (``""``: its messages), the counts of the days from ``since``."""
        rows = self._read(lambda conn: self._fetch(conn, FIELD_COUNTS, (cluster, since)))
        return {str(name): int(n) for name, n in rows}

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
        """Publish a rule set, its run report (JSON object; the version is stamped in) and the
        given senders' learning state in one transaction; ``replace_states`` drops all other state.
        The stored corrections are read in the same transaction and applied to the rule set, so a
        correction saved while a learning run computed its rule set is in what it publishes."""
        return self._write(lambda conn: self._publish(conn, ruleset, report, states, replace_states))

    def republish(self) -> int:
        """Publish the current rule set again as a new version, in one transaction: what a saved
        correction does (every publish applies the stored corrections, see :data:`TABLES`)."""
        return self._write(lambda conn: self._publish(conn, None))

    def _publish(
        self,
        conn: _Conn,
        ruleset: RuleSet | None,
        report: str = "",
        states: Sequence[SenderState] = (),
        replace_states: bool = False,
    ) -> int:
        """Publish ``ruleset`` (``None``: the current one) with the stored corrections applied."""
        base = ruleset if ruleset is not None else RuleSet(clusters=self._current(conn).clusters)
        fixed = apply_corrections(base, self._corrections(conn))
        version = int(self._value(conn, _MAX_VERSION)) + 1
        for statement, rows in publish_steps(fixed, report, states, replace_states, version, self._time):
            self._execute(conn, statement, rows)
        return version

    def _current(self, conn: _Conn) -> RuleSet:
        body = self._value(conn, _CURRENT_BODY)
        return RuleSet() if body is None else RuleSet.model_validate_json(str(body))

    def current_version(self) -> int:
        """The current version number (0 when nothing was published)."""
        version = self._lookup(_CURRENT_VERSION)
        return 0 if version is None else int(version)

    def load(self, version: int | None = None) -> RuleSet:
        """The current (or a given) rule set; an empty one when nothing was published."""
        if version is None:
            return self._read(self._current)
        body = self._lookup(_BODY, (version,))
        if body is None:
            raise StoreError(f"no rule set version {version}")
        return RuleSet.model_validate_json(str(body))

    def load_split(self) -> SenderRuleSet:
        """The current rule set split by sender, its clusters left as JSON until a sender is asked
        about: what the service serves from. Cut along the index publishing wrote, so its clusters
        are not parsed here (a version published before there was an index is parsed once)."""
        rows = self._read(lambda conn: self._fetch(conn, _CURRENT_INDEXED))
        if not rows:
            return SenderRuleSet.of(RuleSet())
        body, index = str(rows[0][0]), rows[0][1]
        if index is None:
            return SenderRuleSet.of(RuleSet.model_validate_json(body))
        return SenderRuleSet.from_indexed(body, str(index))

    def versions(self) -> list[tuple[int, str, int, bool]]:
        """(version, created ISO time, clusters, is current) for every stored version."""
        out: list[tuple[int, str, int, bool]] = []
        for v, created, n, cur in self._read(lambda conn: self._fetch(conn, _VERSIONS)):
            when = created.isoformat() if isinstance(created, datetime) else str(created)
            out.append((int(v), when, int(n), bool(cur)))
        return out

    def rollback(self, version: int) -> None:
        """Make an earlier version current again."""

        def op(conn: _Conn) -> None:
            if self._value(conn, _HAS_VERSION, (version,)) is None:
                raise StoreError(f"no rule set version {version}")
            self._execute(conn, SET_CURRENT, [(version,)])

        self._write(op)

    def load_report(self, version: int | None = None) -> str | None:
        """The run report JSON of the current (or a given) version, ``None`` when there is none."""
        body = self._lookup(_CURRENT_REPORT) if version is None else self._lookup(_REPORT, (version,))
        return None if body is None else str(body)

    def report_as_of(self, version: int) -> str | None:
        """The run report of the latest learning run at or before ``version`` (a correction's or a
        rollback's version has none of its own), ``None`` when there is none."""
        body = self._lookup(_REPORT_AS_OF, (version,))
        return None if body is None else str(body)

    def skeleton_html(self, skeleton_id: str) -> str:
        """The skeleton HTML (:mod:`mailstencil.rules.skeleton`) a cluster's ``skeleton_id`` names (``""`` for
        none): kept once for every version whose clusters name it."""
        html = self._lookup(_SKELETON, (skeleton_id,))
        return "" if html is None else str(html)

    def corrections(self) -> list[Correction]:
        """Every stored correction, oldest first."""
        return self._read(self._corrections)


RuleStore: TypeAlias = BaseStore[Any]
"""Any rule store (SQLite or PostgreSQL): the type its users name."""


_SQLITE_TYPES = {
    "time": "TEXT",
    "json": "TEXT",
    "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "ref_rulesets": "",
}
_SQLITE_TABLES = {name: name for name in TABLES}


def _sqlite(statement: str) -> str:
    return statement.format(**_SQLITE_TABLES)


class SQLiteStore(BaseStore[sqlite3.Connection]):
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
            self._db.executescript(ddl(_SQLITE_TYPES, str))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
        self._identity = self._file_identity()

    def _file_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file at ``path``; ``None`` in memory or when there is none."""
        if self.path == ":memory:":
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def replaced(self) -> bool:
        """Deleted, written anew at its path, or destroyed in place so that a fresh connection no
        longer reads it as a database: the open connection's page cache can keep answering for a
        destroyed file for as long as it takes SQLite to notice. (A fresh connection, not a plain
        read: closing another descriptor of the file would drop the locks SQLite holds on it.)"""
        if self.path == ":memory:":
            return False
        if self._file_identity() != self._identity:
            return True
        try:
            uri = f"file:{quote(os.path.abspath(self.path))}?mode=ro"
            probe = sqlite3.connect(uri, uri=True, timeout=1.0)
        except sqlite3.Error:
            return True
        try:
            probe.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError:  # busy or locked by a publisher: no news of the file
            return False
        except sqlite3.DatabaseError:  # "file is not a database", "disk image is malformed"
            return True
        finally:
            probe.close()
        return False

    def _read(self, op: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock:
            return op(self._db)

    def _write(self, op: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = op(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return result

    def _transaction(self, op: Callable[[sqlite3.Connection], _T]) -> _T:
        return self._write(op)

    def _fetch(self, conn: sqlite3.Connection, statement: str, params: Sequence[object] = ()) -> list[Row]:
        return conn.execute(_sqlite(statement), params).fetchall()

    def _execute(self, conn: sqlite3.Connection, statement: str, rows: Sequence[Sequence[object]]) -> None:
        conn.executemany(_sqlite(statement), rows)

    def _time(self, when: datetime | None) -> str | None:
        return _utc(when)

    def load_states(self, senders: Iterable[str]) -> dict[str, SenderState]:
        out: dict[str, SenderState] = {}
        wanted = sorted(set(senders))
        with self._lock:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows = self._db.execute(
                    "SELECT sender, oldest_kept, body FROM learn_state WHERE sender IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                for sender, oldest, body in rows:
                    when = datetime.fromisoformat(oldest) if oldest else None
                    out[str(sender)] = SenderState(str(sender), str(body), when)
        return out

    def state_senders(self, kept_before: datetime | None = None) -> list[str]:
        with self._lock:
            if kept_before is None:
                rows = self._db.execute("SELECT sender FROM learn_state ORDER BY sender").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT sender FROM learn_state WHERE oldest_kept IS NOT NULL AND oldest_kept < ? "
                    "ORDER BY sender",
                    (_utc(kept_before),),
                ).fetchall()
        return [str(r[0]) for r in rows]

    def add_correction(self, correction: Correction) -> Correction:
        c = correction
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO corrections (cluster, slot, field, previous, created) VALUES (?, ?, ?, ?, ?)",
                (c.cluster, c.slot, c.field, c.previous, c.created.astimezone(UTC).isoformat()),
            )
            new_id = int(cur.lastrowid or 0)
        return c.model_copy(update={"id": new_id})

    def _corrections(self, conn: sqlite3.Connection) -> list[Correction]:
        rows = conn.execute(_sqlite(SELECT_CORRECTIONS)).fetchall()
        return [
            Correction(id=i, cluster=c, slot=s, field=f, previous=p, created=datetime.fromisoformat(t))
            for i, c, s, f, p, t in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
