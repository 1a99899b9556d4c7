"""A borough's record opened at the centre (read-only) with the central unit's notes on it,
and the dialog that adds or edits a note. Notes stay at the centre: the borough's record is
never changed (services/central_notes.py)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.central_notes import (
    Note,
    RecordView,
    add_note,
    edit_note,
    notes_on,
    record_view,
)
from ccodesk.settings import Settings, save_settings
from ccodesk.sync.central import Central

REFUSED = "color: #b00020;"


class NoteDialog(QDialog):
    """Add a note to a record (`note` None) or change one; a refusal — a change made
    meanwhile in another session, an empty note — is said here and nothing is written."""

    def __init__(
        self,
        central: Central,
        settings: Settings,
        view: RecordView,
        note: Note | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.central, self.settings, self.view, self.note = central, settings, view, note
        self.saved: Note | None = None
        self.setWindowTitle("Edit the note" if note else "Add a note")
        self.setMinimumWidth(520)
        about = QLabel(
            f"On the {view.kind_label.lower()} “{view.title}” ({view.borough}). The note is "
            "kept by the central unit and never sent to the borough."
        )
        about.setWordWrap(True)
        self.text = QPlainTextEdit(note.text if note else "")
        self.text.setAccessibleName("Note")
        self.text.setPlaceholderText(
            "e.g. Raised with the borough's CCO on 3 Dec; reply due 10 Dec"
        )
        self.text.setTabChangesFocus(True)
        text_label = QLabel("&Note:")
        text_label.setBuddy(self.text)
        self.officer = QLineEdit(settings.central_officer)
        self.officer.setAccessibleName("Your name")
        officer_label = QLabel("Your na&me:")  # Alt+N is the note's
        officer_label.setBuddy(self.officer)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(REFUSED)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # Enter writes a new line in the note; Ctrl+Enter saves from anywhere in the dialog
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(text_label)
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(officer_label)
        row.addWidget(self.officer, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(560, 320)

    def save(self) -> None:
        text, officer = self.text.toPlainText(), self.officer.text()
        try:
            with self.central.transaction() as session:
                if self.note is None:
                    saved = add_note(session, self.view.kind, self.view.id, text, officer)
                else:
                    saved = edit_note(session, self.note.id, text, officer, seen=self.note.version)
        except KnownError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.saved = saved
        name = " ".join(officer.split())
        if name != self.settings.central_officer:
            self.settings.central_officer = name
            with contextlib.suppress(KnownError, OSError):  # a convenience: asked again if lost
                save_settings(self.settings)
        self.accept()


class RecordDialog(QDialog):
    """A borough's engagement, finding or action as the centre holds it, read-only, with the
    central unit's notes; `notes_changed` after a note is added or edited."""

    notes_changed = Signal()

    def __init__(
        self,
        central: Central,
        settings: Settings,
        kind: str,
        record_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.central, self.settings = central, settings
        with central.session() as session:
            self.view = view = record_view(session, kind, record_id)
        self.note_dialog: NoteDialog | None = None
        self.setWindowTitle(f"{view.kind_label} — {view.borough}")
        self.setMinimumWidth(560)
        heading = QLabel(
            f"{view.borough}'s {view.kind_label.lower()}, as merged at the centre (read-only: "
            "only the borough can change it)."
        )
        heading.setWordWrap(True)
        details = QWidget()
        form = QFormLayout(details)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, value in view.fields:
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(label)
            form.addRow(f"{label}:", shown)
        scroll = QScrollArea()
        scroll.setWidget(details)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("The record")
        self.notes = QListWidget()
        self.notes.setAccessibleName("The central unit's notes")
        self.notes.setWordWrap(True)
        self.notes.currentRowChanged.connect(lambda _r: self._update())
        self.notes.itemDoubleClicked.connect(lambda _i: self.edit_note())
        notes_label = QLabel("The central unit's &notes (kept here, never sent to the borough):")
        notes_label.setWordWrap(True)
        notes_label.setBuddy(self.notes)
        self.add_button = QPushButton("&Add note…")
        self.add_button.clicked.connect(self.add_note)
        self.edit_button = QPushButton("&Edit note…")
        self.edit_button.clicked.connect(self.edit_note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 3)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes, 2)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        self._show_notes(view.notes)

    def _show_notes(self, notes: list[Note]) -> None:
        self.notes.clear()
        for note in notes:
            item = QListWidgetItem(f"{note.text}\n— {note.byline()}")
            item.setData(Qt.ItemDataRole.UserRole, note)
            self.notes.addItem(item)
        if not notes:
            self.notes.addItem("No notes yet.")
            self.notes.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self._update()

    def current_note(self) -> Note | None:
        item = self.notes.currentItem()
        note = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return note if isinstance(note, Note) else None

    def _update(self) -> None:
        self.edit_button.setEnabled(self.current_note() is not None)

    def add_note(self) -> NoteDialog:
        return self._note_dialog(None)

    def edit_note(self) -> NoteDialog | None:
        note = self.current_note()
        return None if note is None else self._note_dialog(note)

    def _note_dialog(self, note: Note | None) -> NoteDialog:
        """Open the note's dialog (`open`, not `exec`: not modal to the tests)."""
        dialog = self.note_dialog = NoteDialog(self.central, self.settings, self.view, note, self)
        dialog.finished.connect(lambda _r: self._reload())
        dialog.open()
        return dialog

    def _reload(self) -> None:
        """Read the notes again: those saved here and any another session saved meanwhile."""
        with self.central.session() as session:
            notes = notes_on(session, self.view.kind, self.view.id)
        changed = [(n.id, n.version) for n in notes] != [(n.id, n.version) for n in self.view.notes]
        self.view = RecordView(
            self.view.kind,
            self.view.id,
            self.view.borough,
            self.view.title,
            self.view.fields,
            notes,
        )
        self._show_notes(notes)
        if changed:
            self.notes_changed.emit()
