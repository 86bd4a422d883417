"""The PostgreSQL rule store (rules/pgstore.py) on its own: the schema a URL names, refusals with a
reason, a connection that breaks or is closed. What both stores share is tests/test_store.py."""

from __future__ import annotations

import psycopg
import pytest
from helpers import PG_URL, pg_schema

from mailstencil.rules.errors import StoreError
from mailstencil.rules.model import RuleSet
from mailstencil.rules.pgstore import DEFAULT_SCHEMA, PostgresStore, split_schema


def test_split_schema_takes_the_schema_out_and_keeps_the_rest() -> None:
    url = "postgresql://u@db:5432/rules?sslmode=require&schema=tenant_1&application_name=ms"
    assert split_schema(url) == (
        "postgresql://u@db:5432/rules?sslmode=require&application_name=ms",
        "tenant_1",
    )
    assert split_schema("postgresql://db/rules") == ("postgresql://db/rules", DEFAULT_SCHEMA)


@pytest.mark.parametrize("schema", ["bad;name", "1st", "", "a" * 64, 'x"y'])
def test_a_schema_name_that_is_not_a_plain_identifier_is_refused(schema: str) -> None:
    with pytest.raises(StoreError, match="invalid schema name"):
        split_schema(f"postgresql://db/rules?schema={schema}")


def test_a_schema_given_apart_from_the_url_is_checked_too() -> None:
    with pytest.raises(StoreError, match="invalid schema name 'bad;name'"):
        PostgresStore("postgresql://db/rules", schema="bad;name")
    assert PostgresStore("postgresql://db/rules?schema=from_url", schema="given").schema == "given"


def test_unreachable_postgres_is_a_store_error() -> None:
    s = PostgresStore("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    with pytest.raises(StoreError, match="PostgreSQL store: OperationalError"):
        s.current_version()
    s.close()


def test_a_closed_store_refuses_work() -> None:
    s = PostgresStore("postgresql://nobody@127.0.0.1:1/none")
    s.close()
    with pytest.raises(StoreError, match="store is closed"):
        s.load()
    assert not s.replaced()  # a broken connection is reopened, never replaced


def test_the_tables_are_made_in_the_urls_schema_on_first_use() -> None:
    with pg_schema() as schema:
        store = PostgresStore(f"{PG_URL}?schema={schema}")
        try:
            assert store.publish(RuleSet()) == 1
        finally:
            store.close()
        with psycopg.connect(PG_URL) as conn:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
            ).fetchall()
        assert sorted(r[0] for r in rows) == [
            "corrections",
            "field_counts",
            "learn_state",
            "pointer",
            "ruleset_index",
            "rulesets",
            "run_reports",
            "skeletons",
        ]


def test_a_connection_the_server_ended_is_reopened() -> None:
    with pg_schema() as schema:
        store = PostgresStore(f"{PG_URL}?schema={schema}&application_name={schema}")
        try:
            assert store.publish(RuleSet()) == 1
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                ended = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (schema,),
                ).fetchone()
            assert ended == (1,)
            with pytest.raises(StoreError):  # the call that meets the ended connection fails ...
                store.current_version()
            assert store.current_version() == 1  # ... and the next one opens a new connection
        finally:
            store.close()
