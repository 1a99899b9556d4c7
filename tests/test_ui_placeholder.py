"""The desktop entry point opens a window on the store (placeholder until the desktop issue)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ccodesk.ui.app import PlaceholderWindow, _summary

GUI = str(Path(sys.executable).parent / "ccodesk")


def test_window_shows_the_store(qtbot, demo_store) -> None:  # type: ignore[no-untyped-def]
    window = PlaceholderWindow(_summary(demo_store))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    text = window.label.text()
    assert "Hackney" in text
    assert "300 engagements" in text
    assert "1,500 organisations" in text
    assert window.label.accessibleName() == "Store summary"


def test_smoke_test_flag(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [GUI, "--data-dir", str(store.data_dir), "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "main window rendered" in result.stdout


def test_smoke_test_without_a_store(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [GUI, "--data-dir", str(tmp_path / "none"), "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
