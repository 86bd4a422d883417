"""The nightly learning batch: run an engine, merge with the current rule set, report, publish.

Incremental (the default): only senders that received mail are relearned (from their retained
reservoir plus the new mail); every other sender's clusters are carried over unchanged, and
their retained samples past retention are pruned. Full: learn from the input alone and replace
all state. Either way, the new rule set, the run report and the state are published in one store
transaction, so a run killed at any point leaves the previous version serving. The report holds
counts and timings only, never a value from a message.

A run never publishes a rule set that would stop the service from answering: one whose patterns
the linear-time engine refuses, an empty one, or one retiring more than ``max_retired_share`` of
the current clusters (unless ``allow_shrink``); it raises :class:`RefusedRun` instead and the
store is left as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from mailstencil.rules.corrections import apply_corrections
from mailstencil.rules.model import ClusterRules, FieldRule, RuleSet
from mailstencil.rules.patterns import PatternError, check_patterns
from mailstencil.rules.store import RuleStore, SenderState

from .engine import Engine, model_for
from .local_engine import LocalEngine
from .night import prune_state
from .sample import Sample
from .transport import LearnJob

__all__ = [
    "VERTICALS",
    "MAX_RETIRED_SHARE",
    "Coverage",
    "RefusedRun",
    "RunReport",
    "run_learning",
    "vertical_of",
    "format_report",
]

log = logging.getLogger("mailstencil.learn")

MAX_RETIRED_SHARE = 0.5
"""Share of the current clusters a run may retire before it refuses to publish (``allow_shrink``)."""


class RefusedRun(RuntimeError):
    """A run whose rule set was not published; the reason says why and how to publish anyway."""


VERTICALS: dict[str, tuple[str, ...]] = {
    "commerce": (
        "order_",
        "item_",
        "tax_amount",
        "shipping_amount",
        "discount_amount",
        "refund_amount",
        "payment_method",
        "tracking_",
        "carrier",
        "delivery_date",
        "gift_card_",
    ),
    "billing": ("invoice_", "due_date", "amount_due", "plan_name", "trial_end_date"),
    "travel": (
        "reservation_number",
        "lodging_name",
        "checkin_date",
        "checkout_date",
        "room_type",
        "flight_number",
        "departure_",
        "arrival_",
        "passenger_name",
    ),
    "account": ("verification_code", "username", "device_name", "ip_address", "event_time"),
}
"""Fields that mark a cluster's vertical (first match by vote); generic fields vote for none."""


def vertical_of(cluster: ClusterRules) -> str:
    """The vertical a cluster's rules point to: ``notify`` when only generic fields (names, links),
    ``unlearned`` when it has no rules."""
    if not cluster.rules:
        return "unlearned"
    votes: dict[str, int] = {}
    for rule in cluster.rules:
        for vertical, prefixes in VERTICALS.items():
            if rule.field.startswith(prefixes):
                votes[vertical] = votes.get(vertical, 0) + 1
    return max(sorted(votes), key=lambda v: votes[v]) if votes else "notify"


class Coverage(BaseModel):
    """Clusters and messages of one vertical, and how many of them have rules."""

    clusters: int = 0
    clusters_with_rules: int = 0
    messages: int = 0
    messages_with_rules: int = 0


class RunReport(BaseModel):
    """The report of one learning run: counts and timings, never values. Stored with its version."""

    format: str = "mailstencil.run-report/1"
    version: int = 0
    engine: str
    mode: str
    started: datetime
    seconds: float = 0.0
    min_recipients: int
    retention_days: int
    messages_read: int = 0
    messages_skipped: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    """Skipped messages per reason."""
    skipped_named: list[str] = Field(default=[], exclude=True)
    """Which messages were skipped and why, for the operator's stdout: names are not stored."""
    messages_new: int = 0
    messages_duplicate: int = 0
    samples_expired: int = 0
    samples_retained: int = 0
    senders_relearned: int = 0
    senders_carried: int = 0
    clusters: int = 0
    clusters_new: int = 0
    clusters_changed: int = 0
    clusters_unchanged: int = 0
    clusters_retired: int = 0
    clusters_with_rules: int = 0
    clusters_below_k: int = 0
    rules: int = 0
    rules_added: int = 0
    rules_changed: int = 0
    rules_dropped: int = 0
    coverage: dict[str, Coverage] = Field(default_factory=dict)
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    model_corrections: int | None = None
    """Operators' corrections among the role model's training labels, from the model's own
    metadata (``train-roles --corrections``); None without a model or when it does not record it."""


