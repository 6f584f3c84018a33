"""The layering of ``docs/architecture.md``, checked on the import graph of the source tree.

Layers, lowest first: foundations → certify → reductions → solvers → problems (entry points) →
experiments → surfaces. A module may import its own layer and the layers below, never above;
no two modules import each other, directly or through others; no function body is longer than
100 lines. Imports inside ``if TYPE_CHECKING:`` blocks are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundations",
        (
            "qmot._version",
            "qmot.errors",
            "qmot.results",
            "qmot.linalg",
            "qmot._validation",
            "qmot._progress",
            "qmot._threads",
            "qmot._memory",
        ),
    ),
    ("certify", ("qmot.certify",)),
    ("reductions", ("qmot.reductions",)),
    ("solvers", ("qmot.solvers",)),
    (
        "problems",
        (
            "qmot.classical",
            "qmot.quantum",
            "qmot.manybody",
            "qmot.sdp",
            "qmot.ipm",
            "qmot.first_order",
        ),
    ),
    ("experiments", ("qmot.experiments",)),
    ("surfaces", ("qmot.cli", "qmot.sweep", "qmot.report", "qmot.io", "qmot.__main__", "qmot")),
)
MAX_BODY_LINES = 100


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted((SOURCE / "qmot").rglob("*.py"))}


def _layer(module: str) -> int:
    """Index of the layer of ``module`` (the longest matching prefix decides)."""
    best, best_length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            nested = prefix != "qmot" and module.startswith(prefix + ".")  # qmot itself: exact
            matches = module == prefix or nested
            if matches and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str) -> set[str]:
    """qmot modules imported anywhere in ``tree`` (functions included), TYPE_CHECKING aside."""
    found: set[str] = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(ast.parse(path.read_text()), module) for module, path in MODULES.items()}
CYCLE_GRAPH = {
    module: {target for target in targets if not module.startswith(target + ".")}
    for module, targets in GRAPH.items()
}
"""The graph without the edges from a module to a package above it: importing a sibling
through the package is ruled out by :func:`test_submodules_never_import_their_own_package`."""


def test_every_module_has_a_layer() -> None:
    assert [module for module in MODULES if _layer(module) < 0] == []


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in CYCLE_GRAPH[node]:
            if target not in index:
                connect(target)
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
                components.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            connect(node)
    return components


def test_there_are_no_import_cycles() -> None:
    assert _cycles() == []


def test_submodules_never_import_their_own_package() -> None:
    inward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if module.startswith(target + ".")
        and MODULES[target].name == "__init__.py"
        and target != "qmot"
    ]
    assert inward == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_function_bodies_stay_short(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    long = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring is documentation, not body
            if body and body[-1].end_lineno - body[0].lineno + 1 > MAX_BODY_LINES:
                long.append(node.name)
    assert long == []
