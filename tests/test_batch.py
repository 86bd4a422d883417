"""The nightly run's report (offline/batch.py): verticals and what changed between rule sets."""

from __future__ import annotations

from datetime import UTC, datetime

from mailstencil.offline.batch import RunReport, _diff, format_report, vertical_of
from mailstencil.rules.model import ClusterRules, FieldRule


def _rule(field: str, **where: object) -> FieldRule:
    return FieldRule.model_validate({"field": field, "ipath": "html/body/p", "pattern": "(.+)", **where})


def _cluster(key: str, *rules: FieldRule, messages: int = 10) -> ClusterRules:
    return ClusterRules(cluster=key, sender="orders@shop.example", rules=list(rules), messages=messages)


def _report() -> RunReport:
    return RunReport(
        engine="local", mode="full", started=datetime.now(UTC), min_recipients=5, retention_days=30
    )


def test_a_clusters_vertical_is_the_vote_of_its_fields() -> None:
    assert vertical_of(_cluster("a")) == "unlearned"
    assert vertical_of(_cluster("a", _rule("recipient_name"), _rule("action_url"))) == "notify"
    shop = _cluster("a", _rule("order_number"), _rule("item_price"), _rule("invoice_number"))
    assert vertical_of(shop) == "commerce"
    tie = _cluster("a", _rule("order_number"), _rule("checkin_date"))
    assert vertical_of(tie) == "commerce"  # a tie goes to the first vertical by name


def test_the_diff_counts_clusters_and_rules_by_where_a_rule_reads() -> None:
    total, number = _rule("order_total"), _rule("order_number", ordinal=1)
    old = [
        _cluster("same", total),
        _cluster("recount", total, messages=10),
        _cluster("changed", total, number),
        _cluster("gone", total),
    ]
    new = [
        _cluster("same", total),
        _cluster("recount", total, messages=99),  # counts alone: unchanged
        # order_total now reads another row depth (another slot: dropped and added); order_number
        # keeps its place with another confidence (changed); a tax rule is new
        _cluster(
            "changed",
            _rule("order_total", row_depth=2),
            number.model_copy(update={"confidence": 0.9}),
            _rule("tax_amount", ordinal=2),
        ),
        _cluster("fresh", total, number),
    ]
    report = _report()
    _diff(old, new, report)
    assert (
        report.clusters_new,
        report.clusters_changed,
        report.clusters_unchanged,
        report.clusters_retired,
    ) == (
        1,
        1,
        2,
        1,
    )
    assert (report.rules_added, report.rules_changed, report.rules_dropped) == (2 + 2, 1, 1 + 1)


def test_the_report_names_counts_never_values() -> None:
    report = _report()
    report.clusters, report.rules, report.clusters_below_k = 12, 40, 3
    text = format_report(report)
    assert "clusters: 12" in text and "below k=5 recipients 3" in text and "rules: 40" in text
