"""The layering rules of ARCHITECTURE.md, checked."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import ccodesk
from ccodesk.migrations import alembic_config
from ccodesk.store import SCHEMA_HEAD


def _non_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(ccodesk.__path__, "ccodesk."):
        if info.name.startswith("ccodesk.ui") or ".migrations.versions." in info.name:
            continue
        if info.name == "ccodesk.migrations.env":  # runs only inside Alembic
            continue
        names.append(info.name)
    return names


def test_nothing_outside_ui_imports_qt() -> None:
    modules = _non_ui_modules()
    assert {"ccodesk.store", "ccodesk.cli", "ccodesk.models", "ccodesk.services.demo"} <= set(
        modules
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"Qt loaded by non-UI code: {result.stdout}"


def test_ui_does_import_qt_so_the_check_above_can_fail() -> None:
    code = "import sys, ccodesk.ui.app; print('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_schema_head_constant_matches_alembic_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


# --- The import graph and the layer rule -------------------------------------------------------
#
# Every module of the package, read with `ast` (nothing is imported), with every import it holds:
# at module level, inside functions (the lazy imports that keep start-up fast), and under
# `if TYPE_CHECKING:` (a type a module names is a dependency of its design too).

PACKAGE = Path(ccodesk.__file__).resolve().parent

# The house from the top. A module may import modules of its own layer and of any layer in a
# lower tier; the layers of one tier never import each other; nothing imports upwards. A name
# ending in ".*" is a package with everything in it; any other name is one module.
TIERS: list[dict[str, tuple[str, ...]]] = [
    # the two faces: the desktop (the only Qt) and the command lines; thin, over the services
    {"ui": ("ccodesk.ui.*",), "cli": ("ccodesk.cli.*",)},
    # use cases and every query behind them: records, imports, reports, what a document says
    {"services": ("ccodesk.services.*",)},
    # documents (plain data in, PDF bytes out) and the bundle format, merge engine and keys
    {"printing": ("ccodesk.printing.*",), "sync": ("ccodesk.sync.*",)},
    # opening a store, the borough's and the centre's: engine, keys, schema and backups,
    # stamping, audit chain, search index, dashboard snapshot, recovery copies; migrations
    {"store": ("ccodesk.store.*", "ccodesk.migrations.*")},
    # the ORM models and reference data
    {"models": ("ccodesk.models.*",)},
    # plumbing every layer may use: errors, atomic files, resources, settings, logs, words
    {
        "base": (
            "ccodesk",
            "ccodesk.errors",
            "ccodesk.failures",
            "ccodesk.fileio",
            "ccodesk.resource_files",
            "ccodesk.resources",
            "ccodesk.settings",
            "ccodesk.logs",
            "ccodesk.terminal",
            "ccodesk.words",
        )
    },
]

# Imports that break the rule today, each with what must move to end it. An exception that is
# no longer needed fails the test as well, so the list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str, modules: dict[str, Path]) -> str:
    """The module `name` means: itself, or the package it is an attribute of."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """The lines of `if TYPE_CHECKING:` bodies (imports there never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(name: str, path: Path, modules: dict[str, Path]) -> dict[str, bool]:
    """The ccodesk modules `name` imports, each with whether the import runs (False: only
    under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, bool] = {}

    def add(target: str, line: int) -> None:
        target = _known(target, modules)
        if target and target != name and target.split(".")[0] == "ccodesk":
            found[target] = found.get(target, False) or line not in typing_only

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:  # `from ccodesk import stamping` imports a module
                submodule = f"{source}.{alias.name}"
                add(submodule if submodule in modules else source, node.lineno)
    return found


def _graph() -> dict[str, dict[str, bool]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer_of(module: str) -> str | None:
    for tier in TIERS:
        for layer, names in tier.items():
            for pattern in names:
                package = pattern.removesuffix(".*")
                if module == package or (
                    pattern.endswith(".*") and module.startswith(package + ".")
                ):
                    return layer
    return None


def _tier_of(layer: str) -> int:
    return next(i for i, tier in enumerate(TIERS) if layer in tier)


def _allowed(importer: str, imported: str) -> bool:
    return importer == imported or _tier_of(imported) > _tier_of(importer)


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of a directed graph as [a, b, …, a], or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_graph_sees_every_kind_of_import() -> None:
    """The reader itself: lazy, relative, `from package import module` and typing-only."""
    graph = _graph()
    assert len(graph) > 100
    assert graph["ccodesk.cli.borough"]["ccodesk.store"]  # inside a function
    assert graph["ccodesk.services.demo"]["ccodesk.store.stamping"]  # from ccodesk.store import …
    assert graph["ccodesk.models.engagement"]["ccodesk.models.outcomes"] is False  # typing only


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in _modules() if _layer_of(m) is None)
    assert not unplaced, f"modules in no layer (add them to TIERS): {unplaced}"


def test_imports_go_down_the_layers() -> None:
    """ui/cli → services → printing/sync → store → models → base, never back up."""
    broken: dict[tuple[str, str], str] = {}
    for importer, targets in _graph().items():
        for imported in targets:
            a, b = _layer_of(importer), _layer_of(imported)
            assert a and b
            if not _allowed(a, b):
                broken[(importer, imported)] = f"{a} imports {b}"
    unexpected = {edge: why for edge, why in broken.items() if edge not in KNOWN_EXCEPTIONS}
    assert not unexpected, "imports against the layers:\n" + "\n".join(
        f"  {a} -> {b} ({why})" for (a, b), why in sorted(unexpected.items())
    )
    stale = sorted(set(KNOWN_EXCEPTIONS) - set(broken))
    assert not stale, f"known exceptions that are gone (remove them from the list): {stale}"


def _outside_imports(module: str) -> dict[str, bool]:
    """The modules outside ccodesk that `module` imports (`sqlalchemy.orm`, `reportlab`…),
    each with whether the import runs (False: only under `if TYPE_CHECKING:`)."""
    path = _modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = _type_checking_lines(tree)
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            if name.split(".")[0] != "ccodesk":
                found[name] = found.get(name, False) or node.lineno not in typing_only
    return found


def _sqlalchemy(imports: dict[str, bool], *, runs: bool) -> list[str]:
    return sorted(
        name
        for name, running in imports.items()
        if name.split(".")[0] == "sqlalchemy" and (running or not runs)
    )


def test_the_faces_build_no_queries_and_printing_sees_no_store() -> None:
    """cli/ and ui/ ask the services for what they show: ui/ may hold a Session (to hand it to
    a service) but builds no query (nothing from `sqlalchemy` itself: select, func, text…);
    cli/ may name a Session in a type only. printing/ takes plain data."""
    for module in _modules():
        imports = _outside_imports(module)
        if module.startswith("ccodesk.cli."):
            assert _sqlalchemy(imports, runs=True) == [], f"{module}: ask a service"
        if module.startswith("ccodesk.ui."):
            queries = [n for n in _sqlalchemy(imports, runs=False) if n != "sqlalchemy.orm"]
            assert queries == [], f"{module} builds queries: move them to services"
        if module.startswith("ccodesk.printing"):
            assert _sqlalchemy(imports, runs=False) == [], f"{module}: move it to services"
            assert not any(m.split(".")[:2] == ["ccodesk", "store"] for m in _graph_of(module)), (
                module
            )


def _graph_of(module: str) -> dict[str, bool]:
    modules = _modules()
    return _imports(module, modules[module], modules)


def test_nothing_outside_the_command_line_imports_it() -> None:
    graph = _graph()
    outside = sorted(
        (importer, imported)
        for importer, targets in graph.items()
        for imported in targets
        if imported.startswith("ccodesk.cli") and not importer.startswith("ccodesk.cli")
    )
    assert outside == []


def test_no_import_cycle_between_layers_or_modules() -> None:
    graph = _graph()
    layers: dict[str, set[str]] = {}
    for importer, targets in graph.items():
        for imported in targets:
            if (importer, imported) in KNOWN_EXCEPTIONS:
                continue
            a, b = _layer_of(importer), _layer_of(imported)
            assert a and b
            if a != b:
                layers.setdefault(a, set()).add(b)
    assert _cycle(layers) == []
    # modules: imports that run (two-way ORM relationships name each other for typing only)
    running = {m: {t for t, runs in targets.items() if runs} for m, targets in graph.items()}
    assert _cycle(running) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
