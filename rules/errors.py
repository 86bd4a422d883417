"""The rule stores' error, in a module of its own: the command line catches it without importing
the stores and the rule model (``serve`` hands over to uvicorn before it would use either)."""

from __future__ import annotations

__all__ = ["StoreError"]


class StoreError(RuntimeError):
    """Raised for an unusable store URL or an unreachable store."""
