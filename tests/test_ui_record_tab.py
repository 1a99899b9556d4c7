"""Recording what happened, from the editor: finding → outcome → action → feedback, costs."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ccodesk.models import EngagementKind, EngagementStatus, OutcomeResult
from ccodesk.services.engagements import EngagementDraft, get_engagement, save_engagement
from ccodesk.services.followup import you_said_we_did
from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.record_dialogs import RecordDialog


def _ok(qtbot: QtBot, dialog: RecordDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def test_finding_outcome_action_feedback_cost(qtbot: QtBot, store: Store) -> None:
    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.THEMED_SESSION,
                title="Street lighting",
                status=EngagementStatus.HELD,
                starts_at=dt.datetime(2026, 10, 1, 18, 0),
                target_groups=["older"],
            ),
        ).id
    editor = EngagementEditor(store, eid, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    tab = editor.record
    assert tab.buttons["finding"].isEnabled()

    dialog = tab.finding_dialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QPlainTextEdit)
    qtbot.keyClicks(text, "The alley behind the shops is unlit")
    dialog.findChild(type(tab.actions_list)).item(3).setCheckState(Qt.CheckState.Checked)
    _ok(qtbot, dialog)
    tab.refresh()
    assert tab.findings.topLevelItem(0).text(0) == "The alley behind the shops is unlit"
    assert tab.findings.topLevelItem(0).text(1) == "Older people"

    tab.findings.setCurrentItem(tab.findings.topLevelItem(0))
    outcome = tab.outcome_dialog(tab.selected_finding())
    qtbot.addWidget(outcome)
    outcome.form.itemAt(0, outcome.form.ItemRole.FieldRole).widget().setCurrentIndex(
        list(OutcomeResult).index(OutcomeResult.NOT_USED)
    )
    _ok(qtbot, outcome)
    assert "say why" in outcome.problems.text()  # kept open, nothing saved
    why = [w for w in outcome.findChildren(QLineEdit) if w.accessibleName() == "Why not used"]
    qtbot.keyClicks(why[0], "the alley is private land")
    _ok(qtbot, outcome)
    assert outcome.result() == outcome.DialogCode.Accepted

    action = tab.action_dialog()
    qtbot.addWidget(action)
    fields = {w.accessibleName(): w for w in action.findChildren(QLineEdit)}
    qtbot.keyClicks(fields["Action"], "Ask the landlord to light the alley")
    qtbot.keyClicks(fields["Owner"], "CSO")
    _ok(qtbot, action)

    feedback = tab.feedback_dialog()
    qtbot.addWidget(feedback)
    qtbot.keyClicks(
        feedback.findChild(QPlainTextEdit),
        "You said the alley is dark; we asked the landlord to light it.",
    )
    _ok(qtbot, feedback)

    cost = tab.cost_dialog()
    qtbot.addWidget(cost)
    cost.findChild(type(cost.form.itemAt(1, cost.form.ItemRole.FieldRole).widget())).setValue(45.5)
    _ok(qtbot, cost)
    tab.refresh()
    assert tab.actions_list.item(0).text().startswith("[Open] Ask the landlord")
    assert tab.costs_list.item(0).text().endswith("£45.50")
    with store.session() as s:
        e = get_engagement(s, eid)
        assert e.findings[0].outcomes[0].explanation == "the alley is private land"
        assert e.actions[0].finding_id == e.findings[0].id
        assert e.feedback[0].answers[0].id == e.findings[0].id
        assert e.costs[0].amount_pence == 4550
        assert you_said_we_did(s, eid)[0].we_did.endswith("the alley is private land")


def test_new_engagement_records_after_saving(qtbot: QtBot, store: Store) -> None:
    editor = EngagementEditor(store, None, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    assert not editor.record.buttons["finding"].isEnabled()
    assert editor.record.notice.isVisibleTo(editor.record)
    qtbot.keyClicks(editor.form.text["title"], "Youth forum: transport")
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert editor.record.buttons["finding"].isEnabled()
    assert editor.engagement_id is not None


def test_remove_and_undo_records(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMessageBox

    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.FOCUS_GROUP,
                title="Young people and stop and search",
                status=EngagementStatus.HELD,
                starts_at=dt.datetime(2026, 10, 8, 17, 0),
            ),
        ).id
    editor = EngagementEditor(store, eid, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    tab = editor.record
    editor.form.setCurrentWidget(tab)  # Undo/Redo now act on the tab's additions and removals

    def findings() -> list[str]:
        with store.session() as s:
            return [f.text for f in get_engagement(s, eid).findings if not f.deleted]

    dialog = tab.finding_dialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.findChild(QPlainTextEdit), "Stops feel random")
    _ok(qtbot, dialog)
    tab.refresh()
    action = tab.action_dialog()
    qtbot.addWidget(action)
    action.findChild(QLineEdit).setText("Explain stop and search at the youth club")
    _ok(qtbot, action)
    tab.refresh()
    assert findings() == ["Stops feel random"] and tab.actions_list.count() == 1

    # Undo the action's addition, then redo it: the same record comes back.
    editor.activateWindow()  # the little dialogs had the focus
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.actions_list.count() == 0
    redo = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[0]  # the platform's own
    qtbot.keySequence(editor, redo)
    assert tab.actions_list.count() == 1

    # Remove the finding (after a confirmation), then undo the removal.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.findings.setCurrentItem(tab.findings.topLevelItem(0))
    qtbot.mouseClick(tab.buttons["remove"], Qt.MouseButton.LeftButton)
    assert findings() == [] and tab.findings.topLevelItemCount() == 0
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    assert tab.undo_stack.undoText() == "Remove finding"
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert findings() == ["Stops feel random"]
    # On the form's tabs, Ctrl+Z is the form's again (nothing to undo there: no change).
    editor.form.setCurrentIndex(0)
    assert editor.undo_group.activeStack() is editor.undo_stack


def test_unsaved_date_and_status_are_saved_before_an_outcome_is_added(
    qtbot: QtBot, store: Store
) -> None:
    """Planned for tomorrow, held yesterday: the officer changes the date and status and adds a
    finding and its outcome at once; they are checked against the date shown, not the old one."""
    from PySide6.QtCore import QDateTime, QTimer

    from ccodesk.ui.record_dialogs import RecordDialog

    tomorrow = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(18))
    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING, title="Ward panel", starts_at=tomorrow
            ),
        ).id
    editor = EngagementEditor(store, eid, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    form = editor.form
    yesterday = tomorrow - dt.timedelta(days=2)
    form.starts.setDateTime(QDateTime(yesterday))
    status = form.combos["status"]
    status.setCurrentIndex(status.findData(EngagementStatus.HELD.value))
    tab = editor.record
    seen: list[str] = []

    def answer(text: str) -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, RecordDialog) and w.isVisible()
        )
        if dialog.findChild(QPlainTextEdit) is not None:
            qtbot.keyClicks(dialog.findChild(QPlainTextEdit), text)
        else:
            decided = [w for w in dialog.findChildren(QLineEdit) if w.isEnabled()]
            qtbot.keyClicks(decided[0], text)
        _ok(qtbot, dialog)
        seen.append(dialog.problems.text())
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(200, lambda: answer("Poor lighting on the estate"))
    qtbot.mouseClick(tab.buttons["finding"], Qt.MouseButton.LeftButton)
    assert not editor.is_dirty()  # the date and status were saved first
    with store.session() as s:
        saved = get_engagement(s, eid)
        assert saved.status is EngagementStatus.HELD and saved.starts_at == yesterday
    tab.findings.setCurrentItem(tab.findings.topLevelItem(0))
    QTimer.singleShot(200, lambda: answer("Lighting survey ordered"))
    qtbot.mouseClick(tab.buttons["outcome"], Qt.MouseButton.LeftButton)
    assert seen == ["", ""], seen  # no "in the future" or "before the meeting" refusals
    assert tab.findings.topLevelItem(0).childCount() == 1


def test_a_record_dialog_grows_to_show_every_problem(qtbot: QtBot) -> None:
    from ccodesk.errors import ValidationError
    from ccodesk.ui.record_dialogs import RecordDialog

    dialog = RecordDialog("How was this finding used?")
    qtbot.addWidget(dialog)
    dialog.add("&Decision:", QLineEdit())
    problems = [
        f"Problem number {n}: a sentence long enough to need wrapping twice." for n in range(4)
    ]

    def refuse() -> None:
        raise ValidationError(problems)

    dialog.finish(refuse)
    dialog.show()
    _ok(qtbot, dialog)
    label = dialog.problems
    assert label.text().count("•") == 4
    assert label.height() >= label.heightForWidth(label.width())  # every line shown
    assert dialog.height() >= dialog.sizeHint().height()


def test_feedback_dialog_starts_in_the_text_and_long_lines_wrap(qtbot: QtBot, store: Store) -> None:
    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.THEMED_SESSION,
                title="Street lighting",
                starts_at=dt.datetime(2026, 10, 1, 18, 0),
            ),
        ).id
    editor = EngagementEditor(store, eid, restore_draft=False)
    qtbot.addWidget(editor)
    editor.resize(909, 600)
    editor.show()
    tab = editor.record
    feedback = tab.feedback_dialog()
    qtbot.addWidget(feedback)
    feedback.show()
    assert feedback.focusWidget() is feedback.findChild(QPlainTextEdit)
    feedback.reject()
    action = tab.action_dialog()
    qtbot.addWidget(action)
    assert action.minimumWidth() >= 480  # a sentence fits its one-line fields
    fields = {w.accessibleName(): w for w in action.findChildren(QLineEdit)}
    long = "Ward sergeant to brief the evening patrol on the station route " * 3
    qtbot.keyClicks(fields["Action"], long.strip())
    qtbot.keyClicks(fields["Owner"], "PC Sam Reid")
    _ok(qtbot, action)
    tab.refresh()
    editor.form.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.actions_list.count() == 1)
    item = tab.actions_list.item(0)
    line = tab.actions_list.fontMetrics().height()
    qtbot.waitUntil(lambda: tab.actions_list.visualItemRect(item).height() >= 2 * line)
    assert tab.actions_list.horizontalScrollBar().maximum() == 0  # nothing cut off to the side
