"""``mailstencil evaluate``: learn on each sender's older mail, extract the newest, score strictly."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sklearn.metrics import homogeneity_completeness_v_measure

from mailstencil.rules.apply import Extractor
from mailstencil.rules.message import ParsedMessage
from mailstencil.rules.model import RuleSet
from mailstencil.rules.vocabulary import LINE_ITEM_FIELDS

from .defaults import DEFAULT_MIN_RECIPIENTS
from .learn import learn
from .roles import RoleModel
from .sample import Sample
from .truth import Score, TruthRecord, score_message

__all__ = [
    "split_by_date",
    "Clustering",
    "Evaluation",
    "evaluate",
    "score_ruleset",
    "f1",
    "format_evaluation",
]


def split_by_date(samples: list[Sample], holdout: float) -> tuple[list[Sample], list[Sample]]:
    """Per sender, the older ``1 - holdout`` to learn from and the newest ``holdout`` to extract."""
    by_sender: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_sender[s.sender].append(s)
    train: list[Sample] = []
    test: list[Sample] = []
    for sender in sorted(by_sender):
        group = sorted(by_sender[sender], key=lambda s: (s.date, s.message_id))
        cut = len(group) - math.ceil(holdout * len(group))
        train.extend(group[:cut])
        test.extend(group[cut:])
    return train, test


@dataclass(frozen=True, slots=True)
class Clustering:
    """How the clusters a message lands in agree with its true sender-template."""

    homogeneity: float = 0.0
    completeness: float = 0.0
    v_measure: float = 0.0

    @classmethod
    def of(cls, labels: list[str], predicted: list[str]) -> Clustering:
        h, c, v = homogeneity_completeness_v_measure(labels, predicted)
        return cls(float(h), float(c), float(v))


@dataclass(slots=True)
class Evaluation:
    """Strict field-level scores and clustering quality of one evaluation run."""

    overall: Score = field(default_factory=Score)
    by_field: Score = field(default_factory=Score)
    by_source: Score = field(default_factory=Score)
    by_source_field: Score = field(default_factory=Score)  # keyed ``source/field``
    homogeneity: float = 0.0
    completeness: float = 0.0
    v_measure: float = 0.0
    clustering_by_source: dict[str, Clustering] = field(default_factory=dict)
    clusters: int = 0
    train: int = 0
    test: int = 0
    known: int = 0
    seconds: float = 0.0
    ruleset: RuleSet | None = None
    held_out: list[Sample] = field(default_factory=list)


def evaluate(
    samples: list[Sample],
    truth: dict[str, TruthRecord],
    model: RoleModel | None,
    holdout: float = 0.3,
    min_recipients: int = DEFAULT_MIN_RECIPIENTS,
) -> Evaluation:
    """Learn on the older messages, extract the newer ones and score them against the truth."""
    start = time.perf_counter()
    samples = [s for s in samples if s.message_id in truth]
    train, test = split_by_date(samples, holdout)
    ruleset, _ = learn(train, model, min_recipients)
    ev = score_ruleset(ruleset, test, truth)
    ev.train = len(train)
    ev.seconds = time.perf_counter() - start
    return ev


def score_ruleset(ruleset: RuleSet, test: list[Sample], truth: dict[str, TruthRecord]) -> Evaluation:
    """Extract ``test`` with a rule set learned any way (one run, an engine, several nights) and
    score it strictly: overall, per field, per source, and the clustering against the truth."""
    extractor = Extractor(ruleset)
    ev = Evaluation(clusters=len(ruleset.clusters), ruleset=ruleset, held_out=test)
    labels: list[str] = []
    predicted: list[str] = []
    sources: list[str] = []
    for s in test:
        rec = truth.get(s.message_id)
        if rec is None:
            continue
        ev.test += 1
        msg = ParsedMessage(s.sender, s.subject, s.message_id, s.date, [s.recipient])
        got = extractor.extract_leaves(msg, s.leaves)
        ev.known += got.known
        labels.append(f"{rec.sender}|{rec.template}")
        predicted.append(got.cluster or f"unknown:{s.sender}")
        sources.append(rec.source)
        for name, (tp, fp, fn) in score_message(rec.fields, got.fields, LINE_ITEM_FIELDS).items():
            ev.overall.add("all", tp, fp, fn)
            ev.by_field.add(name, tp, fp, fn)
            ev.by_source.add(rec.source, tp, fp, fn)
            ev.by_source_field.add(f"{rec.source}/{name}", tp, fp, fn)
    if labels:
        whole = Clustering.of(labels, predicted)
        ev.homogeneity, ev.completeness, ev.v_measure = whole.homogeneity, whole.completeness, whole.v_measure
        for source in sorted(set(sources)):
            mine = [k for k, x in enumerate(sources) if x == source]
            ev.clustering_by_source[source] = Clustering.of(
                [labels[k] for k in mine], [predicted[k] for k in mine]
            )
    return ev


def f1(ev: Evaluation) -> float:
    """Overall strict F1 of an evaluation."""
    return Score.prf(ev.overall.tp, ev.overall.fp, ev.overall.fn)[2]


def _row(name: str, c: dict[str, int] | Score) -> str:
    tp, fp, fn = (c.tp, c.fp, c.fn) if isinstance(c, Score) else (c["tp"], c["fp"], c["fn"])
    p, r, f = Score.prf(tp, fp, fn)
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {tp + fn} |"


def format_evaluation(ev: Evaluation) -> str:
    """A Markdown report: overall, per source, per field, clustering."""
    lines = [
        f"learned on {ev.train} messages, extracted {ev.test} ({ev.known} in a known cluster), "
        f"{ev.clusters} clusters, {ev.seconds:.1f} s",
        "",
        "| scope | precision | recall | F1 | truth values |",
        "|---|---|---|---|---|",
        _row("**all**", ev.overall),
    ]
    lines += [_row(k, v) for k, v in sorted(ev.by_source.by.items())]
    lines += ["", "| field | precision | recall | F1 | truth values |", "|---|---|---|---|---|"]
    lines += [_row(k, v) for k, v in sorted(ev.by_field.by.items())]
    lines += ["", "| source | homogeneity | completeness | V-measure |", "|---|---|---|---|"]
    lines += [
        f"| {k} | {c.homogeneity:.3f} | {c.completeness:.3f} | {c.v_measure:.3f} |"
        for k, c in sorted(ev.clustering_by_source.items())
    ]
    lines += [
        "",
        f"clustering: homogeneity {ev.homogeneity:.3f}, completeness {ev.completeness:.3f}, "
        f"V-measure {ev.v_measure:.3f}",
    ]
    return "\n".join(lines)
