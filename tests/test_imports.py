"""The project's layering, read from the source: no import cycle between modules, ``rules`` imports
nothing of the project, and ``app`` and ``offline`` never import each other (only the command
line sees both); each of them is imported through the one namespace, ``mailstencil.rules`` and so on."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("app", "rules", "offline")  # top-level folders, imported as mailstencil.app and so on


def _module_name(path: Path, root: Path) -> str:
    """The import name of a file: ``rules/store.py`` is ``mailstencil.rules.store`` (the folder is
    linked from ``mailstencil/``), ``mailstencil/cli.py`` is ``mailstencil.cli``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    parts = ["mailstencil", *parts] if parts[0] in ROOMS else parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str:
    """``rules``, ``offline`` or ``app`` for a module in one of them, else ``mailstencil`` (the CLI)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else parts[0]


def _resolve(module: str, is_package: bool, node: ast.ImportFrom, modules: set[str]) -> set[str]:
    """The modules a ``from ... import ...`` imports: each name that is a submodule, else the
    module it is taken from (the package of ``from . import sub`` is not imported by that line)."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Every project module and the project modules it imports (at any depth of its body)."""
    files = {
        _module_name(p, root): p for pkg in ROOMS if (root / pkg).is_dir() for p in (root / pkg).rglob("*.py")
    } | {_module_name(p, root): p for p in (root / "mailstencil").glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(name, path.name == "__init__.py", node, set(files))
            else:
                continue
            edges |= {t for t in targets if t in files and t != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_imports_and_finds_a_cycle(tmp_path: Path) -> None:
    """The checker itself: a planted two-module cycle (relative and absolute imports) is found."""
    pkg = tmp_path / "offline"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f() -> None:\n    import mailstencil.offline.a\n")
    (pkg / "c.py").write_text("from .a import x\n")
    (tmp_path / "mailstencil").mkdir()
    (tmp_path / "mailstencil" / "cli.py").write_text("from mailstencil.offline.c import x\n")
    graph = import_graph(tmp_path)
    assert graph["mailstencil.offline.c"] == {"mailstencil.offline.a"}
    assert graph["mailstencil.cli"] == {"mailstencil.offline.c"}
    assert cycles(graph) == [["mailstencil.offline.a", "mailstencil.offline.b"]]


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    assert {"mailstencil.rules.store", "mailstencil.offline.engine", "mailstencil.app.main"} <= graph.keys()
    assert cycles(graph) == []


def test_rules_import_nothing_of_the_project_and_app_and_offline_not_each_other() -> None:
    forbidden = {"rules": ("app", "offline", "mailstencil"), "app": ("offline",), "offline": ("app",)}
    graph = import_graph()
    wrong = [
        (name, dep)
        for name, deps in graph.items()
        for dep in sorted(deps)
        if _room(dep) in forbidden.get(_room(name), ())
    ]
    assert wrong == []
    # the check sees the edges it judges: the command line imports the learners and the service
    assert {_room(d) for d in graph["mailstencil.cli"]} >= {"offline", "rules"}


def bare_imports(path: Path) -> list[str]:
    """The imports in ``path`` of ``rules``, ``offline`` or ``app`` by their folder's name, not through
    ``mailstencil``: in a source tree they would load a second copy of the module beside the first."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in ROOMS]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found += [node.module] if node.module.split(".")[0] in ROOMS else []
    return found


def test_the_project_imports_its_rooms_only_through_the_namespace(tmp_path: Path) -> None:
    planted = tmp_path / "old.py"
    planted.write_text(
        "import rules.gone as m\nfrom mailstencil.app import main\nfrom offline import learn\n"
    )
    assert bare_imports(planted) == ["rules.gone", "offline"]
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wrong = {name: bare_imports(ROOT / name) for name in files}
    assert len(files) > 150 and {name: found for name, found in wrong.items() if found} == {}
