"""Every speed benchmark in one run, one table: ``python -m benchmarks [--quick] [--readme]``.

Learns the corpus (``../shared/corpus``, or our sample corpus when it is absent) with the local
engine (and Spark unless ``--quick``), times the online path in this process, loads a real
``mailstencil serve --workers 2`` with wrk, and measures rule sets of 1k to 100k synthetic
clusters. Writes ``benchmarks/results/speed.json`` and ``speed.md``; ``--readme`` also rewrites the
README's speed section from them (``--readme-only``: from the stored JSON, measuring nothing).
Quality benchmarks (``roles_loso.py``) are not run here.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

import lxml.html

from mailstencil.app.jobs import Job
from mailstencil.app.service import run_job
from mailstencil.offline.batch import RunReport, run_learning
from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.engine import default_model_path
from mailstencil.offline.engines import get_engine
from mailstencil.offline.transport import LearnJob
from mailstencil.rules.apply import Extractor
from mailstencil.rules.store import SQLiteStore

from . import http_load, scale
from .report import Figure, Results, load, render, save, update_readme

_T = TypeVar("_T")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
CORES = os.cpu_count() or 1
TRIED = {
    "online": "RE2 patterns; the markup hint by plain search (was a case-blind regex over each body); "
    "lxml.etree's HTML parser (no Python element class per element); a multipart body cut at its "
    "boundary lines, each header block fed alone in headers-only mode (was every line through "
    "FeedParser, and a regex compiled per boundary, i.e. per message); a plain From:/To: read by one "
    "regex (was email.utils' parser); check_attributes counting tag by tag only when the spaces could "
    "be over a limit; choose_cluster scoring only exact-structure clusters when there are any; "
    "each header block read field by field into compat32's own header parse (was FeedParser's "
    "buffer and generators; other shapes still go to it); RE2's matcher called directly on ASCII "
    "text (the wrapper's fullmatch cost 3.7 us a call, now 1.3); one intersection for similarity "
    "and Jaccard, class-free paths cached; the markup hint over the body's bytes lowered (was its "
    "text lowered: 22 us a message when not ASCII, now 12); no whole-body strip() copies; measured "
    "and not kept: the tree walk with its helpers inlined (about 2%: lxml's element access is its "
    "cost), the walk as one iterwalk loop (7% of the walk, 1% of the path), no call into an empty "
    "element (no change), a NamedTuple Leaf (4 us "
    "a message), gc.freeze and higher GC thresholds (no change), lxml's collect_ids=False (1 us), a "
    "cache of parse_amount (its gain came from the benchmark repeating its messages), a literal "
    "pre-check before each rule's match (only 5% of full matches fail on the corpus); a message's "
    "amounts read once for typing (was twice: its context, then each value; type_extraction 43-64 "
    "-> 31 us a message, best of 30 passes); a body part's charset read once per distinct Content-Type "
    "value (the stdlib's parameter parse cost 6 us a part; parse_message 122 -> 111 us a message, "
    "best of 40); left: the leaves (start-tag scan, lxml's parse, the "
    "walk) a third of the path, the cluster choice and rules a quarter, the MIME parse a fifth "
    "(about 16 header look-ups a message, each a scan of email.message's list)",
    "http": "httptools + uvloop (were h11 + asyncio), async dependencies (were two thread hops a request), "
    "the markup hint, the access log off unless asked for; an event-loop reader on the worker pipe "
    "instead of a thread (no change measured then, left out); one extraction worker per service "
    "process instead of 2 (fewer processes on the 2 cores: a lower rate and no better p99 in "
    "interleaved runs, left out); the hand-over with no thread at all: the job written to an idle "
    "worker's pipe and its reply awaited on the event loop, idle workers in one pool the loop and "
    "the rule-loading threads share (py-spy: the thread hop was about 40% of the service's samples; "
    "service CPU a request 0.60 -> 0.39 ms, medians of 6 interleaved runs on a loaded machine); "
    "jobs and answers pickled as their constructor's arguments (22 -> 17 us a round trip); each "
    "metric's label lookup cached (6.5 -> 2.7 us a request); one HTTP process feeding one pool of "
    "extraction workers, `serve --workers N` now N workers (was N service processes with 2 workers "
    "each: the kernel spread a burst of connections unevenly over them, wrk's 16 13 and 3 in two of "
    "four tries, each process's requests queueing for its own workers): p99 at 16 conn. medians "
    "of 9 interleaved runs main 24.2 -> 20.7 ms at load 3 (main's runs 16-104 ms, the branch's "
    "17-23), 61.4 -> 34.1 ms of 12 at load 5-10, req/s 1,346 -> 1,267 and 1,016 -> 1,012, worker "
    "CPU a request 1.05 -> 0.91 ms at load 3, half the processes and RSS, the queue's default "
    "64 (was 32 in each of 2 processes); measured and not kept: 3 workers behind the one process "
    "(p99 40.1 ms against 33.1 with 2, req/s 999 against 918, medians of 9 interleaved runs at "
    "load 3-7; 31.3 against 31.9 ms, 948 against 877 req/s at load 2-5 with another job holding "
    "a core: a few % more requests, no better tail); left: the machine's other jobs (at load "
    "5-10 no design here met 25 ms), FastAPI's own middleware (telemetry, body limit, errors: a "
    "few % of the service's samples)",
    "startup": "extruct imported on first use, forkserver started with the app; the command line "
    "imports only its parser before it becomes uvicorn, the console only when served, each worker "
    "parses and compiles a sender's clusters on its first message; the service takes the rule set "
    "in split by sender along an index publishing writes, without parsing it (the admin API and "
    "console parse it on first use); the service process imports no extraction code (jobs and "
    "answers in app/jobs.py; lxml, RE2 and the rules only in workers: 40 ms of imports less each); "
    "extruct no longer preloaded by each forkserver but imported by each worker once idle for 1 s "
    "(0.2 s of imports in each of 2 forkservers at start-up); one service process and one "
    "forkserver (were 2 of each starting at once on the 2 cores): to first answer 2.67 -> 1.70 s "
    "with the corpus set (medians of 7 interleaved starts, load 3-10), 3.95-4.00 -> 2.44-2.69 s "
    "with 10k clusters (3 each, load 3-4.5); left: the service's imports "
    "(fastapi, pydantic models, about 0.3 s) of the one service process",
    "scale": "workers take the rule set split by sender and parse and compile a sender's clusters on "
    "its first message (bounded LRU); the service process holds it split by sender, unparsed, cut "
    "along the stored index (parsed whole only when an admin page asks); left: the service process "
    "still reads the whole set and hands a copy to each of its workers",
}


class Spec(NamedTuple):
    """What a figure is apart from its measurement: its name (a template filled per case), unit,
    goal, the better direction and what was tried for the goal."""

    name: str
    unit: str
    goal: float | None = None
    better: Literal["higher", "lower"] = "higher"
    tried: str = ""


# every figure the run writes, by what it measures; a spec's goal applies where the figure says so
SPECS = {
    "map": Spec("map stage (prepare): messages/s per core", "msg/s"),
    "run": Spec("whole nightly run: messages/s per core", "msg/s"),
    "parse": Spec("parse only (email policy.default + lxml)", "msg/s"),
    "extract": Spec("extract (MIME parse, leaves, cluster, rules)", "msg/s"),
    "online": Spec("whole online path (+ typing, markup, JSON answer)", "msg/s", 2000, tried=TRIED["online"]),
    "startup": Spec("start-up to first answer (corpus rule set)", "s", 2, "lower", TRIED["startup"]),
    "rps": Spec("{case}: requests/s{batch}", "req/s", 1000, tried=TRIED["http"]),
    "p99": Spec("{case}: p99 latency", "ms", 25, "lower", TRIED["http"]),
    "ratio": Spec(
        "ratio: HTTP req/s (16 conn.) / in-process whole-path msg/s", "×", 0.8, tried=TRIED["http"]
    ),
    "rss": Spec("resident memory, all processes", "MB"),
    "worker_rss": Spec("{n:,} clusters: RSS of one extraction worker", "MB", 1024, "lower", TRIED["scale"]),
    "compile": Spec("{n:,} clusters: worker takes in the split rule set", "s", better="lower"),
    "first": Spec(
        "{n:,} clusters: a sender's first message (parse + compile its clusters)", "ms", better="lower"
    ),
    "lookup": Spec("{n:,} clusters: extract per message", "ms", better="lower"),
    "big_startup": Spec(
        "10,000 clusters: `serve --workers 2` start-up to first answer", "s", 2, "lower", TRIED["scale"]
    ),
    "growth": Spec("lookup growth, {first:,} → {last:,} clusters", "×", 1.2, "lower"),
}


def figure(
    section: str,
    spec: str,
    value: float,
    note: str = "",
    runs: list[float] | None = None,
    goal: bool = True,
    **name: object,
) -> Figure:
    """The figure ``SPECS[spec]`` describes, measured at ``value``; ``goal=False`` where its goal is
    not asked (a load case or rule-set size the goal is not about); ``name`` fills the name template."""
    s = SPECS[spec]
    return Figure(
        section=section,
        name=s.name.format(**name),
        value=value,
        unit=s.unit,
        goal=s.goal if goal else None,
        better=s.better,
        runs=runs or [],
        note=note,
        tried=s.tried if goal else "",
    )


def pick_messages(corpus: Path, n: int) -> list[bytes]:
    """``n`` messages spread evenly over the corpus's files (sorted by path)."""
    files = sorted(p for p in corpus.rglob("*.eml"))
    step = len(files) / n
    return [files[int(i * step)].read_bytes() for i in range(min(n, len(files)))]


