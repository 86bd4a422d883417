"""Prometheus metrics of one app instance, and the ASGI middleware that records request metrics.

Each app gets its own registry so several apps (tests, embedders) can live in one process. Labels
are low-cardinality only: the route template (never the raw path), method, status, cluster state.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Metrics", "MetricsMiddleware"]

_SERIES = 1024  # label sets whose series each cached lookup below keeps at hand
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's metric families, registered in a private registry."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: noise
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "mailstencil_http_requests", "HTTP requests handled", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "mailstencil_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.extractions = Counter(
            "mailstencil_extractions",
            "Messages extracted, by cluster state (known_exact, known_fuzzy, known_fallback, unknown) "
            "and result (hit: at least one field extracted, miss: none)",
            ["cluster_state", "result"],
            registry=r,
        )
        self.rejected = Counter(
            "mailstencil_extraction_rejected", "Messages refused, by reason", ["reason"], registry=r
        )
        self.markup = Counter(
            "mailstencil_markup_items",
            "schema.org items read from messages' own markup",
            ["syntax"],
            registry=r,
        )
        self.disagreements = Counter(
            "mailstencil_markup_disagreements",
            "Messages of a known cluster whose own schema.org markup gives a field a value extraction "
            "did not find (per cluster: the admin console)",
            registry=r,
        )
        self.ruleset_version = Gauge(
            "mailstencil_ruleset_version", "Version of the rule set being served", registry=r
        )
        self.ruleset_clusters = Gauge(
            "mailstencil_ruleset_clusters", "Clusters in the rule set being served", registry=r
        )
        self.reloads = Counter(
            "mailstencil_ruleset_reloads",
            "Rule-set loads from the store, by outcome",
            ["outcome"],
            registry=r,
        )
        self.pending = Gauge(
            "mailstencil_extractions_pending",
            "Extraction jobs running or waiting for a worker (at the limit, more are refused with 503)",
            registry=r,
        )
        self.store_up = Gauge("mailstencil_store_up", "1 when the last store check succeeded", registry=r)
        # the series of a label set, looked up once: labels() checks its values and takes a lock at
        # each call (2 us, three times a request); bounded, as a client names the method
        self.request_count = functools.lru_cache(maxsize=_SERIES)(self.requests.labels)
        self.request_latency = functools.lru_cache(maxsize=_SERIES)(self.latency.labels)
        self.extraction_count = functools.lru_cache(maxsize=_SERIES)(self.extractions.labels)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        static_paths: frozenset[str] = frozenset(),
        mounts: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        # parameter-free routes: labelled even when refused before routing, or when they are plain
        # Starlette routes that leave no route in the scope (/docs, /openapi.json)
        self.static_paths = static_paths
        self.mounts = mounts  # mounted apps (the docs assets): labelled "<mount>/{path}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_label(scope, self.static_paths, self.mounts)
            method = str(scope.get("method", ""))
            self.metrics.request_count(method, route, str(status)).inc()
            self.metrics.request_latency(method, route).observe(time.perf_counter() - start)


def _route_label(scope: dict[str, Any] | Scope, static_paths: frozenset[str], mounts: tuple[str, ...]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    raw = str(scope.get("path", ""))
    if raw in static_paths:
        return raw
    mount = next((m for m in mounts if raw.startswith(m + "/")), None)
    return mount + "/{path}" if mount else "unmatched"
