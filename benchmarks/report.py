"""The speed table: figures with their goals, stored as ``results/speed.json``, rendered as Markdown.

The README's speed section is this rendering, between the two markers below; ``render`` is the
only writer of both, so a test can check the README against the JSON without measuring anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Figure", "Results", "render", "load", "save", "update_readme", "BEGIN", "END"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BEGIN = "<!-- speed:begin (python -m benchmarks --readme writes this section from speed.json) -->"
END = "<!-- speed:end -->"


class Figure(BaseModel):
    """One measured figure, and its goal when it has one."""

    section: str
    name: str
    value: float
    unit: str
    goal: float | None = None
    better: Literal["higher", "lower"] = "higher"
    runs: list[float] = Field(default_factory=list, description="every measurement when repeated")
    note: str = ""
    tried: str = Field(default="", description="what was tried for this goal, shown when it is missed")

    def verdict(self) -> str:
        """'met', or how far from the goal (×, and %), or '' without a goal."""
        if self.goal is None:
            return ""
        ok = self.value >= self.goal if self.better == "higher" else self.value <= self.goal
        if ok:
            return "met"
        gap = abs(self.value - self.goal)
        side = "short" if self.better == "higher" else "over"
        missed = f"misses: {self.value / self.goal:.2f}× the goal ({_num(gap)} {self.unit} {side})"
        return missed + (f"; tried: {self.tried}" if self.tried else "")


class Results(BaseModel):
    """One run of the runner: where and when, under what load, and every figure."""

    command: str
    date: str
    machine: str
    load_before: list[float]
    load_after: list[float]
    seconds: float
    figures: list[Figure]
    notes: list[str] = Field(default_factory=list)


def _digits(x: float) -> int:
    return 0 if abs(x) >= 100 or float(x).is_integer() else 2 if abs(x) < 10 else 1


def _num(x: float) -> str:
    return f"{x:,.{_digits(x)}f}"


def render(results: Results) -> str:
    """The Markdown table of ``results`` (grouped by section, in the order measured)."""
    load = "/".join(f"{x:.1f}" for x in results.load_before), "/".join(f"{x:.1f}" for x in results.load_after)
    lines = [
        f"`{results.command}` on {results.machine}, {results.date}, {results.seconds:.0f} s; load average "
        f"(1/5/15 min) {load[0]} before, {load[1]} after.",
        "",
        "| figure | measured | goal | verdict | note |",
        "|---|---|---|---|---|",
    ]
    section = None
    for f in results.figures:
        if f.section != section:
            section = f.section
            lines.append(f"| **{section}** | | | | |")
        runs = f" (runs: {', '.join(_num(r) for r in f.runs)})" if len(f.runs) > 1 else ""
        goal = "" if f.goal is None else f"{'≥' if f.better == 'higher' else '≤'} {_num(f.goal)} {f.unit}"
        lines.append(f"| {f.name} | {_num(f.value)} {f.unit}{runs} | {goal} | {f.verdict()} | {f.note} |")
    if results.notes:
        lines += ["", *(f"- {n}" for n in results.notes)]
    return "\n".join(lines) + "\n"


def load(path: Path = RESULTS / "speed.json") -> Results:
    """The results stored at ``path``."""
    return Results.model_validate_json(path.read_text(encoding="utf-8"))


def save(results: Results, directory: Path = RESULTS) -> None:
    """Write ``speed.json`` and its rendering ``speed.md`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "speed.json").write_text(
        json.dumps(results.model_dump(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (directory / "speed.md").write_text("# Speed\n\n" + render(results), encoding="utf-8")


def readme_section(text: str) -> str:
    """What stands between the markers of ``text`` (raises ValueError without them)."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip("\n") + "\n"


def update_readme(results: Results, readme: Path = ROOT / "README.md") -> None:
    """Replace the README's speed section by the rendering of ``results``."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n" + render(results) + text[end:], encoding="utf-8")
