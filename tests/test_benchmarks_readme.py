"""The README's speed section is the rendering of ``benchmarks/results/speed.json`` (no re-measuring)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.report import BEGIN, END, Figure, Results, load, readme_section, render

ROOT = Path(__file__).resolve().parents[1]


def test_readme_speed_section_is_the_stored_results() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    assert readme_section(readme) == render(load(ROOT / "benchmarks" / "results" / "speed.json"))


def test_speed_md_is_the_stored_results() -> None:
    md = (ROOT / "benchmarks" / "results" / "speed.md").read_text(encoding="utf-8")
    assert md == "# Speed\n\n" + render(load(ROOT / "benchmarks" / "results" / "speed.json"))


def test_a_missed_goal_says_by_how_much() -> None:
    slow = Figure(section="s", name="rate", value=500, unit="req/s", goal=1000)
    late = Figure(section="s", name="start", value=3.0, unit="s", goal=2, better="lower")
    assert slow.verdict() == "misses: 0.50× the goal (500 req/s short)"
    assert late.verdict() == "misses: 1.50× the goal (1 s over)"
    assert Figure(section="s", name="x", value=2.0, unit="s", goal=2, better="lower").verdict() == "met"
    table = render(
        Results(
            command="c",
            date="d",
            machine="m",
            load_before=[1, 1, 1],
            load_after=[2, 2, 2],
            seconds=1,
            figures=[slow, late],
        )
    )
    assert "| rate | 500 req/s | ≥ 1,000 req/s | misses: 0.50× the goal (500 req/s short) |  |" in table
