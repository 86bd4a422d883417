"""Slot features: the strings the role model reads stay exactly those of the golden digests, and
the typed facts the gates read agree with them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from offline.features import table_features
from offline.learn import by_sender, cluster_tables, doc_words, subject_of
from offline.sample import Sample

GOLDEN = Path(__file__).parent / "golden" / "sample_features.json"

# the feature lists of every slot of the sample corpus, in order, the shipped model's prediction
# for each, and the gates a model trained on the corpus records; in a fresh interpreter under a
# fixed hash seed, since the Subject's words come in the order their set iterates in
_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from offline.corpus import iter_raw_messages
from offline.defaults import DEFAULT_MODEL_PATH
from offline.features import table_features
from offline.learn import by_sender, cluster_tables, doc_words, subject_of
from offline.roles import load_default_model
from offline.sample import prepare
from offline.train import train_roles, training_set
from offline.truth import load_truth
root = Path(sys.argv[1])
samples = [s for s in (prepare(n, r) for n, r in iter_raw_messages([root])) if s is not None]
model = load_default_model()
feats, preds = [], []
for group in by_sender(samples).values():
    for cluster, table in cluster_tables(group, 5):
        if table is not None:
            for f, facts in table_features(table.slots, subject_of(cluster), doc_words(table)):
                feats.append(f)
                name, p = model.predict(f, facts)
                preds.append([name, repr(p)])
spec = train_roles(training_set(samples, load_truth(sorted(root.glob("*/truth.jsonl"))), 5)).spec
digest = lambda x: hashlib.sha256(json.dumps(x).encode()).hexdigest()
print(json.dumps({
    "slots": len(feats),
    "features_sha256": digest(feats),
    "model_sha256": hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest(),
    "predictions_sha256": digest(preds),
    "types": spec.types,
    "distinct_floor": spec.distinct_floor,
}, indent=1, sort_keys=True))
"""


def test_the_sample_corpus_has_the_golden_features_predictions_and_gates(sample_dir: Path) -> None:
    # a refactoring of the features or the gates must leave all of them byte for byte; when a
    # feature changes on purpose, the new digests printed below go into the golden file
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-c", _SCRIPT, str(sample_dir)]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    got, want = json.loads(run.stdout), json.loads(GOLDEN.read_text())
    assert got["slots"] == want["slots"] > 500
    assert got["features_sha256"] == want["features_sha256"], run.stdout
    assert got["types"] == want["types"] and got["distinct_floor"] == want["distinct_floor"], run.stdout
    # the predictions are those of the model the golden was taken with (retrained: new digests)
    assert got["model_sha256"] == want["model_sha256"], run.stdout
    assert got["predictions_sha256"] == want["predictions_sha256"], run.stdout


def _written(features: list[str], prefix: str) -> list[str]:
    """What the feature strings of one kind say, their prefix cut off."""
    return [x[len(prefix) :] for x in features if x.startswith(prefix)]


def test_every_sample_slots_facts_are_what_its_feature_strings_say(sample_samples: list[Sample]) -> None:
    # the gates once read the value class, the variability and the rows back out of the strings;
    # the typed facts must say the same of every slot, and the strings stay written from them
    seen = 0
    for group in by_sender(sample_samples).values():
        for cluster, table in cluster_tables(group, 5):
            if table is None:
                continue
            for feats, facts in table_features(table.slots, subject_of(cluster), doc_words(table)):
                seen += 1
                assert _written(feats, "tc:") == [facts.value_class]
                distinct = [] if facts.variability is None else [str(facts.variability)]
                assert _written(feats, "distinct:") == distinct
                assert _written(feats, "when:") == ([] if facts.period is None else [facts.period])
                assert ("multi" in feats) == facts.multi
    assert seen > 500
