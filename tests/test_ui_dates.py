"""Dates that behave like Outlook's, and Tab that leaves every multi-line text field.

Driven by keys: the start's day moved with the Up arrow drags the end along, keeping the
length; moving the end alone changes the length; the end cannot be put before the start.
Typed: after Tab, Shift+Tab or a label's Alt key the day is selected, and a whole date typed
as an officer writes it ("15/12/2026", "15122026", "5/1/2027", "15/12/2026 18:30") is taken,
in the widget and in the engagement editor, the corporate timetable's entry and an action's
"Date done", each saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ccodesk.models import ActionStatus, Engagement, TimetableKind
from ccodesk.services.central_timetable import corporate_entries
from ccodesk.store import Store
from ccodesk.sync.central import init_central
from ccodesk.ui.central_timetable import CorporateTimetablePage
from ccodesk.ui.date_edits import DateEdit, DateTimeEdit
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.qtdates import pydate, pydatetime
from tests.test_action_lifecycle import _actions, _meeting, _state

START = dt.datetime(2026, 11, 3, 18, 30)
Section = QDateTimeEdit.Section


def _shown(qtbot: QtBot, widget: QWidget, owned: bool = True) -> QWidget:
    if owned:  # not a dialog its page deletes on close
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


# -- a whole date typed from the keyboard ----------------------------------------------------

Field = DateEdit | DateTimeEdit


def _form(qtbot: QtBot, edit: Field) -> tuple[QWidget, QLineEdit, QLineEdit]:
    """A small window: a name, the date field behind the label "&Date:", another field."""
    window = QWidget()
    form = QFormLayout(window)
    name, other = QLineEdit(), QLineEdit()
    form.addRow("&Name:", name)
    label = QLabel("&Date:")
    label.setBuddy(edit)
    form.addRow(label, edit)
    form.addRow("&Other:", other)
    _shown(qtbot, window)
    return window, name, other


def _focus(qtbot: QtBot, edit: Field, how: str) -> QWidget:
    """Show the date field in a window and move the keyboard focus onto it as an officer does."""
    window, name, other = _form(qtbot, edit)
    start = other if how == "shift+tab" else name
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    if how == "shift+tab":
        QTest.keyClick(other, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    elif how == "tab":
        QTest.keyClick(name, Qt.Key.Key_Tab)
    else:  # the label's Alt shortcut
        QTest.keyClick(name, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is edit
    assert edit.lineEdit().selectedText() == f"{edit.date().day():02d}"  # the day is selected
    return window


@pytest.mark.parametrize("shape", ["dd MMM yyyy", "dd/MM/yyyy"])
@pytest.mark.parametrize("how", ["tab", "shift+tab", "shortcut"])
@pytest.mark.parametrize("typed", ["15/12/2026", "15122026", "15-12-2026", "15.12.2026"])
def test_a_whole_date_is_typed_after_keyboard_focus(
    qtbot: QtBot, shape: str, how: str, typed: str
) -> None:
    edit = DateEdit(QDate(2026, 6, 3))
    edit.setDisplayFormat(shape)
    edit.setCalendarPopup(True)
    _window = _focus(qtbot, edit, how)
    QTest.keyClicks(edit, typed)
    assert pydate(edit.date()) == dt.date(2026, 12, 15)
    QTest.keyClick(edit, Qt.Key.Key_Tab)  # and it stays when the officer moves on
    assert pydate(edit.date()) == dt.date(2026, 12, 15)
    assert QApplication.focusWidget() is not edit


def test_tab_leaves_a_date_field_from_any_part(qtbot: QtBot) -> None:
    """Tab goes on to the next field, not to the month (where a note typed next would land)."""
    edit = DateEdit(QDate(2026, 12, 6))
    edit.setDisplayFormat("dd MMM yyyy")
    window = _focus(qtbot, edit, "tab")  # the day selected
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    other = window.findChildren(QLineEdit)[-1]
    assert QApplication.focusWidget() is other
    QTest.keyClicks(other, "Dec")
    QTest.keyClick(other, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is edit
    assert edit.lineEdit().selectedText() == "06"
    QTest.keyClick(edit, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is not edit
    assert pydate(edit.date()) == dt.date(2026, 12, 6) and other.text() == "Dec"


def test_select_all_home_short_parts_and_backspace(qtbot: QtBot) -> None:
    edit = DateEdit(QDate(2026, 12, 6))
    edit.setDisplayFormat("dd MMM yyyy")
    _window = _focus(qtbot, edit, "tab")
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, "5/1/2027")  # a day and a month of one digit
    assert pydate(edit.date()) == dt.date(2027, 1, 5)
    assert edit.text() == "05 Jan 2027"
    QTest.keyClick(edit, Qt.Key.Key_Home)
    QTest.keyClicks(edit, "15")  # Home then the day alone: the rest is kept
    assert pydate(edit.date()) == dt.date(2027, 1, 15)
    QTest.keyClick(edit, Qt.Key.Key_Up)  # the month is selected now: the arrows are Qt's
    assert pydate(edit.date()) == dt.date(2027, 2, 15)

    QTest.keyClick(edit, Qt.Key.Key_Home)
    QTest.keyClicks(edit, "16")
    QTest.keyClick(edit, Qt.Key.Key_Backspace)  # a slip put right
    QTest.keyClicks(edit, "4/11/2026")
    assert pydate(edit.date()) == dt.date(2026, 11, 14)
    QTest.keyClick(edit, Qt.Key.Key_Home)
    QTest.keyClicks(edit, "32/13/2026")  # no 32nd day nor 13th month: those digits are refused
    assert pydate(edit.date()) == dt.date(2026, 1, 3)
    QTest.keyClick(edit, Qt.Key.Key_Home)
    QTest.keyClicks(edit, "31/4/2027")  # 31 April is 30 April
    assert pydate(edit.date()) == dt.date(2027, 4, 30)
    QTest.keyClick(edit, Qt.Key.Key_Home)
    QTest.keyClicks(edit, "1/3/27")  # a two-digit year counts once the officer moves on
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    assert pydate(edit.date()) == dt.date(2027, 3, 1)


def test_a_range_still_holds_a_typed_date(qtbot: QtBot) -> None:
    edit = DateEdit(QDate(2026, 12, 6))
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setDateRange(QDate(2026, 1, 1), QDate(2026, 12, 31))
    _window = _focus(qtbot, edit, "tab")
    QTest.keyClicks(edit, "15/12/2027")
    assert pydate(edit.date()) == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("15/12/2026 18:30", dt.datetime(2026, 12, 15, 18, 30)),
        ("15122026 1830", dt.datetime(2026, 12, 15, 18, 30)),
        ("5/1/2027 9:05", dt.datetime(2027, 1, 5, 9, 5)),
        ("15/12/2026", dt.datetime(2026, 12, 15, 9, 0)),  # the time kept
    ],
)
def test_a_whole_date_and_time_is_typed(qtbot: QtBot, typed: str, wanted: dt.datetime) -> None:
    edit = DateTimeEdit(QDateTime(QDate(2026, 12, 6), QTime(9, 0)))
    edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")  # the weekday first, as the editor shows it
    edit.setCalendarPopup(True)
    _window = _focus(qtbot, edit, "shortcut")
    QTest.keyClicks(edit, typed)
    assert pydatetime(edit.dateTime()) == wanted


# -- in the real dialogs -------------------------------------------------------------------------


def test_the_engagement_editors_start_typed_after_its_shortcut(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    form.text["title"].setFocus()
    QTest.keyClicks(form.text["title"], "Youth forum")
    QTest.keyClick(form.text["title"], Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.starts
    QTest.keyClicks(form.starts, "15/12/2026 18:30")
    assert _at(form.ends) == dt.datetime(2026, 12, 15, 20, 30)  # the end follows, 2 hours on
    QTest.keyClick(form.starts, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.ends
    QTest.keyClicks(form.ends, "15/12/2026 21:00")
    assert editor.save(close=False)
    with store.session() as s:
        saved = s.get(Engagement, editor.engagement_id)
        assert saved is not None
        assert (saved.starts_at, saved.ends_at) == (
            dt.datetime(2026, 12, 15, 18, 30),
            dt.datetime(2026, 12, 15, 21, 0),
        )


def test_a_corporate_entrys_window_typed_in_its_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    central = init_central(tmp_path / "centre", None, "MPA Central Unit")
    try:
        page = CorporateTimetablePage(central, today=dt.date(2026, 11, 26))
        _shown(qtbot, page)
        dialog = page.new_entry(dt.date(2026, 11, 26))
        _shown(qtbot, dialog, owned=False)
        dialog.title_edit.setFocus()
        QTest.keyClicks(dialog.title_edit, "Policing plan consultation")
        dialog.kind.setCurrentIndex(dialog.kind.findData(TimetableKind.CONSULTATION_WINDOW))
        QTest.keyClick(dialog.title_edit, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is dialog.starts
        QTest.keyClicks(dialog.starts, "10/03/2027")
        QTest.keyClick(dialog.starts, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        assert dialog.has_end.isChecked() and dialog.has_end.hasFocus()
        QTest.keyClick(dialog.has_end, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.ends
        QTest.keyClicks(dialog.ends, "28042027")
        with qtbot.waitSignal(page.shown, timeout=30_000):
            QTest.keyClick(dialog.ends, Qt.Key.Key_Return)
        with central.session() as s:
            (entry,) = corporate_entries(s)
        assert (entry.starts_on, entry.ends_on) == (dt.date(2027, 3, 10), dt.date(2027, 4, 28))
    finally:
        central.close()


def test_the_day_an_action_was_done_typed_in_its_dialog(qtbot: QtBot, store: Store) -> None:
    today = dt.date.today()  # the service checks the day against the real one
    eid = _meeting(store)
    (action,) = _actions(store, eid, "Ask the council about bins")
    editor = EngagementEditor(store, eid, restore_draft=False)
    _shown(qtbot, editor)
    tab = editor.record
    tab.actions_list.setCurrentRow(0)
    tab.actions_list.setFocus()
    QTest.keyClick(tab.actions_list, Qt.Key.Key_Return)
    dialog = tab.status_dialog
    assert dialog is not None
    _shown(qtbot, dialog)
    dialog.status.setCurrentIndex(dialog.status.findText("Done"))
    dialog.note.setFocus()
    QTest.keyClick(dialog.note, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # "Date &done:"
    assert QApplication.focusWidget() is dialog.done_on
    done = today - dt.timedelta(days=3)
    QTest.keyClicks(dialog.done_on, f"{done.day}/{done.month}/{done.year}")
    QTest.keyClick(dialog.done_on, Qt.Key.Key_Home)
    QTest.keyClick(dialog.done_on, Qt.Key.Key_Tab)  # from the day straight on to the note
    assert QApplication.focusWidget() is dialog.note
    QTest.keyClicks(dialog.note, "Bins emptied")
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    assert _state(store, action) == (action, ActionStatus.DONE, done, "Bins emptied")
