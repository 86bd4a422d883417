"""Engines by name (offline/engines.py): every name the command line offers gives its engine,
with the settings passed on; an unknown name is refused with the choices."""

from __future__ import annotations

import pytest

from mailstencil.cli import build_parser
from mailstencil.offline.defaults import ENGINES
from mailstencil.offline.engines import get_engine
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.spark_engine import SparkEngine


def test_every_engine_name_gives_that_engine() -> None:
    assert [get_engine(name).name for name in ENGINES] == list(ENGINES)


def test_the_settings_reach_the_engine() -> None:
    local = get_engine("local", processes=3)
    assert isinstance(local, LocalEngine) and local.processes == 3
    spark = get_engine("spark", master="local[1]")  # made, not started: Spark starts with a run
    assert isinstance(spark, SparkEngine) and spark.master == "local[1]"


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'dask' \\(choose from local, spark\\)"):
        get_engine("dask")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["learn", "x", "--engine", "dask"])
    assert build_parser().parse_args(["learn", "x"]).engine == "local"
