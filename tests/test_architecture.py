"""The layering rules of ARCHITECTURE.md, checked."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
