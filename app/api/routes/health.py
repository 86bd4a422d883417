"""``/healthz`` (liveness), ``/readyz`` (store reachable and rules loaded) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ...schemas import HealthResponse, ReadyResponse
from ..deps import StateDep

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse, summary="Liveness")
async def healthz() -> HealthResponse:
    """The process is up and answering (on the event loop itself: no thread to wait for)."""
    return HealthResponse()


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    responses={503: {"model": ReadyResponse, "description": "store unreachable or no rules loaded"}},
    summary="Readiness",
)
async def readyz(state: StateDep) -> JSONResponse:
    """200 when the store answers and a rule set with clusters is loaded; 503 (same body) otherwise:
    on an empty store every message would come back unknown, so the service is not ready to serve."""
    cache = state.cache
    reachable = await anyio.to_thread.run_sync(cache.ping)
    snap = cache.snapshot
    has_rules = cache.loaded and snap.rules.clusters > 0
    reason = None
    if not reachable:
        reason = f"rule store unreachable ({(cache.last_error or '').split(':', 1)[0]})"
    elif not cache.loaded:
        reason = "no rule set loaded yet"
    elif not has_rules:
        reason = "the store holds no learned clusters yet: run `mailstencil learn` on this store"
    body = ReadyResponse(
        ready=reason is None,
        store_reachable=reachable,
        rules_loaded=has_rules,
        version=snap.version,
        clusters=snap.rules.clusters,
        reason=reason,
    )
    return JSONResponse(body.model_dump(), status_code=200 if reason is None else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(state: StateDep) -> Response:
    """Requests, latency, extraction hits/misses per cluster state, rule-set version."""
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
