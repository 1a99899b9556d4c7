"""The issue's 'done when', as one user session: first run to a reopened store.

Driven as an officer would: clicks and key presses on widgets found by what they show (a
label, a button's or tab's text, an accessible name); modal dialogs answered the same way.
Only the file chooser is replaced (the outside world).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import vobject
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from ccodesk.store import open_store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.first_run import FirstRunWizard
from ccodesk.ui.main_window import MainWindow
from ccodesk.ui.month_view import MonthView

W = TypeVar("W", bound=QWidget)
LEFT = Qt.MouseButton.LeftButton


def _named(root: QWidget, kind: type[W], name: str) -> W:
    """The one visible `kind` under `root` with accessible name `name`."""
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name and w.isVisible()]
    assert len(found) == 1, (name, found)
    return found[0]


def _labelled(root: QWidget, label: str) -> QWidget:
    """The field a visible label (e.g. "&Borough:") stands beside."""
    found = [
        lab.buddy() for lab in root.findChildren(QLabel) if lab.text() == label and lab.isVisible()
    ]
    assert len(found) == 1 and found[0] is not None, (label, found)
    return found[0]


def _button(root: QWidget, text: str) -> QAbstractButton:
    """The one visible button under `root` showing `text` (without its & shortcut mark)."""
    found = [
        b
        for b in root.findChildren(QAbstractButton)
        if b.text().replace("&", "") == text and b.isVisible()
    ]
    assert len(found) == 1, (text, found)
    return found[0]


def _choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick `text` in a combo box by typing its first word, as at the keyboard (a space
    would open the list)."""
    combo.setFocus()
    qtbot.keyClicks(combo, text.split(" ")[0])
    assert combo.currentText() == text


def _tab(qtbot: QtBot, tabs: QTabWidget, text: str) -> None:
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i).replace("&&", "&") == text)
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index


def _answer(qtbot: QtBot, kind: type[W], fill: Callable[[W], None]) -> list[BaseException]:
    """Answer the next modal `kind` with `fill` once it shows (it opens in its own loop, so
    the answer waits on a timer); a failure closes it and is kept for the caller to raise."""
    failures: list[BaseException] = []
    tries = iter(range(1500))  # 30 s

    def attempt() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, kind) or not modal.isVisible():
            if next(tries, None) is None:
                failures.append(AssertionError(f"no {kind.__name__} showed"))
            else:
                QTimer.singleShot(20, attempt)
            return
        try:
            fill(modal)
        except BaseException as exc:  # kept: raising here would leave the dialog open
            failures.append(exc)
            if isinstance(modal, QDialog):
                modal.reject()

    QTimer.singleShot(0, attempt)
    return failures


def _record(qtbot: QtBot, button: QAbstractButton, field: str, text: str) -> None:
    """Click `button`, type `text` into the dialog's `field` and click OK."""

    def fill(dialog: QDialog) -> None:
        widget = _named(dialog, QWidget, field)
        assert isinstance(widget, QLineEdit | QPlainTextEdit)
        qtbot.keyClicks(widget, text)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, LEFT)
        assert not dialog.isVisible(), dialog.findChildren(QLabel)[-1].text()

    failures = _answer(qtbot, QDialog, fill)
    qtbot.mouseClick(button, LEFT)
    if failures:
        raise failures[0]


def _empty_spot(view: MonthView, day: dt.date) -> QPoint:
    """A point in `day`'s cell that holds no entry and no "+N more" line."""
    cell = view.cell_rect(day)
    assert not cell.isEmpty(), f"{day} is not shown"
    for y in range(cell.bottom() - 2, cell.top(), -2):
        point = QPoint(cell.center().x(), y)
        if view.item_at(point) is None and view.more_at(point) is None:
            return point
    raise AssertionError(f"no empty room in the cell of {day}")


