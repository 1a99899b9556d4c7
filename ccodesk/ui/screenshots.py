"""Render the main window on each page, and the editor and wizard, to PNG files.

Used by the screenshot test and by `make screenshots` (which writes docs/screenshots/).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.main_window import MainWindow


def _save(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def render_all(store: Store, out: Path, size: tuple[int, int] = (1366, 768)) -> list[Path]:
    """Write one PNG per page of the main window, plus the engagement editor."""
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(store)
    window.setWindowState(Qt.WindowState.WindowNoState)  # not maximised to whatever screen
    window.resize(*size)
    window.show()
    written = []
    names = ["dashboard", "timetable", "engagements", "organisations", "actions", "reports", "sync"]
    for row, name in enumerate(names):
        window.navigation.setCurrentRow(row)
        QThreadPool.globalInstance().waitForDone()  # the dashboard queries in the background
        QApplication.processEvents()
        if name == "organisations":
            window.organisations.table.selectRow(0)
        written.append(_save(window, out / f"{row + 1}-{name}.png"))
    engagements = window.engagements
    rows = [engagements.model.row_object(i) for i in range(engagements.model.rowCount())]
    held = [r for r in rows if r.attendance is not None] or rows  # show one with attendance
    if held:
        editor = EngagementEditor(store, held[0].id, parent=window, restore_draft=False)
        editor.show()
        written.append(_save(editor, out / "8-engagement-editor.png"))
        editor.form.setCurrentIndex(3)
        written.append(_save(editor, out / "9-attendance.png"))
        editor.close()
    window.close()
    # Delete the windows now, while Qt is alive, not in the interpreter's final collection.
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return written
