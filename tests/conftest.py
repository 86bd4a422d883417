"""Session fixtures: the shared evaluation corpus (learned once) and our own sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.evaluate import Evaluation, evaluate
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import Sample, prepare
from mailstencil.offline.samplegen import generate
from mailstencil.offline.truth import TruthRecord, load_truth

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _samples(root: Path) -> list[Sample]:
    out = []
    for name, raw in iter_raw_messages([root]):
        s = prepare(name, raw)
        if s is not None:
            out.append(s)
    return out


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus, or a skip when it is absent."""
    if not (CORPUS / "fields.json").exists():
        pytest.skip(f"evaluation corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_samples(corpus_dir: Path) -> list[Sample]:
    """Every corpus message, parsed once per test session."""
    return _samples(corpus_dir)


@pytest.fixture(scope="session")
def corpus_evaluation(corpus_samples: list[Sample], corpus_truth: dict[str, TruthRecord]) -> Evaluation:
    """The corpus learned on older mail and scored on the newest 30%, once per session."""
    return evaluate(corpus_samples, corpus_truth, load_default_model(), holdout=0.3)


@pytest.fixture(scope="session")
def corpus_truth(corpus_dir: Path) -> dict[str, TruthRecord]:
    return load_truth(sorted(corpus_dir.glob("*/truth.jsonl")))


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our own synthetic sample corpus, generated once per session."""
    return generate(tmp_path_factory.mktemp("sample"), messages_per_template=12, seed=7)


@pytest.fixture(scope="session")
def sample_samples(sample_dir: Path) -> list[Sample]:
    return _samples(sample_dir)


@pytest.fixture(scope="session")
def sample_truth(sample_dir: Path) -> dict[str, TruthRecord]:
    return load_truth(sorted(sample_dir.glob("*/truth.jsonl")))