def parse_only(raw: bytes) -> None:
    """What any extractor must at least do: the MIME parse and lxml's parse of the HTML body."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("html", "plain"))
    if body is not None:
        content = body.get_content()
        if body.get_content_type() == "text/html" and content.strip():
            lxml.html.document_fromstring(content.encode("utf-8"))


def rate(fn: Callable[[_T], object], messages: list[_T], repeat: int = 5) -> float:
    """Messages/s of ``fn`` over ``messages``, best of ``repeat`` passes, in this process."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for m in messages:
            fn(m)
        best = min(best, time.perf_counter() - t)
    return len(messages) / best


def learn(corpus: Path, store: Path, engine: str) -> RunReport:
    """One full learning run of ``corpus`` into a fresh SQLite ``store``."""
    rules = SQLiteStore(store)
    job = LearnJob(model_path=default_model_path(), now=datetime.now(UTC))
    try:
        return run_learning(
            rules, [str(corpus)], engine=get_engine(engine), job=job, incremental=False, allow_shrink=True
        )
    finally:
        rules.close()


def learning_figures(report: RunReport, engine: str) -> list[Figure]:
    """Messages/s per core of the map stage and the whole run, and each stage's share."""
    n = report.messages_read
    secs = report.stage_seconds
    shares = ", ".join(
        f"{k} {v / report.seconds:.0%}" for k, v in secs.items() if v / report.seconds >= 0.005
    )
    sec = f"learning ({engine} engine, {CORES} cores)"
    return [
        figure(sec, "map", n / max(secs.get("prepare", 0), 1e-9) / CORES, f"{n} messages"),
        figure(sec, "run", n / report.seconds / CORES, f"{report.seconds:.1f} s; shares: {shares}"),
    ]


