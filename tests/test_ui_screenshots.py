"""Every page renders: the main window on each page and the editor, as PNG files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from ccodesk.ui.screenshots import render_all


def test_every_page_renders_to_png(qtbot, demo_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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
