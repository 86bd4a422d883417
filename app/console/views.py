"""What the console pages show, computed from a rule set and the service's counters (no HTML here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mailstencil.rules.corrections import slot_key
from mailstencil.rules.model import ClusterRules, FieldRule, RuleSet

from ..api.routes.admin import cluster_summary
from ..rulecache import ClusterStats
from ..schemas import ClusterSummary

__all__ = [
    "ClusterRow",
    "cluster_rows",
    "SlotView",
    "LineView",
    "slots_by_line",
    "skeleton_view",
    "RuleSetDiff",
    "diff",
]

SLOT = "{…}"
LOW_RATE = 0.5
"""Below this share of messages with a field, a cluster that gets mail is flagged."""


@dataclass(slots=True)
class ClusterRow:
    """One line of the clusters page: the admin API's summary of the cluster, and the sender's
    drift, the markup disagreement and the problems the console flags."""

    summary: ClusterSummary
    drift: float | None
    markup: float | None
    problems: list[str] = field(default_factory=list)


def _problems(row: ClusterRow, c: ClusterRules) -> list[str]:
    out: list[str] = []
    rate, fallback = row.summary.extraction_rate, row.summary.fallback_share
    if not c.rules:
        out.append("no fields")
    elif rate is not None and rate < LOW_RATE:
        out.append("few messages with fields")
    if fallback:
        out.append("drift fallback")
    if row.drift:
        out.append("sender's mail on unknown structures")
    if row.markup:
        out.append("disagrees with the mail's schema.org markup")
    return out


def cluster_rows(
    ruleset: RuleSet, stats: ClusterStats, query: str = "", sort: Literal["volume", "problems"] = "volume"
) -> list[ClusterRow]:
    """The clusters whose sender contains ``query`` (any case), by volume or by problems (the most
    problems first, then the most messages)."""
    drift = {s: u / n for s, n, u, _ in stats.drift() if n}
    q = query.strip().lower()
    rows: list[ClusterRow] = []
    for c in ruleset.clusters:
        if q and q not in c.sender.lower():
            continue
        row = ClusterRow(
            summary=cluster_summary(c, stats),
            drift=drift.get(c.sender),
            markup=stats.disagreement_share(c.cluster),
        )
        row.problems = _problems(row, c)
        rows.append(row)
    rows.sort(key=lambda r: r.summary.key)
    if sort == "problems":
        rows.sort(key=lambda r: (len(r.problems), r.summary.messages), reverse=True)
    else:
        rows.sort(key=lambda r: r.summary.messages, reverse=True)
    return rows


@dataclass(frozen=True, slots=True)
class SlotView:
    """A slot of the skeleton: its rule (``field`` empty when unnamed) and its stable key."""

    key: str
    rule: FieldRule


@dataclass(slots=True)
class LineView:
    """One skeleton line: constant text around the slot marker, and the slots read there."""

    before: str
    after: str
    variable: bool
    slots: list[SlotView]


def slots_by_line(c: ClusterRules) -> dict[int, list[SlotView]]:
    """The named and unnamed slots of a cluster by the skeleton line they are read from."""
    by_line: dict[int, list[SlotView]] = {}
    for rule in sorted([*c.rules, *c.unnamed], key=lambda r: r.gap):
        by_line.setdefault(rule.line, []).append(SlotView(slot_key(c, rule), rule))
    return by_line


def skeleton_view(c: ClusterRules) -> list[LineView]:
    """The skeleton's lines, each variable one with the named and unnamed slots the rules read there."""
    by_line = slots_by_line(c)
    out: list[LineView] = []
    for i, text in enumerate(c.skeleton):
        before, marker, after = text.partition(SLOT)
        out.append(LineView(before, after, bool(marker), by_line.get(i, [])))
    return out


@dataclass(slots=True)
class RuleSetDiff:
    """What changed from rule-set version ``a`` to ``b``."""

    a: int
    b: int
    clusters_added: list[str] = field(default_factory=list)
    clusters_removed: list[str] = field(default_factory=list)
    rules_added: list[tuple[str, str]] = field(default_factory=list)  # (cluster, field)
    rules_removed: list[tuple[str, str]] = field(default_factory=list)
    rules_renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (cluster, old, new)


def _named(c: ClusterRules) -> dict[str, str]:
    return {slot_key(c, r): r.field for r in c.rules}


def diff(a: RuleSet, b: RuleSet) -> RuleSetDiff:
    """Clusters added and removed, and per cluster in both the rules added, removed and renamed
    (the same slot under another field)."""
    out = RuleSetDiff(a.version, b.version)
    old = {c.cluster: c for c in a.clusters}
    new = {c.cluster: c for c in b.clusters}
    out.clusters_added = sorted(new.keys() - old.keys())
    out.clusters_removed = sorted(old.keys() - new.keys())
    for key in sorted(old.keys() & new.keys()):
        was, now = _named(old[key]), _named(new[key])
        for slot in sorted(now.keys() - was.keys()):
            out.rules_added.append((key, now[slot]))
        for slot in sorted(was.keys() - now.keys()):
            out.rules_removed.append((key, was[slot]))
        for slot in sorted(was.keys() & now.keys()):
            if was[slot] != now[slot]:
                out.rules_renamed.append((key, was[slot], now[slot]))
    return out
