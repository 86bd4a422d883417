"""The ``mailstencil`` command line: learn, extract, clusters, evaluate, train-roles, sample, serve."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from mailstencil import LEARN_INTERRUPTED, learn_handles_interrupts
from mailstencil.offline.defaults import (
    DEFAULT_CAP,
    DEFAULT_MIN_RECIPIENTS,
    DEFAULT_MODEL_PATH,
    DEFAULT_RETENTION_DAYS,
    ENGINES,
)
from mailstencil.rules.errors import StoreError
from mailstencil.rules.stores import default_store_url, open_store

if TYPE_CHECKING:
    from mailstencil.offline.roles import RoleModel
    from mailstencil.offline.sample import Sample
    from mailstencil.offline.truth import TruthRecord
    from mailstencil.rules.model import RuleSet

__all__ = ["main"]

DESCRIPTION = (
    "Learn extraction rules from machine-generated email offline (learn), apply them (extract, serve), "
    "inspect and score them (clusters, evaluate). Start with: mailstencil learn MAIL_DIR, then "
    "mailstencil extract MESSAGE."
)


def read_samples(paths: list[str], label: str = "reading") -> Iterator[Sample]:
    """Prepared samples of every readable message under ``paths`` (junk is skipped and counted)."""
    from mailstencil.offline.corpus import iter_raw_messages
    from mailstencil.offline.progress import Progress
    from mailstencil.offline.sample import prepare

    bar = Progress(label, unit="messages", log_every=5000)
    skipped = 0
    for name, raw in iter_raw_messages(paths):
        sample = prepare(name, raw)
        if sample is None:
            skipped += 1
        else:
            yield sample
        bar.step()
    bar.done()
    if skipped:
        print(f"{label}: skipped {skipped} unreadable messages", file=sys.stderr)


class CommandError(Exception):
    """A command cannot do what it was asked (exit status 1, one line on standard error)."""


def read_messages(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """``(name, raw)`` of every message under ``paths`` (``-``: standard input); finding none is an error."""
    from mailstencil.offline.corpus import iter_raw_messages

    n = 0
    for entry in paths:
        if entry == "-":
            n += 1
            yield "-", sys.stdin.buffer.read()
            continue
        for item in iter_raw_messages([entry]):
            n += 1
            yield item
    if n == 0:
        raise CommandError(f"no messages found in {', '.join(paths)} (.eml files, mbox or Maildir)")


def load_rules(url: str) -> RuleSet:
    """The current rule set of an existing store; a missing store is not created, an empty one refused."""
    hint = f"run `mailstencil learn MAIL_DIR --store {url}` first"
    try:
        store = open_store(url, create=False)
    except StoreError as exc:
        raise StoreError(f"{exc}: {hint}") from exc
    try:
        ruleset = store.load()
    finally:
        store.close()
    if ruleset.version == 0:
        raise StoreError(f"no rule set published in {url} yet: {hint}")
    return ruleset


def _int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer no smaller than ``low``."""

    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value

    parse.__name__ = "int"
    return parse


def _share(text: str) -> float:
    """An argparse type: a share of messages, 0 <= x < 1."""
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {value}")
    return value


_share.__name__ = "float"


def _package_version() -> str:
    try:
        return version("mailstencil")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none or it is a switch's on/off."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)


TRUTH_HELP = "a truth.jsonl file, or a directory searched for them (repeatable)"


def _truth_files(entries: list[str]) -> list[Path]:
    out: list[Path] = []
    for e in entries:
        p = Path(e)
        out.extend(sorted(p.rglob("truth.jsonl")) if p.is_dir() else [p])
    return out


def _model(path: str | None) -> RoleModel | None:
    from mailstencil.offline.roles import RoleModel, load_default_model

    if path:
        return RoleModel.load(Path(path))
    model = load_default_model()
    if model is None:
        print(f"warning: no role model at {DEFAULT_MODEL_PATH}; slots stay unnamed", file=sys.stderr)
    return model


def cmd_learn(args: argparse.Namespace) -> int:
    """Learn and publish; a Ctrl-C ends the run with one line and 130 (before the run starts,
    :mod:`mailstencil` handles it)."""
    try:
        return _learn(args)
    except KeyboardInterrupt:
        print(LEARN_INTERRUPTED, file=sys.stderr)
        return 130


