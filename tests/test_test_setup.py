"""The test run's own set-up: ``pytest -q`` names each skip and its reason, and every library the
tests import is one that ``scripts/test.sh`` installs (pinned in requirements/test.lock), so no test
is skipped or broken for a missing module."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"mailstencil", "benchmarks", "tests", "conftest"}


def test_pytest_q_shows_why_a_test_skipped(tmp_path: Path) -> None:
    (tmp_path / "test_skipping.py").write_text(
        "import pytest\n\ndef test_s():\n    pytest.skip('no such engine here')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml")]
        + ["--rootdir", str(tmp_path), str(tmp_path / "test_skipping.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "SKIPPED [1]" in done.stdout and "no such engine here" in done.stdout, done.stdout[-2000:]


def _imported_modules() -> set[str]:
    """Top-level names of the modules the test files import, less the standard library and our own."""
    local = {p.stem for p in (ROOT / "tests").rglob("*.py")}
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - OURS - local - {"__future__"}


def test_every_library_the_tests_import_is_pinned_for_the_test_run() -> None:
    pins = {
        line.split("==")[0].split("[")[0].lower().replace("_", "-")
        for line in (ROOT / "requirements" / "test.lock").read_text().splitlines()
        if line and not line.startswith((" ", "#"))
    }
    dists = packages_distributions()
    modules = _imported_modules()
    assert "yaml" in modules and "httpx" in modules  # the deploy test's and the service tests'
    missing = {}
    for module in sorted(modules):
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & pins:
            missing[module] = sorted(names)
    assert not missing, f"imported by tests but not in requirements/test.lock: {missing}"
