"""The package's shape, read from its own imports: layers top to bottom, no circles.

docs/architecture.md draws the same layers; when a module is added it goes in one of them
here, and the test says where an import climbs back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "earlyhelp"

# From the bottom up. A module may import its own layer and the layers below it, never a
# layer above. A name is a module or a package (every module inside it).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("leaf helpers", ("errors", "text", "units", "columns", "stats", "solver", "forking")),
    ("config and io", ("config", "geography", "validation", "disclosure", "outputs")),
    ("model", ("need", "provision", "loading", "sources", "demo")),
    (
        "analysis",
        (
            "distance",
            "accessibility",
            "sufficiency",
            "assessment",
            "siting",
            "scenario",
            "offer",
            "hubs",
            "earlyyears",
            "casework",
            "expertise",
            "benchmark",
        ),
    ),
    ("publish", ("maps", "publish")),
    ("commands", ("commands",)),
    ("cli", ("cli", "cli_duties", "launch", "terminal")),
)

MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The earlyhelp modules a file imports, anywhere in it (late imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n in MODULES)
            if node.module in MODULES and not all(n in MODULES for n in names):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
    return {m for m in found if m.startswith("earlyhelp.")}


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _find_layer(module: str) -> int | None:
    if module == "earlyhelp":
        return -1  # the package's face: version only
    top = module.split(".")[1]
    for i, (_, names) in enumerate(LAYERS):
        if top in names:
            return i
    return None


def _layer(module: str) -> int:
    found = _find_layer(module)
    if found is None:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS and docs/architecture.md")
    return found


def test_every_module_has_a_layer():
    assert len(MODULES) > 50  # the package was read
    unplaced = sorted(m for m in MODULES if _find_layer(m) is None)
    assert not unplaced, "in no layer; add to LAYERS and docs/architecture.md: " + ", ".join(
        unplaced
    )
    named = {name for _, names in LAYERS for name in names}
    tops = {m.split(".")[1] for m in MODULES if m != "earlyhelp"}
    assert not named - tops, f"LAYERS names what is not in the package: {named - tops}"


def test_no_module_imports_a_layer_above_its_own():
    climbs = [
        f"{m} ({LAYERS[_layer(m)][0]}) imports {d} ({LAYERS[_layer(d)][0]})"
        for m, deps in GRAPH.items()
        for d in deps
        if _layer(d) > _layer(m)
    ]
    assert not climbs, "imports that climb back up:\n" + "\n".join(sorted(climbs))


def test_no_import_circles():
    """Depth-first search for a cycle in the module graph (a package's face counts as a
    module, so a submodule importing its own package's face is a circle too)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(GRAPH.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import circle: " + " -> ".join(cycle))


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_rooms_stay_small():
    """No module over about 700 lines and no function over about 80 (docstring included)."""
    big = []
    for name, path in sorted(MODULES.items()):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            big.append(f"module {name}: {text.count(chr(10))} lines")
        for fn in _functions(ast.parse(text)):
            size = fn.end_lineno - fn.lineno + 1
            if size > MAX_FUNCTION_LINES:
                big.append(f"function {name}.{fn.name}: {size} lines")
    assert not big, "\n".join(big)
