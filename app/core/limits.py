"""Request-body size limits, enforced while the body streams in (before it is all in memory).

A declared ``Content-Length`` over the limit is answered 413 at once; a chunked body is counted and
cut off with :class:`BodyTooLarge`, which the app turns into the same 413.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyTooLarge", "BodyLimitMiddleware"]


class BodyTooLarge(Exception):
    """The request body went over the limit for its route."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than the limit of {limit} bytes")
        self.limit = limit


class BodyLimitMiddleware:
    """Applies ``limit_for(path)`` (None: unlimited) to every HTTP request body."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int | None],
        on_reject: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.on_reject = on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        if limit is None:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    if self.on_reject is not None:
                        self.on_reject()
                    await _reject(send, limit)
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body is larger than the limit of {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
