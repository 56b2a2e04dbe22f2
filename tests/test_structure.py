"""The project's shape: one direction of imports (no cycles, function-level imports included) and a UI-free core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("dpf", "ui", "bench", "tests", "serve")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in (REPO / package).rglob("*.py")}
    found.update({module_name(p): p for p in (REPO / "app_pages").glob("*.py")})
    found["dashboard"] = REPO / "dashboard.py"
    return found


def imported_names(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions too), as written."""
    names: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if "." in module_name(path) else ""
    if path.name == "__init__.py":
        package = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: {n for n in imported_names(path) if n in modules and n != name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "ui.data" in graph["ui.context"]  # a module-level import
    assert "dpf.contract.demo" in graph["tests.conftest"]  # imported inside a fixture


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_cycles_finds_what_a_cycle_is(graph, expected):
    assert cycles(graph) == expected


def test_no_import_cycle_among_the_projects_modules():
    assert cycles(import_graph()) == []


def test_the_core_imports_no_ui_tests_bench_or_streamlit():
    offending = {
        name: sorted(n for n in imported_names(path) if n.split(".")[0] in {"ui", "tests", "bench", "streamlit"})
        for name, path in project_modules().items()
        if name.split(".")[0] == "dpf"
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_process_supervisor_imports_nothing_of_the_project():
    """serve/ (python -m serve) starts the dashboard as processes; it imports no dpf, ui, bench, tests or streamlit."""
    project = {"dpf", "ui", "tests", "bench", "streamlit"}
    offending = {
        name: sorted(n for n in imported_names(path) if n.split(".")[0] in project)
        for name, path in project_modules().items()
        if name.split(".")[0] == "serve"
    }
    assert set(offending) == {"serve", "serve.__main__", "serve.cluster"}
    assert {name: found for name, found in offending.items() if found} == {}


def test_no_legacy_pages_folder():
    """A `pages/` folder beside dashboard.py would switch Streamlit to its v1 multipage mode."""
    assert not (REPO / "pages").exists()
    assert (REPO / "app_pages").is_dir()
