"""The ``mailstencil`` command line (:mod:`mailstencil.cli`).

A Ctrl-C while ``mailstencil learn`` still loads its modules ends it with the same one line and
exit code 130 as later in the run, not a traceback: this package is the first module a run loads,
so the handler is set here, and :func:`learn_handles_interrupts` hands Ctrl-C back to the run.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType

__all__ = ["LEARN_INTERRUPTED", "learn_handles_interrupts"]

LEARN_INTERRUPTED = "mailstencil: learn interrupted; nothing published, previous version serving"


def _interrupted_early(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C before the run started: nothing was read or published."""
    print(LEARN_INTERRUPTED, file=sys.stderr)
    raise SystemExit(130)


def learn_handles_interrupts() -> None:
    """From here on a Ctrl-C is a :class:`KeyboardInterrupt`, which the learn command handles."""
    if signal.getsignal(signal.SIGINT) is _interrupted_early:
        signal.signal(signal.SIGINT, signal.default_int_handler)


if sys.argv[1:2] == ["learn"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    with contextlib.suppress(ValueError):  # imported outside the main thread: not a command-line run
        signal.signal(signal.SIGINT, _interrupted_early)
