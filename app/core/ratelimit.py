"""Failed attempts per client, bounded in time and memory: what slows guessing the admin token."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

__all__ = ["FailureLimiter"]

_MAX_CLIENTS = 10_000  # clients remembered at once: the oldest is forgotten first


class FailureLimiter:
    """At most ``limit`` failures per client in any ``window`` seconds; more wait until the oldest
    failure leaves the window."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float | None:
        """Seconds ``client`` must wait before its next attempt, or None when it may try now."""
        now = time.monotonic()
        with self._lock:
            seen = self._failures.get(client)
            if seen is None:
                return None
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) < self.limit:
                return None
            return seen[0] + self.window - now

    def fail(self, client: str) -> None:
        """Count one failure of ``client``."""
        with self._lock:
            seen = self._failures.setdefault(client, deque(maxlen=self.limit))
            self._failures.move_to_end(client)
            seen.append(time.monotonic())
            while len(self._failures) > _MAX_CLIENTS:
                self._failures.popitem(last=False)

    def clear(self, client: str) -> None:
        """Forget ``client``'s failures (it signed in)."""
        with self._lock:
            self._failures.pop(client, None)
