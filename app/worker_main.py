"""The entry point of an extraction worker process, apart from the service's side of the workers
(``app/workers.py``): a worker unpickles its target by module, and this one imports next to
nothing, so the worker (and its forkserver) loads only the extraction code, never the service's."""

from __future__ import annotations

from multiprocessing.connection import Connection

from mailstencil.rules.limits import Limits

__all__ = ["main"]


def main(conn: Connection, limits: Limits) -> None:
    """:func:`mailstencil.app.service.serve_jobs`, imported here, in the worker (its forkserver
    preloads it), so the service process that starts the worker never imports it."""
    from .service import serve_jobs

    serve_jobs(conn, limits)
