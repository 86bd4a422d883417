"""Privacy: k distinct recipients before a cluster gets rules; no message value in stored rules,
run reports or logs."""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from datetime import UTC, datetime

import lxml.html
import pytest

from mailstencil.offline.batch import format_report, run_learning
from mailstencil.offline.engine import default_model_path, model_for
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.night import night_sender
from mailstencil.offline.privacy import privatize
from mailstencil.offline.sample import Sample
from mailstencil.offline.transport import LearnJob
from mailstencil.offline.truth import TruthRecord
from mailstencil.rules.store import SQLiteStore
from mailstencil.rules.text import normalize_value

NOW = datetime(2026, 12, 31, tzinfo=UTC)
K = 5


def _job(**kw: object) -> LearnJob:
    return LearnJob(model_path=default_model_path(), now=NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.corpus
def test_cluster_below_k_recipients_gets_no_rules(corpus_samples: list[Sample]) -> None:
    sender = "vault-noreply@riverside-ops.example"
    mine = [privatize(s) for s in corpus_samples if s.sender == sender]
    assert len(mine) > 100
    model = model_for(default_model_path())
    learned = night_sender(sender, mine, None, model, _job())
    assert sum(len(c.rules) for c in learned.clusters) > 10  # many recipients: rules
    # the same mail sent to only k-1 people: no cluster may get a rule
    few = [s for s in mine]
    for i, s in enumerate(few):
        s.recipient = f"r:person{i % (K - 1)}"
    starved = night_sender(sender, few, None, model, _job())
    assert starved.clusters and all(c.rules == [] for c in starved.clusters)
    assert all(c.recipients <= K - 1 for c in starved.clusters)
    # k is configurable: with k = 4 the same mail is learnable again
    assert sum(len(c.rules) for c in night_sender(sender, few, None, model, _job(min_recipients=4)).clusters)


def private_values(samples: list[Sample], truth: dict[str, TruthRecord]) -> set[str]:
    """Truth values of length >= 4 that fewer than ``K`` distinct recipients received: values that
    belong to someone. A value that K or more recipients got (a catalogue product, a shop's own
    address, a common price) is not private by the same rule that lets template text be learned."""
    who: dict[str, set[str]] = defaultdict(set)
    for s in samples:
        rec = truth.get(s.message_id)
        if rec is None:
            continue
        for values in rec.fields.values():
            for v in values:
                v = normalize_value(v)
                if len(v) >= 4:
                    who[v].add(s.recipient or s.message_id)
    return {v for v, r in who.items() if len(r) < K}


_METADATA = {"cluster", "created", "first_seen", "last_seen", "started", "skeleton_id"}


def _haystack(text: str) -> str:
    """Every distinct JSON string of a text (or the text), also with regex escapes removed, so an
    escaped value (``Order\\ \\#1001``) is found too."""
    try:
        data = json.loads(text)
    except ValueError:
        data = text
    strings: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, str):
            strings.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                if k in _METADATA:
                    continue  # cluster keys and skeleton ids (hex digests) and timestamps, not message text
                strings.append(str(k))
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    joined = "\n".join(sorted(set(strings)))
    return joined + "\n" + re.sub(r"\\(.)", r"\1", joined)


def leaks(values: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """Which private values occur in which text."""
    out: dict[str, list[str]] = {}
    for name, text in texts.items():
        hay = _haystack(text)
        found = sorted(v for v in values if v in hay)
        if found:
            out[name] = found
    return out


def constant_text(value: str, samples: list[Sample]) -> bool:
    """Whether ``value`` also occurs inside the text of ``K`` or more recipients' messages (a price
    printed in a template, a SKU that contains an order number): then finding it proves nothing."""
    who = {s.recipient or s.message_id for s in samples if any(value in lf.text for lf in s.leaves)}
    return len(who) >= K


@pytest.fixture(scope="module")
def scanned(
    corpus_samples: list[Sample],
    corpus_truth: dict[str, TruthRecord],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, list[str]]:
    """Learn the whole corpus, capture report and logs, and scan them: private values found per
    place, after dropping values that are also constant text of K or more recipients' messages."""
    values = private_values(corpus_samples, corpus_truth)
    assert len(values) > 5000
    store = SQLiteStore(tmp_path_factory.mktemp("privacy") / "p.db")
    logger = logging.getLogger("mailstencil")
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda r: records.append(r.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        report = run_learning(store, engine=LocalEngine(2), job=_job(), samples=corpus_samples)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    rules = store.load()
    assert sum(len(c.rules) for c in rules.clusters) > 1000
    # the scan can fail: a value planted in a rule is found
    planted = rules.clusters[0].model_copy(update={"landmarks": [], "skeleton": [f"Hi {sorted(values)[0]}"]})
    assert leaks(values, {"planted": planted.model_dump_json()})
    no_skeleton = rules.model_copy(
        update={"clusters": [c.model_copy(update={"skeleton": []}) for c in rules.clusters]}
    )
    # reports and logs are counts: a private value made only of digits would match a count
    wordy = {v for v in values if not v.isdigit()}
    found = leaks(values, {"stored rules": no_skeleton.model_dump_json()})
    skeletons = json.dumps([c.skeleton for c in rules.clusters], ensure_ascii=False)
    found |= leaks(values, {"skeletons": skeletons})
    pages = [store.skeleton_html(c.skeleton_id) for c in rules.clusters]
    assert sum(bool(p) for p in pages) > 100
    shown = json.dumps([lxml.html.fromstring(p).text_content() for p in pages if p], ensure_ascii=False)
    found |= leaks(values, {"skeleton html": shown})
    found |= leaks(
        wordy,
        {
            "stored run report": store.load_report() or "",
            "printed report": format_report(report),
            "logs": "\n".join(records),
        },
    )
    store.close()
    real = {k: [v for v in vs if not constant_text(v, corpus_samples)] for k, vs in found.items()}
    return {k: vs for k, vs in real.items() if vs}


@pytest.mark.corpus
def test_no_message_value_in_rules_report_or_logs(scanned: dict[str, list[str]]) -> None:
    assert {k: v for k, v in scanned.items() if k not in ("skeletons", "skeleton html")} == {}


@pytest.mark.corpus
def test_no_message_value_in_skeletons(scanned: dict[str, list[str]]) -> None:
    assert scanned.get("skeletons", []) == []
    assert scanned.get("skeleton html", []) == []
