"""Learning: from prepared samples to a published rule set.

Cluster the samples, induce each eligible cluster's slots, name the slots with the role model and
turn the named ones into :class:`mailstencil.rules.model.FieldRule`. Clusters seen by fewer than ``k``
distinct recipients get no rules (privacy: their constant text could be one person's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mailstencil.rules.corrections import slot_identity
from mailstencil.rules.model import ClusterRules, FieldRule, RuleSet
from mailstencil.rules.vocabulary import LINE_ITEM_FIELDS

from .clustering import Cluster, cluster_samples
from .defaults import DEFAULT_MIN_RECIPIENTS
from .features import table_features
from .induce import ClusterTable, Slot, induce
from .roles import NONE, RoleModel
from .sample import Sample

__all__ = [
    "LearnReport",
    "enough",
    "core_members",
    "cluster_tables",
    "tables_of",
    "doc_words",
    "subject_of",
    "slot_names",
    "decode_names",
    "published",
    "slot_rule",
    "cluster_rules",
    "learn_sender",
    "learn_clusters",
    "by_sender",
    "report_of",
    "learn",
    "MIN_MESSAGES",
]

MIN_MESSAGES = 3
CORE_SHARE = 0.7
BACKUP_CONFIDENCE = 0.8


@dataclass(slots=True)
class LearnReport:
    """Counts of one learning run (never values)."""

    messages: int = 0
    clusters: int = 0
    clusters_with_rules: int = 0
    rules: int = 0
    fields: dict[str, int] = field(default_factory=dict)


def enough(members: list[Sample], min_recipients: int) -> bool:
    """Whether messages are enough to learn from: enough of them, from enough distinct recipients."""
    return len(members) >= MIN_MESSAGES and len({s.reader for s in members}) >= min_recipients


def core_members(cluster: Cluster) -> list[Sample]:
    """The members that carry at least ``CORE_SHARE`` of the cluster's constant text: the ones
    its rules are induced from. A message that joined for its structure alone (the same template
    in a language too rare to learn) would make the labels it translates look variable."""
    sig = cluster.signature
    if not sig:
        return cluster.members
    return [s for s in cluster.members if len(sig & s.signature) >= CORE_SHARE * len(sig)]


def doc_words(table: ClusterTable) -> frozenset[str]:
    """Lower-cased words of a cluster's landmarks (its constant text): the vertical's vocabulary."""
    words: set[str] = set()
    for lm in table.landmarks:
        if lm.ipath.endswith("@href"):
            continue
        words.update(w.lower() for w in lm.text.split() if len(w) >= 3 and w.isalpha())
    return frozenset(words)


def subject_of(cluster: Cluster) -> frozenset[str]:
    """The cluster's constant Subject words."""
    return frozenset(m.text for m in cluster.signature if m.kind == "subject")


def cluster_tables(
    samples: Iterable[Sample], min_recipients: int
) -> Iterator[tuple[Cluster, ClusterTable | None]]:
    """Every cluster with its table induced from its core members (``None`` when those are not
    :func:`enough`: a subset of the cluster, so the cluster then is not either)."""
    return tables_of(cluster_samples(samples, min_recipients), min_recipients)


def tables_of(
    clusters: Iterable[Cluster], min_recipients: int
) -> Iterator[tuple[Cluster, ClusterTable | None]]:
    """:func:`cluster_tables` of clusters already made."""
    for cluster in clusters:
        core = core_members(cluster)
        if enough(core, min_recipients):
            yield cluster, induce(core, min_recipients)
        else:
            yield cluster, None


def slot_rule(slot: Slot, name: str, confidence: float) -> FieldRule:
    """The rule that extracts ``slot`` as field ``name`` (template text only, no values)."""
    return FieldRule(
        field=name,
        **slot.as_fields(),
        pattern=slot.pattern(),
        xpath=slot.xpath,
        dtype=sorted(slot.dtypes),
        confidence=round(confidence, 4),
        context=slot.near_before[:80],
        context_after=slot.near_after[:80],
        gap=slot.gap,
        line=slot.line,
    )


def slot_names(cluster: Cluster, table: ClusterTable, model: RoleModel) -> list[tuple[str, float]]:
    """The role model's field and probability for each slot of a cluster's table."""
    feats = table_features(table.slots, subject_of(cluster), doc_words(table))
    return [model.predict(f, facts) for f, facts in feats]


def decode_names(slots: list[Slot], names: list[tuple[str, float]], threshold: float) -> list[FieldRule]:
    """Rules for one cluster's slots from a (field, confidence) per slot, however obtained (the
    role model; the truth, for the naming oracle of ``benchmarks/roles_loso.py``).

    Decoded per cluster: a slot below ``threshold`` or named ``NONE`` stays unnamed; a
    single-valued field named for several slots keeps its most confident slot, plus any other slot
    named with at least ``BACKUP_CONFIDENCE`` (extraction takes the most confident rule that finds
    a value, so a backup only speaks when the first slot's block is absent); line-item fields may
    name several slots (name, price, quantity).
    """
    named = [
        (p, k, slot, name)
        for k, (slot, (name, p)) in enumerate(zip(slots, names, strict=True))
        if name != NONE and p >= threshold
    ]
    named.sort(key=lambda t: (-t[0], t[1]))
    table_of = _item_tables(named)
    taken: set[str] = set()
    rules: list[FieldRule] = []
    for p, _, slot, name in named:
        if name not in LINE_ITEM_FIELDS:
            if name in taken and p < BACKUP_CONFIDENCE:
                continue
            taken.add(name)
        elif slot.repeated and table_of.get(name, _row_group(slot)) != _row_group(slot):
            continue
        rules.append(slot_rule(slot, name, p))
    return rules


