"""FastAPI dependencies: the app's state (settings, rule cache, metrics) and bearer-token checks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from ..core.config import Settings
from ..core.metrics import Metrics
from ..core.ratelimit import FailureLimiter
from ..rulecache import RuleCache, Snapshot
from ..workers import Runner

__all__ = ["State", "get_state", "StateDep", "SnapshotDep", "require_admin", "require_extract"]


SIGN_IN_ATTEMPTS = 5  # wrong admin tokens a client may send to the sign-in form per minute


@dataclass(slots=True)
class State:
    """Everything a request handler needs, created once per app by ``create_app``."""

    settings: Settings
    cache: RuleCache
    metrics: Metrics
    extraction: Runner
    """Where extraction jobs run (worker processes or threads), off the event loop, so health
    checks and other requests keep being answered."""
    sign_ins: FailureLimiter = field(default_factory=lambda: FailureLimiter(SIGN_IN_ATTEMPTS, 60.0))
    """Wrong tokens per client at the console's sign-in (guessing is slowed, not locked out)."""


async def get_state(request: Request) -> State:
    """The app's :class:`State`. Dependencies here are ``async``: FastAPI runs a plain ``def`` one in
    a thread of its pool, two thread hops a request for nothing."""
    state: State = request.app.state.mailstencil
    return state


StateDep = Annotated[State, Depends(get_state)]


async def get_snapshot(state: StateDep) -> Snapshot:
    """The rule-set snapshot this request will use from start to end (taken once)."""
    return state.cache.snapshot


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]

_admin_bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="MAILSTENCIL_ADMIN_TOKEN")
_extract_bearer = HTTPBearer(
    auto_error=False, scheme_name="ExtractToken", description="MAILSTENCIL_EXTRACT_TOKEN (when configured)"
)


def _check(token: SecretStr | None, creds: HTTPAuthorizationCredentials | None) -> None:
    if token is None:
        return
    given = creds.credentials if creds is not None else ""
    if not given or not secrets.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def require_admin(
    state: StateDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)]
) -> None:
    """Admin endpoints: the admin token, unless auth was explicitly disabled for local use."""
    if state.settings.admin_auth_disabled:
        return
    if state.settings.admin_token is None:  # create_app refuses this configuration; belt and braces
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="admin API has no token")
    _check(state.settings.admin_token, creds)


async def require_extract(
    state: StateDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_extract_bearer)]
) -> None:
    """Extraction endpoints: the extract token when one is configured."""
    _check(state.settings.extract_token, creds)
