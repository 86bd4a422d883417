"""The project's layering, read from the source: no import cycle between modules, ``rules`` imports
nothing of the project, and ``app`` and ``offline`` never import each other (only the command
line sees both)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "rules", "offline", "mailstencil")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


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
        _module_name(p, root): p
        for pkg in PACKAGES
        if (root / pkg).is_dir()
        for p in (root / pkg).rglob("*.py")
    }
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
    (pkg / "b.py").write_text("def f() -> None:\n    import offline.a\n")
    (pkg / "c.py").write_text("from .a import x\n")
    graph = import_graph(tmp_path)
    assert graph["offline.c"] == {"offline.a"}
    assert cycles(graph) == [["offline.a", "offline.b"]]


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    assert {"mailstencil.rules.store", "mailstencil.offline.engine", "mailstencil.app.main"} <= graph.keys()
    assert cycles(graph) == []


def test_rules_import_nothing_of_the_project_and_app_and_offline_not_each_other() -> None:
    forbidden = {"rules": ("app", "offline", "mailstencil"), "app": ("offline",), "offline": ("app",)}
    wrong = [
        (name, dep)
        for name, deps in import_graph().items()
        for dep in sorted(deps)
        if dep.split(".")[0] in forbidden.get(name.split(".")[0], ())
    ]
    assert wrong == []