def _row_group(slot: Slot) -> tuple[int, int]:
    return slot.anchor, slot.row_depth


def _item_tables(named: list[tuple[float, int, Slot, str]]) -> dict[str, tuple[int, int]]:
    """For each line-item field named in several groups of repeated rows, the group it belongs
    to: the one where the most other line-item fields are named (the item table has name,
    quantity and price in one row; a list of payments or variants has fewer), then the most
    confident."""
    fields: dict[tuple[int, int], set[str]] = {}
    for _, _, slot, name in named:
        if slot.repeated and name in LINE_ITEM_FIELDS:
            fields.setdefault(_row_group(slot), set()).add(name)
    best: dict[str, tuple[int, float, tuple[int, int]]] = {}
    for p, _, slot, name in named:
        if slot.repeated and name in LINE_ITEM_FIELDS:
            group = _row_group(slot)
            key = (len(fields[group] - {name}), p, group)
            if name not in best or key[:2] > best[name][:2]:
                best[name] = key
    return {name: key[2] for name, key in best.items()}


def cluster_rules(cluster: Cluster, table: ClusterTable | None, model: RoleModel | None) -> ClusterRules:
    """The published form of one cluster, its slots named by the role model; the slots it left
    unnamed are published too (never applied), so an operator can name one."""
    if table is None or model is None:
        return published(cluster, table, [])
    names = slot_names(cluster, table, model)
    rules = decode_names(table.slots, names, model.threshold)
    named = {slot_identity(r) for r in rules}
    unnamed = [
        slot_rule(slot, "", p)
        for slot, (_, p) in zip(table.slots, names, strict=True)
        if slot_identity(slot_rule(slot, "", p)) not in named
    ]
    return published(cluster, table, rules, unnamed)


def published(
    cluster: Cluster,
    table: ClusterTable | None,
    rules: list[FieldRule],
    unnamed: list[FieldRule] | None = None,
) -> ClusterRules:
    """The published form of one cluster with the given rules (structure, constant text, rules;
    no values)."""
    members = cluster.members
    return ClusterRules(
        cluster=cluster.key,
        sender=cluster.sender,
        paths=sorted(cluster.paths),
        subject=sorted(subject_of(cluster)),
        signature=sorted(cluster.signature, key=lambda m: m.key),
        messages=len(members),
        recipients=len({s.reader for s in members}),
        first_seen=min(s.date for s in members),
        last_seen=max(s.date for s in members),
        landmarks=table.landmarks if table is not None else [],
        selectors=table.selectors if table is not None else [],
        skeleton=table.skeleton if table is not None else [],
        skeleton_html=table.skeleton_html if table is not None else "",
        induced=table is not None,
        rules=rules,
        unnamed=unnamed or [],
    )


def learn_sender(
    samples: list[Sample], model: RoleModel | None, min_recipients: int = DEFAULT_MIN_RECIPIENTS
) -> list[ClusterRules]:
    """Learn one sender's clusters: the unit of work an engine distributes (pure function)."""
    return learn_clusters(cluster_samples(samples, min_recipients), model, min_recipients)


def learn_clusters(
    clusters: list[Cluster], model: RoleModel | None, min_recipients: int
) -> list[ClusterRules]:
    """:func:`learn_sender` of a sender already clustered (the nightly run clusters once)."""
    return [cluster_rules(c, t, model) for c, t in tables_of(clusters, min_recipients)]


def by_sender(samples: Iterable[Sample]) -> dict[str, list[Sample]]:
    """Samples grouped by sender, senders in sorted order."""
    groups: dict[str, list[Sample]] = {}
    for s in samples:
        groups.setdefault(s.sender, []).append(s)
    return {k: groups[k] for k in sorted(groups)}


def report_of(messages: int, clusters: list[ClusterRules]) -> LearnReport:
    """Counts of a learned rule set."""
    report = LearnReport(messages=messages, clusters=len(clusters))
    for c in clusters:
        if c.rules:
            report.clusters_with_rules += 1
            report.rules += len(c.rules)
        for r in c.rules:
            report.fields[r.field] = report.fields.get(r.field, 0) + 1
    return report


def learn(
    samples: list[Sample],
    model: RoleModel | None,
    min_recipients: int = DEFAULT_MIN_RECIPIENTS,
    version: int = 0,
) -> tuple[RuleSet, LearnReport]:
    """Learn a rule set from samples; without a role model slots stay unnamed (no rules)."""
    clusters: list[ClusterRules] = []
    for group in by_sender(samples).values():
        clusters.extend(learn_sender(group, model, min_recipients))
    return RuleSet(version=version, clusters=clusters), report_of(len(samples), clusters)
