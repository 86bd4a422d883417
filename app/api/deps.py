"""FastAPI dependencies: the app's state (settings, rule cache, metrics) and bearer-token checks."""

from __future__ import annotations

import math
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

__all__ = [
    "State",
    "get_state",
    "StateDep",
    "SnapshotDep",
    "admin_token_ok",
    "token_matches",
    "require_admin",
    "require_extract",
]


SIGN_IN_ATTEMPTS = 5  # wrong admin tokens a client may send to the sign-in form per minute
BEARER_ATTEMPTS = 5  # wrong admin bearer tokens a client may send per minute


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
    bearer_guesses: FailureLimiter = field(default_factory=lambda: FailureLimiter(BEARER_ATTEMPTS, 60.0))
    """Wrong admin bearer tokens per client (admin API and console alike); apart from the sign-in
    form's count, so a mistyped sign-in does not hold the operator's scripts."""


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


def _refused() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="missing or invalid bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def token_matches(token: SecretStr | None, given: str) -> bool:
    """Whether a bearer token ``given`` may pass where ``token`` is required (``None``: none is)."""
    if token is None:
        return True
    return bool(given) and secrets.compare_digest(given.encode(), token.get_secret_value().encode())


def _check(token: SecretStr | None, creds: HTTPAuthorizationCredentials | None) -> None:
    if not token_matches(token, creds.credentials if creds is not None else ""):
        raise _refused()


def admin_token_ok(state: State, request: Request, given: str) -> bool:
    """Whether a bearer token ``given`` is the admin token. A wrong one counts against the
    request's client; a client over :data:`BEARER_ATTEMPTS` a minute is refused (429 with
    Retry-After) whatever it sends, so the answer never tells a right guess from a wrong one."""
    client = request.client.host if request.client else ""
    wait = state.bearer_guesses.retry_after(client)
    if wait is not None:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many wrong admin tokens from this client; try again later",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    token = state.settings.admin_token
    if token is not None and secrets.compare_digest(given.encode(), token.get_secret_value().encode()):
        state.bearer_guesses.clear(client)
        return True
    state.bearer_guesses.fail(client)
    return False


async def require_admin(
    request: Request,
    state: StateDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
) -> None:
    """Admin endpoints: the admin token, unless auth was explicitly disabled for local use; wrong
    tokens are rate-limited per client (:func:`admin_token_ok`)."""
    if state.settings.admin_auth_disabled:
        return
    if state.settings.admin_token is None:  # create_app refuses this configuration; belt and braces
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="admin API has no token")
    if creds is None or not creds.credentials or not admin_token_ok(state, request, creds.credentials):
        raise _refused()


async def require_extract(
    state: StateDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_extract_bearer)]
) -> None:
    """Extraction endpoints: the extract token when one is configured."""
    _check(state.settings.extract_token, creds)
