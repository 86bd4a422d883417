"""Shared constants and helpers of the service tests (imported by name, unlike conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass

from rules.model import RuleSet

ADMIN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
RFC822 = {"Content-Type": "message/rfc822"}
PG_URL = os.environ.get("MAILSTENCIL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def variant(rs: RuleSet) -> RuleSet:
    """A visibly different rule set: each cluster loses its best rule, the others halve in confidence."""
    clusters = []
    for c in rs.clusters:
        rules = sorted(c.rules, key=lambda r: -r.confidence)[1:]
        rules = [r.model_copy(update={"confidence": round(r.confidence / 2, 4)}) for r in rules]
        clusters.append(c.model_copy(update={"rules": rules}))
    return rs.model_copy(update={"clusters": clusters, "version": 0})


def free_port() -> int:
    """A TCP port free on the loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``mailstencil serve``: its base URL and process."""

    base: str
    proc: subprocess.Popen[bytes]
