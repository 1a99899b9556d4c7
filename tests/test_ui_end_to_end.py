"""The issue's 'done when', as one user session: first run to a reopened store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import vobject
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QWizard

from ccodesk.models import EngagementKind
from ccodesk.store import open_store
from ccodesk.ui.first_run import FirstRunWizard
from ccodesk.ui.main_window import MainWindow


def test_first_run_to_reopen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 1. The wizard: borough, officer, keyring, a year of demo data.
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.identity.borough.setCurrentIndex(wizard.identity.borough.findText("Haringey"))
    qtbot.keyClicks(wizard.identity.officer, "Tunde Okafor")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(wizard.accepted, timeout=60_000):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton
        )
    store = wizard.store
    assert store is not None
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()

    # 2. Plan a joint PCCG meeting with the BLO, from the timetable: double-click a day.
    window.navigation.setCurrentRow(1)
    day = dt.date.today() - dt.timedelta(days=3)  # held since: attendance can be recorded
    with qtbot.waitSignal(window.timetable.new_requested) as asked:
        window.timetable._new_on(day)
    editor = window.edit_engagement(None, asked.args[0])
    qtbot.addWidget(editor)
    form = editor.form
    form.combos["kind"].setCurrentIndex(form.combos["kind"].findData(EngagementKind.PCCG_MEETING))
    qtbot.keyClicks(form.text["title"], "Joint PCCG: safer streets")
    qtbot.keyClicks(form.text["blo_name"], "PS Dean Carter")
    qtbot.keyClicks(form.text["venue_name"], "Tottenham Green Leisure Centre")
    form.targets["children-young-people"].setChecked(True)
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    engagement_id = editor.engagement_id
    assert engagement_id is not None

    # 3. Record what happened: attendance, a finding, an outcome, an action, feedback.
    form.combos["status"].setCurrentIndex(form.combos["status"].findData("held"))
    form.attendance_box.setChecked(True)
    form.total.setValue(34)
    form.counts["children-young-people"].setValue(9)
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    tab = editor.record
    dialog = tab.finding_dialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.findChild(QPlainTextEdit), "Young people want the park lit at night")
    dialog._ok()
    tab.refresh()
    tab.findings.setCurrentItem(tab.findings.topLevelItem(0))
    outcome = tab.outcome_dialog(tab.selected_finding())
    qtbot.addWidget(outcome)
    outcome.form.itemAt(1, outcome.form.ItemRole.FieldRole).widget().setText(
        "Park lighting added to the safer streets plan"
    )
    outcome._ok()
    feedback = tab.feedback_dialog()
    qtbot.addWidget(feedback)
    qtbot.keyClicks(
        feedback.findChild(QPlainTextEdit),
        "You said the park is dark; we asked for lighting in the plan.",
    )
    feedback._ok()
    save = editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    # 4. Export the month to .ics: the meeting is there, as a joint meeting.
    window.timetable.go_to(day)
    path = tmp_path / "month.ics"
    assert window.timetable.export_to(path) > 1
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
            assert e.is_joint and e.status.value == "held"
            assert e.attendance is not None and e.attendance.total == 34
            assert e.findings[0].outcomes[0].decision.startswith("Park lighting")
            assert e.feedback[0].answers[0].id == e.findings[0].id
            assert you_said_we_did(s, engagement_id)[0].you_said.startswith("Young people")
