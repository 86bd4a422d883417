"""Rule sets of 1k to 100k clusters: resident memory of a worker, compile time, lookup time.

A synthetic rule set copies the learned clusters of a real one (its rule counts, paths, landmarks
and patterns per cluster) under made-up senders: copy ``i`` of ``orders@shop.example`` is sent by
``orders@s{i}.shop.example``, so each sender keeps its real number of clusters and the number of
senders grows. Each copy's patterns get a distinct no-op prefix (``(?:~i~)?``), so they compile
apart as real senders' patterns would (the compile cache would otherwise share them).

``measure`` runs in a fresh process (``python -m benchmarks.scale WORKDIR N``) what an extraction
worker does with a rule set: take it in split by sender (``mailstencil.rules.model.SenderRuleSet``, written by
:func:`write_split`: one JSON file per sender), then extract the sample messages sent as copies
spread over the set, parsing and compiling each sender's clusters on its first message (the lookup
per message, with the sender's clusters among all the others). Its RSS is taken after them.
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
from pathlib import Path

from mailstencil.rules.apply import Extractor
from mailstencil.rules.model import ClusterRules, RuleSet, SenderRuleSet

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


def write_split(ruleset: RuleSet, folder: Path) -> int:
    """``ruleset`` split by sender into ``folder``: ``senders.json`` (sender per file number) and
    one ``N.json`` per sender (its clusters); returns the bytes written."""
    split = SenderRuleSet.of(ruleset)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(split.senders)
    (folder / "senders.json").write_text(
        json.dumps({"version": split.version, "clusters": split.clusters, "senders": names})
    )
    for i, name in enumerate(names):
        (folder / f"{i}.json").write_bytes(split.senders[name])
    return sum(len(v) for v in split.senders.values())


def _read_split(folder: Path) -> SenderRuleSet:
    index = json.loads((folder / "senders.json").read_text())
    senders = {name: (folder / f"{i}.json").read_bytes() for i, name in enumerate(index["senders"])}
    return SenderRuleSet(index["version"], index["clusters"], senders)


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")) / 1024


def measure(workdir: Path, n: int) -> dict[str, float]:
    """In this process, as a worker: load ``workdir/split-N`` (time), extract (lookup time), RSS."""
    messages = [p.read_bytes() for p in sorted((workdir / "single").glob("*.eml"), key=lambda p: int(p.stem))]
    copies = max(1, n // int(json.loads((workdir / "base.json").read_text())["clusters"]))
    before = _rss_mb()
    t = time.perf_counter()
    extractor = Extractor(_read_split(workdir / f"split-{n}"))
    compile_s = time.perf_counter() - t
    gc.collect()
    parsed = _rss_mb()
    # each message as the last copy of its sender: its lookup sees the whole set's size
    sent = [as_copy(m, copies - 1) for m in messages]
    t = time.perf_counter()
    for m in sent:  # each sender's first message parses and compiles its clusters
        extractor.extract(m)
    first_ms = (time.perf_counter() - t) / len(sent) * 1e3
    gc.collect()
    rss = _rss_mb()
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
        "first_ms": first_ms,
        "lookup_ms": best / len(sent) * 1e3,
        "known": known / len(sent),
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]))))
