"""Leave-one-source-out evaluation of the role classifier: the development metric.

For each real source of ../shared/corpus: train the role model on the other sources plus our own
sample corpus (older 70% of each sender only; fits that each leave one more corpus source out,
averaged, as ``scripts/train-roles.sh`` trains the shipped model), learn rules for the left-out
source on its older 70%, extract its newest 30% and score strictly (amounts by their number, as
``mailstencil evaluate``). Each source's slots are induced once; they are named at every threshold
of the abstain curve. Reported per source, with the mean over sources and the worst source (by
F1) at the shipped threshold ``mailstencil.offline.roles.THRESHOLD``.

    python benchmarks/roles_loso.py [--sources a,b] [--thresholds 0.5,0.55] [--no-sample]
                                    [--oracle] [--one-fit] [--curve [--draws 3] [--seed 0]]
                                    [--out FILE.md]

``--one-fit`` trains each left-out source's model as one fit (no family averaging): several times
faster, the development loop's quick table; its figures differ from the shipped training's, so
compare one-fit runs only with one-fit runs. ``--no-sample`` trains without our synthetic sample
corpus (what does it add now that real sources exist?). ``--oracle`` adds, per source, the P/R of
an oracle that names every learned slot with its true field (labelled from the truth as training
labels slots): the gap to it is the naming's, the rest is the slots'. ``--curve`` replaces the
table by a learning curve: the mean P/R over left-out sources when training on 3, 5, 7, 9 of the
other sources (``--draws`` random subsets per size, fixed ``--seed``), each model one fit without
family averaging to bound the time. The Markdown report and a JSON file of the numbers go to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from statistics import mean
from tempfile import TemporaryDirectory

from pydantic import BaseModel

from mailstencil.offline.clustering import Cluster
from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.defaults import DEFAULT_MIN_RECIPIENTS
from mailstencil.offline.evaluate import score_ruleset, split_by_date
from mailstencil.offline.induce import ClusterTable
from mailstencil.offline.learn import by_sender, cluster_tables, decode_names, published, slot_names
from mailstencil.offline.roles import THRESHOLD, RoleModel, train_model
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.samplegen import generate
from mailstencil.offline.train import TrainingSet, oracle_names, training_set
from mailstencil.offline.truth import Score, TruthRecord, load_truth
from mailstencil.rules.model import RuleSet

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results"
THRESHOLDS = (0.0, 0.3, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)
CURVE_SIZES = (3, 5, 7, 9)
MIN_RECIPIENTS = DEFAULT_MIN_RECIPIENTS
OWN = "own:"  # prefix of our sample corpus's sources

Names = list[tuple[str, float]]
Namer = Callable[[Cluster, ClusterTable], Names]


class PRF(BaseModel):
    """Strict counts and their precision, recall and F1."""

    tp: int
    fp: int
    fn: int
    p: float
    r: float
    f1: float

    @classmethod
    def of(cls, score: Score) -> PRF:
        p, r, f = Score.prf(score.tp, score.fp, score.fn)
        return cls(tp=score.tp, fp=score.fp, fn=score.fn, p=round(p, 4), r=round(r, 4), f1=round(f, 4))


class SourceResult(BaseModel):
    """One left-out source: its scores at each threshold, and the oracle's."""

    source: str
    truth_values: int
    at: dict[str, PRF]  # threshold (formatted) -> score
    oracle: PRF | None = None


class Mean(BaseModel):
    """Unweighted means over left-out sources (each source counts once, whatever its size)."""

    p: float
    r: float
    f1: float


class CurvePoint(BaseModel):
    """Training on ``size`` other real sources: the mean over left-out sources and draws."""

    size: int
    models: int
    mean: Mean


class Report(BaseModel):
    """The JSON file of one run."""

    threshold: float
    thresholds: list[float]
    sample_corpus: bool
    family_averaging: bool
    sources: list[SourceResult] = []
    mean: dict[str, Mean] = {}
    worst: str = ""
    oracle_mean: Mean | None = None
    curve: list[CurvePoint] = []
    seconds: float = 0.0