_COUNTS = {"messages", "recipients", "first_seen", "last_seen"}
_UNCOMPARED = _COUNTS | {"skeleton_html", "skeleton_id"}  # how the store keeps the skeleton HTML


def _rule_key(rule: FieldRule) -> tuple[object, ...]:
    return (rule.field, *rule.address.key())


def _diff(old: list[ClusterRules], new: list[ClusterRules], report: RunReport) -> None:
    """Count new/changed/unchanged/retired clusters and added/changed/dropped rules."""
    before = {c.cluster: c for c in old}
    after = {c.cluster: c for c in new}
    for key, c in after.items():
        prev = before.get(key)
        if prev is None:
            report.clusters_new += 1
            report.rules_added += len(c.rules)
            continue
        if prev.model_dump(exclude=_UNCOMPARED) == c.model_dump(exclude=_UNCOMPARED):
            report.clusters_unchanged += 1
            continue
        report.clusters_changed += 1
        was = {_rule_key(r): r for r in prev.rules}
        now = {_rule_key(r): r for r in c.rules}
        report.rules_added += len(now.keys() - was.keys())
        report.rules_dropped += len(was.keys() - now.keys())
        report.rules_changed += sum(1 for k in now.keys() & was.keys() if now[k] != was[k])
    for key, c in before.items():
        if key not in after:
            report.clusters_retired += 1
            report.rules_dropped += len(c.rules)


def _coverage(clusters: Iterable[ClusterRules], report: RunReport) -> None:
    for c in clusters:
        cov = report.coverage.setdefault(vertical_of(c), Coverage())
        cov.clusters += 1
        cov.messages += c.messages
        if c.rules:
            cov.clusters_with_rules += 1
            cov.messages_with_rules += c.messages
        report.clusters += 1
        report.rules += len(c.rules)
        report.clusters_with_rules += bool(c.rules)
        report.clusters_below_k += c.recipients < report.min_recipients
    report.coverage = dict(sorted(report.coverage.items()))


def run_learning(
    store: RuleStore,
    paths: list[str] | None = None,
    *,
    engine: Engine | None = None,
    job: LearnJob,
    incremental: bool = True,
    messages: Iterable[tuple[str, bytes]] | None = None,
    samples: Iterable[Sample] | None = None,
    allow_shrink: bool = False,
    max_retired_share: float = MAX_RETIRED_SHARE,
) -> RunReport:
    """One learning run over ``paths`` (or raw ``messages``, or prepared ``samples``, on any
    engine): publishes a new rule-set version with its report and state in one transaction and
    returns the report (raises :class:`RefusedRun`, publishing nothing, for a rule set it must not
    serve)."""
    t0 = time.perf_counter()
    engine = engine or LocalEngine()
    report = RunReport(
        engine=engine.name,
        mode="incremental" if incremental else "full",
        started=datetime.now(UTC),
        min_recipients=job.min_recipients,
        retention_days=job.retention_days,
    )
    log.info("%s run on engine %s started", report.mode, engine.name)
    model = model_for(job.model_path)
    report.model_corrections = model.spec.corrections if model is not None else None
    start = time.perf_counter()
    current = store.load()
    report.stage_seconds["load_rules"] = time.perf_counter() - start

    def load_states(senders: list[str]) -> dict[str, str]:
        if not incremental:
            return {}
        return {k: v.body for k, v in store.load_states(senders).items()}

    if samples is not None:
        out = engine.run_samples(samples, job, load_states)
    elif messages is not None:
        out = engine.run_messages(messages, job, load_states)
    else:
        out = engine.run(list(paths or []), job, load_states)
    for stage, secs in out.seconds.items():
        report.stage_seconds[stage] = secs
    start = time.perf_counter()
    report.messages_read, report.messages_skipped = out.read, out.skipped
    report.skipped = dict(sorted(out.skip_reasons.items()))
    report.skipped_named = out.skipped_named
    relearned = {r.sender for r in out.results if r.relearned}
    states: list[SenderState] = []
    new_clusters: list[ClusterRules] = []
    for r in out.results:
        report.messages_new += r.fresh
        report.messages_duplicate += r.duplicates
        report.samples_expired += r.expired
        if r.relearned:
            new_clusters.extend(r.clusters)
            states.append(SenderState(r.sender, r.state, r.oldest_kept))
    report.senders_relearned = len(relearned)
    if incremental:
        carried = [c for c in current.clusters if c.sender not in relearned]
        report.senders_carried = len({c.sender for c in carried})
        # retention sweep of the senders that were not relearned tonight
        stale = [s for s in store.state_senders(kept_before=job.cutoff) if s not in relearned]
        for sender, st in store.load_states(stale).items():
            body, oldest, dropped = prune_state(st.body, job)
            report.samples_expired += dropped
            states.append(SenderState(sender, body, oldest))
        old = [c for c in current.clusters if c.sender in relearned]
    else:
        carried, old = [], list(current.clusters)
    clusters = sorted(carried + new_clusters, key=lambda c: (c.sender, c.cluster))
    _diff(old, new_clusters, report)
    report.clusters_unchanged += len(carried)
    _coverage(clusters, report)
    report.samples_retained = sum(r.retained for r in out.results if r.relearned)
    report.stage_seconds["merge"] = time.perf_counter() - start
    # operators' corrections outlive every run: re-applied to what was learned tonight
    ruleset = apply_corrections(RuleSet(clusters=clusters), store.corrections())
    _check_publishable(ruleset, current, report, allow_shrink, max_retired_share)
    start = time.perf_counter()
    report.seconds = time.perf_counter() - t0
    version = store.publish_run(ruleset, report.model_dump_json(), states, replace_states=not incremental)
    report.version = version
    report.stage_seconds["publish"] = time.perf_counter() - start
    report.stage_seconds = {k: round(v, 3) for k, v in report.stage_seconds.items()}
    report.seconds = round(time.perf_counter() - t0, 3)
    log.info(
        "published version %d: %d messages read, %d clusters (%d new, %d changed, %d retired), %d rules",
        version,
        report.messages_read,
        report.clusters,
        report.clusters_new,
        report.clusters_changed,
        report.clusters_retired,
        report.rules,
    )
    return report


