"""Render the main window on each page, and the editor and wizard, to PNG files; and the
central unit's window on each of its pages.

Used by the screenshot test and by `make screenshots` (which writes docs/screenshots/).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ccodesk.sync.central import Central


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


def _settle() -> None:
    """Let the pages' background reads finish and show (a page may start a second read when
    the first arrives, as the London page does)."""
    for _ in range(4):
        QThreadPool.globalInstance().waitForDone()
        QApplication.processEvents()


def render_central(
    central: Central,
    out: Path,
    size: tuple[int, int] = (1366, 768),
    inbox: Sequence[Path] = (),
) -> list[Path]:
    """Write one PNG per page of the central unit's window, in the order of its navigation
    (so a page added to the window is pictured too): central-1-boroughs.png, …

    The bundles in `inbox` are merged through the Inbox first, as if dropped on the window."""
    from ccodesk.settings import Settings
    from ccodesk.ui.central_boroughs import BoardModel
    from ccodesk.ui.central_window import CentralWindow

    out.mkdir(parents=True, exist_ok=True)
    window = CentralWindow(central, Settings(), home=central.home)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*size)
    window.show()
    _settle()
    if inbox:
        window.inbox.add_bundles(list(inbox))
        _settle()
        if window.inbox.progress is not None:  # the dialog closes when the batch is done
            window.inbox.progress.close()
        _settle()
    written = []
    for row in range(window.navigation.count()):
        item = window.navigation.item(row)
        name = "-".join(item.text().lower().split()) if item is not None else f"page-{row}"
        window.go_to(row)
        _settle()
        if window.stack.currentWidget() is window.boroughs:  # what needs a look first
            window.boroughs.table.sortByColumn(BoardModel.STATE, Qt.SortOrder.DescendingOrder)
        if window.stack.currentWidget() is window.followup:  # a search, as an officer types it
            window.followup.query.setText("young people")
            window.followup.search_now()
            _settle()
        written.append(_save(window, out / f"central-{row + 1}-{name}.png"))
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return written