@dataclass(slots=True)
class Setup:
    """Everything read and labelled once: the truth, the split, the training slots."""

    truth: dict[str, TruthRecord]
    train: list[Sample]
    test: list[Sample]
    data: TrainingSet
    real: list[str]  # the corpus's sources (template families)


@dataclass(slots=True)
class Held:
    """One left-out source: its clusters and induced tables (learned once), its newest 30%."""

    source: str
    tables: list[tuple[Cluster, ClusterTable | None]]
    test: list[Sample]


def _samples(root: Path) -> list[Sample]:
    return [s for s in (prepare(n, r) for n, r in iter_raw_messages([root])) if s is not None]


def load_setup(sample: bool) -> Setup:
    """Read the corpus (and generate our sample corpus unless ``sample`` is off), split each sender
    by date, and label the training slots of the older 70%."""
    truth = load_truth(sorted(CORPUS.glob("*/truth.jsonl")))
    corpus = [s for s in _samples(CORPUS) if s.message_id in truth]
    real = sorted({truth[s.message_id].source for s in corpus})
    own: list[Sample] = []
    if sample:
        with TemporaryDirectory() as tmp:
            own_dir = generate(Path(tmp), messages_per_template=12, seed=1)
            own_truth = load_truth(sorted(own_dir.glob("*/truth.jsonl")))
            own = _samples(own_dir)
        for rec in own_truth.values():
            rec.source = OWN + rec.source
        truth.update(own_truth)
    train, test = split_by_date(corpus + own, 0.3)
    return Setup(truth, train, test, training_set(train, truth, MIN_RECIPIENTS), real)


def fit(setup: Setup, sources: Iterable[str], averaged: bool) -> RoleModel:
    """The role model trained on the slots of ``sources`` and of our sample corpus (when loaded);
    ``averaged``: fits that each leave one real source out, averaged (the shipped training)."""
    keep_sources = set(sources)
    data = setup.data
    keep = [k for k, s in enumerate(data.sources) if s in keep_sources or s.startswith(OWN)]
    groups = [data.sources[k] if averaged and data.sources[k] in setup.real else None for k in keep]
    return train_model(
        [data.features[k] for k in keep],
        [data.labels[k] for k in keep],
        [data.facts[k] for k in keep],
        threshold=0.0,
        groups=groups,
    )


def held_out(setup: Setup, source: str) -> Held:
    """A source's clusters induced from its older 70% (per sender, as learning runs)."""
    mine = [s for s in setup.train if setup.truth[s.message_id].source == source]
    tables = [ct for group in by_sender(mine).values() for ct in cluster_tables(group, MIN_RECIPIENTS)]
    test = [s for s in setup.test if setup.truth[s.message_id].source == source]
    return Held(source, tables, test)


def model_namer(model: RoleModel) -> Namer:
    return lambda cluster, table: slot_names(cluster, table, model)


def oracle_namer(truth: dict[str, TruthRecord]) -> Namer:
    return lambda _cluster, table: oracle_names(table, truth)


def scores(setup: Setup, held: Held, namer: Namer, thresholds: Iterable[float]) -> dict[float, Score]:
    """Name the held-out source's slots once, decode the rules at each threshold, extract and score."""
    names = [namer(c, t) if t is not None else [] for c, t in held.tables]
    out: dict[float, Score] = {}
    for threshold in thresholds:
        clusters = [
            published(c, t, decode_names(t.slots, n, threshold) if t is not None else [])
            for (c, t), n in zip(held.tables, names, strict=True)
        ]
        out[threshold] = score_ruleset(RuleSet(clusters=clusters), held.test, setup.truth).overall
    return out


