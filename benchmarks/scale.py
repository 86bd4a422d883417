"""Rule sets of 1k to 100k clusters: resident memory of a worker, compile time, lookup time.

A synthetic rule set copies the learned clusters of a real one (its rule counts, paths, landmarks
and patterns per cluster) under made-up senders: copy ``i`` of ``orders@shop.example`` is sent by
``orders@s{i}.shop.example``, so each sender keeps its real number of clusters and the number of
senders grows. Each copy's patterns get a distinct no-op prefix (``(?:~i~)?``), so they compile
apart as real senders' patterns would (the compile cache would otherwise share them).

``measure`` runs in a fresh process (``python -m benchmarks.scale WORKDIR N``) what an extraction
worker does with a rule set: parse its JSON, compile it, keep it; then extracts the sample
messages sent as copies spread over the set (the lookup per message, with the sender's clusters
among all the others).
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
from pathlib import Path

from rules.apply import Extractor
from rules.model import ClusterRules, RuleSet

_FROM = re.compile(rb"^(From:[^\r\n]*@)", re.M | re.I)


def synth(base: RuleSet, n: int) -> RuleSet:
    """``n`` clusters copied from ``base``'s in turn under made-up senders (copy 0 is ``base``)."""
    clusters: list[ClusterRules] = []
    source = [c for c in base.clusters if c.sender]
    for k in range(n):
        c = source[k % len(source)]
        copy = k // len(source)
        if copy == 0:
            clusters.append(c)
            continue
        local, _, domain = c.sender.partition("@")
        sender = f"{local}@s{copy}.{domain}"
        tag = f"(?:~{copy}~)?"
        clusters.append(
            c.model_copy(
                update={
                    "cluster": sender + c.cluster[len(c.sender) :],
                    "sender": sender,
                    "rules": [r.model_copy(update={"pattern": tag + r.pattern}) for r in c.rules],
                    "selectors": [s.model_copy(update={"pattern": tag + s.pattern}) for s in c.selectors],
                }
            )
        )
    return RuleSet(version=1, clusters=clusters)


def as_copy(raw: bytes, copy: int) -> bytes:
    """``raw`` sent by its sender's copy ``copy`` (``From: a@s{copy}.domain``)."""
    return raw if copy == 0 else _FROM.sub(rb"\1s%d." % copy, raw, count=1)


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")) / 1024


def measure(workdir: Path, n: int) -> dict[str, float]:
    """In this process: RSS after compiling ``workdir/rules-N.json``, compile time, lookup time."""
    messages = [p.read_bytes() for p in sorted((workdir / "single").glob("*.eml"), key=lambda p: int(p.stem))]
    copies = max(1, n // int(json.loads((workdir / "base.json").read_text())["clusters"]))
    before = _rss_mb()
    t = time.perf_counter()
    payload = (workdir / f"rules-{n}.json").read_bytes()
    ruleset = RuleSet.model_validate_json(payload)
    del payload
    gc.collect()
    parsed = _rss_mb()
    extractor = Extractor(ruleset)
    compile_s = time.perf_counter() - t
    del ruleset  # the extractor keeps what it needs of it
    gc.collect()
    rss = _rss_mb()
    # each message as the last copy of its sender: its lookup sees the whole set's size
    sent = [as_copy(m, copies - 1) for m in messages]
    for m in sent[:20]:
        extractor.extract(m)
    best = float("inf")
    known = 0
    for _ in range(3):
        t = time.perf_counter()
        got = [extractor.extract(m) for m in sent]
        best = min(best, time.perf_counter() - t)
        known = sum(1 for g in got if g.known)
    return {
        "clusters": extractor.clusters,
        "rss_mb": rss,
        "rss_base_mb": before,
        "rss_parsed_mb": parsed,
        "compile_s": compile_s,
        "lookup_ms": best / len(sent) * 1e3,
        "known": known / len(sent),
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]))))
