"""The naming oracle: every learned slot named with the field its values equal in the truth."""

from __future__ import annotations

from offline.evaluate import score_ruleset, split_by_date
from offline.learn import by_sender, cluster_tables, decode_names, learn, published
from offline.roles import load_default_model
from offline.sample import Sample
from offline.train import oracle_names
from offline.truth import Score, TruthRecord
from rules.model import RuleSet


def test_oracle_names_slots_from_the_truth_and_bounds_the_model(
    sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]
) -> None:
    train, test = split_by_date(sample_samples, 0.3)
    tables = [ct for group in by_sender(train).values() for ct in cluster_tables(group, 5)]
    clusters = [
        published(c, t, decode_names(t.slots, oracle_names(t, sample_truth), 1.0) if t is not None else [])
        for c, t in tables
    ]
    oracle = score_ruleset(RuleSet(clusters=clusters), test, sample_truth).overall
    p, r, _ = Score.prf(oracle.tp, oracle.fp, oracle.fn)
    assert p >= 0.95 and r >= 0.75, (p, r)
    assert all(rule.confidence == 1.0 for c in clusters for rule in c.rules)
    model, _ = learn(train, load_default_model())
    learned = score_ruleset(model, test, sample_truth).overall
    assert oracle.tp >= learned.tp  # the model names no slot better than the truth does