def inprocess_figures(store: Path, messages: list[bytes]) -> tuple[list[Figure], float]:
    """Messages/s of parsing alone, ``Extractor.extract`` and the whole online path, one core."""
    rules = SQLiteStore(store)
    ruleset = rules.load()
    rules.close()
    extractor = Extractor(ruleset)
    version = ruleset.version

    def online(raw: bytes) -> object:
        return run_job(Job("message", version, 30_000_000, raw=raw), extractor)

    online(messages[0])
    base, ours, whole = rate(parse_only, messages), rate(extractor.extract, messages), rate(online, messages)
    sec = "in-process (one core, the HTTP benchmark's messages)"
    return [
        figure(sec, "parse", base),
        figure(sec, "extract", ours, f"{ours / base:.2f}× parse-only's rate"),
        figure(sec, "online", whole, "`mailstencil.app.service.run_job`, what a worker does per message"),
    ], whole


def http_figures(
    store: Path, messages: list[bytes], seconds: float, repeat: int, inproc: float
) -> list[Figure]:
    """Load cases against ``mailstencil serve --workers 2``, the ratio to in-process, start-up, RSS."""
    subprocess.run([str(ROOT / "scripts" / "ensure-wrk.sh")], check=True, capture_output=True)
    sec = "HTTP (`mailstencil serve --workers 2`, loopback, wrk)"
    with http_load.serve(store, 2, messages[0]) as server:
        runs = http_load.run_cases(server, messages, seconds, repeat)
        rss = http_load.rss_mb(server.pid)
    figures = [figure(sec, "startup", server.startup)]
    for c in http_load.CASES:
        loads = runs[c.name]
        mid = http_load.median_run(loads)
        per = 10 if c.batch else 1
        goal = c.connections == 16 and not c.batch and "JSON-LD" not in c.name
        errors = sum(x.errors for x in loads)
        busy = f"; {errors} answers not 2xx (503: queue full, by design)" if errors else ""
        note = f"CPU a request: service {mid.service_ms:.2f} ms, workers {mid.workers_ms:.2f} ms{busy}"
        batch = " (×10 messages)" if per > 1 else ""
        figures += [
            figure(sec, "rps", mid.rps, note, [x.rps for x in loads], goal, case=c.name, batch=batch),
            figure(sec, "p99", mid.p99, f"p50 {mid.p50:.1f} ms", [x.p99 for x in loads], goal, case=c.name),
        ]
    ratio_runs = [x.rps / inproc for x in runs[http_load.CASES[1].name]]
    note = f"in-process {inproc:.0f} msg/s on one core, same messages, same run"
    front = sorted(rss.values())
    return figures + [
        figure(sec, "ratio", statistics.median(ratio_runs), note, ratio_runs),
        figure(sec, "rss", sum(front), f"{len(front)} processes, largest {front[-1]:.0f} MB"),
    ]


