"""The desktop is a thin layer (issue 14): every query is a service's, so `ccodesk/ui/` holds no
SQL. Read from the source: no SQLAlchemy but the `Session` type, no statement run on a session,
no row fetched by its model and key."""

from __future__ import annotations

import ast
from pathlib import Path

import ccodesk.models

UI = Path(__file__).resolve().parent.parent / "ccodesk" / "ui"
RUNS_SQL = {"execute", "scalars", "scalar", "exec_driver_sql", "query"}
MODELS = set(ccodesk.models.__all__)


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names = {a.name for a in node.names}
            if node.module != "sqlalchemy.orm" or names != {"Session"}:
                found.append(f"{where} imports {sorted(names)} from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in RUNS_SQL:
                found.append(f"{where} runs SQL (.{node.func.attr})")
            elif (
                node.func.attr == "get"
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in MODELS
            ):
                found.append(f"{where} fetches {node.args[0].id} by its key")
    return found


def test_the_desktop_asks_services_and_runs_no_sql() -> None:
    problems = [p for path in sorted(UI.glob("*.py")) for p in _problems(path)]
    assert problems == []


def test_the_check_sees_sql() -> None:
    """The rule above is not vacuous: each kind of SQL it forbids is seen."""
    sample = UI.parent.parent / "tests" / "fixtures" / "ui_with_sql.py.txt"
    assert sorted(p.split(" ", 1)[1] for p in _problems(sample)) == [
        "fetches Engagement by its key",
        "imports ['select'] from sqlalchemy",
        "runs SQL (.scalars)",
    ]