def test_first_run_to_reopen(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1. The wizard: borough, officer, keyring, a year of demo data.
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    borough = _labelled(wizard, "&Borough:")
    assert isinstance(borough, QComboBox)
    _choose(qtbot, borough, "Haringey")
    qtbot.keyClicks(_labelled(wizard, "Your na&me:"), "Tunde Okafor")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.mouseClick(next_button, LEFT)
    qtbot.mouseClick(next_button, LEFT)
    with qtbot.waitSignal(wizard.accepted, timeout=60_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), LEFT)
    store = wizard.store
    assert store is not None
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()

    # 2. Plan a joint PCCG meeting with the BLO, from the timetable: double-click a day.
    navigation = window.navigation
    item = navigation.findItems("Timetable", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(navigation.viewport(), LEFT, pos=navigation.visualItemRect(item).center())
    month = _named(window, MonthView, "Month calendar")
    day = dt.date.today() - dt.timedelta(days=3)  # held since: attendance can be recorded
    if month.cell_rect(day).isEmpty():  # early in a month: that day is in the month before
        qtbot.mouseClick(_named(window, QAbstractButton, "Previous period"), LEFT)
    qtbot.mouseDClick(month.viewport(), LEFT, pos=_empty_spot(month, day))
    editors = [e for e in window.findChildren(EngagementEditor) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    qtbot.addWidget(editor)
    assert _named(editor, QDateTimeEdit, "Starts").date().toPython() == day
    _choose(qtbot, _named(editor, QComboBox, "Kind"), "PCCG meeting")
    qtbot.keyClicks(_named(editor, QLineEdit, "Title"), "Joint PCCG: safer streets")
    tabs = next(
        t
        for t in editor.findChildren(QTabWidget)
        if "Details" in [t.tabText(i) for i in range(t.count())]
    )
    _tab(qtbot, tabs, "People & groups")
    qtbot.keyClicks(_named(editor, QLineEdit, "Blo name"), "PS Dean Carter")
    young = [b for b in editor.findChildren(QCheckBox) if b.text() == "Children and young people"]
    assert len(young) == 1
    qtbot.mouseClick(young[0], LEFT)
    assert young[0].isChecked()
    _tab(qtbot, tabs, "Venue & access")
    qtbot.keyClicks(_named(editor, QLineEdit, "Venue name"), "Tottenham Green Leisure Centre")
    qtbot.mouseClick(_button(editor, "Save and stay"), LEFT)
    engagement_id = editor.engagement_id
    assert engagement_id is not None

    # 3. Record what happened: attendance, a finding, an outcome, feedback.
    _tab(qtbot, tabs, "Details")
    _choose(qtbot, _named(editor, QComboBox, "Status"), "Held")
    _tab(qtbot, tabs, "Attendance")
    attendance = next(b for b in editor.findChildren(QGroupBox) if b.isCheckable())
    attendance.setFocus()
    qtbot.keyClick(attendance, Qt.Key.Key_Space)
    assert attendance.isChecked()
    for name, value in (
        ("Total attendance", "34"),
        ("Attendees from Children and young people", "9"),
    ):
        spin = _named(editor, QSpinBox, name)
        spin.setFocus()
        qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(spin, value)
        assert spin.value() == int(value)
    qtbot.mouseClick(_button(editor, "Save and stay"), LEFT)
    _tab(qtbot, tabs, "Findings & follow-up")
    _record(
        qtbot,
        _button(editor, "Add finding…"),
        "View raised",
        "Young people want the park lit at night",
    )
    findings = _named(editor, QTreeWidget, "Findings and outcomes")
    first = findings.topLevelItem(0)
    assert first is not None and first.text(0).startswith("Young people want the park")
    qtbot.mouseClick(findings.viewport(), LEFT, pos=findings.visualItemRect(first).center())
    _record(
        qtbot,
        _button(editor, "Add outcome to finding…"),
        "Decision it changed or informed",
        "Park lighting added to the safer streets plan",
    )
    _record(
        qtbot,
        _button(editor, "Record feedback…"),
        "You said, we did",
        "You said the park is dark; we asked for lighting in the plan.",
    )
    assert _named(editor, QListWidget, "Feedback given").count() == 1
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(_button(editor, "Save"), LEFT)

    # 4. Export the month to .ics: the meeting is there, as a joint meeting.
    path = tmp_path / "month.ics"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(path), ""))
    )
    told: list[str] = []

    def acknowledge(box: QMessageBox) -> None:
        told.append(box.text())
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), LEFT)

    failures = _answer(qtbot, QMessageBox, acknowledge)
    qtbot.mouseClick(_button(window, "Export .ics…"), LEFT)
    qtbot.waitUntil(lambda: bool(told or failures), timeout=30_000)
    assert not failures
    assert told[0].startswith("Exported ") and told[0].endswith(f" to {path}.")
    events = vobject.readOne(path.read_text()).vevent_list
    ours = [e for e in events if e.uid.value == f"{engagement_id}@ccodesk"]
    assert ours and "Joint meeting" in ours[0].categories.value

    # 5. Close, reopen: everything as left.
    window.close()
    store.close()
    with open_store(tmp_path / "store") as again:
        reopened = MainWindow(again)
        qtbot.addWidget(reopened)
        assert reopened.status.text().startswith("Haringey · Tunde Okafor (CCO)")
        from ccodesk.services.engagements import get_engagement
        from ccodesk.services.followup import you_said_we_did

        with again.session() as s:
            e = get_engagement(s, engagement_id)
            assert e.title == "Joint PCCG: safer streets" and e.blo_name == "PS Dean Carter"
            assert e.venue_name == "Tottenham Green Leisure Centre"
            assert e.starts_at.date() == day
            assert e.is_joint and e.status.value == "held"
            assert e.attendance is not None and e.attendance.total == 34
            assert e.attendance.count_for("children-young-people") == 9
            assert e.findings[0].outcomes[0].decision.startswith("Park lighting")
            assert e.feedback[0].answers[0].id == e.findings[0].id
            assert you_said_we_did(s, engagement_id)[0].you_said.startswith("Young people")
