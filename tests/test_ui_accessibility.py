"""Accessibility: every control on every page has a name and a role in the accessibility tree,
and the keyboard alone reaches it with Tab.

The tree is read through `QAccessible` (what a screen reader reads), not from widget attributes.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ccodesk.store import Store
from ccodesk.ui.main_window import MainWindow

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
)
NO_ROLES = {QAccessible.Role.NoRole, QAccessible.Role.Client}


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store) -> MainWindow:
    win = MainWindow(demo_store)
    qtbot.addWidget(win)
    win.resize(1366, 728)
    win.show()
    qtbot.waitExposed(win)
    return win


def _controls(root: QWidget) -> list[QWidget]:
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if type(widget).__name__ in {"QComboBoxListView", "QCalendarView"}:
            continue  # a combo's or date popup's own list, announced through its owner
        if isinstance(widget, QHeaderView):
            continue  # a table's headers are read as part of the table
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own parts (a scroll area's corner, a spin box's line edit)
        if isinstance(widget, QLineEdit) and isinstance(
            widget.parent(), QAbstractSpinBox | QComboBox
        ):
            continue
        found.append(widget)
    return found


def _show(window: MainWindow, page: str) -> QWidget:
    window.navigation.setCurrentRow(MainWindow.PAGES.index(page))
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    return window.stack.currentWidget()


@pytest.mark.parametrize("page", list(MainWindow.PAGES))
def test_every_control_has_a_name_and_a_role(window: MainWindow, page: str) -> None:
    shown = _show(window, page)
    nameless = []
    for widget in [*_controls(shown), *_controls(window.toolbar), window.navigation]:
        face = QAccessible.queryAccessibleInterface(widget)
        assert face is not None and face.isValid(), widget
        name = face.text(QAccessible.Text.Name).strip()
        if not name or face.role() in NO_ROLES:
            nameless.append(f"{type(widget).__name__} {widget.objectName()!r} role {face.role()}")
    assert not nameless, f"{page}: controls a screen reader cannot name: {nameless}"


@pytest.mark.parametrize("page", list(MainWindow.PAGES))
def test_tab_reaches_every_control(window: MainWindow, page: str) -> None:
    shown = _show(window, page)
    wanted = [
        w
        for w in _controls(shown)
        if w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not isinstance(w, QTabBar)
    ]
    window.navigation.setFocus(Qt.FocusReason.TabFocusReason)
    reached: set[int] = set()
    for _ in range(4 * len(wanted) + 40):
        focus = QApplication.focusWidget()
        if focus is not None:
            reached.add(id(focus))
            if isinstance(focus.parent(), QAbstractSpinBox | QComboBox):
                reached.add(id(focus.parent()))
        QTest.keyClick(focus or window, Qt.Key.Key_Tab)
    missed = [f"{type(w).__name__} {w.accessibleName()!r}" for w in wanted if id(w) not in reached]
    assert not missed, f"{page}: Tab never reaches {missed}"
