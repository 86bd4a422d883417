"""The PySpark engine: the same job as :class:`mailstencil.offline.local_engine.LocalEngine`, on a Spark
cluster.

Messages are read as ``(name, raw bytes)`` rows: a directory of ``.eml`` files (names listed on
the driver, files read by the tasks, so on a cluster it must be on a shared file system), a
Parquet dataset with columns ``name`` (string) and ``raw`` (binary), or
(mbox, Maildir, single files) read on the driver and parallelised (as are messages or samples
handed over in memory). Then: map :func:`mailstencil.offline.engine.prepare_one`, key by sender, ``cogroup``
with the senders' stored state, :func:`mailstencil.offline.engine.learn_group` per sender, collect the results
as JSON. The Python workers run this interpreter (``PYSPARK_PYTHON`` when set); PySpark gives them
``PYTHONHASHSEED=0`` unless the environment says otherwise, and learning does not depend on it.
PySpark is imported only when this engine is used (``pip install mailstencil[spark]`` and a Java 17 runtime).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .corpus import iter_raw_messages
from .engine import SKIPPED_NAMED, EngineOutput, Skipped, StateLoader, learn_task, prepare_one
from .privacy import privatize
from .sample import Sample
from .transport import LearnJob, SenderResult, sample_to_json

__all__ = ["SparkEngine", "write_parquet"]

log = logging.getLogger("mailstencil.learn")


def _session(master: str | None) -> Any:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("mailstencil-learn")
    master = master or os.environ.get("MAILSTENCIL_SPARK_MASTER")
    if master:
        builder = builder.master(master)
    elif not os.environ.get("SPARK_HOME"):
        builder = builder.master("local[*]")
    spark = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.python.worker.reuse", "true")
        .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
        .getOrCreate()
    )
    # the workers' interpreter, read each time a task's function is wrapped (no environment edit)
    spark.sparkContext.pythonExec = os.environ.get("PYSPARK_PYTHON", sys.executable)
    return spark


def _is_parquet(path: Path) -> bool:
    return path.suffix == ".parquet" or (path.is_dir() and any(path.glob("*.parquet")))


def _eml_only(path: Path) -> bool:
    """A directory that holds ``.eml`` files and no mbox or Maildir (Spark reads those itself)."""
    if not path.is_dir():
        return False
    return not any(sub.suffix == ".mbox" or (sub.name == "cur" and sub.is_dir()) for sub in path.rglob("*"))


def _strip_scheme(name: str) -> str:
    return name[len("file:") :] if name.startswith("file:") else name


def _prep_row(row: tuple[str, bytes | bytearray]) -> tuple[str, str] | Skipped:
    return prepare_one((_strip_scheme(str(row[0])), bytes(row[1])))


def _learn_row(item: tuple[str, tuple[Iterable[str], Iterable[str]]], job_json: str) -> str:
    sender, (samples, states) = item
    return learn_task(sender, samples, next(iter(states), None), job_json)


class SparkEngine:
    """Learning on Spark (``master`` e.g. ``local[2]``; default ``MAILSTENCIL_SPARK_MASTER`` or local)."""

    name = "spark"

    def __init__(self, master: str | None = None, partitions: int | None = None) -> None:
        self.master = master
        self.partitions = partitions

    def _rows(self, spark: Any, paths: list[str]) -> Any:
        """An RDD of ``(name, raw bytes)`` over every input path."""
        sc = spark.sparkContext
        rdds = []
        local: list[tuple[str, bytes]] = []
        for entry in paths:
            path = Path(entry)
            if not path.exists():
                raise FileNotFoundError(f"no such file or directory: {path}")
            if _is_parquet(path):
                df = spark.read.parquet(str(path)).select("name", "raw")
                rdds.append(df.rdd.map(lambda r: (r[0], r[1])))
            elif _eml_only(path):
                # file names from the driver, bytes read by the tasks (a file system all nodes see);
                # much faster than the binaryFile source for many small files
                names = sorted(str(f) for f in path.rglob("*.eml") if f.is_file())
                n = max(1, min(len(names), self.partitions or 2 * sc.defaultParallelism))
                rdds.append(sc.parallelize(names, n).map(lambda f: (f, Path(f).read_bytes())))
            else:
                local.extend(iter_raw_messages([path]))
        if local:
            rdds.append(sc.parallelize(local, self.partitions or sc.defaultParallelism))
        return sc.union(rdds) if len(rdds) > 1 else rdds[0]

    def run(self, paths: list[str], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Prepare every message under ``paths``, learn every sender that received mail."""
        out = EngineOutput(results=[])
        spark = self._start(out)
        start = time.perf_counter()
        return self._learn(spark, self._rows(spark, paths), job, load_states, out, start)

    def run_messages(
        self, messages: Iterable[tuple[str, bytes]], job: LearnJob, load_states: StateLoader
    ) -> EngineOutput:
        """Run on ``(name, raw bytes)`` pairs from any source (read on the driver, parallelised)."""
        out = EngineOutput(results=[])
        spark = self._start(out)
        start = time.perf_counter()
        sc = spark.sparkContext
        rows = sc.parallelize(list(messages), self.partitions or sc.defaultParallelism)
        return self._learn(spark, rows, job, load_states, out, start)

    def run_samples(self, samples: Iterable[Sample], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Run on samples prepared elsewhere (made private on the driver, as the map step would)."""
        out = EngineOutput(results=[])
        spark = self._start(out)
        start = time.perf_counter()
        sc = spark.sparkContext
        pairs = [(s.sender, sample_to_json(privatize(s))) for s in samples]
        prepared = sc.parallelize(pairs, self.partitions or sc.defaultParallelism)
        return self._learn(spark, prepared, job, load_states, out, start, prepare=False)

    def _start(self, out: EngineOutput) -> Any:
        start = time.perf_counter()
        spark = _session(self.master)
        out.seconds["start"] = time.perf_counter() - start
        return spark

    def _learn(
        self,
        spark: Any,
        rows: Any,
        job: LearnJob,
        load_states: StateLoader,
        out: EngineOutput,
        start: float,
        prepare: bool = True,
    ) -> EngineOutput:
        """Prepare ``rows`` (unless they are prepared already), then learn per sender."""
        sc = spark.sparkContext
        # few, larger partitions: a task per small file costs more than parsing it
        if rows.getNumPartitions() > 4 * sc.defaultParallelism:
            rows = rows.coalesce(self.partitions or 2 * sc.defaultParallelism)
        prepared = (rows.map(_prep_row) if prepare else rows).cache()
        counts = prepared.map(lambda x: None if isinstance(x, Skipped) else x[0]).countByValue()
        out.read = sum(counts.values())
        out.skipped = counts.get(None, 0)
        if out.skipped:
            skipped = prepared.filter(lambda x: isinstance(x, Skipped))
            out.skip_reasons = dict(skipped.map(lambda x: x.why).countByValue())
            out.skipped_named = [skip.label() for skip in skipped.take(SKIPPED_NAMED)]
        senders = sorted(k for k in counts if k is not None)
        good = prepared.filter(lambda x: not isinstance(x, Skipped))
        out.seconds["prepare"] = time.perf_counter() - start
        start = time.perf_counter()
        states = load_states(senders)
        out.seconds["load_state"] = time.perf_counter() - start
        start = time.perf_counter()
        job_json = job.model_dump_json()
        state_rdd = sc.parallelize(sorted(states.items()), max(1, min(len(states), sc.defaultParallelism)))
        parts = max(1, min(len(senders), self.partitions or 2 * sc.defaultParallelism))
        grouped = good.cogroup(state_rdd, parts).filter(lambda kv: len(kv[1][0]) > 0)
        texts = grouped.map(lambda kv: _learn_row(kv, job_json)).collect()
        prepared.unpersist()
        out.results = sorted((SenderResult.model_validate_json(t) for t in texts), key=lambda r: r.sender)
        out.seconds["learn"] = time.perf_counter() - start
        log.info("engine spark: %d read, %d skipped, %d senders", out.read, out.skipped, len(senders))
        return out


def write_parquet(paths: list[str], out: str, master: str | None = None) -> int:
    """Pack raw messages into a Parquet dataset of ``(name, raw)`` rows (the Spark engine's input
    format for large nights); returns the number of messages written."""
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    spark = _session(master)
    schema = StructType([StructField("name", StringType()), StructField("raw", BinaryType())])
    rows = list(iter_raw_messages(list(paths)))
    spark.createDataFrame(rows, schema).write.mode("overwrite").parquet(out)
    return len(rows)
