"""mailstencil: the one import namespace of the project, and its command line (:mod:`mailstencil.cli`).

Its subpackages are the project's rooms: :mod:`mailstencil.rules` (the kernel: rule model, matching,
stores), :mod:`mailstencil.offline` (learning) and :mod:`mailstencil.app` (the service). In a source
tree they are the top-level folders ``rules/``, ``offline/`` and ``app/``, linked from here, so that
the tree imports as the wheel installs.

A Ctrl-C at any moment of ``mailstencil learn``, from its modules loading on, ends it with one line
and exit code 130, nothing published. This package is the first module a run loads, so the handler
is set here, before this module imports anything (``_signal`` and ``os`` are loaded by the time
``site`` is; importing ``signal`` itself takes milliseconds a Ctrl-C could land in). Until the run
starts (:func:`learn_handles_interrupts`) nothing is open that needs closing, so it ends the process
at once. An exception would not do there: one raised in a weakref callback of the import machinery
is dropped (and the run goes on), and a KeyboardInterrupt passing through the import of a compiled
module makes the interpreter end by SIGINT even when caught.
"""

from __future__ import annotations

import os
import sys

LEARN_INTERRUPTED = "mailstencil: learn interrupted; nothing published, previous version serving"


def _interrupted_early(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C before the run started: nothing was read, nothing is to be undone."""
    print(LEARN_INTERRUPTED, file=sys.stderr, flush=True)
    os._exit(130)


def _handle_early() -> None:
    """Set :func:`_interrupted_early` for Ctrl-C, unless the caller chose another handler."""
    import _signal  # built in, loaded with the interpreter: nothing runs before the handler

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        try:  # noqa: SIM105 - contextlib may not be loaded yet: no import before the handler
            _signal.signal(_signal.SIGINT, _interrupted_early)
        except ValueError:  # imported outside the main thread: not a command-line run
            pass


def _is_the_command_line() -> bool:
    """The process is ``mailstencil ...`` or ``python -m mailstencil ...`` (whose ``argv[0]`` is
    still ``-m`` while this package loads), not a program that imports :mod:`mailstencil.rules`."""
    return os.path.basename(sys.argv[0]) == "mailstencil" or sys.argv[0] == "-m"


if sys.argv[1:2] == ["learn"] and _is_the_command_line():
    _handle_early()

import signal  # noqa: E402 - after the handler: its import is a moment a Ctrl-C can land in
from types import FrameType  # noqa: E402

__all__ = ["LEARN_INTERRUPTED", "learn_handles_interrupts"]


def learn_handles_interrupts() -> None:
    """From here on a Ctrl-C is a :class:`KeyboardInterrupt`: the run unwinds (its worker pool
    ends, the store closes) and the learn command prints the line."""
    if signal.getsignal(signal.SIGINT) is _interrupted_early:
        signal.signal(signal.SIGINT, signal.default_int_handler)
