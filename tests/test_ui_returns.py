"""Key in returned forms by keyboard and scanner: Enter in the code box moves to the answers,
Enter never closes the window, and a scanner's "code + Enter" works form after form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from ccodesk.printing.codes import FormKind, form_code
from ccodesk.services.engagements import get_engagement
from ccodesk.store import Store
from ccodesk.ui.returns import ReturnedFormsDialog
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_printing import _meeting, held_yesterday


@pytest.fixture
def meeting(store: Store) -> str:
    meeting = _meeting(store)[0]
    held_yesterday(store, meeting)
    return meeting


def _open(qtbot: QtBot, store: Store) -> ReturnedFormsDialog:
    dialog = ReturnedFormsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.code.setFocus()
    qtbot.waitUntil(dialog.code.hasFocus)
    return dialog


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _type(text: str) -> None:
    """Keys as a scanner or a keyboard sends them: to whatever has the focus."""
    QTest.keyClicks(_focused(), text)


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_focused(), key, modifier)


def _attendance(store: Store, meeting: str) -> tuple[int, dict[str, int]]:
    with store.session() as s:
        a = get_engagement(s, meeting).attendance
        return (0, {}) if a is None else (a.total, {c.group_code: c.count for c in a.counts})


def test_a_scanner_keys_form_after_form(qtbot: QtBot, store: Store, meeting: str) -> None:
    dialog = _open(qtbot, store)
    code = form_code(FormKind.EQUALITY, meeting)
    age = dialog.equality.answers["age"]
    for sheet in (1, 2, 3):
        _type(f"{code}/{sheet}")  # the scanner's code…
        _press(Qt.Key.Key_Return)  # …and its Enter: on to the answers, nothing keyed
        assert dialog.isVisible()
        assert dialog.sheet.value() == sheet and dialog.code.text() == code
        assert _focused() is age
        assert _attendance(store, meeting)[0] == sheet - 1
        _press(Qt.Key.Key_Down)  # the first answer of the list
        assert age.currentData() is not None
        _press(Qt.Key.Key_Return)  # Enter in an answer moves on to the next one
        assert _focused() is list(dialog.equality.answers.values())[1]
        _press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Add
        assert "Added" in dialog.message.text(), dialog.message.text()
        # Ready for the next scan: the code box has the focus, its text selected.
        assert _focused() is dialog.code and dialog.code.selectedText() == code
        assert age.currentData() is None
    assert _attendance(store, meeting)[0] == 3
    assert "3 × equality monitoring form" in dialog.tally.text()
    assert dialog.isVisible()


def test_enter_carries_on_with_the_next_sheet_of_the_same_form(
    qtbot: QtBot, store: Store, meeting: str
) -> None:
    dialog = _open(qtbot, store)
    code = form_code(FormKind.EQUALITY, meeting)
    _type(f"{code}/4")
    _press(Qt.Key.Key_Return)
    _press(Qt.Key.Key_Down)
    _press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.sheet.value() == 5 and _focused() is dialog.code
    _press(Qt.Key.Key_Return)  # the same code, the next sheet: straight to the answers
    assert _focused() is dialog.equality.answers["age"]
    assert _attendance(store, meeting)[0] == 1


def test_enter_never_closes_the_window(qtbot: QtBot, store: Store, meeting: str) -> None:
    dialog = _open(qtbot, store)
    _press(Qt.Key.Key_Return)  # nothing typed yet
    assert dialog.isVisible() and _focused() is dialog.code
    assert "Type the code" in dialog.what.text()
    _type("EK4Q-7MX")  # too short: Enter stays in the code box
    _press(Qt.Key.Key_Enter)
    assert dialog.isVisible() and _focused() is dialog.code
    code = form_code(FormKind.EQUALITY, meeting)
    dialog.code.selectAll()
    _type(code[:-1] + ("2" if code[-1] != "2" else "3"))  # mistyped: said, and stays
    _press(Qt.Key.Key_Return)
    assert "does not check out" in dialog.what.text()
    assert dialog.isVisible() and _focused() is dialog.code
    dialog.code.selectAll()
    _type(code)
    _press(Qt.Key.Key_Return)
    for _ in range(30):  # Enter through every answer and past the buttons
        assert dialog.isVisible(), f"closed by Enter on {_focused()!r}"
        _press(Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert _attendance(store, meeting)[0] == 0  # Enter alone keyed nothing
    assert not any(
        b.isDefault() or b.autoDefault()
        for b in dialog.findChildren(QWidget)
        if hasattr(b, "autoDefault")
    )


def test_a_blank_form_goes_to_its_engagement_first(
    qtbot: QtBot, store: Store, meeting: str
) -> None:
    dialog = _open(qtbot, store)
    _type(form_code(FormKind.FEEDBACK, None))
    _press(Qt.Key.Key_Return)
    assert isinstance(_focused(), QComboBox) and _focused() is dialog.engagement
    assert dialog.engagement.currentData() == meeting


def test_text_answers_let_tab_move_on(qtbot: QtBot, store: Store, meeting: str) -> None:
    dialog = _open(qtbot, store)
    _type(form_code(FormKind.FEEDBACK, meeting))
    _press(Qt.Key.Key_Return)
    first = dialog.feedback.first()
    assert _focused() is first
    _type("Lights out on the estate")
    _press(Qt.Key.Key_Tab)
    assert _focused() is not first
    assert dialog.feedback.values()["concern"] == "Lights out on the estate"


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_window_fits_a_laptop(
    qtbot: QtBot, store: Store, meeting: str, width: int, height: int
) -> None:
    dialog = _open(qtbot, store)
    _type(form_code(FormKind.EQUALITY, meeting))  # the longest page: every question
    assert_fits(dialog, width, height)
    dialog.code.selectAll()
    _type(form_code(FormKind.FEEDBACK, meeting))
    assert_fits(dialog, width, height)
