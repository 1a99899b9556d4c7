"""A contact's data-protection actions (issue 15): "Erase this person…" and "Objects to
processing…" (or "Lift the objection…"), offered by the contact editor.

The erasure asks first, listing what will go (counts per category, services/erasure.py), runs
in the background with progress (the erasure, then the store rewritten without the old text:
seconds on a large store) and ends with a message saying what was done.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import Cancelled, KnownError
from ccodesk.services.directory import get_contact
from ccodesk.services.erasure import ErasurePreview, ErasureResult, erase_and_scrub, erasure_preview
from ccodesk.services.objection import lift_objection, object_to_processing
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob, Progress, ProgressDialog
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, qdate
from ccodesk.words import plural


def _message(parent: QWidget, title: str, text: str, warning: bool = False) -> QMessageBox:
    """A message shown without blocking (kept by the caller, so a test can read it)."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.open()
    return box


class EraseDialog(QDialog):
    """Asks before erasing a person, listing what will go; runs the erasure in the background."""

    erased = Signal(object)  # the ErasureResult

    def __init__(self, store: Store, preview: ErasurePreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.preview = store, preview
        self.job: BackgroundJob | None = None
        self.progress: ProgressDialog | None = None
        self.message: QMessageBox | None = None
        self.setWindowTitle("Erase this person")
        body = QVBoxLayout(self)
        items = "".join(
            f"<li>{html.escape(words)}: {count}</li>" for words, count in preview.lines()
        )
        intro = QLabel(
            f"<p>Erase <b>{html.escape(preview.name)}</b>? This removes their name, e-mail and "
            "phone from everything on this device and, at the next sync, from the central "
            f"unit:</p><ul>{items}</ul><p>Aggregate attendance counts stay. A deletion record "
            "(no personal data) and a line in the subject access log are kept. "
            "<b>This cannot be undone.</b></p>"
        )
        intro.setWordWrap(True)
        body.addWidget(intro)
        form = QFormLayout()
        self.note = QLineEdit()
        self.note.setAccessibleName("Request reference")
        self.note.setPlaceholderText("e.g. the letter's date or a case number (no names)")
        form.addRow("Request &reference:", self.note)
        body.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(
            "&Erase", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.erase_button.clicked.connect(self.erase)
        self.buttons.rejected.connect(self.reject)
        body.addWidget(self.buttons)

    def erase(self) -> None:
        self.erase_button.setEnabled(False)
        store, contact_id, note = self.store, self.preview.contact_id, self.note.text()

        def work(progress: Progress, cancelled: object) -> ErasureResult:
            return erase_and_scrub(
                store,
                contact_id,
                note,
                progress=progress,
                cancelled=cancelled,  # type: ignore[arg-type]
            )

        self.job = BackgroundJob(work)
        self.progress = ProgressDialog(self.job, "Erasing…", self)
        self.job.signals.succeeded.connect(self._done)
        self.job.on_failure(self._failed, self._cancelled)
        self.job.start()

    def _done(self, result: ErasureResult) -> None:
        self.erased.emit(result)
        self.accept()

    def _failed(self, error: KnownError) -> None:
        self.erase_button.setEnabled(True)
        self.message = _message(self, "Not erased", str(error), warning=True)

    def _cancelled(self, _error: Cancelled) -> None:
        self.erase_button.setEnabled(True)
        self.message = _message(self, "Not erased", "Cancelled: nothing was erased.")


class ObjectionDialog(QDialog):
    """Records that a person objects to processing, or that they lift their objection."""

    changed = Signal(str)

    def __init__(self, store: Store, contact_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.contact_id = store, contact_id
        with store.session() as s:
            contact = get_contact(s, contact_id)
            assert contact is not None
            self.name, self.objected_on = contact.name, contact.objected_on
        lifting = self.objected_on is not None
        self.setWindowTitle("Lift the objection" if lifting else "Objects to processing")
        body = QVBoxLayout(self)
        text = (
            f"{html.escape(self.name)} has objected to processing since "
            f"{self.objected_on:%d %B %Y}. Lift the objection (their consent, if still valid, "
            "applies again)?"
            if self.objected_on is not None
            else f"Record that {html.escape(self.name)} objects to processing? Their details "
            "are kept for the legal minimum but no longer used or sent: the next sync export "
            "withdraws them from the central unit."
        )
        label = QLabel(text)
        label.setWordWrap(True)
        body.addWidget(label)
        form = QFormLayout()
        self.on = DateEdit(qdate(dt.date.today()))
        self.on.setCalendarPopup(True)
        self.on.setMaximumDate(qdate(dt.date.today()))
        self.on.setAccessibleName("Date")
        form.addRow("&Date:", self.on)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        form.addRow("&Note:", self.note)
        body.addLayout(form)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        body.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.record)
        buttons.rejected.connect(self.reject)
        body.addWidget(buttons)

    def record(self) -> None:
        on, note = pydate(self.on.date()), self.note.text()
        change = lift_objection if self.objected_on is not None else object_to_processing
        try:
            with self.store.transaction() as s:
                change(s, self.contact_id, on, note, officer=self.store.officer_name)
        except KnownError as exc:
            self.problem.setText(str(exc))
            return
        self.changed.emit(self.contact_id)
        self.accept()


class PersonActions(QWidget):
    """The two buttons a contact editor shows for a saved contact."""

    erased = Signal(str)  # the contact's id, once erased

    def __init__(self, store: Store, contact_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.contact_id = store, contact_id
        self.dialog: QDialog | None = None
        self.message: QMessageBox | None = None
        self.job: BackgroundJob | None = None
        self.progress: ProgressDialog | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.erase_button = QPushButton("Erase this &person…")
        self.erase_button.clicked.connect(self.ask_erase)
        self.object_button = QPushButton()
        self.object_button.clicked.connect(self.ask_objection)
        row.addWidget(self.erase_button)
        row.addWidget(self.object_button)
        row.addStretch(1)
        self._label_objection()

    def _label_objection(self) -> None:
        with self.store.session() as s:
            contact = get_contact(s, self.contact_id)
            objected = contact is not None and contact.objected_on is not None
        self.object_button.setText(
            "&Lift the objection…" if objected else "Objects to &processing…"
        )

    def ask_erase(self) -> None:
        """Find what names the person (in the background: seconds on a large store), then ask."""
        store, contact_id = self.store, self.contact_id

        def work(_progress: Progress, _cancelled: object) -> ErasurePreview:
            with store.session() as s:
                return erasure_preview(s, contact_id)

        self.job = BackgroundJob(work)
        self.progress = ProgressDialog(self.job, "Finding what names this person…", self)
        self.job.signals.succeeded.connect(self._ask)
        self.job.on_failure(self._not_erased)
        self.job.start()

    def _not_erased(self, error: KnownError) -> None:
        self.message = _message(self, "Not erased", str(error), warning=True)

    def _ask(self, preview: ErasurePreview) -> None:
        dialog = EraseDialog(self.store, preview, self.window())
        dialog.erased.connect(lambda result: self._erased(preview.name, result))
        self.dialog = dialog
        dialog.open()

    def _erased(self, name: str, result: ErasureResult) -> None:
        # shown over the window the editor came from: the editor closes on `erased`
        editor = self.window()
        self.message = _message(
            editor.parentWidget() or editor,
            "Erased",
            f"{name} was erased: {plural(sum(result.counts.values()), 'item')} removed or "
            f"blanked in {result.seconds:.1f} s, and the store rewritten without the old text. "
            "The next sync export takes the erasure to the central unit. " + result.backups_note(),
        )
        self.erased.emit(self.contact_id)

    def ask_objection(self) -> ObjectionDialog:
        dialog = ObjectionDialog(self.store, self.contact_id, self.window())
        dialog.changed.connect(lambda _id: self._label_objection())
        self.dialog = dialog
        dialog.open()
        return dialog
