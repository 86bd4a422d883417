"""Service settings, read from ``MAILSTENCIL_*`` environment variables (pydantic-settings).

Every knob is documented in ``docs/service.md``; ``create_app(settings)`` takes an instance so
tests and embedders can configure the service without touching the environment.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mailstencil.rules.limits import DEFAULT_LIMITS, Limits
from mailstencil.rules.shapes import from_attributes
from mailstencil.rules.stores import default_store_url

__all__ = ["Settings", "ConfigError", "get_settings"]

MIB = 1024 * 1024


class ConfigError(RuntimeError):
    """Raised by ``create_app`` for a configuration the service refuses to start with."""


class Settings(BaseSettings):
    """Configuration of the extraction service."""

    model_config = SettingsConfigDict(env_prefix="MAILSTENCIL_", extra="ignore")

    store: str = Field(
        default_factory=default_store_url,
        description="rule store URL: sqlite:///path.db or postgresql://user@host:port/db[?schema=name]",
    )
    admin_token: SecretStr | None = Field(default=None, description="bearer token required by /v1/admin/*")
    admin_enabled: bool = Field(default=True, description="mount the admin API at all")
    admin_auth_disabled: bool = Field(
        default=False, description="serve the admin API without a token (local use only; never expose)"
    )
    console_session_minutes: int = Field(
        default=480, gt=0, le=7 * 24 * 60, description="minutes a console sign-in lasts (then sign in again)"
    )
    extract_token: SecretStr | None = Field(
        default=None, description="when set, /v1/extract* require this bearer token too"
    )
    max_message_bytes: int = Field(
        default=25 * MIB, gt=0, description="largest accepted message (larger: 413)"
    )
    max_batch_bytes: int = Field(default=64 * MIB, gt=0, description="largest accepted batch request body")
    max_batch_messages: int = Field(default=100, gt=0, le=10_000, description="most messages in one batch")
    max_attributes_per_element: int = Field(
        default=DEFAULT_LIMITS.attributes_per_element,
        gt=0,
        description="attribute words in one tag (more: 422)",
    )
    max_attributes: int = Field(
        default=DEFAULT_LIMITS.attributes,
        gt=0,
        description="attribute words in a body (more: 422)",
    )
    max_depth: int = Field(default=DEFAULT_LIMITS.depth, gt=0, description="HTML nesting depth (deeper: 422)")
    max_leaves: int = Field(default=DEFAULT_LIMITS.leaves, gt=0, description="text leaves (more: 422)")
    max_body_text: int = Field(
        default=DEFAULT_LIMITS.body_text,
        gt=0,
        description="characters of the decoded HTML or text body that is parsed (more: 422)",
    )
    max_leaf_text: int = Field(
        default=DEFAULT_LIMITS.leaf_text,
        gt=0,
        description="characters kept of one leaf (rest cut)",
    )
    max_rule_text: int = Field(
        default=DEFAULT_LIMITS.rule_text, gt=0, description="longest leaf (characters) a rule reads"
    )
    extract_budget: float = Field(
        default=DEFAULT_LIMITS.seconds,
        gt=0,
        description="seconds of rule matching per message (then cut_short)",
    )
    extract_processes: int = Field(
        default=2,
        ge=0,
        le=64,
        description="extraction worker processes (0: extract in extract_threads threads of the service)",
    )
    extract_threads: int = Field(
        default=2,
        gt=0,
        le=64,
        description="worker threads extracting at once when extract_processes is 0",
    )
    # the one HTTP process's queue: as deep as two service processes' queues of 32 were together
    extract_queue: int = Field(
        default=64,
        ge=0,
        le=10_000,
        description="extractions that may wait for a free worker (more: 503 with Retry-After)",
    )
    extract_timeout: float = Field(
        default=60.0,
        gt=0,
        description="seconds a worker process may take on one request (then it is restarted: 422)",
    )
    reload_interval: float = Field(
        default=5.0, gt=0, description="seconds between checks of the store for a newly published rule set"
    )
    log_level: str = Field(default="INFO", description="level of the mailstencil.* loggers")

    @field_validator("admin_token", "extract_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty variable (``MAILSTENCIL_EXTRACT_TOKEN=``, as compose passes it) means no token."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def limits(self) -> Limits:
        """The per-message parse and match bounds these settings give."""
        return from_attributes(Limits, self, prefix="max_", seconds=self.extract_budget)

    def check(self) -> None:
        """Refuse insecure or inconsistent configurations (raises :class:`ConfigError`)."""
        if self.admin_enabled and not self.admin_auth_disabled:
            token = self.admin_token.get_secret_value() if self.admin_token else ""
            if not token.strip():
                raise ConfigError(
                    "the admin API needs a bearer token: set MAILSTENCIL_ADMIN_TOKEN, or "
                    "MAILSTENCIL_ADMIN_ENABLED=false to run without the admin API, or "
                    "MAILSTENCIL_ADMIN_AUTH_DISABLED=true for local use only"
                )


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
