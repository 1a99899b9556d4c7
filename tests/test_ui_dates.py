"""Dates that behave like Outlook's, and Tab that leaves every multi-line text field.

Driven by keys: the start's day moved with the Up arrow drags the end along, keeping the
length; moving the end alone changes the length; the end cannot be put before the start.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.qtdates import pydatetime

START = dt.datetime(2026, 11, 3, 18, 30)
Section = QDateTimeEdit.Section


def _shown(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def _editor(qtbot: QtBot, store: Store) -> EngagementEditor:
    editor = EngagementEditor(store, starts_at=START)
    _shown(qtbot, editor)
    return editor


def _step(edit: QDateTimeEdit, section: QDateTimeEdit.Section, key: Qt.Key, times: int = 1) -> None:
    """Put the cursor in one part of a date field (day, hour…) and press an arrow key."""
    edit.setFocus()
    edit.setCurrentSection(section)
    for _ in range(times):
        QTest.keyClick(edit, key)


def _at(edit: QDateTimeEdit) -> dt.datetime:
    return pydatetime(edit.dateTime())


def test_moving_the_start_drags_the_end_keeping_the_length(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    assert (_at(form.starts), _at(form.ends)) == (START, START + dt.timedelta(hours=2))
    _step(form.starts, Section.DaySection, Qt.Key.Key_Up, 2)  # two days later
    assert _at(form.starts) == START + dt.timedelta(days=2)
    assert _at(form.ends) == START + dt.timedelta(days=2, hours=2)
    assert editor.form.state()["ends_at"] == "2026-11-05T20:30"

    _step(form.ends, Section.HourSection, Qt.Key.Key_Up)  # the end alone: now 3 hours long
    assert _at(form.ends) - _at(form.starts) == dt.timedelta(hours=3)
    _step(form.starts, Section.HourSection, Qt.Key.Key_Down, 2)  # start earlier: end follows
    assert _at(form.starts) == START + dt.timedelta(days=2, hours=-2)
    assert _at(form.ends) == START + dt.timedelta(days=2, hours=1)

    # Undo: the start and the end it dragged go back together (steps in one field merge).
    form.text["title"].setFocus()
    QTest.keySequence(form.text["title"], QKeySequence.StandardKey.Undo)
    assert _at(form.starts) == START + dt.timedelta(days=2)
    assert _at(form.ends) == START + dt.timedelta(days=2, hours=3)


def test_the_end_cannot_be_put_before_the_start(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    _step(form.ends, Section.HourSection, Qt.Key.Key_Down, 5)  # 20:30 down five hours…
    assert _at(form.ends) == START  # …stops at the start
    _step(form.ends, Section.DaySection, Qt.Key.Key_Down)  # the day before: refused
    assert _at(form.ends) >= _at(form.starts)
    form.ends.setDateTime(QDateTime(START - dt.timedelta(days=1)))  # even from code
    assert _at(form.ends) == START
    assert "before the start" not in editor.errors.text()
    _step(form.starts, Section.DaySection, Qt.Key.Key_Up)  # zero length is kept too
    assert _at(form.ends) == _at(form.starts) == START + dt.timedelta(days=1)


def test_a_stored_engagement_keeps_its_length_when_moved(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    QTest.keyClicks(form.text["title"], "Youth forum")
    _step(form.ends, Section.HourSection, Qt.Key.Key_Up)  # 3 hours long
    assert editor.save(close=False)
    again = EngagementEditor(store, editor.engagement_id)
    _shown(qtbot, again)
    _step(again.form.starts, Section.MonthSection, Qt.Key.Key_Up)
    assert _at(again.form.starts) == dt.datetime(2026, 12, 3, 18, 30)
    assert _at(again.form.ends) == dt.datetime(2026, 12, 3, 21, 30)


def _tab_leaves(qtbot: QtBot, field: QPlainTextEdit) -> None:
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClicks(field, "Flat 3")
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not field, field.accessibleName()
    assert "\t" not in field.toPlainText()
    QTest.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier
    )
    assert QApplication.focusWidget() is field  # and Shift+Tab comes back
    QTest.keyClick(field, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is not field
    assert field.toPlainText() == "Flat 3"


@pytest.mark.parametrize("name", ["notes", "venue_address"])
def test_tab_leaves_notes_and_address(qtbot: QtBot, store: Store, name: str) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    form.setCurrentIndex(0 if name == "notes" else 1)
    _tab_leaves(qtbot, form.plain[name])


def test_tab_leaves_the_notes_of_organisations_and_contacts(qtbot: QtBot, store: Store) -> None:
    for editor in (OrganisationEditor(store), ContactEditor(store)):
        _shown(qtbot, editor)
        _tab_leaves(qtbot, editor.notes)


def test_tab_leaves_the_text_of_a_finding_and_of_feedback(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    QTest.keyClicks(editor.form.text["title"], "Youth forum")
    assert editor.save(close=False)
    for dialog in (editor.record.finding_dialog(), editor.record.feedback_dialog()):
        _shown(qtbot, dialog)
        (field,) = dialog.findChildren(QPlainTextEdit)
        _tab_leaves(qtbot, field)
