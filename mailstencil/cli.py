"""The ``mailstencil`` command line: learn, extract, clusters, evaluate, train-roles, sample, serve."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from offline.corpus import iter_raw_messages
from offline.engine import ENGINES
from offline.evaluate import evaluate, format_evaluation, split_by_date
from offline.roles import DEFAULT_MODEL_PATH, RoleModel, load_default_model
from offline.sample import Sample, prepare
from offline.state import DEFAULT_CAP, DEFAULT_RETENTION_DAYS
from offline.train import train_roles, training_set
from offline.truth import TruthRecord, load_truth
from rules.apply import Extractor
from rules.dom import DomError
from rules.message import MessageError
from rules.store import StoreError, default_store_url, open_store

__all__ = ["main"]


def _progress(label: str, n: int, start: float) -> None:
    if sys.stderr.isatty() or n % 5000 == 0:
        rate = n / max(1e-9, time.perf_counter() - start)
        print(
            f"\r{label}: {n} messages ({rate:.0f}/s)",
            end="" if sys.stderr.isatty() else "\n",
            file=sys.stderr,
        )


def read_samples(paths: list[str], label: str = "reading") -> Iterator[Sample]:
    """Prepared samples of every readable message under ``paths`` (junk is skipped and counted)."""
    start = time.perf_counter()
    n = skipped = 0
    for name, raw in iter_raw_messages(paths):
        n += 1
        sample = prepare(name, raw)
        if sample is None:
            skipped += 1
        else:
            yield sample
        if n % 1000 == 0:
            _progress(label, n, start)
    if sys.stderr.isatty() and n >= 1000:
        print(file=sys.stderr)
    if skipped:
        print(f"{label}: skipped {skipped} unreadable messages", file=sys.stderr)


TRUTH_HELP = "a truth.jsonl file, or a directory searched for them (repeatable)"


def _truth_files(entries: list[str]) -> list[Path]:
    out: list[Path] = []
    for e in entries:
        p = Path(e)
        out.extend(sorted(p.rglob("truth.jsonl")) if p.is_dir() else [p])
    return out


def _model(path: str | None) -> RoleModel | None:
    if path:
        return RoleModel.load(Path(path))
    model = load_default_model()
    if model is None:
        print(f"warning: no role model at {DEFAULT_MODEL_PATH}; slots stay unnamed", file=sys.stderr)
    return model


def cmd_learn(args: argparse.Namespace) -> int:
    import logging
    from datetime import UTC, datetime

    from offline.batch import RefusedRun, format_report, run_learning
    from offline.engine import default_model_path, get_engine
    from offline.state import LearnJob

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    model_path = args.roles or default_model_path()
    if model_path is None:
        print(f"warning: no role model at {DEFAULT_MODEL_PATH}; slots stay unnamed", file=sys.stderr)
    job = LearnJob(
        model_path=model_path,
        min_recipients=args.min_recipients,
        cap=args.cap,
        retention_days=args.retention_days,
        now=datetime.now(UTC),
    )
    engine = get_engine(args.engine, **({"master": args.spark_master} if args.engine == "spark" else {}))
    store = open_store(args.store)
    try:
        report = run_learning(
            store,
            args.paths,
            engine=engine,
            job=job,
            incremental=args.incremental,
            allow_shrink=args.allow_shrink,
        )
    except RefusedRun as exc:
        print(f"mailstencil: learn refused: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("mailstencil: learn interrupted; nothing published, previous version serving", file=sys.stderr)
        return 130
    finally:
        store.close()
    print(format_report(report))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        extractor = Extractor(store.load())
    finally:
        store.close()
    failed = 0
    for name, raw in iter_raw_messages(args.paths):
        try:
            got = extractor.extract(raw)
        except (MessageError, DomError) as exc:
            failed += 1
            print(json.dumps({"file": name, "error": str(exc)}))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad message never hides the ones after it
            failed += 1
            print(
                json.dumps({"file": name, "error": f"message could not be processed ({type(exc).__name__})"})
            )
            continue
        out = {"file": name, "message_id": got.message_id, "cluster": got.cluster, "fields": got.fields}
        if not got.known:
            out["note"] = "unknown cluster"
        print(json.dumps(out, ensure_ascii=False))
    if failed:
        print(f"extract: {failed} messages could not be read", file=sys.stderr)
    return 1 if failed and args.strict else 0


def cmd_clusters(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        ruleset = store.load()
    finally:
        store.close()
    print(f"rule set version {ruleset.version}: {len(ruleset.clusters)} clusters")
    print(f"{'key':<48} {'sender':<36} {'messages':>8} {'recipients':>10} {'rules':>5}")
    for c in sorted(ruleset.clusters, key=lambda c: -c.messages):
        print(f"{c.cluster:<48} {c.sender:<36} {c.messages:>8} {c.recipients:>10} {len(c.rules):>5}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    truth = load_truth(_truth_files(args.truth))
    samples = list(read_samples(args.paths, "evaluate"))
    ev = evaluate(samples, truth, _model(args.roles), args.holdout, args.min_recipients)
    print(format_evaluation(ev))
    return 0


def cmd_train_roles(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    files = {f.resolve() for f in _truth_files(args.truth)}
    family_files = {f.resolve() for f in _truth_files(args.families or [])}
    truth: dict[str, TruthRecord] = {}
    families: set[str] = set()
    for f in sorted(files | family_files):  # each file read once, whichever lists name it
        records = load_truth([f])
        if f in files:
            truth.update(records)
        if f in family_files:
            families.update(rec.source for rec in records.values())
    samples = [s for s in read_samples(args.paths, "train-roles") if s.message_id in truth]
    train, _ = split_by_date(samples, args.holdout)
    data = training_set(train, truth, args.min_recipients)
    model = train_roles(data, args.exclude_source or (), families)
    out = Path(args.out)
    model.save(out)
    named = sum(1 for lab in data.labels if lab != "none")
    print(
        f"trained on {len(data.labels)} slots ({named} named) from {len(train)} messages; "
        f"wrote {out} in {time.perf_counter() - start:.0f} s"
    )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from offline.samplegen import generate

    out = generate(Path(args.out), messages_per_template=args.per_template, seed=args.seed)
    print(f"sample corpus written to {out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    if args.store:
        os.environ["MAILSTENCIL_STORE"] = args.store
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    p = argparse.ArgumentParser(prog="mailstencil", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    store_help = f"rule store URL (default {default_store_url()})"

    s = sub.add_parser("learn", help="learn rules from messages into the store (a nightly batch run)")
    s.add_argument("paths", nargs="+", help="message files, directories, mbox, Maildir (spark: also Parquet)")
    s.add_argument("--store", help=store_help)
    s.add_argument("--engine", choices=ENGINES, default="local", help="local (multiprocessing) or spark")
    s.add_argument("--spark-master", help="Spark master URL (default MAILSTENCIL_SPARK_MASTER or local[*])")
    s.add_argument("--min-recipients", type=int, default=5, help="k: distinct recipients a cluster needs")
    s.add_argument("--roles", help="role model JSON (default: the shipped model)")
    mode = s.add_mutually_exclusive_group()
    mode.add_argument(
        "--incremental",
        dest="incremental",
        action="store_true",
        default=True,
        help="relearn only senders with new mail, keep the rest (default)",
    )
    mode.add_argument("--full", dest="incremental", action="store_false", help="learn from PATHs alone")
    s.add_argument(
        "--retention-days",
        type=int,
        default=DEFAULT_RETENTION_DAYS,
        help=f"drop retained learning samples after N days (default {DEFAULT_RETENTION_DAYS})",
    )
    s.add_argument(
        "--cap",
        type=int,
        default=DEFAULT_CAP,
        help=f"samples kept per cluster between nights (default {DEFAULT_CAP})",
    )
    s.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even an empty rule set or one retiring over half the current clusters",
    )
    s.set_defaults(func=cmd_learn)

    s = sub.add_parser("extract", help="extract fields, one JSON object per message")
    s.add_argument("paths", nargs="+")
    s.add_argument("--store", help=store_help)
    s.add_argument("--strict", action="store_true", help="exit 1 when any message could not be read")
    s.set_defaults(func=cmd_extract)

    s = sub.add_parser("clusters", help="list the clusters of the current rule set")
    s.add_argument("--store", help=store_help)
    s.set_defaults(func=cmd_clusters)

    s = sub.add_parser("evaluate", help="learn on older mail, extract the newest, score against truth")
    s.add_argument("paths", nargs="+")
    s.add_argument("--truth", action="append", required=True, help=TRUTH_HELP)
    s.add_argument("--holdout", type=float, default=0.3)
    s.add_argument("--min-recipients", type=int, default=5)
    s.add_argument("--roles", help="role model JSON (default: the shipped model)")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("train-roles", help="train the role classifier from labelled corpora")
    s.add_argument("paths", nargs="+")
    s.add_argument("--truth", action="append", required=True, help=TRUTH_HELP)
    s.add_argument("--out", default=str(DEFAULT_MODEL_PATH))
    s.add_argument("--holdout", type=float, default=0.3, help="newest share per sender never trained on")
    s.add_argument("--exclude-source", action="append", help="leave a source out (repeatable)")
    s.add_argument(
        "--families",
        action="append",
        help="truth of real template families: average fits that each leave one of its sources out "
        "(repeatable)",
    )
    s.add_argument("--min-recipients", type=int, default=5)
    s.set_defaults(func=cmd_train_roles)

    s = sub.add_parser("sample", help="write our synthetic sample corpus")
    s.add_argument("out")
    s.add_argument("--per-template", type=int, default=12)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=cmd_sample)

    s = sub.add_parser("serve", help="run the HTTP extraction service")
    s.add_argument("--store", help=store_help)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mailstencil`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (StoreError, FileNotFoundError) as exc:
        print(f"mailstencil: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
