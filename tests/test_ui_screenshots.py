"""Every page renders: the main window on each page and the editor, as PNG files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ccodesk.store import Store
from ccodesk.ui.screenshots import render_all, render_central


def test_every_page_renders_to_png(qtbot: QtBot, demo_store: Store, tmp_path: Path) -> None:
    paths = render_all(demo_store, tmp_path / "shots", size=(1100, 700))
    assert [p.name for p in paths] == [
        "1-dashboard.png",
        "2-timetable.png",
        "3-engagements.png",
        "4-organisations.png",
        "5-actions.png",
        "6-reports.png",
        "7-sync.png",
        "8-engagement-editor.png",
        "9-attendance.png",
    ]
    for path in paths:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 600 and image.height() >= 400
        # a rendered page has many colours; a blank or failed grab has one or two
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 23)
            for y in range(0, image.height(), 23)
        }
        assert len(colours) > 8, path.name


def _not_blank(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull() and image.width() >= 600 and image.height() >= 400
    # a rendered page has many colours; a blank or failed grab has one or two
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 23)
    }
    assert len(colours) > 8, path.name


def test_every_central_page_renders_to_png(qtbot: QtBot, tmp_path: Path) -> None:
    """One picture per page of the central window, named after its navigation."""
    import datetime as dt

    from ccodesk.services.central_board import read_board
    from ccodesk.services.demo_central import build_demo_central, held_back
    from ccodesk.ui.central_window import CentralWindow

    today = dt.date.today()
    central = build_demo_central(tmp_path / "centre", tmp_path, today, 20, hold_back=True)
    try:
        paths = render_central(
            central, tmp_path / "shots", size=(1100, 700), inbox=held_back(tmp_path)
        )
        with central.session() as session:  # the held-back bundle went through the inbox
            board = {line.code: line for line in read_board(session, today, 14)}
        assert board["lewisham"].bundles == 1 and board["southwark"].late
        assert board["camden"].conflicts == 1 and board["camden"].missing == [2]
    finally:
        central.close()
    names = [p.name for p in paths]
    assert len(names) == len(CentralWindow.PAGES)
    assert names[0] == "central-1-boroughs.png" and "central-3-london.png" in names
    assert "central-6-corporate-timetable.png" in names
    for path in paths:
        _not_blank(path)


def test_make_screenshots_writes_every_picture_at_laptop_size(tmp_path: Path) -> None:
    """`make screenshots` runs scripts/screenshots.py: pages at 1366×768 and each printed form."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "screenshots.py"), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert "1-dashboard.png" in names and "print-pack.png" in names and "print-return.png" in names
    central = [name for name in names if name.startswith("central-")]
    assert central[0] == "central-1-boroughs.png" and len(central) >= 6
    assert len(names) == 15 + len(central)
    boroughs = QImage(str(tmp_path / "central-1-boroughs.png"))
    assert (boroughs.width(), boroughs.height()) == (1366, 768)
    dashboard = QImage(str(tmp_path / "1-dashboard.png"))
    assert (dashboard.width(), dashboard.height()) == (1366, 768)
