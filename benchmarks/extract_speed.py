"""Extraction speed against the cost of merely parsing a message.

Baseline: parse the raw message with the standard ``email`` package (``policy.default``), take its
HTML body and parse it with lxml — what any extractor must at least do. mailstencil: the whole
online path (MIME parse, leaves, cluster choice, rules). Rules are learned on each sender's older
70% of ../shared/corpus; timing runs over the newest 30%. Reports the time ratio and messages per
second on one core.

    python benchmarks/extract_speed.py [--repeat 3] [--out benchmarks/results/extract_speed.md]
"""

from __future__ import annotations

import argparse
import email
import statistics
import time
from email import policy
from pathlib import Path

import lxml.html

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.evaluate import split_by_date
from mailstencil.offline.learn import learn
from mailstencil.offline.roles import load_default_model
from mailstencil.offline.sample import prepare
from mailstencil.rules.apply import Extractor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def baseline(raw: bytes) -> None:
    """Parse MIME with the standard library and the HTML body with lxml."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("html", "plain"))
    if body is not None:
        content = body.get_content()
        if body.get_content_type() == "text/html" and content.strip():
            lxml.html.document_fromstring(content.encode("utf-8"))


def _time(fn, raws: list[bytes], repeat: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    best = float("inf")
    per: list[float] = []
    for _ in range(repeat):
        times = []
        start = time.perf_counter()
        for raw in raws:
            t = time.perf_counter()
            fn(raw)
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - start
        if total < best:
            best, per = total, times
    return best, per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "extract_speed.md"))
    args = ap.parse_args()
    raws = dict(iter_raw_messages([CORPUS]))
    samples = [s for s in (prepare(n, r) for n, r in raws.items()) if s]
    train, test = split_by_date(samples, 0.3)
    ruleset, _ = learn(train, load_default_model())
    extractor = Extractor(ruleset)
    held = [raws[s.name] for s in test]
    base_total, base_each = _time(baseline, held, args.repeat)
    ours_total, ours_each = _time(extractor.extract, held, args.repeat)
    n = len(held)
    lines = [
        f"{n} messages (newest 30% of ../shared/corpus), best of {args.repeat} runs, one core",
        "",
        "| path | total s | median ms/msg | messages/s |",
        "|---|---|---|---|",
        f"| parse only (email policy.default + lxml) | {base_total:.2f} | "
        f"{statistics.median(base_each) * 1e3:.3f} | {n / base_total:.0f} |",
        f"| mailstencil extract (parse + rules) | {ours_total:.2f} | "
        f"{statistics.median(ours_each) * 1e3:.3f} | {n / ours_total:.0f} |",
        "",
        f"ratio extract / parse-only: **{ours_total / base_total:.2f}×** (total), "
        f"{statistics.median(ours_each) / statistics.median(base_each):.2f}× (median message)",
    ]
    report = "\n".join(lines)
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report + "\n")


if __name__ == "__main__":
    main()
