"""The engagement editor: every field, live warnings, undo/redo, and drafts that survive a crash."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QUndoCommand,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import EngagementKind, EngagementStatus, Level, Organisation, Topic
from ccodesk.services import checks, drafts, records
from ccodesk.services.engagements import get_engagement, save_engagement
from ccodesk.services.fatigue import fatigue_warnings
from ccodesk.services.reference import priority_groups
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.engagement_form import ACCESS, PLAIN, TEXTS, EngagementForm, draft_from_state
from ccodesk.ui.record_tab import RecordTab

log = logging.getLogger("ccodesk.ui")
DRAFT_DELAY_MS = 800


class _UndoKeysToStack(QObject):
    """Send Undo/Redo keys in text fields to the editor's stack, not the field's own undo."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            )
        ):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.ignore()  # let the dialog's Undo/Redo actions have the shortcut
                return True
            return True
        return False


class _Snapshot(QUndoCommand):
    """One edit: the form's state before and after. Typing in one field merges into one."""

    def __init__(
        self, editor: EngagementEditor, field: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        super().__init__(f"Edit {field.split(':')[0].replace('_', ' ')}")
        self.editor, self.field, self.before, self.after = editor, field, before, after
        self._first = True

    def id(self) -> int:
        return hash(self.field) & 0x7FFFFFFF

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Snapshot) or other.field != self.field:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # the form already shows `after`
            self._first = False
            return
        self.editor.show_state(self.after)

    def undo(self) -> None:
        self.editor.show_state(self.before)


def _engagement_state(store: Store, engagement_id: str) -> dict[str, Any]:
    with store.session() as s:
        e = get_engagement(s, engagement_id)
        a = e.attendance
        return {
            **{n: getattr(e, n) for n in (*TEXTS, *PLAIN, *(name for name, _ in ACCESS))},
            "kind": e.kind.value,
            "informs": e.informs.value if e.informs else None,
            "level": e.level.value,
            "status": e.status.value,
            "starts_at": e.starts_at.isoformat(timespec="minutes"),
            "ends_at": (e.ends_at or e.starts_at + dt.timedelta(hours=2)).isoformat(
                timespec="minutes"
            ),
            "target_groups": [g.code for g in e.target_groups],
            "topics": [t.code for t in e.topics],
            "partner_ids": [o.id for o in e.partners],
            "attendance": None
            if a is None
            else {
                "total": a.total,
                "prefer_not_to_say": a.prefer_not_to_say,
                "not_asked": a.not_asked,
                "group_counts": {c.group_code: c.count for c in a.counts},
            },
        }


def new_engagement_state(store: Store, starts_at: dt.datetime | None = None) -> dict[str, Any]:
    """A new engagement: tomorrow at 18:00 unless told otherwise, organised by this officer."""
    start = starts_at or dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(18, 0))
    organiser = {"cco": "cco_name", "blo": "blo_name", "cso": "cso_name"}.get(store.officer_role)
    return {
        **dict.fromkeys((*TEXTS, *PLAIN), ""),
        **dict.fromkeys((name for name, _ in ACCESS), False),
        **({organiser: store.officer_name} if organiser else {}),
        "kind": EngagementKind.PCCG_MEETING.value,
        "informs": None,
        "level": Level.LOCAL.value,
        "status": EngagementStatus.PLANNED.value,
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(timespec="minutes"),
        "target_groups": [],
        "topics": [],
        "partner_ids": [],
        "attendance": None,
    }