def _check_publishable(
    ruleset: RuleSet, current: RuleSet, report: RunReport, allow_shrink: bool, max_retired_share: float
) -> None:
    """Raise :class:`RefusedRun` for a rule set that must not replace ``current``."""
    try:
        check_patterns(ruleset)
    except PatternError as exc:
        raise RefusedRun(str(exc)) from exc
    if allow_shrink:
        return
    hint = "nothing was published; pass --allow-shrink to publish it anyway"
    if not ruleset.clusters:
        raise RefusedRun(
            f"the run would publish an empty rule set ({report.messages_read} messages read, "
            f"{report.messages_skipped} skipped; the current version has {len(current.clusters)} "
            f"clusters): {hint}"
        )
    if current.clusters and report.clusters_retired > max_retired_share * len(current.clusters):
        raise RefusedRun(
            f"the run would retire {report.clusters_retired} of the current {len(current.clusters)} "
            f"clusters (more than {max_retired_share:.0%}): {hint}"
        )


def format_report(report: RunReport) -> str:
    """The run report as plain text for stdout (counts and timings only)."""
    r = report
    lines = [
        f"learned rule-set version {r.version} ({r.engine} engine, {r.mode}) in {r.seconds:.1f} s",
        f"messages: read {r.messages_read}, skipped {r.messages_skipped}, new {r.messages_new}, "
        f"duplicate {r.messages_duplicate}; retained samples {r.samples_retained}, "
        f"expired {r.samples_expired}",
        *(["skipped: " + ", ".join(f"{why} {n}" for why, n in r.skipped.items())] if r.skipped else []),
        *(f"  skipped {named}" for named in r.skipped_named),
        *(
            [f"  ... and {unnamed} more"]
            if (unnamed := r.messages_skipped - len(r.skipped_named)) > 0
            else []
        ),
        f"senders: relearned {r.senders_relearned}, carried over {r.senders_carried}",
        f"clusters: {r.clusters} (with rules {r.clusters_with_rules}, below k={r.min_recipients} "
        f"recipients {r.clusters_below_k}); new {r.clusters_new}, changed {r.clusters_changed}, "
        f"unchanged {r.clusters_unchanged}, retired {r.clusters_retired}",
        f"rules: {r.rules}; added {r.rules_added}, changed {r.rules_changed}, dropped {r.rules_dropped}",
        "coverage:  vertical     clusters  with rules  messages  with rules",
    ]
    for name, c in r.coverage.items():
        share = c.messages_with_rules / c.messages if c.messages else 0.0
        lines.append(
            f"           {name:<12} {c.clusters:>8} {c.clusters_with_rules:>11} {c.messages:>9} "
            f"{c.messages_with_rules:>11} ({share:.0%})"
        )
    lines.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in r.stage_seconds.items()))
    return "\n".join(lines)
