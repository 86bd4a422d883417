"""Helpers of the console tests: sign in over real HTTP and read the forms' CSRF tokens."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from svc_helpers import ADMIN

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@contextmanager
def signed_in(base: str) -> Iterator[httpx.Client]:
    """An HTTP client holding a console session (signed in through the form with the token)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/admin/login")
        assert form.status_code == 200
        data = {"token": ADMIN, "csrf": csrf_of(form.text), "next": "/admin/clusters"}
        r = client.post("/admin/login", data=data)
        assert r.status_code == 303 and r.headers["location"] == "/admin/clusters", r.text
        yield client


def learn_mail(corpus: dict[str, bytes], folder: Path, store_url: str) -> None:
    """Write the messages to ``folder`` and run ``mailstencil learn`` on it into the store (the
    nightly run, incremental, as an operator starts it)."""
    for name, raw in corpus.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(raw)
    cmd = [sys.executable, "-m", "mailstencil", "learn", str(folder), "--store", store_url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
