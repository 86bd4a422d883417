"""The one progress line learning and the command line show on stderr.

On a terminal it redraws at most five times a second; elsewhere (a log file) it prints a line
every ``log_every`` items, or nothing when that is 0.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """A one-line progress bar (``total`` known) or counter on stderr."""

    def __init__(self, label: str, total: int | None = None, unit: str = "", log_every: int = 0) -> None:
        self.label, self.total, self.unit, self.log_every, self.n = label, total, unit, log_every, 0
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.start = self.last = time.perf_counter()

    def _line(self, now: float) -> str:
        rate = self.n / max(1e-9, now - self.start)
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            done = int(30 * self.n / self.total)
            bar = "#" * done + "." * (30 - done)
            return f"{self.label} [{bar}] {self.n}/{self.total}{unit} ({rate:.0f}/s)"
        return f"{self.label}: {self.n}{unit} ({rate:.0f}/s)"

    def step(self, n: int = 1) -> None:
        """Count ``n`` more items done."""
        self.n += n
        now = time.perf_counter()
        if self.tty and now - self.last >= 0.2:
            self.last, self.shown = now, True
            print(f"\r{self._line(now)}", end="", file=sys.stderr)
        elif not self.tty and self.log_every and self.n % self.log_every == 0:
            print(self._line(now), file=sys.stderr)

    def done(self) -> None:
        """End the line (on a terminal, after something was shown)."""
        if self.shown:
            print(f"\r{self._line(time.perf_counter())}", file=sys.stderr)
