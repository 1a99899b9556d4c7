"""The record tab's dialogs: a finding, an outcome, an action, feedback, a cost, officer time.

Each dialog is a `RecordDialog` whose OK hands the record to `save` (the tab's: one
transaction through the services, pushed on its undo stack) and stays open, showing every
problem, when the services refuse it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import CostCategory, FeedbackChannel, Labelled, OfficerRole, OutcomeResult
from ccodesk.services import records
from ccodesk.services.reference import all_topics, priority_groups
from ccodesk.store import Store
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, qdate
from ccodesk.ui.wrapping import wrap_lines

# saves one record: (the work, given a session in a transaction; the kind of record)
Save = Callable[[Callable[[Session], object], str], None]


class RecordDialog(QDialog):
    """A small form; `run(save)` calls `save()` on OK and keeps the dialog open on problems."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)  # room to read a sentence typed in a one-line field
        self.form = QFormLayout(self)
        self.problems = QLabel()
        self.problems.setStyleSheet("color: #b00020;")
        self.problems.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.rejected.connect(self.reject)
        self._save: Callable[[], None] = lambda: None
        self.buttons.accepted.connect(self._ok)

    def add(self, label: str, widget: QWidget) -> QWidget:
        if isinstance(widget, QPlainTextEdit):
            widget.setTabChangesFocus(True)  # Tab moves on; a finding needs no tab characters
        self.form.addRow(label, widget)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        return widget

    def finish(self, save: Callable[[], None]) -> None:
        self.form.addRow(self.problems)
        self.form.addRow(self.buttons)
        self._save = save

    def _ok(self) -> None:
        try:
            self._save()
        except ValidationError as exc:
            self._show_problems("\n".join(f"• {p}" for p in exc.problems))
            return
        except KnownError as exc:
            self._show_problems(str(exc))
            return
        self.accept()

    def _show_problems(self, text: str) -> None:
        """Show every problem whole: the dialog grows to hold them (never clipped)."""
        self.problems.setText(text)
        self.problems.setMinimumWidth(max(self.problems.minimumWidth(), 420))
        self.adjustSize()


def _combo(enum: type[Labelled]) -> QComboBox:
    combo = QComboBox()
    for member in enum:
        combo.addItem(member.label, member.value)
    return combo


