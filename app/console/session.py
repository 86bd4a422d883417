"""Console sessions: a signed, expiring cookie carrying the session's CSRF token.

The cookie is ``payload.signature``: the payload is base64url JSON (expiry time, CSRF token), the
signature an HMAC-SHA256 of it under a key derived from the admin token, so changing the token
signs every session out. Nothing is kept server-side; sign-out clears the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

__all__ = ["SESSION_COOKIE", "LOGIN_COOKIE", "Session", "Signer"]

SESSION_COOKIE = "mailstencil_console"
LOGIN_COOKIE = "mailstencil_login"
"""Holds the sign-in form's CSRF token until the form comes back (double submit)."""


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in console session."""

    expires: float
    csrf: str


class Signer:
    """Issues and checks session cookies under a key derived from the admin token."""

    def __init__(self, admin_token: str, lifetime: float) -> None:
        self._key = hmac.new(admin_token.encode(), b"mailstencil console session", hashlib.sha256).digest()
        self.lifetime = lifetime

    def _sign(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, payload, hashlib.sha256).digest()).decode()

    def issue(self, now: float | None = None) -> tuple[str, Session]:
        """A new session and its cookie value."""
        session = Session(expires=(now or time.time()) + self.lifetime, csrf=secrets.token_urlsafe(32))
        payload = base64.urlsafe_b64encode(json.dumps({"e": session.expires, "c": session.csrf}).encode())
        return f"{payload.decode()}.{self._sign(payload)}", session

    def check(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session a cookie carries, ``None`` when it is missing, forged or expired."""
        if not cookie or "." not in cookie:
            return None
        payload, _, signature = cookie.partition(".")
        if not hmac.compare_digest(self._sign(payload.encode()), signature):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload.encode()))
            session = Session(expires=float(data["e"]), csrf=str(data["c"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > (now or time.time()) else None