def _learn(args: argparse.Namespace) -> int:
    import logging
    from datetime import UTC, datetime

    from mailstencil.offline.batch import RefusedRun, format_report, run_learning
    from mailstencil.offline.engine import default_model_path
    from mailstencil.offline.engines import get_engine
    from mailstencil.offline.transport import LearnJob

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
    engine = get_engine(args.engine, master=args.spark_master)
    missing = [p for p in args.paths if "://" not in p and not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"no such file or directory: {', '.join(missing)} (nothing was learned)")
    store = open_store(args.store)
    try:
        learn_handles_interrupts()
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
    finally:
        store.close()
    print(format_report(report))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from mailstencil.rules.apply import Extractor
    from mailstencil.rules.dom import DomError
    from mailstencil.rules.message import MessageError, parse_message
    from mailstencil.rules.typed import type_extraction

    extractor = Extractor(load_rules(args.store))
    failed = 0
    for name, raw in read_messages(args.paths):
        try:
            msg = parse_message(raw)
            got = extractor.extract_parsed(msg)
            typed, _ = type_extraction(got.fields, got.items, msg.date, got.sender, got.around)
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
        out: dict[str, object] = {
            "file": name,
            "message_id": got.message_id,
            "cluster": got.cluster,
            "fields": got.fields,
            "typed": {k: [t.model_dump(mode="json") if t else None for t in v] for k, v in typed.items()},
        }
        if not got.known:
            out["note"] = "unknown cluster"
        print(json.dumps(out, ensure_ascii=False))
    if failed:
        print(f"extract: {failed} messages could not be read", file=sys.stderr)
    return 1 if failed and args.strict else 0


