"""Admin API under ``/v1/admin/`` (bearer token): clusters, one cluster's template, rule-set versions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from mailstencil.rules.model import ClusterRules
from mailstencil.rules.shapes import from_attributes

from ...rulecache import ClusterStats
from ...schemas import (
    ClusterDetail,
    ClusterPage,
    ClusterSummary,
    DriftReport,
    ErrorResponse,
    ReloadResponse,
    RollbackResponse,
    RuleSetVersion,
    RuleSetVersions,
    SenderDrift,
)
from ..deps import SnapshotDep, StateDep, require_admin

__all__ = ["router", "cluster_summary"]

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "missing or wrong admin bearer token"},
    404: {"model": ErrorResponse, "description": "no such cluster or version"},
    429: {"model": ErrorResponse, "description": "too many wrong admin tokens from this client"},
    503: {"model": ErrorResponse, "description": "the rule store is unreachable"},
}
SortKey = Literal[
    "messages",
    "recipients",
    "first_seen",
    "last_seen",
    "sender",
    "key",
    "rule_count",
    "extracted",
    "extraction_rate",
]
SLOT = "{…}"


def cluster_summary(c: ClusterRules, stats: ClusterStats) -> ClusterSummary:
    """A cluster as the admin listing (and the console's clusters page) shows it."""
    extracted, rate = stats.rate(c.cluster)
    return from_attributes(
        ClusterSummary,
        c,
        key=c.cluster,
        fields=sorted({r.field for r in c.rules}),
        rule_count=len(c.rules),
        extracted=extracted,
        extraction_rate=rate,
        fallback_share=stats.fallback_share(c.cluster),
    )


@router.get("/clusters", response_model=ClusterPage, responses=_ERRORS, summary="List clusters")
def list_clusters(
    state: StateDep,
    snap: SnapshotDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    sort: Annotated[SortKey, Query(description="sort key; messages = volume")] = "messages",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    sender: Annotated[str | None, Query(max_length=320, description="only this sender address")] = None,
) -> ClusterPage:
    """Clusters of the rule set being served, paged and sorted (default: by volume, largest first)."""
    items = [
        cluster_summary(c, state.cache.stats)
        for c in snap.ruleset.clusters
        if sender is None or c.sender == sender
    ]
    items.sort(key=lambda s: s.key)  # deterministic order among equal values
    present = [s for s in items if getattr(s, sort) is not None]
    absent = [s for s in items if getattr(s, sort) is None]  # unset values always come last
    present.sort(key=lambda s: getattr(s, sort), reverse=order == "desc")
    ordered = present + absent
    start = (page - 1) * per_page
    return ClusterPage(
        version=snap.version,
        total=len(ordered),
        page=page,
        per_page=per_page,
        items=ordered[start : start + per_page],
    )


@router.get(
    "/clusters/{key:path}", response_model=ClusterDetail, responses=_ERRORS, summary="One cluster's template"
)
def cluster_detail(
    state: StateDep, snap: SnapshotDep, key: Annotated[str, Path(max_length=400)]
) -> ClusterDetail:
    """The template skeleton (constant text with ``{…}`` for each variable slot) and its rules."""
    c = snap.clusters.get(key)
    if c is None:
        raise HTTPException(404, "no cluster with this key in the rule set being served")
    summary = cluster_summary(c, state.cache.stats)
    rules = sorted(c.rules, key=lambda r: -r.confidence)
    return ClusterDetail(
        **summary.model_dump(),
        version=snap.version,
        skeleton=c.skeleton,
        template="\n".join(c.skeleton),
        slots=sum(line.count(SLOT) for line in c.skeleton),
        landmarks=len(c.landmarks),
        rules=rules,
    )


async def _store_call(fn: Any, *args: Any) -> Any:
    try:
        return await anyio.to_thread.run_sync(fn, *args)
    except Exception as exc:  # noqa: BLE001 - any store failure is a 503 with its reason
        raise HTTPException(503, f"rule store unreachable: {type(exc).__name__}") from exc


@router.get("/rulesets", response_model=RuleSetVersions, responses=_ERRORS, summary="Rule-set versions")
async def list_versions(state: StateDep) -> RuleSetVersions:
    """Every stored rule-set version, which one is current in the store and which one is served here."""
    rows = await _store_call(state.cache.versions)
    current = next((v for v, _, _, cur in rows if cur), 0)
    return RuleSetVersions(
        current=current,
        serving=state.cache.snapshot.version,
        versions=[RuleSetVersion(version=v, created=c, clusters=n, current=cur) for v, c, n, cur in rows],
    )


@router.post(
    "/rulesets/{version}/rollback",
    response_model=RollbackResponse,
    responses=_ERRORS,
    summary="Make an earlier rule-set version current",
)
async def rollback(state: StateDep, version: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> RollbackResponse:
    """Move the store's ``current`` pointer to ``version`` and serve it here at once."""
    rows = await _store_call(state.cache.versions)
    if version not in {v for v, *_ in rows}:
        raise HTTPException(404, f"no rule set version {version}")
    previous = next((v for v, _, _, cur in rows if cur), 0)
    await _store_call(state.cache.rollback, version)
    return RollbackResponse(previous=previous, current=version, serving=state.cache.snapshot.version)


@router.post("/reload", response_model=ReloadResponse, responses=_ERRORS, summary="Reload rules now")
async def reload(state: StateDep) -> ReloadResponse:
    """Check the store for a new current version now instead of at the next poll."""
    swapped = await anyio.to_thread.run_sync(state.cache.refresh)
    return ReloadResponse(
        reloaded=swapped, serving=state.cache.snapshot.version, store_reachable=state.cache.store_ok
    )


@router.get("/drift", response_model=DriftReport, responses=_ERRORS)
def drift(state: StateDep, snap: SnapshotDep) -> DriftReport:
    """Per known sender: how much of its mail arrives on structures no cluster is near (a new
    template the next night will learn) or needs the drift fallback. Counts only, no values."""
    rows = [
        SenderDrift(sender=s, messages=n, unknown_structure_share=u / n, fallback_share=f / n)
        for s, n, u, f in state.cache.stats.drift()
        if n
    ]
    return DriftReport(version=snap.version, senders=rows)