def _mean(results: Iterable[PRF | Mean]) -> Mean:
    rows = list(results)
    return Mean(
        p=round(mean(x.p for x in rows), 4),
        r=round(mean(x.r for x in rows), 4),
        f1=round(mean(x.f1 for x in rows), 4),
    )


def _key(t: float) -> str:
    return f"{t:.2f}"


def loso(setup: Setup, sources: list[str], thresholds: list[float], oracle: bool, report: Report) -> None:
    """Each source left out in turn: the model trained as shipped (or one fit, as the report
    says), and optionally the oracle."""
    for source in sources:
        held = held_out(setup, source)
        model = fit(setup, [s for s in setup.real if s != source], averaged=report.family_averaging)
        got = scores(setup, held, model_namer(model), thresholds)
        res = SourceResult(
            source=source,
            truth_values=got[THRESHOLD].tp + got[THRESHOLD].fn,
            at={_key(t): PRF.of(sc) for t, sc in got.items()},
        )
        if oracle:
            res.oracle = PRF.of(scores(setup, held, oracle_namer(setup.truth), [1.0])[1.0])
        report.sources.append(res)
        print(_source_row(res, THRESHOLD), flush=True)
    report.mean = {_key(t): _mean(r.at[_key(t)] for r in report.sources) for t in thresholds}
    report.worst = min(report.sources, key=lambda r: r.at[_key(THRESHOLD)].f1).source
    if oracle:
        report.oracle_mean = _mean(r.oracle for r in report.sources if r.oracle is not None)


def subsets(others: list[str], size: int, draws: int, rng: random.Random) -> list[tuple[str, ...]]:
    """``draws`` distinct random subsets of ``size`` sources (all of them when there are fewer)."""
    every = list(combinations(others, size))
    return every if len(every) <= draws else rng.sample(every, draws)


def curve(setup: Setup, sources: list[str], draws: int, seed: int, report: Report) -> None:
    """The learning curve: per training size, the mean over left-out sources of the mean over
    draws, each model one fit (no family averaging)."""
    rng = random.Random(seed)
    held = {s: held_out(setup, s) for s in sources}
    for size in CURVE_SIZES:
        per_source: list[Mean] = []
        models = 0
        for source in sources:
            others = [s for s in setup.real if s != source]
            if size > len(others):
                continue
            runs = []
            for subset in subsets(others, size, draws, rng):
                model = fit(setup, subset, averaged=False)
                runs.append(PRF.of(scores(setup, held[source], model_namer(model), [THRESHOLD])[THRESHOLD]))
            models += len(runs)
            per_source.append(_mean(runs))
        if per_source:
            report.curve.append(CurvePoint(size=size, models=models, mean=_mean(per_source)))
            print(f"| {size} | {models} | {_cells(report.curve[-1].mean)} |", flush=True)


def _cells(m: Mean | PRF) -> str:
    return f"{m.p:.3f} | {m.r:.3f} | {m.f1:.3f}"


def _source_row(res: SourceResult, threshold: float) -> str:
    row = f"| {res.source} | {_cells(res.at[_key(threshold)])} | {res.truth_values} |"
    return row + (f" {res.oracle.p:.3f} | {res.oracle.r:.3f} |" if res.oracle is not None else "")


