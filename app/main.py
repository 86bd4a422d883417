"""The extraction service's ASGI app: ``create_app(settings)``, and ``app`` built from the environment.

``app`` is created on first access (``uvicorn mailstencil.app.main:app``), so importing this module for
``create_app`` never opens the default store or trips the admin-token check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.routing import Mount

from .api.deps import State, require_extract
from .api.routes import admin, extract, health
from .core.config import ConfigError, Settings
from .core.limits import BodyLimitMiddleware, BodyTooLarge
from .core.metrics import Metrics, MetricsMiddleware
from .rulecache import RuleCache
from .workers import Busy, runner

__all__ = ["create_app"]

log = logging.getLogger("mailstencil.app")

DESCRIPTION = """Applies rules learned offline from machine-generated email templates to raw messages.
See docs/service.md for the endpoints, settings and curl examples."""

DOCS_ASSETS = "/docs/assets"  # Swagger UI and ReDoc served from the package, so /docs works offline


async def _poll(cache: RuleCache, interval: float) -> None:
    """Check the store every ``interval`` seconds (a new current version is swapped in atomically)
    and add this process's per-field counts to the store's."""
    while True:
        await asyncio.sleep(interval)
        await anyio.to_thread.run_sync(cache.refresh)
        await anyio.to_thread.run_sync(cache.flush_counts)


def _configure_logging(level: str) -> None:
    """Level of the ``mailstencil`` loggers, and a stderr handler unless the host app set one up."""
    logger = logging.getLogger("mailstencil")
    logger.setLevel(level.upper())
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (raises :class:`ConfigError` for a configuration it refuses, e.g. no admin token)."""
    settings = settings or Settings()
    settings.check()
    _configure_logging(settings.log_level)
    metrics = Metrics()
    extraction = runner(
        settings.extract_processes,
        settings.extract_threads,
        settings.extract_queue,
        settings.limits(),
        settings.extract_timeout,
        metrics.pending,
    )
    cache = RuleCache(settings.store, metrics, extraction.prepare)
    cache.refresh()  # serve the current rules from the first request on (or retry at each poll)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(extraction.start)
        task = asyncio.create_task(_poll(cache, settings.reload_interval))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await anyio.to_thread.run_sync(cache.flush_counts)
            await anyio.to_thread.run_sync(cache.close)
            await anyio.to_thread.run_sync(extraction.close)

    application = FastAPIOffline(
        title="mailstencil",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
    )
    state = State(settings=settings, cache=cache, metrics=metrics, extraction=extraction)
    application.state.mailstencil = state
    application.include_router(health.router)
    # declared (and in the OpenAPI schema) only when a token is configured
    guard = [Depends(require_extract)] if settings.extract_token is not None else []
    application.include_router(extract.router, dependencies=guard)
    if settings.admin_enabled:
        application.include_router(admin.router)
        if settings.admin_token is not None:  # the console signs in with the token
            from .console import routes as console  # here: jinja2 and its pages only where served

            console.install(application)

    @application.exception_handler(BodyTooLarge)
    async def too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        metrics.rejected.labels("too_large").inc()
        return JSONResponse(status_code=413, content={"detail": str(exc)})

    @application.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        metrics.rejected.labels("busy").inc()
        return JSONResponse(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": "1"})

    @application.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # type only: exception messages may quote message content
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    # a plain POST /v1/extract is answered by the lane, inside the body limit and the metrics
    refusals: dict[type[Exception], extract.Handler] = {BodyTooLarge: too_large, Busy: busy}
    application.add_middleware(extract.ExtractLane, state=state, handlers=refusals)

    def limit_for(path: str) -> int | None:
        if path == "/v1/extract":
            return settings.max_message_bytes
        if path == "/v1/extract/batch":
            return settings.max_batch_bytes
        return None

    application.add_middleware(
        BodyLimitMiddleware, limit_for=limit_for, on_reject=metrics.rejected.labels("too_large").inc
    )
    # routes outside the schema too (/docs, /openapi.json), and the docs assets by their mount
    paths = [(str(getattr(r, "path", "")), isinstance(r, Mount)) for r in application.routes]
    static = frozenset(p for p, mount in paths if not mount and "{" not in p)
    mounts = tuple(p for p, mount in paths if mount)
    application.add_middleware(MetricsMiddleware, metrics=metrics, static_paths=static, mounts=mounts)
    return application


def _from_environment() -> FastAPI:
    try:
        return create_app(Settings())
    except ConfigError as exc:
        print(f"mailstencil: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    """``app``: the service configured from ``MAILSTENCIL_*`` variables, created on first access."""
    global _app
    if name == "app":
        if _app is None:
            _app = _from_environment()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
