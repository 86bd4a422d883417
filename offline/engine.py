"""What every learning engine shares: the :class:`Engine` protocol, its output, and the two steps.

The two steps are pure functions: :func:`mailstencil.offline.privacy.prepare_private` per message and
:func:`mailstencil.offline.night.night_sender` per sender (the unit that distributes, since clustering is per
sender). An engine maps the first over the input, groups by sender, joins each sender's stored
state and maps the second; results come back sorted by sender, so every engine yields the same
rule set. Learning does not depend on Python's string hash seed (``tests/test_determinism.py``),
so workers need no particular ``PYTHONHASHSEED``. The role model is loaded once per worker process
from its path. The engines are :mod:`mailstencil.offline.local_engine` and
:mod:`mailstencil.offline.spark_engine`; :func:`mailstencil.offline.engines.get_engine` picks one by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .night import night_sender
from .privacy import prepare_private
from .roles import DEFAULT_MODEL_PATH, RoleModel
from .sample import Sample
from .transport import LearnJob, SenderResult, sample_from_json, sample_to_json

__all__ = [
    "SKIPPED_NAMED",
    "Engine",
    "EngineOutput",
    "Skipped",
    "StateLoader",
    "default_model_path",
    "model_for",
    "learn_group",
    "learn_task",
    "prepare_one",
]

SKIPPED_NAMED = 20
"""How many skipped messages a run names (the rest are counted)."""
StateLoader = Callable[[list[str]], dict[str, str]]
"""Given the senders that received mail, their stored state bodies (absent ones left out)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message learning cannot read: its name and why
    (:func:`mailstencil.offline.sample.prepare_checked`)."""

    name: str
    why: str

    def label(self) -> str:
        """``"name: why"``, how ``learn`` names it to the operator (never stored)."""
        return f"{self.name}: {self.why}"


@dataclass(slots=True)
class EngineOutput:
    """What an engine hands back: per-sender results (sorted by sender) and counts and timings."""

    results: list[SenderResult]
    read: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    """Skipped messages per reason."""
    skipped_named: list[str] = field(default_factory=list)
    """:meth:`Skipped.label` of the first :data:`SKIPPED_NAMED` skipped messages."""
    seconds: dict[str, float] = field(default_factory=dict)

    def count_skipped(self, skip: Skipped) -> None:
        """Count one skipped message under its reason, and name it while fewer than
        :data:`SKIPPED_NAMED` are named."""
        self.skipped += 1
        self.skip_reasons[skip.why] = self.skip_reasons.get(skip.why, 0) + 1
        if len(self.skipped_named) < SKIPPED_NAMED:
            self.skipped_named.append(skip.label())


class Engine(Protocol):
    """Runs the learning job over messages from files, from memory, or already prepared."""

    name: str

    def run(self, paths: list[str], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """Prepare every message under ``paths``, learn every sender that received mail."""
        ...

    def run_messages(
        self, messages: Iterable[tuple[str, bytes]], job: LearnJob, load_states: StateLoader
    ) -> EngineOutput:
        """:meth:`run` on ``(name, raw bytes)`` pairs from any source (files, or built in memory)."""
        ...

    def run_samples(self, samples: Iterable[Sample], job: LearnJob, load_states: StateLoader) -> EngineOutput:
        """:meth:`run` on samples prepared elsewhere (made private, as the map step would)."""
        ...


_MODELS: dict[str, RoleModel | None] = {}


def model_for(path: str | None) -> RoleModel | None:
    """The role model at ``path`` (``None``: no model), loaded once per process."""
    key = path or ""
    if key not in _MODELS:
        _MODELS[key] = RoleModel.load(Path(path)) if path else None
    return _MODELS[key]


def default_model_path() -> str | None:
    """The shipped role model's path, ``None`` when it has not been trained."""
    return str(DEFAULT_MODEL_PATH) if DEFAULT_MODEL_PATH.exists() else None


def prepare_one(item: tuple[str, bytes]) -> tuple[str, str] | Skipped:
    """Map step: ``(sender, sample JSON)`` of one raw message, or the message :class:`Skipped`."""
    s = prepare_private(*item)
    return Skipped(item[0], s) if isinstance(s, str) else (s.sender, sample_to_json(s))


def learn_group(sender: str, samples: Iterable[str], state: str | None, job: LearnJob) -> SenderResult:
    """Reduce step: one sender's night from its samples (JSON) and stored state."""
    new = [sample_from_json(text) for text in samples]
    return night_sender(sender, new, state, model_for(job.model_path), job)


def learn_task(sender: str, samples: Iterable[str], state: str | None, job_json: str) -> str:
    """:func:`learn_group` as a task shipped between processes: JSON in, JSON out."""
    return learn_group(sender, samples, state, LearnJob.model_validate_json(job_json)).model_dump_json()