def scale_figures(store: Path, messages: list[bytes], sizes: list[int], workdir: Path) -> list[Figure]:
    """RSS per worker, compile and lookup time for synthetic rule sets; start-up with the largest
    one that fits the run's time (10k clusters)."""
    rules = SQLiteStore(store)
    base = rules.load()
    rules.close()
    http_load.write_bodies(messages, workdir, 10)
    (workdir / "base.json").write_text(json.dumps({"clusters": len([c for c in base.clusters if c.sender])}))
    sec = f"scale of the rule set (synthetic, from the {len(base.clusters)} learned clusters)"
    figures: list[Figure] = []
    lookups = []
    for n in sizes:
        ruleset = scale.synth(base, n)
        mb = scale.write_split(ruleset, workdir / f"split-{n}") / 1e6
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale", str(workdir), str(n)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        got = json.loads(out.stdout)
        lookups.append(got["lookup_ms"])
        memory = (
            f"rule set JSON {mb:.0f} MB split by sender; {got['rss_base_mb']:.0f} MB before "
            f"taking it in, {got['rss_parsed_mb']:.0f} MB holding it, the rest the sample's senders "
            "parsed and compiled"
        )
        first = "its whole extraction, mean over the sample, each message the first of its sender"
        known = f"{got['known']:.0%} of messages in a known cluster"
        figures += [
            figure(sec, "worker_rss", got["rss_mb"], memory, goal=n >= 100_000, n=n),
            figure(sec, "compile", got["compile_s"], n=n),
            figure(sec, "first", got["first_ms"], first, n=n),
            figure(sec, "lookup", got["lookup_ms"], known, n=n),
        ]
        if n == 10_000:
            big = workdir / "rules-10k.db"
            big_store = SQLiteStore(big)
            big_store.publish(ruleset)
            big_store.close()
            with http_load.serve(big, 2, scale.as_copy(messages[0], 0)) as server:
                startup = server.startup
                depth = {p: d for p, (d, _) in http_load.tree_cpu(server.pid).items()}
                rss = http_load.rss_mb(server.pid)
            front = max(v for p, v in rss.items() if depth.get(p) == http_load.SERVICE)
            back = max(v for p, v in rss.items() if depth.get(p) == http_load.WORKER)
            note = f"largest RSS: service process {front:.0f} MB, extraction worker {back:.0f} MB"
            figures.append(figure(sec, "big_startup", startup, note))
        shutil.rmtree(workdir / f"split-{n}")
    if len(lookups) > 1:
        note = "flat: extract per message at the largest set over the smallest"
        figures.append(figure(sec, "growth", lookups[-1] / lookups[0], note, first=sizes[0], last=sizes[-1]))
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter load runs, no Spark, no 100k clusters")
    ap.add_argument("--readme", action="store_true", help="also rewrite the README's speed section")
    ap.add_argument("--readme-only", action="store_true", help="rewrite it from speed.json; measure nothing")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--messages", type=int, default=200, help="messages the load and in-process runs cycle")
    ap.add_argument("--clusters", type=int, nargs="+", help="synthetic rule-set sizes (default 1k 10k 100k)")
    args = ap.parse_args()
    if args.readme_only:
        update_readme(load())
        return
    t0 = time.perf_counter()
    load_before = list(os.getloadavg())
    figures: list[Figure] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = args.corpus
        if not corpus.is_dir():
            corpus = work / "sample"
            subprocess.run(
                [sys.executable, "-m", "mailstencil", "sample", str(corpus)], check=True, capture_output=True
            )
            notes.append(f"{args.corpus} absent: our sample corpus (`mailstencil sample`) instead")
        store = work / "rules.db"
        print("learning (local) …", file=sys.stderr, flush=True)
        figures += learning_figures(learn(corpus, store, "local"), "local")
        if not args.quick and shutil.which("java"):
            print("learning (spark) …", file=sys.stderr, flush=True)
            figures += learning_figures(learn(corpus, work / "spark.db", "spark"), "spark")
        messages = pick_messages(corpus, args.messages)
        print("in-process …", file=sys.stderr, flush=True)
        inproc, whole = inprocess_figures(store, messages)
        figures += inproc
        print("HTTP …", file=sys.stderr, flush=True)
        figures += http_figures(store, messages, 2 if args.quick else 4, 2, whole)
        print("scale …", file=sys.stderr, flush=True)
        sizes = args.clusters or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
        figures += scale_figures(store, messages, sizes, work / "scale")
    n_files = sum(1 for _ in iter_raw_messages([corpus])) if corpus.is_dir() else 0
    notes.append(
        f"corpus `{args.corpus.name}`; the load and in-process runs cycle {len(messages)} of its messages "
        f"spread over it{f' ({n_files} in all)' if n_files else ''}; each HTTP figure is the median of "
        "2 runs (all runs listed), runs interleaved so noise spreads."
    )
    results = Results(
        command=" ".join(["python -m benchmarks", *(a for a in sys.argv[1:] if a != "--readme")]),
        date=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        machine=f"{CORES} cores, Python {platform.python_version()}",
        load_before=load_before,
        load_after=list(os.getloadavg()),
        seconds=time.perf_counter() - t0,
        figures=figures,
        notes=notes,
    )
    save(results)
    print(render(results))
    if args.readme:
        update_readme(results)


if __name__ == "__main__":
    main()