def _date(value: dt.date) -> QDateEdit:
    edit = DateEdit(qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    return edit


def _day(edit: QDateEdit) -> dt.date:
    return pydate(edit.date())


def _money(maximum: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, maximum)
    box.setPrefix("£")
    box.setDecimals(2)
    return box


def _checked(choices: QListWidget) -> list[str]:
    """The codes or ids (UserRole) of the ticked items."""
    return [
        choices.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(choices.count())
        if choices.item(i).checkState() == Qt.CheckState.Checked
    ]


def _choices(items: Sequence[tuple[str, str]], *, ticked: bool) -> QListWidget:
    """A list of (text, code or id) to tick."""
    choices = QListWidget()
    for text, value in items:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        choices.addItem(item)
    return choices


def finding_dialog(parent: QWidget, store: Store, engagement_id: str, save: Save) -> RecordDialog:
    dialog = RecordDialog("Add a finding", parent)
    text = dialog.add("&View raised:", QPlainTextEdit())
    topic = dialog.add("&Topic:", QComboBox())
    assert isinstance(text, QPlainTextEdit) and isinstance(topic, QComboBox)
    with store.session() as s:
        topic.addItem("(none)", "")
        for code, name in all_topics(s):
            topic.addItem(name, code)
        groups = _choices([(g.name, g.code) for g in priority_groups(s)], ticked=False)
    dialog.add("&Raised by:", groups)
    dialog.finish(
        lambda: save(
            lambda s: records.add_finding(
                s,
                engagement_id,
                text.toPlainText(),
                topic_code=topic.currentData() or None,
                raised_by=_checked(groups),
            ),
            "finding",
        )
    )
    return dialog


def outcome_dialog(parent: QWidget, finding_id: str, save: Save) -> RecordDialog:
    dialog = RecordDialog("How was this finding used?", parent)
    result = dialog.add("&Result:", _combo(OutcomeResult))
    decision = dialog.add("&Decision it changed or informed:", QLineEdit())
    why = dialog.add("&Why not used:", QLineEdit())
    when = dialog.add("&Decided on:", _date(dt.date.today()))
    assert isinstance(result, QComboBox) and isinstance(decision, QLineEdit)
    assert isinstance(why, QLineEdit) and isinstance(when, QDateEdit)
    dialog.finish(
        lambda: save(
            lambda s: records.add_outcome(
                s,
                finding_id,
                OutcomeResult(result.currentData()),
                decision=decision.text(),
                explanation=why.text(),
                decided_on=_day(when),
            ),
            "outcome",
        )
    )
    return dialog


def action_dialog(
    parent: QWidget, engagement_id: str | None, finding_id: str | None, save: Save
) -> RecordDialog:
    dialog = RecordDialog("Add an action", parent)
    what = dialog.add("&Action:", QLineEdit())
    owner = dialog.add("&Owner:", QLineEdit())
    due = dialog.add("&Due:", _date(dt.date.today() + dt.timedelta(days=28)))
    assert isinstance(what, QLineEdit) and isinstance(owner, QLineEdit)
    assert isinstance(due, QDateEdit)
    dialog.finish(
        lambda: save(
            lambda s: records.add_action(
                s,
                what.text(),
                engagement_id=engagement_id,
                finding_id=finding_id,
                owner=owner.text(),
                due_on=_day(due),
            ),
            "action",
        )
    )
    return dialog


def feedback_dialog(
    parent: QWidget,
    engagement_id: str | None,
    findings: Sequence[tuple[str, str]],
    save: Save,
) -> RecordDialog:
    """`findings`: the engagement's findings as (text, id), each answered unless unticked."""
    dialog = RecordDialog("Record feedback given", parent)
    given = dialog.add("&Given on:", _date(dt.date.today()))
    channel = dialog.add("&Channel:", _combo(FeedbackChannel))
    text = dialog.add("&You said, we did:", QPlainTextEdit())
    answers = _choices(findings, ticked=True)
    wrap_lines(answers)
    dialog.add("&Answers:", answers)
    assert isinstance(given, QDateEdit) and isinstance(channel, QComboBox)
    assert isinstance(text, QPlainTextEdit)
    text.setFocus()  # what was said and done is what the officer came to type; today's date
    dialog.finish(
        lambda: save(
            lambda s: records.give_feedback(
                s,
                text.toPlainText(),
                given_on=_day(given),
                channel=FeedbackChannel(channel.currentData()),
                engagement_id=engagement_id,
                finding_ids=_checked(answers),
            ),
            "feedback",
        )
    )
    return dialog


def cost_dialog(parent: QWidget, engagement_id: str, save: Save) -> RecordDialog:
    dialog = RecordDialog("Add a cost", parent)
    category = dialog.add("&Category:", _combo(CostCategory))
    amount = _money(1_000_000)
    dialog.add("&Amount:", amount)
    what = dialog.add("&Description:", QLineEdit())
    assert isinstance(category, QComboBox) and isinstance(what, QLineEdit)
    dialog.finish(
        lambda: save(
            lambda s: records.add_cost(
                s,
                engagement_id,
                CostCategory(category.currentData()),
                round(amount.value() * 100),
                what.text(),
            ),
            "cost",
        )
    )
    return dialog


def time_dialog(parent: QWidget, engagement_id: str, save: Save) -> RecordDialog:
    dialog = RecordDialog("Add officer time", parent)
    role = dialog.add("&Role:", _combo(OfficerRole))
    name = dialog.add("&Name:", QLineEdit())
    hours = QDoubleSpinBox()
    hours.setRange(0, 200)
    hours.setSingleStep(0.5)
    hours.setSuffix(" h")
    dialog.add("&Hours:", hours)
    rate = QDoubleSpinBox()
    rate.setRange(0, 500)
    rate.setPrefix("£")
    rate.setValue(24.0)
    dialog.add("Hourly &rate:", rate)
    assert isinstance(role, QComboBox) and isinstance(name, QLineEdit)
    dialog.finish(
        lambda: save(
            lambda s: records.add_officer_time(
                s,
                engagement_id,
                OfficerRole(role.currentData()),
                round(hours.value() * 60),
                round(rate.value() * 100),
                name.text(),
            ),
            "officer_time",
        )
    )
    return dialog
