"""Does a window, page or dialog fit a laptop's screen? Checks shared by the UI tests.

Laptop screens: 1366×768 (the commonest office laptop) and 1024×700. The window manager's
title bar and the panel take some of the height, so a top-level window must fit in the
screen less `DECORATION` pixels of height.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollArea,
    QWidget,
)

LAPTOPS = ((1366, 768), (1024, 700))
DECORATION = 40  # title bar and panel


def available(width: int, height: int) -> tuple[int, int]:
    """The room a top-level window has on a screen of this size."""
    return width, height - DECORATION


def outside(top: QWidget) -> list[str]:
    """Visible controls of `top` that lie (partly) outside its rectangle or are squashed.

    A control inside a scroll area counts when it lies outside the scroll area's content
    (the scroll area lets the user reach it); one whose own width is under what its text
    needs is "squashed".
    """
    QApplication.processEvents()
    problems: list[str] = []
    frame = QRect(QPoint(0, 0), top.size())
    for child in top.findChildren(QWidget):
        if not child.isVisibleTo(top) or child.window() is not top:
            continue
        if not isinstance(child, QAbstractButton | QComboBox | QLineEdit | QAbstractScrollArea):
            continue
        if _inside_scroll_area(child, top):
            continue
        rect = QRect(child.mapTo(top, QPoint(0, 0)), child.size())
        if not frame.contains(rect):
            problems.append(f"{_name(child)} at {_fmt(rect)} outside {_fmt(frame)}")
        elif isinstance(child, QAbstractButton) and child.text():
            needed = child.minimumSizeHint().width()
            if child.width() + 1 < needed:
                problems.append(f"{_name(child)} squashed to {child.width()} of {needed} px")
    return problems


def _inside_scroll_area(child: QWidget, top: QWidget) -> bool:
    parent = child.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _name(widget: QWidget) -> str:
    label = ""
    if isinstance(widget, QAbstractButton):
        label = widget.text()
    label = label or widget.accessibleName() or widget.objectName()
    return f"{type(widget).__name__} {label!r}"


def _fmt(rect: QRect) -> str:
    return f"{rect.x()},{rect.y()} {rect.width()}×{rect.height()}"


def assert_fits(top: QWidget, width: int, height: int) -> None:
    """`top` (a window or dialog) fits a `width`×`height` screen with every control on it.

    Resizes the window to the room the screen leaves, then checks that its minimum size
    fits and that no visible control lies outside it.
    """
    room_w, room_h = available(width, height)
    hint = top.minimumSizeHint()
    minimum = top.minimumSize()
    need_w = max(hint.width(), minimum.width())
    need_h = max(hint.height(), minimum.height())
    assert need_w <= room_w and need_h <= room_h, (
        f"{type(top).__name__} needs at least {need_w}×{need_h}; a {width}×{height} "
        f"screen leaves {room_w}×{room_h}"
    )
    top.resize(min(room_w, max(top.width(), need_w)), min(room_h, max(top.height(), need_h)))
    assert top.width() <= room_w and top.height() <= room_h, (
        f"{type(top).__name__} is {top.width()}×{top.height()}, larger than {room_w}×{room_h}"
    )
    problems = outside(top)
    assert not problems, f"at {width}×{height}: " + "; ".join(problems)


# The room the main window leaves a page (the navigation list, menu bar, tool bar and status
# bar take the rest), for pages tested on their own.
PAGE_ROOM = {(1366, 768): (1140, 598), (1024, 700): (800, 530)}


def assert_page_fits(page: QWidget, width: int, height: int) -> None:
    """A page, shown on its own, fits the room the main window leaves it on this screen."""
    room_w, room_h = PAGE_ROOM[(width, height)]
    page.show()
    hint = page.minimumSizeHint()
    assert hint.width() <= room_w and hint.height() <= room_h, (
        f"{type(page).__name__} needs at least {hint.width()}×{hint.height()}; "
        f"a {width}×{height} screen leaves a page {room_w}×{room_h}"
    )
    page.resize(room_w, room_h)
    problems = outside(page)
    assert not problems, f"at {width}×{height}: " + "; ".join(problems)
