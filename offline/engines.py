"""Engines by name, for the command line and benchmarks: the one place that knows them all."""

from __future__ import annotations

from .defaults import ENGINES
from .engine import Engine
from .local_engine import LocalEngine

__all__ = ["get_engine"]


def get_engine(name: str, *, processes: int | None = None, master: str | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``spark``); anything else is a ``ValueError``.
    Spark is imported only when asked for (``pip install mailstencil[spark]``)."""
    if name == "local":
        return LocalEngine(processes)
    if name == "spark":
        from .spark_engine import SparkEngine

        return SparkEngine(master=master)
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
