"""What happened at an engagement: findings and outcomes, actions, feedback, costs and time.

Each addition is saved at once, in its own transaction, through the services (the dialogs
that ask for them are in `record_dialogs`). Additions and removals go on the tab's undo stack
(the editor's Undo/Redo act on it while this tab is shown): undoing an addition removes the
record again, undoing a removal brings it back — both are ordinary changes that sync.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.models import Engagement
from ccodesk.services.edits import delete_record, restore_record
from ccodesk.services.engagements import get_engagement
from ccodesk.services.followup import ActionState
from ccodesk.store import Store
from ccodesk.ui import record_dialogs as dialogs
from ccodesk.ui.action_status import EnterOpens, StatusDialog, edit_status
from ccodesk.ui.record_dialogs import RecordDialog
from ccodesk.ui.wrapping import wrap_lines

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # "kind:id" of the record an item shows
KIND_NAMES = {
    "finding": "finding",
    "outcome": "outcome",
    "action": "action",
    "feedback": "feedback",
    "cost": "cost",
    "officer_time": "officer time",
}


class _RecordChange(QUndoCommand):
    """An addition (already saved when pushed) or a removal of one record, undoable."""

    def __init__(self, tab: RecordTab, kind: str, record_id: str, *, removal: bool) -> None:
        verb = "Remove" if removal else "Add"
        super().__init__(f"{verb} {KIND_NAMES.get(kind, kind)}")
        self.tab, self.kind, self.record_id, self.removal = tab, kind, record_id, removal
        self._pushed = False

    def redo(self) -> None:
        if self.removal:
            self._apply(delete_record)
        elif self._pushed:  # re-adding after an undo
            self._apply(restore_record)
        self._pushed = True

    def undo(self) -> None:
        self._apply(restore_record if self.removal else delete_record)

    def _apply(self, change: Callable[[Session, str, str], None]) -> None:
        try:
            with self.tab.store.transaction() as session:
                change(session, self.kind, self.record_id)
        except KnownError as exc:
            QMessageBox.warning(self.tab, "ccodesk", str(exc))
        self.tab.refresh()


class RecordTab(QWidget):
    """Findings → outcomes → actions → feedback, and costs, for one saved engagement."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.engagement_id: str | None = None
        # called before anything is added: the editor saves its unsaved edits (False: it could
        # not, and shows why)
        self.before_write: Callable[[], bool] | None = None
        self.notice = QLabel("Save the engagement first; then record what happened here.")
        self.findings = QTreeWidget()
        self.findings.setHeaderLabels(["Finding / outcome", "Raised by"])
        self.findings.setAccessibleName("Findings and outcomes")
        self.findings.setColumnWidth(0, 420)
        self.actions_list = QListWidget()
        self.actions_list.setAccessibleName("Actions")
        self.feedback_list = QListWidget()
        self.feedback_list.setAccessibleName("Feedback given")
        self.costs_list = QListWidget()
        self.costs_list.setAccessibleName("Costs and officer time")
        for view in (self.findings, self.actions_list, self.feedback_list, self.costs_list):
            wrap_lines(view)  # an action or a finding of three lines shows all three
        self.buttons: dict[str, QPushButton] = {}
        self.undo_stack = QUndoStack(self)
        self._chosen: str | None = None  # "kind:id" of the record last selected in a list
        for widget in (self.actions_list, self.feedback_list, self.costs_list):
            widget.currentItemChanged.connect(
                lambda item, _old: self._choose(item.data(RECORD_ROLE) if item else None)
            )
        self.findings.currentItemChanged.connect(
            lambda item, _old: self._choose(item.data(0, RECORD_ROLE) if item else None)
        )
        grid = QGridLayout(self)
        grid.addWidget(self.notice, 0, 0, 1, 2)
        grid.addWidget(self.findings, 1, 0, 1, 2)
        grid.addWidget(self._actions_header(), 2, 0)
        grid.addWidget(QLabel("Feedback given (you said, we did):"), 2, 1)
        grid.addWidget(self.actions_list, 3, 0)
        grid.addWidget(self.feedback_list, 3, 1)
        grid.addWidget(QLabel("Costs and officer time:"), 4, 0, 1, 2)
        grid.addWidget(self.costs_list, 5, 0, 1, 2)
        grid.addWidget(self._buttons_row(), 6, 0, 1, 2)
        self.set_engagement(None)

    def _buttons_row(self) -> QWidget:
        """The buttons that add each kind of record, and Remove, in `self.buttons`."""
        row = QWidget()
        bar = QGridLayout(row)
        for i, (key, label, slot) in enumerate(
            (
                ("finding", "Add &finding…", self.add_finding),
                ("outcome", "Add &outcome to finding…", self.add_outcome),
                ("action", "Add &action…", self.add_action),
                ("feedback", "Record feed&back…", self.add_feedback),
                ("cost", "Add &cost…", self.add_cost),
                ("time", "Add officer &time…", self.add_time),
                ("remove", "Re&move selected…", self.remove_selected),
            )
        ):
            button = QPushButton(label)
            button.clicked.connect(slot)
            self.buttons[key] = button
            bar.addWidget(button, 0, i)
        return row

    # actions' lifecycle ----------------------------------------------------------------------
    def _actions_header(self) -> QWidget:
        """The "Actions:" label, and the button that changes the selected action's status."""
        self._action_states: dict[str, tuple[ActionState, str]] = {}
        self.status_dialog: StatusDialog | None = None  # the last one asked (for tests)
        self.status_button = QPushButton("Action stat&us…")
        self.status_button.setToolTip(
            "Mark the selected action done, in progress, dropped or open again, with the "
            "date and a note (double-click or Enter on the action does the same)"
        )
        self.status_button.clicked.connect(self.change_action_status)
        self.actions_list.itemDoubleClicked.connect(lambda _item: self.change_action_status())
        self._enter_opens = EnterOpens(self.actions_list, self.change_action_status)
        self.actions_list.currentItemChanged.connect(lambda *_: self._update_status_button())
        header = QWidget()
        row = QHBoxLayout(header)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Actions:"))
        row.addStretch(1)
        row.addWidget(self.status_button)
        return header

    def _update_status_button(self) -> None:
        item = self.actions_list.currentItem()
        self.status_button.setEnabled(item is not None and item.data(RECORD_ROLE) is not None)

    def change_action_status(self) -> StatusDialog | None:
        """Change the selected action's status, date done and note (undoable, like additions)."""
        item = self.actions_list.currentItem()
        record = item.data(RECORD_ROLE) if item is not None else None
        if not isinstance(record, str) or not record.startswith("action:"):
            return None
        state, description = self._action_states[record.split(":", 1)[1]]
        self.status_dialog = edit_status(
            self, self.store, state, self.undo_stack, self.refresh, description=description
        )
        return self.status_dialog

    def set_engagement(self, engagement_id: str | None) -> None:
        self.engagement_id = engagement_id
        self.notice.setVisible(engagement_id is None)
        for button in self.buttons.values():
            button.setEnabled(engagement_id is not None)
        self.refresh()

    def _run(self, work: Callable[[Session], object], kind: str | None = None) -> None:
        """Save a record in one transaction; an addition of `kind` goes on the undo stack."""
        with self.store.transaction() as session:
            saved = work(session)
        record_id = getattr(saved, "id", None)
        if kind is not None and isinstance(record_id, str):
            self.undo_stack.push(_RecordChange(self, kind, record_id, removal=False))

    def _choose(self, value: object) -> None:
        self._chosen = value if isinstance(value, str) else None

    def remove_selected(self) -> None:
        """Remove the record selected in one of the lists (after asking); undoable."""
        if self._chosen is None:
            QMessageBox.information(self, "ccodesk", "Select a finding, outcome, action, "
                                    "feedback, cost or officer time first.")  # fmt: skip
            return
        kind, record_id = self._chosen.split(":", 1)
        answer = QMessageBox.question(
            self,
            "Remove",
            f"Remove this {KIND_NAMES.get(kind, kind)}? Undo (Ctrl+Z) brings it back.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.undo_stack.push(_RecordChange(self, kind, record_id, removal=True))

    # lists -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._chosen = None
        for widget in (self.findings, self.actions_list, self.feedback_list, self.costs_list):
            widget.clear()
        self._update_status_button()  # nothing is selected after a refresh
        if self.engagement_id is None:
            return
        with self.store.session() as s:
            e = get_engagement(s, self.engagement_id)
            self._show_findings(e)
            self._show_actions(e)
            self._show_feedback(e)
            self._show_costs(e)

    def _show_findings(self, e: Engagement) -> None:
        """Each finding, with its outcomes below it."""
        for f in (f for f in e.findings if not f.deleted):
            item = QTreeWidgetItem([f.text, ", ".join(g.name for g in f.raised_by)])
            item.setData(0, Qt.ItemDataRole.UserRole, f.id)
            item.setData(0, RECORD_ROLE, f"finding:{f.id}")
            for o in (o for o in f.outcomes if not o.deleted):
                child = QTreeWidgetItem([f"→ {o.result.label}: {o.decision or o.explanation}"])
                child.setData(0, RECORD_ROLE, f"outcome:{o.id}")
                item.addChild(child)
            self.findings.addTopLevelItem(item)
            item.setExpanded(True)

    def _show_actions(self, e: Engagement) -> None:
        """Each action with its status; its state kept for the status dialog."""
        self._action_states = {}
        for a in (a for a in e.actions if not a.deleted):
            due = f", due {a.due_on:%d %b %Y}" if a.due_on else ""
            when = f" {a.completed_on:%d %b %Y}" if a.completed_on else ""
            note = f" · {a.status_note}" if a.status_note else ""
            _add(
                self.actions_list,
                f"[{a.status.label}{when}] {a.description} — {a.owner or 'no owner'}{due}{note}",
                f"action:{a.id}",
            )
            state = ActionState(a.id, a.status, a.completed_on, a.status_note)
            self._action_states[a.id] = (state, a.description)

    def _show_feedback(self, e: Engagement) -> None:
        for fb in (f for f in e.feedback if not f.deleted):
            _add(
                self.feedback_list,
                f"{fb.given_on:%d %b %Y}, {fb.channel.label}: {fb.text}",
                f"feedback:{fb.id}",
            )

    def _show_costs(self, e: Engagement) -> None:
        """Costs, then officer time at its hourly rate."""
        for c in (c for c in e.costs if not c.deleted):
            _add(
                self.costs_list,
                f"{c.category.label}: £{c.amount_pence / 100:,.2f}"
                + (f" ({c.description})" if c.description else ""),
                f"cost:{c.id}",
            )
        for t in (t for t in e.officer_time if not t.deleted):
            _add(
                self.costs_list,
                f"{t.role.label} {t.officer_name}: {t.minutes / 60:.1f} h at "
                f"£{t.hourly_rate_pence / 100:,.2f}/h = £{t.cost_pence / 100:,.2f}",
                f"officer_time:{t.id}",
            )

    def selected_finding(self) -> str | None:
        item = self.findings.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return None if item is None else item.data(0, Qt.ItemDataRole.UserRole)

    # dialogs -----------------------------------------------------------------------------------
    def _engagement(self) -> str:
        engagement = self.engagement_id
        assert engagement is not None  # the buttons are enabled only for a saved engagement
        return engagement

    def finding_dialog(self) -> RecordDialog:
        return dialogs.finding_dialog(self, self.store, self._engagement(), self._run)

    def outcome_dialog(self, finding_id: str) -> RecordDialog:
        return dialogs.outcome_dialog(self, finding_id, self._run)

    def action_dialog(self) -> RecordDialog:
        return dialogs.action_dialog(self, self.engagement_id, self.selected_finding(), self._run)

    def feedback_dialog(self) -> RecordDialog:
        findings = []
        for i in range(self.findings.topLevelItemCount()):
            finding = self.findings.topLevelItem(i)
            assert finding is not None
            findings.append((finding.text(0), finding.data(0, Qt.ItemDataRole.UserRole)))
        return dialogs.feedback_dialog(self, self.engagement_id, findings, self._run)

    def cost_dialog(self) -> RecordDialog:
        return dialogs.cost_dialog(self, self._engagement(), self._run)

    def time_dialog(self) -> RecordDialog:
        return dialogs.time_dialog(self, self._engagement(), self._run)

    def _open(self, dialog: RecordDialog) -> None:
        if dialog.exec():
            self.refresh()

    def _ready(self) -> bool:
        """Whether the engagement's own edits are saved, so that what is added here is checked
        against them (an outcome against the date just typed, not the one saved before)."""
        return self.before_write is None or self.before_write()

    def add_finding(self) -> None:
        if self._ready():
            self._open(self.finding_dialog())

    def add_outcome(self) -> None:
        finding = self.selected_finding()
        if finding is None:
            QMessageBox.information(self, "ccodesk", "Select the finding first.")
            return
        if self._ready():
            self._open(self.outcome_dialog(finding))

    def add_action(self) -> None:
        if self._ready():
            self._open(self.action_dialog())

    def add_feedback(self) -> None:
        if self._ready():
            self._open(self.feedback_dialog())

    def add_cost(self) -> None:
        if self._ready():
            self._open(self.cost_dialog())

    def add_time(self) -> None:
        if self._ready():
            self._open(self.time_dialog())


def _add(widget: QListWidget, text: str, record: str) -> None:
    item = QListWidgetItem(text)
    item.setData(RECORD_ROLE, record)
    item.setToolTip(text)
    widget.addItem(item)
