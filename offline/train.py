"""Training the role classifier from labelled corpora: truth values matched to induced slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mailstencil.rules.corrections import Correction, slot_key
from mailstencil.rules.text import normalize_value

from .defaults import DEFAULT_MIN_RECIPIENTS
from .features import SlotFacts, table_features
from .induce import ClusterTable, Slot
from .learn import cluster_tables, doc_words, published, slot_rule, subject_of
from .roles import NONE, RoleModel, train_model
from .sample import Sample
from .truth import TruthRecord, value_key

__all__ = ["TrainingSet", "label_slot", "oracle_names", "training_set", "train_roles", "CORRECTIONS"]

LABEL_AGREEMENT = 0.5
CORRECTIONS = "corrections"
"""The source of slots labelled by an operator's correction alone (their cluster has no truth)."""


@dataclass(slots=True)
class TrainingSet:
    """Slots' features, the facts their gates read, their labels, and the source each came from."""

    features: list[list[str]] = field(default_factory=list)
    facts: list[SlotFacts] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    corrected: list[bool] = field(default_factory=list)  # labelled by an operator's correction


def label_slot(slot: Slot, members: list[Sample], truth: dict[str, TruthRecord]) -> str:
    """The field whose truth values the slot's values equal most often, else ``NONE``; values
    compare as scoring compares them (:func:`mailstencil.offline.truth.value_key`: an amount by its number),
    and a tie goes to the field whose values the slot's equal as text most often (a subtotal and
    a total of the same amount: the slot that shows the total's currency code is the total)."""
    hits: dict[str, int] = {}
    exact: dict[str, int] = {}
    total = 0
    for sample, row in zip(members, slot.values, strict=True):
        rec = truth.get(sample.message_id)
        if rec is None or not row:
            continue
        total += len(row)
        fields = {
            name: ({value_key(name, v) for v in vals}, {normalize_value(v) for v in vals})
            for name, vals in rec.fields.items()
        }
        for value in row:
            for name, (keys, texts) in fields.items():
                if value_key(name, value) in keys:
                    hits[name] = hits.get(name, 0) + 1
                    exact[name] = exact.get(name, 0) + (normalize_value(value) in texts)
    if not total or not hits:
        return NONE
    name = max(hits, key=lambda k: (hits[k], exact[k]))
    return name if hits[name] >= LABEL_AGREEMENT * total else NONE


def oracle_names(table: ClusterTable, truth: dict[str, TruthRecord]) -> list[tuple[str, float]]:
    """Every slot of a table named with its true field (as training labels it), confidence 1: the
    naming oracle, which shows what the slots alone would reach if naming never failed."""
    return [(label_slot(slot, table.members, truth), 1.0) for slot in table.slots]


def _latest(corrections: Iterable[Correction]) -> dict[tuple[str, str], str]:
    """(cluster, slot key) -> the field of its latest correction (``NONE``: not a field)."""
    out: dict[tuple[str, str], str] = {}
    for c in sorted(corrections, key=lambda c: c.id):
        out[(c.cluster, c.slot)] = c.field or NONE
    return out


def training_set(
    samples: Iterable[Sample],
    truth: dict[str, TruthRecord],
    min_recipients: int = DEFAULT_MIN_RECIPIENTS,
    corrections: Iterable[Correction] = (),
) -> TrainingSet:
    """Induce every eligible cluster and label its slots from the truth; a slot an operator
    corrected (``corrections``, from the rule store) takes the correction's field instead, and in
    a cluster without truth only the corrected slots are labelled (source :data:`CORRECTIONS`)."""
    fixes = _latest(corrections)
    corrected = {cluster for cluster, _ in fixes}
    out = TrainingSet()
    for cluster, table in cluster_tables(samples, min_recipients):
        if table is None:
            continue
        rec = next((truth[s.message_id] for s in cluster.members if s.message_id in truth), None)
        if rec is None and cluster.key not in corrected:
            continue
        form = published(cluster, table, [])
        feats = table_features(table.slots, subject_of(cluster), doc_words(table))
        for slot, (f, facts) in zip(table.slots, feats, strict=True):
            fix = fixes.get((cluster.key, slot_key(form, slot_rule(slot, "", 0.0))))
            if fix is None and rec is None:
                continue
            out.features.append(f)
            out.facts.append(facts)
            out.labels.append(fix if fix is not None else label_slot(slot, table.members, truth))
            out.sources.append(rec.source if rec is not None else CORRECTIONS)
            out.corrected.append(fix is not None)
    return out


def train_roles(
    data: TrainingSet, exclude_sources: Iterable[str] = (), families: Iterable[str] = ()
) -> RoleModel:
    """Fit the role model on a training set, leaving out the given sources; the model records how
    many of its labels came from operators' corrections.

    ``families``: sources that are template families of their own (real senders' template sets,
    not our sample generator's); the model averages fits that each leave one of them out (see
    :func:`mailstencil.offline.roles.train_model`)."""
    skip = set(exclude_sources)
    fam = set(families)
    keep = [i for i, s in enumerate(data.sources) if s not in skip]
    model = train_model(
        [data.features[i] for i in keep],
        [data.labels[i] for i in keep],
        [data.facts[i] for i in keep],
        groups=[data.sources[i] if data.sources[i] in fam else None for i in keep],
    )
    corrected = sum(data.corrected[i] for i in keep)
    return RoleModel(model.spec.model_copy(update={"corrections": corrected}))