def markdown(report: Report, oracle: bool) -> str:
    """The report's tables: per source at the shipped threshold with mean and worst, the abstain
    curve per source, or the learning curve."""
    training = (
        ("our sample corpus and " if report.sample_corpus else "")
        + "the other real sources"
        + (", fits averaged over leaving one more out" if report.family_averaging else ", one fit")
    )
    lines = [f"Trained on {training}; {report.seconds:.0f} s.", ""]
    if report.curve:
        lines += [
            f"Learning curve at the shipped threshold {THRESHOLD}: mean over left-out sources of the mean "
            "over random subsets of the other real sources; each model is ONE fit (no family averaging, "
            "unlike the shipped training) to bound the time.",
            "",
            "| training sources | models | mean P | mean R | mean F1 |",
            "|---|---|---|---|---|",
        ]
        lines += [f"| {c.size} | {c.models} | {_cells(c.mean)} |" for c in report.curve]
        return "\n".join(lines) + "\n"
    t = _key(THRESHOLD)
    head = "| left-out source | P | R | F1 | truth values |" + (" oracle P | oracle R |" if oracle else "")
    lines += [f"At the shipped threshold {THRESHOLD}:", "", head, "|" + "---|" * (head.count("|") - 1)]
    lines += [_source_row(r, THRESHOLD) for r in report.sources]
    om = report.oracle_mean
    lines.append(
        f"| **mean** | {_cells(report.mean[t])} | |"
        + (f" {om.p:.3f} | {om.r:.3f} |" if om is not None else "")
    )
    worst = next(r for r in report.sources if r.source == report.worst)
    lines += [
        "",
        f"Worst source by F1: **{worst.source}** ({_cells(worst.at[t]).replace(' | ', ' / ')}).",
        "",
    ]
    keys = [_key(x) for x in report.thresholds]
    lines += [
        "P / R per threshold:",
        "",
        "| left-out source | " + " | ".join(f"@{k}" for k in keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for r in report.sources:
        lines.append(
            f"| {r.source} | " + " | ".join(f"{r.at[k].p:.3f} / {r.at[k].r:.3f}" for k in keys) + " |"
        )
    lines.append(
        "| **mean** | "
        + " | ".join(f"**{report.mean[k].p:.3f} / {report.mean[k].r:.3f}**" for k in keys)
        + " |"
    )
    return "\n".join(lines) + "\n"


def _default_out(args: argparse.Namespace) -> Path:
    name = "roles_loso" + ("_curve" if args.curve else "") + ("_nosample" if args.no_sample else "")
    name += "_onefit" if args.one_fit and not args.curve else ""
    name += "_" + "-".join(args.sources.split(",")) if args.sources else ""
    return RESULTS / f"{name}.md"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sources", default="", help="comma-separated sources to leave out (default: every real one)"
    )
    ap.add_argument("--thresholds", default="", help=f"comma-separated (default: {THRESHOLDS})")
    ap.add_argument("--no-sample", action="store_true", help="train without our synthetic sample corpus")
    ap.add_argument("--oracle", action="store_true", help="add the oracle's P/R per source")
    ap.add_argument("--one-fit", action="store_true", help="one fit per model, no family averaging (quick)")
    ap.add_argument("--curve", action="store_true", help="the learning curve instead of the table")
    ap.add_argument("--draws", type=int, default=3, help="random training subsets per curve size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="", help="the Markdown report (JSON next to it); default by options")
    args = ap.parse_args()
    start = time.perf_counter()
    thresholds = sorted({float(x) for x in args.thresholds.split(",") if x} or set(THRESHOLDS))
    thresholds = sorted(set(thresholds) | {THRESHOLD})
    setup = load_setup(sample=not args.no_sample)
    sources = [s for s in args.sources.split(",") if s] or setup.real
    unknown = set(sources) - set(setup.real)
    if unknown:
        raise SystemExit(f"unknown sources: {sorted(unknown)} (have {setup.real})")
    report = Report(
        threshold=THRESHOLD,
        thresholds=[THRESHOLD] if args.curve else thresholds,
        sample_corpus=not args.no_sample,
        family_averaging=not (args.curve or args.one_fit),
    )
    print(f"prepared in {time.perf_counter() - start:.0f} s", flush=True)
    if args.curve:
        curve(setup, sources, args.draws, args.seed, report)
    else:
        loso(setup, sources, thresholds, args.oracle, report)
    report.seconds = round(time.perf_counter() - start, 1)
    text = markdown(report, args.oracle)
    print(text)
    out = Path(args.out) if args.out else _default_out(args)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(report.model_dump_json(indent=1) + "\n")


if __name__ == "__main__":
    main()
