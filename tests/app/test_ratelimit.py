"""mailstencil.app.core.ratelimit: failures per client within a window."""

from __future__ import annotations

import time

from mailstencil.app.core.ratelimit import FailureLimiter


def test_a_client_waits_after_its_limit_until_the_oldest_failure_leaves_the_window() -> None:
    limiter = FailureLimiter(2, 0.3)
    assert limiter.retry_after("a") is None
    limiter.fail("a")
    limiter.fail("a")
    wait = limiter.retry_after("a")
    assert wait is not None and 0 < wait <= 0.3
    assert limiter.retry_after("b") is None  # another client is not held
    time.sleep(0.35)
    assert limiter.retry_after("a") is None


def test_signing_in_clears_the_count() -> None:
    limiter = FailureLimiter(1, 60)
    limiter.fail("a")
    assert limiter.retry_after("a") is not None
    limiter.clear("a")
    assert limiter.retry_after("a") is None
