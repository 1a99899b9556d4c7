"""The main window's frame: menus and shortcuts, the tool bar on a narrow screen, and the
window's size, place and splitters remembered between runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QDialog, QSplitter
from pytestqt.qtbot import QtBot

from ccodesk.store import Store
from ccodesk.ui.main_window import MainWindow
from ccodesk.ui.window_state import fitted, read_state, state_path


def _window(qtbot: QtBot, store: Store) -> MainWindow:
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)  # window shortcuts need it
    return win


def test_ctrl_comma_opens_settings(qtbot: QtBot, store: Store) -> None:
    win = _window(qtbot, store)
    qtbot.keyClick(win, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialogs = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    assert [d.windowTitle() for d in dialogs] == ["ccodesk settings"]
    dialogs[0].reject()


def test_every_command_is_in_a_menu_with_its_shortcut(qtbot: QtBot, store: Store) -> None:
    win = _window(qtbot, store)
    menus = {
        m.title().replace("&", ""): m
        for m in win.menuBar().findChildren(type(win.menuBar().addMenu("x")))
    }
    file_menu = [a.text() for a in win.menuBar().actions()[0].menu().actions() if a.text()]
    assert "Print forms…" in file_menu and "Key in returned forms…" in file_menu
    assert "Settings…" in file_menu and "Quit" in file_menu
    shortcuts = {a.text(): a.shortcut().toString() for a in win.actions()}
    assert shortcuts["Key in returned forms…"] == "Ctrl+K"
    assert shortcuts["Quick-time consultation…"] == "Ctrl+Shift+Q"
    assert shortcuts["Engagements"] == "Ctrl+3"
    assert menus  # the menu bar is built


def test_tool_bar_folds_on_a_narrow_window(qtbot: QtBot, store: Store) -> None:
    win = _window(qtbot, store)
    win.resize(1024, 660)
    QApplication.processEvents()
    assert win.width() == 1024  # nothing in the tool bar or status bar forces it wider
    texts = [a.text() for a in win.toolbar.actions()]
    assert "Key in returned forms…" in texts and "Settings…" in texts


def test_geometry_and_splitters_remembered(qtbot: QtBot, store: Store) -> None:
    win = _window(qtbot, store)
    win.setGeometry(QRect(40, 50, 1100, 640))
    win.navigation.setCurrentRow(MainWindow.PAGES.index("Organisations & contacts"))
    splitters = win.organisations.findChildren(QSplitter)
    if splitters:
        total = sum(splitters[0].sizes())
        splitters[0].setSizes([total - 200, 200])
    QApplication.processEvents()
    win.close()
    assert state_path().is_file() and "main/geometry" in read_state()

    again = _window(qtbot, store)
    assert (again.width(), again.height()) == (1100, 640)
    if splitters:
        restored = again.organisations.findChildren(QSplitter)[0].sizes()
        assert abs(restored[-1] - 200) <= 2, restored


def test_window_state_lives_beside_the_settings() -> None:
    from ccodesk.settings import settings_path

    assert state_path().parent == settings_path().parent


def test_unreadable_window_state_is_ignored(qtbot: QtBot, store: Store) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[main]\ngeometry=not a geometry\nother=3\n")
    win = _window(qtbot, store)  # opens with the default size, no error
    expected = fitted(win.screen().availableGeometry(), 1280, 800).size()
    assert win.normalGeometry().size() == expected.expandedTo(win.minimumSizeHint())
    # 1280×800 and a title bar do not fit this 1366×768 laptop: it starts maximised
    assert win.isMaximized()


def test_first_window_leaves_room_for_the_title_bar() -> None:
    from PySide6.QtCore import QRect

    laptop = fitted(QRect(0, 0, 1366, 768), 1280, 800)
    assert laptop.height() <= 768 - 40 and laptop.top() >= 20
    assert fitted(QRect(0, 0, 1920, 1080), 1280, 800).size().toTuple() == (1280, 800)


@pytest.mark.parametrize("page", ["Dashboard", "Engagements"])
def test_status_bar_never_widens_the_window(qtbot: QtBot, store: Store, page: str) -> None:
    win = _window(qtbot, store)
    win.navigation.setCurrentRow(MainWindow.PAGES.index(page))
    win.status.setText("x" * 2000)
    win.resize(1024, 660)
    QApplication.processEvents()
    assert win.width() == 1024


def test_ctrl_number_puts_the_focus_in_the_page(qtbot: QtBot, demo_store: Store) -> None:
    win = _window(qtbot, demo_store)
    for number, page in ((2, "timetable"), (3, "engagements"), (5, "followup")):
        qtbot.keyClick(win, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        focus = QApplication.focusWidget()
        shown = getattr(win, page)
        assert win.stack.currentWidget() is shown
        assert focus is not None and (focus is shown or shown.isAncestorOf(focus)), focus


def test_a_remembered_splitter_keeps_the_orientation_it_is_built_with(qtbot: QtBot) -> None:
    """A state saved from a splitter laid out side by side (an older version) gives a splitter
    now built top to bottom its sizes, never its old orientation."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from ccodesk.ui.window_state import restore_splitters, save_splitters

    old, new = QWidget(), QWidget()
    qtbot.addWidget(old)
    qtbot.addWidget(new)
    before = QSplitter(Qt.Orientation.Horizontal, old)
    now = QSplitter(Qt.Orientation.Vertical, new)
    for splitter in (before, now):
        splitter.addWidget(QWidget())
        splitter.addWidget(QWidget())
    state: dict[str, bytes] = {}
    save_splitters(old, "page", state)
    restore_splitters(new, "page", state)
    assert now.orientation() == Qt.Orientation.Vertical
