"""The engagement editor: every field, live warnings, undo/redo, and drafts that survive a crash.

A draft is written only while the form differs from what was loaded, and records the version it
started from; reopening never puts an older draft over a newer saved version without showing
both (`ccodesk.ui.draft_panel`). Closing with unsaved edits asks: Save, Keep as draft, Discard.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError, NotFound, ValidationError
from ccodesk.models import EngagementKind
from ccodesk.services import checks, drafts, records
from ccodesk.services.engagements import save_engagement
from ccodesk.services.fatigue import fatigue_warnings
from ccodesk.services.reference import all_topics, priority_groups
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.draft_panel import DraftPanel, ValueWords
from ccodesk.ui.engagement_editing import (
    Snapshot,
    UndoKeysToStack,
    engagement_state,
    first_field,
    new_engagement_state,
    scrolling,
)
from ccodesk.ui.engagement_form import (
    EngagementForm,
    draft_from_state,
    problems_text,
    state_problems,
)
from ccodesk.ui.partner_picker import StoreDirectory
from ccodesk.ui.record_tab import RecordTab

log = logging.getLogger("ccodesk.ui")
DRAFT_DELAY_MS = 800
# Keys that change the editor's tab from any field (a date field would otherwise take
# Ctrl+PageDown for its own month).
NEXT_TAB_KEYS = ("Ctrl+PgDown", "Ctrl+Tab")
PREVIOUS_TAB_KEYS = ("Ctrl+PgUp", "Ctrl+Shift+Tab", "Ctrl+Shift+Backtab", "Ctrl+Backtab")
MESSAGES_MAX_HEIGHT = 150


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
        """`restore_draft`: True restores a draft found, False keeps the saved version (and
        throws the draft away), None asks the officer (the draft panel)."""
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.engagement_id = engagement_id
        self.draft_key = f"engagement:{engagement_id or 'new'}"
        with store.session() as s:
            groups = [(g.code, g.name) for g in priority_groups(s)]
            topics = all_topics(s)
        self._groups, self._topics = dict(groups), dict(topics)
        self.directory = StoreDirectory(store)
        self.form = EngagementForm(groups, topics, self.directory)
        self._undo_keys = UndoKeysToStack(self)
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
        self.buttons = buttons = QDialogButtonBox(
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
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.apply_button.setText("Save and stay")
        self.apply_button.setToolTip("Save and keep editing (Ctrl+S)")
        self.apply_button.clicked.connect(lambda: self.save(close=False))
        save_action = QAction(self)  # Ctrl+S saves and stays, as in a word processor
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.triggered.connect(self._save_shortcut)
        self.addAction(save_action)
        self.record = RecordTab(store)
        self.record.before_write = self._saved_before_record
        # a finding, outcome, action, status or feedback added, removed or undone is written at
        # once: the window's pages (the dashboard's "no feedback yet") follow as after a save
        self.record.undo_stack.indexChanged.connect(self._record_changed)
        self.form.addTab(self.record, "Findings && follow-up")
        self._scroll_tabs()
        self.messages = self._messages_area()
        self._layout = layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.messages)
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
        for names, step in ((NEXT_TAB_KEYS, 1), (PREVIOUS_TAB_KEYS, -1)):
            tab_action = QAction(self)
            tab_action.setShortcuts([QKeySequence(name) for name in names])
            tab_action.triggered.connect(lambda _=False, d=step: self.step_tab(d))
            self.addAction(tab_action)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.close_question: QMessageBox | None = None
        self.draft_panel: DraftPanel | None = None
        self._draft_check: drafts.DraftCheck | None = None
        self._draft_stored = False  # a draft of this editor's record is in the store
        self._load(starts_at, restore_draft)
        self.form.changed.connect(self._on_changed)
        self.resize(820, 640)
        self.update_warnings()
        if self.draft_panel is None:  # the cursor in the title, as a mail's subject
            self.form.text["title"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _record_changed(self, _index: int) -> None:
        if self.engagement_id is not None:
            self.saved.emit(self.engagement_id)

    def _saved_before_record(self) -> bool:
        """Save the engagement's own unsaved edits before a finding, outcome, action… is added
        (they are checked against the date and status shown, which must be the saved ones)."""
        return not self.is_dirty() or self.save(close=False)

    def _save_shortcut(self) -> None:
        if self.apply_button.isEnabled():
            self.apply_button.click()

    # layout --------------------------------------------------------------------------------
    def _scroll_tabs(self) -> None:
        """Each tab of fields scrolls on its own, so the editor fits a laptop's screen."""
        current = self.form.currentIndex()
        for index in range(self.form.count()):
            page = self.form.widget(index)
            if page is None or isinstance(page, QScrollArea) or page is self.record:
                continue  # already scrolls; the Findings tab lays itself out
            text, tip = self.form.tabText(index), self.form.tabToolTip(index)
            self.form.removeTab(index)
            self.form.insertTab(index, scrolling(page), text)
            self.form.setTabToolTip(index, tip)
        self.form.setCurrentIndex(max(0, current))

    def _messages_area(self) -> QScrollArea:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.warnings)
        column.addWidget(self.errors)
        area = scrolling(box)
        area.setMaximumHeight(MESSAGES_MAX_HEIGHT)
        area.setAccessibleName("Warnings and problems")
        area.hide()
        return area

    def _show_messages(self) -> None:
        for label in (self.warnings, self.errors):
            label.setVisible(bool(label.text()))
        shown = bool(self.warnings.text() or self.errors.text())
        self.messages.setVisible(shown and not self.deciding)  # they are about the form

    def step_tab(self, step: int) -> None:
        """Show the next (`step` 1) or previous (-1) tab, from whichever field has the focus."""
        count = self.form.count()
        if not self.form.isVisible() or count < 2:
            return
        index = self.form.currentIndex()
        for _ in range(count):
            index = (index + step) % count
            if self.form.isTabEnabled(index) and self.form.isTabVisible(index):
                break
        self.form.setCurrentIndex(index)
        first = first_field(self.form.widget(index))
        if first is not None:
            first.setFocus(Qt.FocusReason.TabFocusReason)

    # loading and drafts --------------------------------------------------------------------
    def _load(self, starts_at: dt.datetime | None, restore: bool | None) -> None:
        """Show the saved engagement (or a new one), then deal with a draft of it."""
        with self.store.session() as s:
            draft = drafts.read_draft(s, self.draft_key)
        saved: dict[str, Any] | None = None
        self._base_version: dict[str, Any] | None = None
        if self.engagement_id is None:
            saved = new_engagement_state(self.store, starts_at)
        else:
            try:
                saved = engagement_state(self.store, self.engagement_id)
            except NotFound:
                if draft is None:
                    raise
            with self.store.session() as s:
                self._base_version = drafts.engagement_version(s, self.engagement_id)
        self.form.set_state(saved or new_engagement_state(self.store, starts_at))
        self.record.set_engagement(None if saved is None else self.engagement_id)
        # What was loaded, as the form shows it: the one thing edits are compared with.
        self._saved_state = self._state = self.form.state()
        self.setWindowTitle(f"Engagement — {self._state['title'] or 'new'}")
        if draft is None:
            return
        self._draft_stored = True
        check = drafts.check_draft(
            draft,
            None if saved is None else self._saved_state,
            self._base_version,
            new_record=self.engagement_id is None,
        )
        self._draft_check = check
        if check.standing == drafts.Standing.NOTHING_NEW:
            self._drop_draft()
        elif restore is True:
            self.restore_draft()
        elif restore is False:
            self.keep_saved_version()
        else:
            self._ask_about_draft(check, draft.saved_at)

    def _ask_about_draft(self, check: drafts.DraftCheck, saved_at: dt.datetime) -> None:
        ids = [
            i
            for d in check.differences
            if d.field == "partner_ids"
            for i in [*(d.draft or []), *(d.saved or [])]
        ]
        partners = {
            m.id: f"{m.name} ({m.place})" if m.place else m.name
            for m in self.directory.describe(list(dict.fromkeys(ids)))
        }
        panel = DraftPanel(check, saved_at, ValueWords(self._groups, self._topics, partners))
        panel.restore_chosen.connect(self.restore_draft)
        panel.keep_saved_chosen.connect(self.keep_saved_version)
        panel.later_chosen.connect(self.decide_later)
        self.draft_panel = panel
        self._layout.insertWidget(0, panel, 1)
        self.form.hide()
        for button in self._editing_buttons():
            button.setEnabled(False)
        self.close_button.setToolTip("Close, keeping the draft to decide later")
        self._show_messages()
        panel.restore_button.setFocus()

    def _editing_buttons(self) -> list[QAbstractButton]:
        return [
            self.save_button,
            self.apply_button,
            self.discard,
            self.print_pack_button,
            self.print_forms_button,
        ]

    @property
    def deciding(self) -> bool:
        """The draft panel is shown: the officer has not yet said what to do with a draft."""
        return self.draft_panel is not None

    def _close_panel(self) -> None:
        if self.draft_panel is not None:
            self.draft_panel.hide()
            self._layout.removeWidget(self.draft_panel)
            self.draft_panel.deleteLater()
            self.draft_panel = None
        self.form.show()
        for button in self._editing_buttons():
            button.setEnabled(True)
        self.close_button.setToolTip("")
        self._show_messages()
        first = first_field(self.form.currentWidget())
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def restore_draft(self) -> None:
        """Put the draft in the form: all of it, or over a newer saved version only its edits."""
        check = self._draft_check
        if check is None:
            return
        if check.standing == drafts.Standing.RECORD_DELETED:
            self.engagement_id = None  # saving makes it a new engagement
            self.record.set_engagement(None)
        before = self._state
        self.form.set_state(check.restored)
        self._state = self.form.state()
        self._draft_check = None
        self._close_panel()
        self.undo_stack.push(Snapshot(self, "draft", before, self._state))
        self.save_draft()  # from now on the draft starts from the version shown
        self.update_warnings()

    def keep_saved_version(self) -> None:
        """Throw the draft away and edit what is saved."""
        self._draft_check = None
        self._drop_draft()
        self._close_panel()

    def decide_later(self) -> None:
        """Close without touching the draft: it is offered again next time."""
        self._draft_timer.stop()
        super().reject()

    def save_draft(self) -> None:
        """Keep the form's state as a draft if it differs from what was loaded; else remove it."""
        self._draft_timer.stop()
        if self.deciding:
            return
        if not self.is_dirty():
            if self._draft_stored:
                self._drop_draft()
            return
        with self.store.transaction() as s:
            drafts.save_draft(
                s,
                self.draft_key,
                self._state,
                self._state.get("title", ""),
                base_version=self._base_version,
                base_state=self._saved_state,
            )
        self._draft_stored = True

    def _drop_draft(self) -> None:
        self._draft_timer.stop()
        with self.store.transaction() as s:
            drafts.discard_draft(s, self.draft_key)
        self._draft_stored = False

    # editing -------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self._state != self._saved_state

    def _tab_changed(self, index: int) -> None:
        on_record = self.form.widget(index) is self.record
        self.undo_group.setActiveStack(self.record.undo_stack if on_record else self.undo_stack)

    def _on_changed(self, field: str) -> None:
        before, after = self._state, self.form.state()
        self._state = after
        self.undo_stack.push(Snapshot(self, field, before, after))
        self._state_changed()

    def _state_changed(self) -> None:
        if self.is_dirty():
            self._draft_timer.start()
        else:  # back to what was loaded: no draft
            self.save_draft()
        self.update_warnings()

    def show_state(self, value: dict[str, Any]) -> None:
        """Put the form in `value` (undo/redo), keeping drafts and warnings in step."""
        self.form.set_state(value)
        self._state = self.form.state()
        self._state_changed()

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
            problems = state_problems(s, state, self.engagement_id, self.form.group_names)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in found))
        self.errors.setText(problems_text(problems))  # live: each goes once it is fixed
        self._show_messages()
        return found

    # saving --------------------------------------------------------------------------------
    def _rebased(self, state: dict[str, Any]) -> dict[str, Any]:
        """`state`, over what is saved now if the record changed since it was loaded."""
        if self.engagement_id is None:
            return state
        with self.store.session() as s:
            version = drafts.engagement_version(s, self.engagement_id)
        if version is None or version == self._base_version:
            return state
        saved_now = engagement_state(self.store, self.engagement_id)
        return drafts.rebase(state, self._saved_state, saved_now)

    def save(self, close: bool = True) -> bool:
        """Save everything in one transaction; show every problem if it cannot be saved.

        If the engagement was changed elsewhere since the editor loaded it (an import, a
        colleague's bundle), only the fields edited here are written over it.
        """
        shown = self.form.state()
        try:
            state = self._rebased(shown)
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
            self._show_messages()
            return False
        except KnownError as exc:
            self.errors.setText(f"Not saved: {exc}")
            self._show_messages()
            return False
        log.info("saved engagement %s", saved.id)
        self._draft_stored = False
        self.engagement_id = saved.id
        self.draft_key = f"engagement:{saved.id}"
        if state != shown:
            self.form.set_state(state)  # changes saved elsewhere meanwhile are kept and shown
        self._saved_state = self._state = self.form.state()
        with self.store.session() as s:
            self._base_version = drafts.engagement_version(s, saved.id)
        self.errors.clear()
        self._show_messages()
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

    # closing -------------------------------------------------------------------------------
    def discard_changes(self) -> None:
        self._drop_draft()
        self._state = self._saved_state
        super().reject()

    def reject(self) -> None:
        """Close (the Close button, Esc, the close box); ask first if anything is unsaved."""
        if self.deciding:
            self.decide_later()
        elif not self.is_dirty():
            self.save_draft()  # removes a draft left from undone edits
            super().reject()
        else:
            self._ask_before_closing()

    def _ask_before_closing(self) -> None:
        if self.close_question is not None and self.close_question.isVisible():
            self.close_question.raise_()
            return
        title = self._state.get("title", "").strip()
        what = f"your changes to “{title}”" if self.engagement_id else "this new engagement"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save {what} before closing?",
            parent=self,
        )
        box.setInformativeText(
            "“Keep as draft” keeps them on this computer to finish later; "
            "“Discard” throws them away."
        )
        save = box.addButton(QMessageBox.StandardButton.Save)
        keep = box.addButton("&Keep as draft", QMessageBox.ButtonRole.ActionRole)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)

        def answered(button: QAbstractButton) -> None:
            if button is save:
                self.save(close=True)  # a failed save stays open, its problems shown
            elif button is keep:
                self.save_draft()
                super(EngagementEditor, self).reject()
            elif button is discard:
                self._drop_draft()
                super(EngagementEditor, self).reject()

        box.buttonClicked.connect(answered)
        self.close_question = box
        box.open()
