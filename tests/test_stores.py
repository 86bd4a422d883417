"""Opening a rule store by URL (rules/stores.py): the backend each URL names, the per-user
default, and refusals with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailstencil.rules.errors import StoreError
from mailstencil.rules.model import RuleSet
from mailstencil.rules.pgstore import PostgresStore
from mailstencil.rules.store import SQLiteStore
from mailstencil.rules.stores import default_store_url, open_store


@pytest.mark.parametrize("form", ["sqlite:///{}", "{}"])
def test_a_sqlite_url_or_a_bare_path_opens_that_file(tmp_path: Path, form: str) -> None:
    path = tmp_path / "new" / "rules.db"
    store = open_store(form.format(path))
    try:
        assert isinstance(store, SQLiteStore) and store.path == str(path)
        assert store.publish(RuleSet()) == 1 and path.is_file()  # its folders were made
    finally:
        store.close()


def test_memory_is_a_store_of_its_own() -> None:
    store = open_store("sqlite:///:memory:")
    try:
        assert isinstance(store, SQLiteStore) and store.path == ":memory:" and store.current_version() == 0
    finally:
        store.close()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_opens_its_schema_without_connecting(scheme: str) -> None:
    store = open_store(f"{scheme}://nobody@127.0.0.1:1/none?schema=rules_a")  # nothing listens there
    try:
        assert isinstance(store, PostgresStore) and store.schema == "rules_a"
    finally:
        store.close()


def test_a_reading_command_refuses_a_missing_file_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "rules.db"
    with pytest.raises(StoreError, match="no rule store at"):
        open_store(f"sqlite:///{missing}", create=False)
    assert not missing.parent.exists()
    open_store(f"sqlite:///{missing}").close()
    reader = open_store(f"sqlite:///{missing}", create=False)  # there now: opened
    reader.close()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://db/rules", "unsupported store URL scheme 'mysql'"),
        ("sqlite://", "no database path"),
    ],
)
def test_a_url_it_cannot_open_is_a_store_error_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(StoreError, match=reason):
        open_store(url)


def test_the_default_store_is_a_file_in_the_users_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_url() == f"sqlite:///{tmp_path / 'mailstencil' / 'rules.db'}"


def test_a_sqlite_file_destroyed_in_place_reads_as_replaced(tmp_path: Path) -> None:
    path = tmp_path / "rules.db"
    store = SQLiteStore(path)
    try:
        store.publish(RuleSet(clusters=[]))
        assert not store.replaced()
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():  # overwritten under the open connection, same inodes
                with part.open("r+b") as f:
                    f.write(b"this is no longer a database" * 2000)
        assert store.replaced()
    finally:
        store.close()
    with pytest.raises(StoreError):  # and opening it again says why
        SQLiteStore(path)
