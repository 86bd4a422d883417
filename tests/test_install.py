"""scripts/install.sh works where the system Python refuses global installs (EXTERNALLY-MANAGED, as on
Debian 12+): it installs into the project's own .venv from the lock file, in a throwaway copy."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3", shutil.which("python3") or "")


def _externally_managed_python() -> str | None:
    """A Python 3.11+ outside any virtual environment whose stdlib carries the EXTERNALLY-MANAGED marker."""
    probe = (
        "import sys, sysconfig, pathlib; "
        "ok = sys.version_info >= (3, 11) and sys.prefix == sys.base_prefix "
        "and (pathlib.Path(sysconfig.get_path('stdlib')) / 'EXTERNALLY-MANAGED').is_file(); "
        "sys.exit(0 if ok else 1)"
    )
    for exe in CANDIDATES:
        if exe and Path(exe).is_file() and subprocess.run([exe, "-c", probe], check=False).returncode == 0:
            return exe
    return None


def _project_copy(dest: Path) -> Path:
    """The project's tracked and new files (not .venv, data or caches) copied to ``dest``."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name.decode())
    return dest


def test_install_uses_a_venv_where_the_system_python_is_externally_managed(tmp_path: Path) -> None:
    python = _externally_managed_python()
    if python is None:
        pytest.skip(
            "no externally-managed Python 3.11+ here (a Python outside a venv with EXTERNALLY-MANAGED "
            "next to its stdlib; Debian's python3 is one): pip ignores the marker inside a venv"
        )
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the project's files")
    project = _project_copy(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"PYTHON": python, "PATH": f"{Path(python).parent}:/usr/bin:/bin"}

    def install() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/install.sh"], cwd=project, env=env, capture_output=True, text=True, timeout=600
        )

    first = install()
    assert first.returncode == 0, first.stderr[-2000:]
    assert "installing requirements/base.lock into .venv" in first.stderr
    done = subprocess.run(
        [str(project / ".venv/bin/mailstencil"), "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("mailstencil ")
    # the marker is really in force, and nothing went into the system Python
    refused = subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--no-index", "lxml"], capture_output=True, text=True
    )
    if "No module named pip" not in refused.stderr:
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    imported = subprocess.run(
        [python, "-c", "import mailstencil"], cwd=tmp_path, env=env, capture_output=True
    )
    assert imported.returncode != 0
    # a second run with nothing changed installs nothing
    again = install()
    assert again.returncode == 0 and "installing" not in again.stderr


def test_the_locks_pin_every_dependency_of_the_project() -> None:
    """Each lock pins exact versions (name==version) and covers the extras its script installs."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, extras in (("base", []), ("test", ["dev", "spark"])):
        lines = (ROOT / "requirements" / f"{lock}.lock").read_text().splitlines()
        pins = {
            line.split("==")[0].split("[")[0].lower().replace("_", "-")
            for line in lines
            if line and not line.startswith((" ", "#"))
        }
        assert all("==" in line for line in lines if line and not line.startswith((" ", "#")))
        wanted = list(project["dependencies"]) + [
            d for e in extras for d in project["optional-dependencies"][e]
        ]
        for dep in wanted:
            name = dep.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip()
            assert name.lower().replace("_", "-") in pins, f"{name} is not pinned in {lock}.lock"
