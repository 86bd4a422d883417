"""Learning state and run reports in both rule stores (SQLite and PostgreSQL), same semantics."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import test_store as base

from mailstencil.rules.model import RuleSet
from mailstencil.rules.store import RuleStore, SenderState

# the parametrized SQLite / PostgreSQL fixtures of the rule-store suite
stores = base.stores
store = base.store
_ruleset = base._ruleset

T1 = datetime(2026, 5, 1, 2, tzinfo=UTC)
T2 = datetime(2026, 6, 1, 2, tzinfo=UTC)


def test_empty_state(store: RuleStore) -> None:
    assert store.load_states(["a@x.example"]) == {}
    assert store.state_senders() == []
    assert store.load_report() is None


def test_publish_run_writes_rules_report_and_state_together(store: RuleStore) -> None:
    states = [SenderState("b@x.example", '{"n": 1}', T1), SenderState("a@x.example", '{"n": 2}', None)]
    v = store.publish_run(_ruleset(2, "s"), json.dumps({"messages_read": 7}), states)
    assert v == 1 and store.current_version() == 1
    assert json.loads(store.load_report() or "") == {"messages_read": 7, "version": 1}
    assert json.loads(store.load_report(1) or "") == {"messages_read": 7, "version": 1}
    got = store.load_states(["a@x.example", "b@x.example", "c@x.example"])
    assert got["a@x.example"] == SenderState("a@x.example", '{"n": 2}', None)
    assert got["b@x.example"].body == '{"n": 1}' and got["b@x.example"].oldest_kept == T1
    assert store.state_senders() == ["a@x.example", "b@x.example"]
    assert store.state_senders(kept_before=T2) == ["b@x.example"]
    assert store.state_senders(kept_before=T1) == []


def test_state_upserts_and_replace(store: RuleStore) -> None:
    store.publish_run(_ruleset(1, "a"), "", [SenderState("a@x.example", "1", T1)])
    store.publish_run(_ruleset(1, "b"), "", [SenderState("b@x.example", "2", T2)])
    store.publish_run(_ruleset(1, "c"), "", [SenderState("a@x.example", "3", T2)])
    assert {k: v.body for k, v in store.load_states(["a@x.example", "b@x.example"]).items()} == {
        "a@x.example": "3",
        "b@x.example": "2",
    }
    assert store.load_report() is None  # a version published without a report has none
    store.publish_run(RuleSet(), "{}", [SenderState("c@x.example", "4")], replace_states=True)
    assert store.state_senders() == ["c@x.example"]


def test_failed_publish_changes_no_state(stores: base._Factory) -> None:
    s = stores()
    s.publish_run(_ruleset(1, "a"), "{}", [SenderState("a@x.example", "old", T1)])
    with pytest.raises(ValueError):
        s.publish_run(_ruleset(1, "b"), "not json", [SenderState("a@x.example", "new", T2)])
    assert s.current_version() == 1
    assert s.load_states(["a@x.example"])["a@x.example"].body == "old"