class EngagementEditor(QDialog):
    """Edit one engagement (or a new one); `saved` carries its id after a successful save."""

    saved = Signal(str)

    def __init__(
        self,
        store: Store,
        engagement_id: str | None = None,
        *,
        starts_at: dt.datetime | None = None,
        restore_draft: bool | None = None,
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.engagement_id = engagement_id
        self.draft_key = f"engagement:{engagement_id or 'new'}"
        with store.session() as s:
            groups = [(g.code, g.name) for g in priority_groups(s)]
            topics = [(t.code, t.name) for t in s.scalars(select(Topic).order_by(Topic.name))]
            partners = [
                (i, n)
                for i, n in s.execute(
                    select(Organisation.id, Organisation.name)
                    .where(Organisation.deleted.is_(False))
                    .order_by(Organisation.name)
                )
            ]
        self.form = EngagementForm(groups, topics, partners)
        self._undo_keys = _UndoKeysToStack(self)
        for field in [*self.form.text.values(), *self.form.plain.values()]:
            field.installEventFilter(self._undo_keys)
        for plain in self.form.plain.values():
            plain.setUndoRedoEnabled(False)
        self.undo_stack = QUndoStack(self)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Warnings")
        self.warnings.setStyleSheet("color: #8a4b00;")
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        self.errors.setAccessibleName("Problems")
        self.errors.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Close
        )
        self.discard = QPushButton("&Discard changes")
        buttons.addButton(self.discard, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.close)
        self.discard.clicked.connect(self.discard_changes)
        self.print_pack_button = QPushButton("Print &pack…")
        self.print_forms_button = QPushButton("Print &forms…")
        for button, document in (
            (self.print_pack_button, "pack"),
            (self.print_forms_button, "equality"),
        ):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _=False, d=document: self.open_print(d))
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText("Save and &stay")
        self.apply_button.clicked.connect(lambda: self.save(close=False))
        self.record = RecordTab(store)
        self.form.addTab(self.record, "Findings && follow-up")
        self.record.set_engagement(engagement_id)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)
        # One Undo/Redo for the editor: the form's edits, or the Findings tab's additions and
        # removals while that tab is shown.
        self.undo_group = QUndoGroup(self)
        self.undo_group.addStack(self.undo_stack)
        self.undo_group.addStack(self.record.undo_stack)
        self.undo_group.setActiveStack(self.undo_stack)
        self.form.currentChanged.connect(self._tab_changed)
        for action, keys in (
            (self.undo_group.createUndoAction(self), QKeySequence.StandardKey.Undo),
            (self.undo_group.createRedoAction(self), QKeySequence.StandardKey.Redo),
        ):
            action.setShortcut(keys)
            self.addAction(action)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        initial = (
            _engagement_state(store, engagement_id)
            if engagement_id
            else new_engagement_state(store, starts_at)
        )
        self._saved_state = initial
        self._state = initial
        self.form.set_state(self._pick_draft(initial, restore_draft))
        self._state = self.form.state()
        self.form.changed.connect(self._on_changed)
        self.setWindowTitle(f"Engagement — {self._state['title'] or 'new'}")
        self.resize(820, 640)
        self.update_warnings()

    # drafts --------------------------------------------------------------------------------
    def _pick_draft(self, initial: dict[str, Any], restore: bool | None) -> dict[str, Any]:
        with self.store.session() as s:
            draft = drafts.load_draft(s, self.draft_key)
            if draft is None:
                return initial
            content, when = dict(draft.content), draft.saved_at
        if restore is None:
            restore = (
                QMessageBox.question(
                    self,
                    "Unsaved draft",
                    f"There are unsaved changes from {when:%d %b %Y %H:%M}. Restore them?",
                )
                == QMessageBox.StandardButton.Yes
            )
        return content if restore else initial

    def save_draft(self) -> None:
        self._draft_timer.stop()
        if not self.is_dirty():
            return
        with self.store.transaction() as s:
            drafts.save_draft(s, self.draft_key, self._state, self._state.get("title", ""))

    def _drop_draft(self) -> None:
        self._draft_timer.stop()
        with self.store.transaction() as s:
            drafts.discard_draft(s, self.draft_key)

    # editing -------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self._state != self._saved_state

    def _tab_changed(self, index: int) -> None:
        on_record = self.form.widget(index) is self.record
        self.undo_group.setActiveStack(self.record.undo_stack if on_record else self.undo_stack)

    def _on_changed(self, field: str) -> None:
        before, after = self._state, self.form.state()
        self._state = after
        self.undo_stack.push(_Snapshot(self, field, before, after))
        self._draft_timer.start()
        self.update_warnings()

    def show_state(self, value: dict[str, Any]) -> None:
        """Put the form in `value` (undo/redo), keeping drafts and warnings in step."""
        self.form.set_state(value)
        self._state = self.form.state()
        self._draft_timer.start()
        self.update_warnings()

    def update_warnings(self) -> list[str]:
        state = self._state
        attendance = state.get("attendance")
        kind = EngagementKind(state["kind"])
        found = checks.focus_group_size(kind, attendance["total"] if attendance else None)
        if attendance:
            found += checks.unreached_targets(
                state["target_groups"], attendance["group_counts"], self.form.group_names
            )
        with self.store.session() as s:
            found += checks.sensitive_partners(s, state["partner_ids"], state["topics"])
            found += fatigue_warnings(
                s,
                state["partner_ids"],
                starts_at=dt.datetime.fromisoformat(state["starts_at"]),
                threshold=self.settings.fatigue_threshold,
                days=self.settings.fatigue_window_days,
                excluding=self.engagement_id,
            )
        self.warnings.setText("\n".join(f"⚠ {w}" for w in found))
        return found

    # saving --------------------------------------------------------------------------------
    def save(self, close: bool = True) -> bool:
        """Save everything in one transaction; show every problem if it cannot be saved."""
        state = self.form.state()
        try:
            with self.store.transaction() as s:
                saved = save_engagement(s, draft_from_state(state), self.engagement_id)
                attendance = state["attendance"]
                if attendance is not None:
                    records.record_attendance(s, saved.id, **attendance)
                drafts.discard_draft(s, self.draft_key)
                if self.engagement_id is None:
                    drafts.discard_draft(s, f"engagement:{saved.id}")
        except ValidationError as exc:
            self.errors.setText("Not saved:\n" + "\n".join(f"• {p}" for p in exc.problems))
            return False
        except KnownError as exc:
            self.errors.setText(f"Not saved: {exc}")
            return False
        log.info("saved engagement %s", saved.id)
        self.engagement_id = saved.id
        self.draft_key = f"engagement:{saved.id}"
        self._saved_state = self._state = state
        self.errors.clear()
        self.saved.emit(saved.id)
        self.record.set_engagement(saved.id)
        self.setWindowTitle(f"Engagement — {state['title']}")
        if close:
            self.accept()
        return True

    def open_print(self, document: str) -> QDialog | None:
        """The print dialog on this engagement (saved first, so the pack shows what is here)."""
        from ccodesk.ui.printing import PrintDialog

        if (self.engagement_id is None or self.is_dirty()) and not self.save(close=False):
            return None
        dialog = PrintDialog(self.store, self.engagement_id, document=document, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def discard_changes(self) -> None:
        self._drop_draft()
        self._state = self._saved_state
        self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()  # closing mid-edit keeps the work as a draft
        super().closeEvent(event)

    def reject(self) -> None:
        self.save_draft()
        super().reject()
