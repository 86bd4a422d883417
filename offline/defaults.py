"""Defaults of the learning job, apart from the learners: the command line shows them in its help
without importing scikit-learn, so a serving install without the learning libraries still runs."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_CAP", "DEFAULT_MIN_RECIPIENTS", "DEFAULT_MODEL_PATH", "DEFAULT_RETENTION_DAYS", "ENGINES"]

ENGINES = ("local", "spark")
DEFAULT_MIN_RECIPIENTS = 5
"""k: distinct recipients a cluster needs before it gets rules (privacy)."""
DEFAULT_CAP = 50
"""Samples kept per cluster between runs."""
DEFAULT_RETENTION_DAYS = 30
"""Days a retained learning sample is kept."""
DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "roles.json"
"""The shipped role model."""
