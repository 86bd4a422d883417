"""The naming oracle: every learned slot named with the field its values equal in the truth."""

from __future__ import annotations

from pathlib import Path

from mailstencil.offline.defaults import DEFAULT_MIN_RECIPIENTS
from mailstencil.offline.evaluate import score_ruleset, split_by_date
from mailstencil.offline.learn import by_sender, cluster_tables, decode_names, learn, published, slot_rule
from mailstencil.offline.roles import RoleModel, load_default_model
from mailstencil.offline.sample import Sample
from mailstencil.offline.train import CORRECTIONS, oracle_names, training_set
from mailstencil.offline.truth import Score, TruthRecord
from mailstencil.rules.corrections import Correction, slot_key
from mailstencil.rules.model import RuleSet
from mailstencil.rules.stores import open_store


def test_oracle_names_slots_from_the_truth_and_bounds_the_model(
    sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]
) -> None:
    train, test = split_by_date(sample_samples, 0.3)
    tables = [
        ct for group in by_sender(train).values() for ct in cluster_tables(group, DEFAULT_MIN_RECIPIENTS)
    ]
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


def test_corrections_label_slots_for_the_role_trainer(
    sample_samples: list[Sample], sample_truth: dict[str, TruthRecord]
) -> None:
    group = next(g for g in by_sender(sample_samples).values() if len(g) >= 10)
    cluster, table = next(
        (c, t)
        for c, t in cluster_tables(group, DEFAULT_MIN_RECIPIENTS)
        if t is not None and len(t.slots) >= 2
    )
    form = published(cluster, table, [])
    first, second = (slot_key(form, slot_rule(s, "", 0.0)) for s in table.slots[:2])
    fixes = [
        Correction(id=1, cluster=cluster.key, slot=first, field="plan_name"),
        Correction(id=2, cluster=cluster.key, slot=second, field="order_total"),
        Correction(id=3, cluster=cluster.key, slot=second, field=None),  # the latest one wins
    ]
    alone = training_set(group, {}, corrections=fixes)  # no truth: only the corrected slots are labelled
    assert sorted(alone.labels) == ["none", "plan_name"]
    assert alone.sources == [CORRECTIONS, CORRECTIONS] and alone.corrected == [True, True]
    with_truth = training_set(group, sample_truth, corrections=fixes)
    plain = training_set(group, sample_truth)
    assert len(with_truth.labels) == len(plain.labels) > 2
    assert sum(with_truth.corrected) == 2 and not any(plain.corrected)
    changed = [(a, b) for a, b in zip(plain.labels, with_truth.labels, strict=True) if a != b]
    assert ("plan_name" in with_truth.labels) and all(b in ("plan_name", "none") for _, b in changed)


def test_train_roles_learns_a_field_from_a_console_correction(sample_dir: Path, tmp_path: Path) -> None:
    # a slot renamed in the store to a field this corpus never holds becomes a training label:
    # the model trained with --corrections knows the field, the one trained without does not
    from mailstencil.cli import main

    travel = str(sample_dir / "travel")
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    assert main(["learn", travel, "--store", url]) == 0
    store = open_store(url)
    try:
        c = next(c for c in store.load().clusters if c.rules)
        fix = Correction(cluster=c.cluster, slot=slot_key(c, c.rules[0]), field="gift_card_code")
        store.add_correction(fix)
    finally:
        store.close()
    for extra, knows in ((["--corrections", url], True), ([], False)):
        out = tmp_path / f"roles{len(extra)}.json"
        assert main(["train-roles", "--truth", travel, travel, "--out", str(out), *extra]) == 0
        assert ("gift_card_code" in RoleModel.load(out).classes) is knows
        assert RoleModel.load(out).spec.corrections == (1 if knows else 0)  # recorded in the model
