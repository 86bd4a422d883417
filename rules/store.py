"""The rule store: versioned rule sets, published atomically. SQLite is the embedded default.

A learning run writes a whole rule set as a new version in one transaction and then moves the
``current`` pointer; readers always see one complete version. Rule sets are stored as JSON.

A learning run also keeps per-sender learning state (opaque JSON bodies, see ``offline.transport``) and
a run report; :meth:`RuleStore.publish_run` writes rule set, report and state in the same
transaction, so a run that dies before it commits changes nothing. :func:`rules.stores.open_store`
opens a store (this one or :mod:`rules.pgstore`) by URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from .corrections import Correction, apply_corrections
from .errors import StoreError
from .model import ClusterRules, RuleSet

__all__ = ["RuleStore", "FieldCountStore", "SQLiteStore", "SenderState", "StoreError"]


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


class FieldCountStore(Protocol):
    """Per-field extraction counts every service process adds to and reads, in the rule store.

    A row counts, for one UTC day (days since 1970), the messages of a cluster that gave a field;
    field ``""`` counts the messages routed to the cluster. Only counts are kept, never a value,
    and only the days a reader still asks for, so the table stays small."""

    def add_field_counts(self, day: int, counts: Mapping[tuple[str, str], int], keep_from: int) -> None:
        """Add ``{(cluster, field): messages}`` to ``day`` and drop the days before ``keep_from``,
        in one transaction."""
        ...

    def field_counts(self, cluster: str, since: int) -> dict[str, int]:
        """Per field of ``cluster`` (``""``: its messages), the counts of the days from ``since``."""
        ...


class RuleStore(FieldCountStore, Protocol):
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
        ...

    def republish(self) -> int:
        """Publish the current rule set again as a new version, in one transaction: what a saved
        correction does (every publish applies the stored corrections, see :data:`TABLES`)."""
        ...

    def load_states(self, senders: Iterable[str]) -> dict[str, SenderState]:
        """The stored learning state of the given senders (absent senders are left out)."""
        ...

    def state_senders(self, kept_before: datetime | None = None) -> list[str]:
        """Senders with learning state, sorted; with ``kept_before`` only those keeping a sample
        kept before that time (the ones a retention sweep must prune)."""
        ...

    def load_report(self, version: int | None = None) -> str | None:
        """The run report JSON of the current (or a given) version, ``None`` when there is none."""
        ...

    def report_as_of(self, version: int) -> str | None:
        """The run report of the latest learning run at or before ``version`` (a correction's or a
        rollback's version has none of its own), ``None`` when there is none."""
        ...

    def skeleton_html(self, skeleton_id: str) -> str:
        """The skeleton HTML (:mod:`rules.skeleton`) a cluster's ``skeleton_id`` names (``""`` for
        none): kept once for every version whose clusters name it."""
        ...

    def add_correction(self, correction: Correction) -> Correction:
        """Store an operator's correction of a slot; returns it with its id."""
        ...

    def corrections(self) -> list[Correction]:
        """Every stored correction, oldest first."""
        ...

    def replaced(self) -> bool:
        """Whether what the URL names is no longer what this object opened (an SQLite file deleted
        or written anew at its path): the caller then closes it and opens the URL again."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


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
    "field_counts": (  # see FieldCountStore; the last "column" is the table's key
        ("day", "INTEGER NOT NULL"),
        ("cluster", "TEXT NOT NULL"),
        ("field", "TEXT NOT NULL"),
        ("n", "BIGINT NOT NULL"),
        ("PRIMARY KEY", "(day, cluster, field)"),
    ),
}
"""The store's tables, written once for both stores (every publish applies ``corrections`` to the
rule set it writes, reading them in its own transaction): ``{time}``, ``{json}``, ``{serial}`` and
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
_INSERT_SKELETON = "INSERT INTO {skeletons} (id, html) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"
SKELETON = "SELECT html FROM {skeletons} WHERE id = ?"
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
    steps: list[tuple[str, list[tuple[object, ...]]]] = [
        (_INSERT_RULESET, [(version, when(body.created), len(body.clusters), body.model_dump_json())])
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


_SQLITE_TYPES = {
    "time": "TEXT",
    "json": "TEXT",
    "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "ref_rulesets": "",
}
_SQLITE_TABLES = {name: name for name in TABLES}


def _sqlite(statement: str) -> str:
    return statement.format(**_SQLITE_TABLES)


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
        return self.path != ":memory:" and self._file_identity() != self._identity

    def publish(self, ruleset: RuleSet) -> int:
        return self.publish_run(ruleset)

    def publish_run(
        self,
        ruleset: RuleSet,
        report: str = "",
        states: Sequence[SenderState] = (),
        replace_states: bool = False,
    ) -> int:
        return self._publish(ruleset, report, states, replace_states)

    def republish(self) -> int:
        return self._publish(None)

    def _publish(
        self,
        ruleset: RuleSet | None,
        report: str = "",
        states: Sequence[SenderState] = (),
        replace_states: bool = False,
    ) -> int:
        """Publish ``ruleset`` (``None``: the current one) with the stored corrections applied."""
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                if ruleset is None:
                    ruleset = RuleSet(clusters=self._current(cur).clusters)
                ruleset = apply_corrections(ruleset, self._corrections(cur))
                row = cur.execute("SELECT COALESCE(MAX(version), 0) FROM rulesets").fetchone()
                version = int(row[0]) + 1
                for statement, rows in publish_steps(ruleset, report, states, replace_states, version, _utc):
                    cur.executemany(_sqlite(statement), rows)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            return version

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

    def load_report(self, version: int | None = None) -> str | None:
        with self._lock:
            if version is None:
                row = self._db.execute(
                    "SELECT r.body FROM run_reports r JOIN pointer p ON p.version = r.version "
                    "WHERE p.name = 'current'"
                ).fetchone()
            else:
                row = self._db.execute(
                    "SELECT body FROM run_reports WHERE version = ?", (version,)
                ).fetchone()
        return None if row is None else str(row[0])

    def report_as_of(self, version: int) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM run_reports WHERE version <= ? ORDER BY version DESC LIMIT 1", (version,)
            ).fetchone()
        return None if row is None else str(row[0])

    def skeleton_html(self, skeleton_id: str) -> str:
        with self._lock:
            row = self._db.execute(_sqlite(SKELETON), (skeleton_id,)).fetchone()
        return "" if row is None else str(row[0])

    def add_correction(self, correction: Correction) -> Correction:
        c = correction
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO corrections (cluster, slot, field, previous, created) VALUES (?, ?, ?, ?, ?)",
                (c.cluster, c.slot, c.field, c.previous, c.created.astimezone(UTC).isoformat()),
            )
            new_id = int(cur.lastrowid or 0)
        return c.model_copy(update={"id": new_id})

    def corrections(self) -> list[Correction]:
        with self._lock:
            return self._corrections(self._db)

    @staticmethod
    def _corrections(db: sqlite3.Connection | sqlite3.Cursor) -> list[Correction]:
        rows = db.execute(_sqlite(SELECT_CORRECTIONS)).fetchall()
        return [
            Correction(id=i, cluster=c, slot=s, field=f, previous=p, created=datetime.fromisoformat(t))
            for i, c, s, f, p, t in rows
        ]

    @staticmethod
    def _current(db: sqlite3.Connection | sqlite3.Cursor) -> RuleSet:
        row = db.execute(
            "SELECT r.body FROM rulesets r JOIN pointer p ON p.version = r.version WHERE p.name = 'current'"
        ).fetchone()
        return RuleSet() if row is None else RuleSet.model_validate_json(row[0])

    def current_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT version FROM pointer WHERE name = 'current'").fetchone()
        return int(row[0]) if row else 0

    def load(self, version: int | None = None) -> RuleSet:
        with self._lock:
            if version is None:
                return self._current(self._db)
            row = self._db.execute("SELECT body FROM rulesets WHERE version = ?", (version,)).fetchone()
        if row is None:
            raise StoreError(f"no rule set version {version}")
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
            self._db.execute(_sqlite(SET_CURRENT), (version,))

    # -- field counts (FieldCountStore) --------------------------------------------------------

    def add_field_counts(self, day: int, counts: Mapping[tuple[str, str], int], keep_from: int) -> None:
        rows = field_count_rows(day, counts)
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.executemany(_sqlite(ADD_FIELD_COUNT), rows)
                cur.execute(_sqlite(PRUNE_FIELD_COUNTS), (keep_from,))
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def field_counts(self, cluster: str, since: int) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(_sqlite(FIELD_COUNTS), (cluster, since)).fetchall()
        return {str(name): int(n) for name, n in rows}

    def close(self) -> None:
        with self._lock:
            self._db.close()
