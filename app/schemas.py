"""Pydantic models of every request and response body of the service."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from mailstencil.rules.model import FieldRule
from mailstencil.rules.typed import TypedValue

__all__ = [
    "MarkupItem",
    "ExtractionResponse",
    "JsonLdDocument",
    "BatchRequest",
    "BatchResult",
    "BatchResponse",
    "ErrorResponse",
    "HealthResponse",
    "ReadyResponse",
    "ClusterSummary",
    "ClusterPage",
    "ClusterDetail",
    "RuleSetVersion",
    "RuleSetVersions",
    "RollbackResponse",
    "ReloadResponse",
]


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: a human-readable reason."""

    detail: str | list[dict[str, Any]] = Field(description="why the request was refused")


class MarkupItem(BaseModel):
    """One schema.org item the message itself carries (as senders add for Gmail), read as-is."""

    syntax: Literal["json-ld", "microdata"]
    type: list[str] = Field(description="its @type values")
    data: dict[str, Any] = Field(description="the item, in JSON-LD form (microdata converted)")


class ExtractionResponse(BaseModel):
    """What the service extracted from one message."""

    message_id: str = Field(description="the Message-ID header")
    sender: str = Field(description="bare From address, lower case")
    subject: str
    cluster: str | None = Field(description="key of the template cluster the message was matched to")
    known: bool = Field(description="whether the message matched a learned cluster")
    exact: bool = Field(False, description="whether it matched the cluster's structure exactly")
    fallback: bool = Field(
        False,
        description="extracted by the sender's nearest learned cluster: a new structure (template drift)"
        " or a cluster too rare to be learned yet",
    )
    version: int = Field(description="rule-set version that produced this answer")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="{field: [values]}: the text as the mail shows it (what is scored)"
    )
    typed: dict[str, list[TypedValue | None]] = Field(
        default_factory=dict,
        description="{field: [typed form or null]}, one per value of fields[field], for the fields whose"
        " vocabulary kind has one (dates, amounts, quantities, references, airports)",
    )
    confidence: dict[str, float] = Field(default_factory=dict, description="{field: rule confidence}")
    items: list[dict[str, str]] = Field(
        default_factory=list,
        description="line items, one object per row, e.g. {item_name, item_quantity, item_price}",
    )
    typed_items: list[dict[str, TypedValue]] = Field(
        default_factory=list, description="the typed forms of each row of items (only values that have one)"
    )
    markup: list[MarkupItem] = Field(
        default_factory=list, description="schema.org markup found in the message itself (not learned)"
    )
    cut_short: bool = Field(
        False, description="the per-message time budget ran out: fields may be missing, never wrong"
    )


class JsonLdDocument(BaseModel):
    """A schema.org JSON-LD document: extracted entities and the message's own markup in one graph."""

    model_config = ConfigDict(populate_by_name=True)

    context: dict[str, str] = Field(alias="@context")
    graph: list[dict[str, Any]] = Field(alias="@graph")


class BatchRequest(RootModel[list[str]]):
    """A JSON batch: a list of base64-encoded raw RFC 822 messages."""

    root: list[str] = Field(min_length=1, description="base64 of each raw message")


class BatchResult(BaseModel):
    """The outcome for one message of a batch: a result, or the status and reason it was refused."""

    index: int = Field(description="position in the request")
    name: str | None = Field(None, description="multipart file name, when given")
    status: int = Field(description="HTTP status this message alone would have had")
    error: str | None = None
    result: ExtractionResponse | None = None


class BatchResponse(BaseModel):
    """Results of a batch, in request order."""

    version: int = Field(description="rule-set version used for the whole batch")
    count: int
    failed: int
    results: list[BatchResult]


class HealthResponse(BaseModel):
    """Liveness."""

    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    """Readiness: the store answers and a rule set with at least one cluster is loaded."""

    ready: bool
    store_reachable: bool
    rules_loaded: bool
    version: int
    clusters: int
    reason: str | None = None


class ClusterSummary(BaseModel):
    """One cluster in the admin listing."""

    key: str
    sender: str
    messages: int = Field(description="messages learned from")
    recipients: int = Field(description="distinct recipients learned from")
    first_seen: datetime | None
    last_seen: datetime | None
    fields: list[str] = Field(description="fields this cluster has rules for")
    rule_count: int
    extracted: int = Field(description="messages this service routed to the cluster since it started")
    extraction_rate: float | None = Field(
        description="share of those with at least one field extracted (null before the first)"
    )
    fallback_share: float | None = Field(
        None, description="share of those extracted by the drift fallback (null before the first)"
    )


class ClusterPage(BaseModel):
    """A page of clusters."""

    version: int
    total: int
    page: int
    per_page: int
    items: list[ClusterSummary]


class ClusterDetail(ClusterSummary):
    """One cluster: its template skeleton (constant text, ``{…}`` for variable slots) and rules."""

    version: int
    skeleton: list[str] = Field(description="template text in order; variable slots as {…}")
    template: str = Field(description="the skeleton joined by newlines")
    slots: int
    landmarks: int
    rules: list[FieldRule] = Field(description="extraction rules, most confident first (rules/model.py)")


class RuleSetVersion(BaseModel):
    """One stored rule-set version."""

    version: int
    created: str
    clusters: int
    current: bool


class RuleSetVersions(BaseModel):
    """Stored versions, oldest first, and the one this instance serves."""

    current: int
    serving: int
    versions: list[RuleSetVersion]


class RollbackResponse(BaseModel):
    """Result of a rollback."""

    previous: int
    current: int
    serving: int


class ReloadResponse(BaseModel):
    """Result of a forced reload."""

    reloaded: bool
    serving: int
    store_reachable: bool


class SenderDrift(BaseModel):
    """Template-drift signal of one known sender since the service started."""

    sender: str
    messages: int
    unknown_structure_share: float = Field(description="share on a structure no cluster is near")
    fallback_share: float = Field(description="share extracted by the drift fallback")


class DriftReport(BaseModel):
    """Drift signal per known sender."""

    version: int
    senders: list[SenderDrift]
