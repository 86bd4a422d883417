"""Leave-one-source-out evaluation of the role classifier, with its abstain curve.

For each source of ../shared/corpus: train the role model on the other sources plus our own
sample corpus (older 70% of each sender only; fits that each leave one more corpus source out,
averaged, as ``scripts/train-roles.sh`` trains the shipped model), learn rules for the left-out
source on its older 70%, extract its newest 30% and score strictly. Rules are learned once with every slot's
confidence; the abstain threshold is then applied by dropping rules below it.

    python benchmarks/roles_loso.py [--out benchmarks/results/roles_loso.md]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from offline.corpus import iter_raw_messages
from offline.evaluate import score_ruleset, split_by_date
from offline.learn import learn
from offline.roles import train_model
from offline.sample import Sample, prepare
from offline.samplegen import generate
from offline.train import training_set
from offline.truth import Score, load_truth
from rules.model import RuleSet

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
THRESHOLDS = (0.0, 0.3, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)


def _samples(root: Path) -> list[Sample]:
    return [s for s in (prepare(n, r) for n, r in iter_raw_messages([root])) if s is not None]


def _at(ruleset: RuleSet, threshold: float) -> RuleSet:
    clusters = [
        c.model_copy(update={"rules": [r for r in c.rules if r.confidence >= threshold]})
        for c in ruleset.clusters
    ]
    return ruleset.model_copy(update={"clusters": clusters})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "roles_loso.md"))
    args = ap.parse_args()
    start = time.perf_counter()
    truth = load_truth(sorted(CORPUS.glob("*/truth.jsonl")))
    corpus = [s for s in _samples(CORPUS) if s.message_id in truth]
    with TemporaryDirectory() as tmp:
        own_dir = generate(Path(tmp), messages_per_template=12, seed=1)
        own_truth = load_truth(sorted(own_dir.glob("*/truth.jsonl")))
        own = _samples(own_dir)
    for rec in own_truth.values():
        rec.source = "own:" + rec.source
    truth.update(own_truth)
    train, test = split_by_date(corpus + own, 0.3)
    data = training_set(train, truth)
    sources = sorted({truth[s.message_id].source for s in corpus})
    lines = [
        "| left-out source | " + " | ".join(f"P/R @{t:.2f}" for t in THRESHOLDS) + " |",
        "|---|" + "---|" * len(THRESHOLDS),
    ]
    totals = {t: [0.0, 0.0] for t in THRESHOLDS}
    for source in sources:
        keep = [k for k, s in enumerate(data.sources) if s != source]
        model = train_model(
            [data.features[k] for k in keep],
            [data.labels[k] for k in keep],
            threshold=0.0,
            groups=[data.sources[k] if data.sources[k] in sources else None for k in keep],
        )
        mine_train = [s for s in train if truth[s.message_id].source == source]
        mine_test = [s for s in test if truth[s.message_id].source == source]
        ruleset, _ = learn(mine_train, model)
        cells = []
        for t in THRESHOLDS:
            sc = score_ruleset(_at(ruleset, t), mine_test, truth).overall
            p, r, _ = Score.prf(sc.tp, sc.fp, sc.fn)
            totals[t][0] += p
            totals[t][1] += r
            cells.append(f"{p:.3f} / {r:.3f}")
        lines.append(f"| {source} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    n = len(sources)
    lines.append(
        "| **mean** | " + " | ".join(f"**{v[0] / n:.3f} / {v[1] / n:.3f}**" for v in totals.values()) + " |"
    )
    report = "\n".join(lines)
    print(report)
    print(f"({time.perf_counter() - start:.0f} s)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report + "\n")


if __name__ == "__main__":
    main()
