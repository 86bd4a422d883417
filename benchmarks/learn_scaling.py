"""Learning cost per message at 1x, 5x and 20x the evaluation corpus, on the local engine.

The corpus is replicated in memory with fresh recipients and Message-IDs (headers rewritten, so
every copy is a new message to a new person, as more users of the same senders would be), learned
in one full run into a fresh SQLite store, and timed. Cost per message should stay flat: the
per-message step is linear and the per-sender step sees at most ``cap`` samples per cluster.

    python benchmarks/learn_scaling.py [--corpus ../shared/corpus] [--factors 1 5 20]

Writes ``benchmarks/results/learn_scaling.md``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mailstencil.offline.batch import run_learning
from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.engine import default_model_path
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.transport import LearnJob
from mailstencil.rules.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
_TO = re.compile(rb"^(To:\s*[^@\r\n]*)@", re.M | re.I)
_MID = re.compile(rb"^(Message-ID:\s*<)", re.M | re.I)


def replicate(corpus: list[tuple[str, bytes]], factor: int) -> Iterator[tuple[str, bytes]]:
    """``factor`` copies of the corpus; copy ``i > 0`` has fresh recipients and Message-IDs."""
    for i in range(factor):
        for name, raw in corpus:
            if i == 0:
                yield name, raw
                continue
            head, sep, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
            head = _TO.sub(rb"\1+copy%d@" % i, head, count=1)
            head = _MID.sub(rb"\1copy%d." % i, head, count=1)
            yield f"{name}#copy{i}", head + sep + body


def run(corpus_dir: Path, factors: list[int]) -> str:
    corpus = list(iter_raw_messages([corpus_dir]))
    cores = os.cpu_count() or 1
    model = default_model_path()
    rows = []
    base = None
    for factor in factors:
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "rules.db")
            job = LearnJob(model_path=model, now=datetime.now(UTC))
            start = time.perf_counter()
            report = run_learning(
                store,
                engine=LocalEngine(cores),
                job=job,
                incremental=False,
                messages=replicate(corpus, factor),
            )
            secs = time.perf_counter() - start
            store.close()
        n = report.messages_read
        per_msg = secs / n * 1000
        base = base or per_msg
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        prep, learn = report.stage_seconds.get("prepare", 0), report.stage_seconds.get("learn", 0)
        rows.append(
            f"| {factor}x | {n} | {secs:.1f} | {prep:.1f} | {learn:.1f} | "
            f"{n / secs:.0f} | {n / secs / cores:.0f} | {per_msg:.2f} | {per_msg / base:.2f} | "
            f"{report.clusters} | {report.rules} | {peak:.0f} |"
        )
        print(rows[-1], flush=True)
    lines = [
        "# Learning cost per message, 1x to 20x the corpus (local engine)",
        "",
        f"Corpus `{corpus_dir.name}` ({len(corpus)} messages) replicated with fresh recipients and "
        f"Message-IDs; one full run per size into a fresh SQLite store; {cores} cores; "
        f"{datetime.now(UTC):%Y-%m-%d}. Time is the whole run (read, prepare, learn, publish).",
        "",
        "| size | messages | seconds | prepare s | learn s | messages/s | messages/s/core | "
        "ms/message | cost ratio vs 1x | clusters | rules | parent peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Peak RSS is the driver process's high-water mark so far (it holds the night's prepared "
        "samples as JSON until each sender is learned); workers are separate processes.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--factors", type=int, nargs="+", default=[1, 5, 20])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "learn_scaling.md"))
    args = ap.parse_args()
    text = run(Path(args.corpus), args.factors)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