def cmd_clusters(args: argparse.Namespace) -> int:
    ruleset = load_rules(args.store)
    print(f"rule set version {ruleset.version}: {len(ruleset.clusters)} clusters")
    print(f"{'key':<48} {'sender':<36} {'messages':>8} {'recipients':>10} {'rules':>5}")
    for c in sorted(ruleset.clusters, key=lambda c: -c.messages):
        print(f"{c.cluster:<48} {c.sender:<36} {c.messages:>8} {c.recipients:>10} {len(c.rules):>5}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from mailstencil.offline.evaluate import evaluate, format_evaluation
    from mailstencil.offline.truth import load_truth

    truth = load_truth(_truth_files(args.truth))
    samples = list(read_samples(args.paths, "evaluate"))
    ev = evaluate(samples, truth, _model(args.roles), args.holdout, args.min_recipients)
    print(format_evaluation(ev))
    if args.typed:
        from mailstencil.offline.typed_eval import format_typed_report, typed_report

        print("\nTyped values (rules/typed.py) per field:\n")
        print(format_typed_report(typed_report(samples, truth, ev.ruleset, ev.held_out)))
    return 0


def cmd_train_roles(args: argparse.Namespace) -> int:
    from mailstencil.offline.evaluate import split_by_date
    from mailstencil.offline.train import train_roles, training_set
    from mailstencil.offline.truth import load_truth

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
    corrections = []
    if args.corrections:
        store = open_store(args.corrections, create=False)
        try:
            corrections = store.corrections()
        finally:
            store.close()
    corrected = {c.cluster.rsplit(":", 1)[0] for c in corrections}  # their senders
    samples = [
        s for s in read_samples(args.paths, "train-roles") if s.message_id in truth or s.sender in corrected
    ]
    train, _ = split_by_date(samples, args.holdout)
    data = training_set(train, truth, args.min_recipients, corrections)
    model = train_roles(data, args.exclude_source or (), families)
    out = Path(args.out)
    model.save(out)
    named = sum(1 for lab in data.labels if lab != "none")
    print(
        f"trained on {len(data.labels)} slots ({named} named) from {len(train)} messages, "
        f"{model.spec.corrections} of them labelled by the {len(corrections)} corrections stored; "
        f"wrote {out} in {time.perf_counter() - start:.0f} s"
    )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from mailstencil.offline.samplegen import generate

    out = generate(Path(args.out), messages_per_template=args.per_template, seed=args.seed)
    print(f"sample corpus written to {out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Become uvicorn serving ``mailstencil.app.main:app`` in one process: ``--store`` and ``--workers``
    reach it as ``MAILSTENCIL_STORE`` and ``MAILSTENCIL_EXTRACT_PROCESSES`` in the new program's
    environment (this process's is not edited). One HTTP process feeds one pool of extraction
    workers, so no request waits behind a busy process's workers while another's sit idle."""
    import os

    env = dict(os.environ)
    if args.store:
        env["MAILSTENCIL_STORE"] = args.store
    if args.workers is not None:
        env["MAILSTENCIL_EXTRACT_PROCESSES"] = str(args.workers)
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "mailstencil.app.main:app",
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    argv += [] if args.access_log else ["--no-access-log"]
    os.execve(sys.executable, argv, env)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs); every option's help shows its default."""
    fmt = _HelpFormatter
    p = argparse.ArgumentParser(prog="mailstencil", description=DESCRIPTION, formatter_class=fmt)
    p.add_argument("--version", action="version", version=f"%(prog)s {_package_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    store_url = default_store_url()
    store_help = "rule store URL: sqlite:///PATH.db or postgresql://..."
    positive = _int_at_least(1)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, formatter_class=fmt)

    def min_recipients(s: argparse.ArgumentParser, why: str = "") -> None:
        """The k-anonymity option every learning command takes."""
        help_text = "k: distinct recipients a cluster needs" + why
        s.add_argument("--min-recipients", type=positive, default=DEFAULT_MIN_RECIPIENTS, help=help_text)

    def labelled(name: str, help_text: str, holdout_help: str) -> argparse.ArgumentParser:
        """A command over labelled mail: message PATHs, the truth files that label them, the newest
        share per sender it holds out, and k."""
        s = command(name, help_text)
        s.add_argument("paths", nargs="+", help="message files, directories, mbox, Maildir")
        s.add_argument("--truth", action="append", required=True, help=TRUTH_HELP)
        s.add_argument("--holdout", type=_share, default=0.3, help=holdout_help)
        min_recipients(s)
        return s

    s = command("learn", "learn rules from messages into the store (a nightly batch run)")
    s.add_argument("paths", nargs="+", help="message files, directories, mbox, Maildir (spark: also Parquet)")
    s.add_argument("--store", default=store_url, help=store_help)
    s.add_argument("--engine", choices=ENGINES, default="local", help="local (multiprocessing) or spark")
    s.add_argument("--spark-master", help="Spark master URL (unset: MAILSTENCIL_SPARK_MASTER, else local[*])")
    min_recipients(s, " (privacy)")
    s.add_argument("--roles", help="role model JSON (unset: the shipped model)")
    mode = s.add_mutually_exclusive_group()
    mode.add_argument(
        "--incremental",
        dest="incremental",
        action="store_true",
        default=True,
        help="relearn only senders with new mail, keep the rest (the default)",
    )
    mode.add_argument("--full", dest="incremental", action="store_false", help="learn from PATHs alone")
    s.add_argument(
        "--retention-days",
        type=positive,
        default=DEFAULT_RETENTION_DAYS,
        help="drop retained learning samples after N days",
    )
    s.add_argument(
        "--cap", type=positive, default=DEFAULT_CAP, help="samples kept per cluster between nights"
    )
    s.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even an empty rule set or one retiring over half the current clusters",
    )
    s.set_defaults(func=cmd_learn)

    s = command("extract", "extract fields, one JSON object per message")
    s.add_argument("paths", nargs="+", help="message files, directories, mbox, Maildir; - for standard input")
    s.add_argument("--store", default=store_url, help=store_help)
    s.add_argument("--strict", action="store_true", help="exit 1 when any message could not be read")
    s.set_defaults(func=cmd_extract)

    s = command("clusters", "list the clusters of the current rule set")
    s.add_argument("--store", default=store_url, help=store_help)
    s.set_defaults(func=cmd_clusters)

    s = labelled(
        "evaluate",
        "learn on older mail, extract the newest, score against truth",
        "newest share per sender held out for scoring",
    )
    s.add_argument("--roles", help="role model JSON (unset: the shipped model)")
    s.add_argument(
        "--typed",
        action="store_true",
        help="also report per typed field the share of truth values with a typed form and of right"
        " extractions typed as their truth value",
    )
    s.set_defaults(func=cmd_evaluate)

    s = labelled(
        "train-roles",
        "train the role classifier from labelled corpora",
        "newest share per sender never trained on",
    )
    s.add_argument("--out", default=str(DEFAULT_MODEL_PATH), help="where to write the model JSON")
    s.add_argument("--exclude-source", action="append", help="leave a source out (repeatable)")
    s.add_argument(
        "--families",
        action="append",
        help="truth of real template families: average fits that each leave one of its sources out "
        "(repeatable)",
    )
    s.add_argument(
        "--corrections",
        metavar="STORE",
        help="also learn from the console's corrections kept in this rule store (a corrected slot takes "
        "the operator's field; the corrected senders' messages among PATH are read too)",
    )
    s.set_defaults(func=cmd_train_roles)

    s = command("sample", "write our synthetic sample corpus")
    s.add_argument("out", help="directory to write it to")
    s.add_argument("--per-template", type=positive, default=12, help="messages per template")
    s.add_argument("--seed", type=int, default=0, help="random seed (the same seed writes the same corpus)")
    s.set_defaults(func=cmd_sample)

    s = command("serve", "run the HTTP extraction service")
    s.add_argument("--store", help="rule store URL (unset: MAILSTENCIL_STORE, else " + store_url + ")")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=positive, default=8000, help="TCP port to listen on")
    s.add_argument(
        "--workers",
        type=_int_at_least(0),
        help="extraction worker processes, one pool shared by all requests of the one HTTP process "
        "(sets MAILSTENCIL_EXTRACT_PROCESSES; unset: that variable, else 2; 0: extract in threads of "
        "the HTTP process)",
    )
    s.add_argument(
        "--access-log",
        action="store_true",
        help="log a line per request (uvicorn's access log: client, method, path, status); off, requests "
        "are counted in /metrics only, which costs far less CPU a request",
    )
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
    except CommandError as exc:
        print(f"mailstencil: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
