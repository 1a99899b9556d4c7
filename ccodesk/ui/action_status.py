"""Moving actions on, the same way everywhere: the Actions page, the editor and the dashboard.

`request_status` applies Open / In progress at once, and for Done / Dropped opens a small
dialog asking the date (today by default) and a note. Every change goes on an undo stack as a
`StatusChange`, whose undo puts each action back as it was (an ordinary, audited, synced edit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import ActionStatus
from ccodesk.services.followup import (
    CLOSED,
    ActionState,
    action_states,
    restore_action_states,
    set_action_status,
)
from ccodesk.store import Store
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, qdate

PROBLEM_STYLE = "color: #b00020;"


class EnterOpens(QObject):
    """Enter or Return on a list inside a dialog opens its item, and goes no further.

    Left alone, a list passes Enter on to the dialog, whose default button would take it too.
    """

    def __init__(self, view: QWidget, open_item: Callable[[], object]) -> None:
        super().__init__(view)
        self.open_item = open_item
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            self.open_item()
            return True
        return False


def _count(n: int) -> str:
    return "1 action" if n == 1 else f"{n:,} actions"


def change_text(status: ActionStatus, n: int) -> str:
    """What the change is called on the undo stack and in the Undo button."""
    return {
        ActionStatus.DONE: f"mark {_count(n)} done",
        ActionStatus.IN_PROGRESS: f"mark {_count(n)} in progress",
        ActionStatus.DROPPED: f"drop {_count(n)}",
        ActionStatus.OPEN: f"reopen {_count(n)}",
    }[status]


class StatusChange(QUndoCommand):
    """A change of status of some actions, already saved when pushed; undo puts them back."""

    def __init__(
        self,
        widget: QWidget,
        store: Store,
        before: Sequence[ActionState],
        status: ActionStatus,
        *,
        note: str,
        done_on: dt.date | None,
        after: Callable[[], None],
    ) -> None:
        super().__init__(change_text(status, len(before)).capitalize())
        self.widget, self.store, self.before = widget, store, list(before)
        self.status, self.note, self.done_on, self.after = status, note, done_on, after
        self._pushed = False

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.before]

    def redo(self) -> None:
        if self._pushed:  # a redo after an undo; the first time the change is already saved
            self._apply(lambda: _save(self.store, self.ids, self.status, self.note, self.done_on))
        self._pushed = True

    def undo(self) -> None:
        def put_back() -> None:
            with self.store.transaction() as session:
                restore_action_states(session, self.before)

        self._apply(put_back)

    def _apply(self, change: Callable[[], object]) -> None:
        try:
            change()
        except KnownError as exc:
            QMessageBox.warning(self.widget, "ccodesk", str(exc))
        self.after()


def _save(
    store: Store,
    ids: Sequence[str],
    status: ActionStatus,
    note: str,
    done_on: dt.date | None,
) -> list[ActionState]:
    """Save the change; returns what the actions were, or [] when nothing changed."""
    with store.transaction() as session:
        before = set_action_status(session, ids, status, note=note, done_on=done_on)
        changed = before != action_states(session, ids)
    return before if changed else []


class StatusDialog(QDialog):
    """Asks the date an action was done or dropped and a note; OK saves, problems keep it open.

    With `choose_status` (the editor) the status is chosen here too; the date is asked only
    for done and dropped.
    """

    def __init__(
        self,
        status: ActionStatus,
        count: int,
        parent: QWidget | None = None,
        *,
        choose_status: bool = False,
        current: ActionState | None = None,
        description: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_title(status, count, choose_status))
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        if description:
            what = QLabel(description)
            what.setWordWrap(True)
            what.setMaximumWidth(480)
            form.addRow(what)
        self.status = QComboBox()
        for member in ActionStatus:
            self.status.addItem(member.label, member.value)
        self.status.setCurrentIndex(self.status.findData(status.value))
        self.status.setAccessibleName("Status")
        self.status.currentIndexChanged.connect(self._status_changed)
        if choose_status:
            form.addRow("&Status:", self.status)
        else:
            self.status.hide()
        self.date_label = QLabel()
        self.done_on = DateEdit(qdate((current and current.completed_on) or dt.date.today()))
        self.done_on.setCalendarPopup(True)
        self.done_on.setDisplayFormat("dd MMM yyyy")
        self.done_on.setMaximumDate(qdate(dt.date.today()))
        self.date_label.setBuddy(self.done_on)
        form.addRow(self.date_label, self.done_on)
        self.note = QLineEdit((current and current.note) or "")
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("What was done, or why it was dropped (optional)")
        self.note.setMinimumWidth(320)
        form.addRow("&Note:", self.note)
        self.problems = QLabel()
        self.problems.setStyleSheet(PROBLEM_STYLE)
        self.problems.setWordWrap(True)
        self.problems.hide()
        form.addRow(self.problems)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._save: Callable[[ActionStatus, dt.date | None, str], None] = lambda *_: None
        self._status_changed()

    def chosen_status(self) -> ActionStatus:
        return ActionStatus(self.status.currentData())

    def chosen_date(self) -> dt.date | None:
        return pydate(self.done_on.date()) if self.chosen_status() in CLOSED else None

    def on_ok(self, save: Callable[[ActionStatus, dt.date | None, str], None]) -> None:
        self._save = save

    def _status_changed(self) -> None:
        status = self.chosen_status()
        closed = status in CLOSED
        self.date_label.setText(
            "Date &dropped:" if status == ActionStatus.DROPPED else "Date &done:"
        )
        self.date_label.setVisible(closed)
        self.done_on.setVisible(closed)
        self.done_on.setAccessibleName(self.date_label.text().replace("&", "").rstrip(":"))

    def _ok(self) -> None:
        try:
            self._save(self.chosen_status(), self.chosen_date(), self.note.text())
        except ValidationError as exc:
            self.problems.setText("\n".join(f"• {_sentence(p)}" for p in exc.problems))
            self.problems.show()
            return
        except KnownError as exc:
            self.problems.setText(str(exc))
            self.problems.show()
            return
        self.accept()


def _sentence(problem: str) -> str:
    return problem[:1].upper() + problem[1:] + ("" if problem.endswith(".") else ".")


def _title(status: ActionStatus, count: int, choose_status: bool) -> str:
    if choose_status:
        return "Action status"
    return change_text(status, count).capitalize()


def _push(
    widget: QWidget,
    store: Store,
    ids: Sequence[str],
    status: ActionStatus,
    note: str,
    done_on: dt.date | None,
    stack: QUndoStack,
    after: Callable[[], None],
) -> None:
    before = _save(store, ids, status, note, done_on)
    if before:  # nothing changed, nothing to undo
        stack.push(
            StatusChange(widget, store, before, status, note=note, done_on=done_on, after=after)
        )
    after()


def request_status(
    widget: QWidget,
    store: Store,
    action_ids: Sequence[str],
    status: ActionStatus,
    stack: QUndoStack,
    after: Callable[[], None],
    *,
    description: str = "",
) -> StatusDialog | None:
    """Move these actions to `status`: at once for open or in progress, else through a dialog.

    Returns the dialog (opened, window-modal) when one is asked, or None when the change was
    made at once. A change made goes on `stack`; `after` runs once it is saved.
    """
    ids = list(action_ids)

    def save(chosen: ActionStatus, done_on: dt.date | None, note: str) -> None:
        _push(widget, store, ids, chosen, note, done_on, stack, after)

    if status not in CLOSED:
        try:
            save(status, None, "")
        except KnownError as exc:
            QMessageBox.warning(widget, "ccodesk", str(exc))
        return None
    dialog = StatusDialog(status, len(ids), widget, description=description)
    dialog.on_ok(save)
    dialog.open()
    return dialog


def edit_status(
    widget: QWidget,
    store: Store,
    current: ActionState,
    stack: QUndoStack,
    after: Callable[[], None],
    *,
    description: str = "",
) -> StatusDialog:
    """The editor's dialog: one action's status, date done and note, chosen together."""
    dialog = StatusDialog(
        current.status,
        1,
        widget,
        choose_status=True,
        current=current,
        description=description,
    )

    def save(chosen: ActionStatus, done_on: dt.date | None, note: str) -> None:
        _push(widget, store, [current.id], chosen, note, done_on, stack, after)

    dialog.on_ok(save)
    dialog.open()
    return dialog
