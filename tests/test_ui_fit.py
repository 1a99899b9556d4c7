"""The desktop on a laptop: every page and dialog fits 1366×768 and 1024×700, nothing clipped.

The window is resized to what each screen leaves it, each page is shown in turn, and every
visible control must lie inside the window (or inside a scroll area that reaches it).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from ccodesk.ui.main_window import MainWindow
from tests.support.fit import LAPTOPS, assert_fits, available


@pytest.fixture
def window(qtbot, demo_store):  # type: ignore[no-untyped-def]
    win = MainWindow(demo_store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.mark.parametrize(("width", "height"), LAPTOPS, ids=["1366x768", "1024x700"])
@pytest.mark.parametrize("page", list(MainWindow.PAGES))
def test_every_page_fits_a_laptop(window, page: str, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    window.navigation.setCurrentRow(MainWindow.PAGES.index(page))
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    assert_fits(window, width, height)


def test_a_first_window_fits_the_screen(qtbot, demo_store) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(demo_store)
    qtbot.addWidget(win)
    room = win.screen().availableGeometry()
    assert win.width() <= room.width() and win.height() <= room.height()
    win.show()
    qtbot.waitExposed(win)
    room_w, room_h = available(1024, 700)
    win.resize(room_w, room_h)
    QApplication.processEvents()
    assert (win.width(), win.height()) == (room_w, room_h)  # nothing forces it wider
