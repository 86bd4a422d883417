"""Installing the project: scripts/install.sh works where the system Python refuses global installs
(EXTERNALLY-MANAGED, as on Debian 12+), into the project's own .venv from the lock file, in a throwaway
copy; the wheel and that editable install both import as one namespace, ``mailstencil``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3", shutil.which("python3") or "")
# each subpackage imports, and says where it was found; a top-level name beside mailstencil does not
PROBE = (
    "import importlib.util, mailstencil.rules, mailstencil.offline, mailstencil.app.main; "
    "print(*(m.__file__ for m in (mailstencil.rules, mailstencil.offline, mailstencil.app.main))); "
    "print(*(importlib.util.find_spec(n) is None for n in ('rules', 'offline', 'app')))"
)
SUBPACKAGES = [("mailstencil", "rules"), ("mailstencil", "offline"), ("mailstencil", "app")]


def _probe(argv: list[str], cwd: Path, root: Path) -> tuple[list[tuple[str, ...]], list[str]]:
    """Run :data:`PROBE`: the folders below ``root`` its three subpackages came from, and for each of
    ``rules``, ``offline`` and ``app`` whether that name alone is not importable."""
    found = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr[-2000:]
    files, absent = found.stdout.splitlines()
    return [Path(f).relative_to(root).parts[:2] for f in files.split()], absent.split()


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
    """The project's tracked and new files (not .venv, data or caches) copied to ``dest``, links as
    links (``mailstencil/rules`` -> ``../rules`` and the like)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the project's files")
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src, to = ROOT / name.decode(), dest / name.decode()
        if src.is_symlink() or src.is_file():
            to.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            to.symlink_to(os.readlink(src))
        elif src.is_file():
            shutil.copy2(src, to)
    return dest


def test_install_uses_a_venv_where_the_system_python_is_externally_managed(tmp_path: Path) -> None:
    python = _externally_managed_python()
    if python is None:
        pytest.skip(
            "no externally-managed Python 3.11+ here (a Python outside a venv with EXTERNALLY-MANAGED "
            "next to its stdlib; Debian's python3 is one): pip ignores the marker inside a venv"
        )
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
    # the editable install: the namespace from the project's folders, and no name of its own beside it
    folders, absent = _probe([str(project / ".venv/bin/python"), "-I", "-c", PROBE], tmp_path, project)
    assert folders == SUBPACKAGES and absent == ["True"] * 3
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


def test_the_wheel_installs_one_package_mailstencil_with_rules_offline_and_app_in_it(tmp_path: Path) -> None:
    """The built wheel holds one top-level package, ``mailstencil`` (no ``rules``, ``app`` or
    ``offline`` of its own in site-packages), with the subpackages' data files; installed, it imports
    from where it was installed."""
    project = _project_copy(tmp_path / "project")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheels"), "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("mailstencil-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
        assert {n.split("/")[0] for n in names} - {info} == {"mailstencil"}
        assert z.read(f"{info}/top_level.txt").decode().split() == ["mailstencil"]
    for data in (
        "py.typed",
        "rules/cldr.json",
        "offline/models/roles.json",
        "offline/lexicon.json",
        "app/console/templates/base.html",
    ):
        assert f"mailstencil/{data}" in names, data

    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    subprocess.run([*pip, "--target", str(site), str(wheel)], capture_output=True, check=True, timeout=300)
    assert {p.name for p in site.iterdir()} - {"bin"} == {"mailstencil", info}
    # the dependencies from this environment, the project only from the install (-I: no PYTHONPATH)
    code = f"import sys; sys.path.insert(0, {str(site)!r}); " + PROBE
    folders, _ = _probe([sys.executable, "-I", "-c", code], tmp_path, site)
    assert folders == SUBPACKAGES
