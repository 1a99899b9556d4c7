"""Printing from the desktop: the system print dialog, Save as PDF, and next week's packs.

The documents are built by `ccodesk.printing` (reportlab, no Qt) on the thread pool. Print
renders each PDF page at the printer's resolution (pypdfium2) and paints it on the printer
the user chose in the system dialog.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob, ProgressDialog
from ccodesk.ui.file_dialogs import remember, start_path

log = logging.getLogger("ccodesk.ui")

DOCUMENTS = (
    ("pack", "Meeting pack"),
    ("equality", "Equality monitoring form"),
    ("feedback", "Feedback form"),
    ("signin", "Attendance sign-in sheet"),
    ("return", "Quarterly consultation return"),
)
FORM_LETTER = {"equality": "E", "feedback": "F", "signin": "S"}
MAX_PRINT_DPI = 300


def print_and_save_buttons(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """Close, Print… (Ctrl+P) and Save as PDF… (Ctrl+S): the buttons of every print dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    print_button = QPushButton("&Print…")
    print_button.setShortcut(QKeySequence.StandardKey.Print)
    save_button = QPushButton("Save as P&DF…")
    save_button.setShortcut(QKeySequence.StandardKey.Save)
    buttons.addButton(print_button, QDialogButtonBox.ButtonRole.ActionRole)
    buttons.addButton(save_button, QDialogButtonBox.ButtonRole.ActionRole)
    buttons.rejected.connect(dialog.reject)
    return buttons, print_button, save_button


def ask_and_print_pdf(parent: QWidget, data: bytes, name: str) -> int | None:
    """Open the system print dialog and print the PDF on the printer chosen; the pages sent.

    None when the user cancels; a KnownError (plain words) when it cannot be printed.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(name)
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return print_pdf(data, printer)


def ask_and_save_pdf(parent: QWidget, data: bytes, name: str) -> Path | None:
    """Ask where to save a PDF (suggesting `name` in the home folder) and write it atomically.

    None when the user cancels; a KnownError (plain words) when it cannot be written.
    """
    from ccodesk.printing.files import write_pdf

    path, _filter = QFileDialog.getSaveFileName(
        parent, "Save as PDF", start_path(name), "PDF (*.pdf)"
    )
    if not path:
        return None
    remember(path)
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    written = write_pdf(Path(path), data)
    log.info("saved %s", written)
    return written


@dataclass(frozen=True)
class PrintChoice:
    """Which document to build, and how."""

    document: str
    engagement_id: str | None = None
    large_print: bool = False
    copies: int = 1
    quarter: str = ""


def build_document(store: Store, choice: PrintChoice) -> tuple[bytes, str]:
    """The PDF of `choice` and a file name to suggest for it (runs on the thread pool)."""
    from ccodesk.printing import documents, quarterly
    from ccodesk.printing.codes import FormKind
    from ccodesk.printing.files import safe_name
    from ccodesk.services import pack_content as content
    from ccodesk.services.periods import Period
    from ccodesk.services.quarterly_return import return_content

    if choice.document == "return":
        quarter = Period.parse_quarter(choice.quarter)
        with store.session() as session:
            data = return_content(session, store.borough_code, quarter)
        return quarterly.return_pdf(data), f"consultation-return-{quarter.label}.pdf"
    if choice.document == "pack":
        if choice.engagement_id is None:
            raise KnownError("Choose an engagement to print its meeting pack.")
        with store.session() as session:
            pack = content.pack_content(session, choice.engagement_id)
        name = f"pack-{pack.engagement.starts_at:%Y-%m-%d}-{safe_name(pack.engagement.title)}.pdf"
        pdf = documents.pack_pdf(pack, large_print=choice.large_print, forms=choice.copies)
        return pdf, name
    kind = FormKind(FORM_LETTER[choice.document])
    engagement = None
    if choice.engagement_id is not None:
        with store.session() as session:
            engagement = content.engagement_summary(session, choice.engagement_id)
    pdf = documents.form_pdf(kind, engagement, large_print=choice.large_print, copies=choice.copies)
    name = safe_name(kind.label) + (f"-{engagement.starts_at:%Y-%m-%d}" if engagement else "-blank")
    return pdf, name + ("-large-print" if choice.large_print else "") + ".pdf"


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Paint every page of a PDF on `printer` (in the range the user chose); pages printed."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        first, last = 1, len(document)
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage(), min(printer.toPage() or last, last)
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise KnownError("The printer could not be started; check that it is connected.")
        printed = 0
        try:
            for number in range(first, last + 1):
                if printed:
                    printer.newPage()
                page = document[number - 1]
                bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
                image = QImage(
                    bytes(bitmap.buffer),
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGB888,
                )
                target = painter.viewport()
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                target.setSize(scaled)
                painter.drawImage(target, image)
                printed += 1
        finally:
            painter.end()
        return printed
    finally:
        document.close()


def _previous_quarter(today: dt.date) -> str:
    quarter = (today.month - 1) // 3 + 1
    return f"{today.year - 1}Q4" if quarter == 1 else f"{today.year}Q{quarter - 1}"


class PrintDialog(QDialog):
    """Choose a document (pack, forms, return); Print… or Save as PDF…."""

    saved_to = Signal(str)  # a PDF was written here
    printed = Signal(int)  # pages sent to the printer

    def __init__(
        self,
        store: Store,
        engagement_id: str | None = None,
        *,
        document: str = "pack",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.engagement_id = engagement_id
        self.setWindowTitle("Print")
        self.document = QComboBox()
        for value, label in DOCUMENTS:
            self.document.addItem(label, value)
        self.document.setAccessibleName("Document")
        self.for_engagement = QCheckBox()
        self.for_engagement.setAccessibleName("For this engagement")
        if engagement_id is None:
            self.for_engagement.setText("Blank (no engagement chosen)")
            self.for_engagement.setEnabled(False)
        else:
            from ccodesk.services.pack_content import engagement_summary

            with store.session() as session:
                summary = engagement_summary(session, engagement_id)
            self.for_engagement.setText(f"For {summary.title}, {summary.when}")
            self.for_engagement.setChecked(True)
        self.large_print = QCheckBox("&Large print (16 pt and larger, high contrast)")
        self.copies = QSpinBox()
        self.copies.setRange(1, 500)
        self.copies.setAccessibleName("Numbered copies")
        self.copies.setToolTip("Each copy of a form carries its own sheet number")
        self.quarter = QLineEdit(_previous_quarter(dt.date.today()))
        self.quarter.setAccessibleName("Quarter")
        self.quarter.setPlaceholderText("e.g. 2026Q3")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Print status")
        form = QFormLayout()
        for text, widget in (
            ("&Document:", self.document),
            ("&Engagement:", self.for_engagement),
            ("", self.large_print),
            ("Numbered &copies of each form:", self.copies),
            ("&Quarter:", self.quarter),
        ):
            buddy = QLabel(text)
            buddy.setBuddy(widget)
            form.addRow(buddy, widget)
        buttons, self.print_button, self.save_button = print_and_save_buttons(self)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as_pdf)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.document.currentIndexChanged.connect(self._update)
        self.for_engagement.toggled.connect(self._update)
        self.job: BackgroundJob | None = None
        self.set_document(document)

    def _say(self, text: str, *, problem: bool = True) -> None:
        """A problem in the problem colour; news that something worked in the ordinary one."""
        self.error.setStyleSheet("color: #b00020;" if problem else "")
        self.error.setText(text)

    def set_document(self, value: str) -> None:
        self.document.setCurrentIndex(max(0, self.document.findData(value)))
        self._update()

    def _update(self) -> None:
        document = self.document.currentData()
        is_return = document == "return"
        self.quarter.setEnabled(is_return)
        self.for_engagement.setEnabled(not is_return and self.engagement_id is not None)
        self.large_print.setEnabled(not is_return)
        self.copies.setEnabled(document in ("pack", "equality", "feedback", "signin"))
        ready = is_return or document != "pack" or self.engagement_id is not None
        self._say("" if ready else "Open an engagement to print its meeting pack.")
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def choice(self) -> PrintChoice:
        engagement = self.engagement_id if self.for_engagement.isChecked() else None
        return PrintChoice(
            document=self.document.currentData(),
            engagement_id=engagement,
            large_print=self.large_print.isChecked(),
            copies=self.copies.value(),
            quarter=self.quarter.text().strip(),
        )

    def _build(self, then: Callable[[tuple[bytes, str]], None]) -> BackgroundJob:
        choice = self.choice()
        store = self.store
        self.error.clear()
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        job = BackgroundJob(lambda _progress, _cancelled: build_document(store, choice))

        def built(result: tuple[bytes, str]) -> None:
            self._update()
            then(result)

        job.signals.succeeded.connect(built)
        job.signals.failed.connect(lambda _error: self._update())  # first: then its words
        job.on_failure(lambda error: self._say(str(error)))
        self.job = job
        job.start()
        return job

    def save_as_pdf(self) -> BackgroundJob:
        """Build the document, then ask where to save it."""
        return self._build(self._save)

    def _save(self, result: tuple[bytes, str]) -> None:
        data, name = result
        try:
            written = ask_and_save_pdf(self, data, name)
        except KnownError as exc:
            self._say(str(exc))
            return
        if written is None:
            return
        self._say(f"Saved {written.name}.", problem=False)
        self.saved_to.emit(str(written))

    def print_document(self) -> BackgroundJob:
        """Build the document, then open the system print dialog and print it."""
        return self._build(self._print)

    def _print(self, result: tuple[bytes, str]) -> None:
        data, name = result
        try:
            pages = ask_and_print_pdf(self, data, name)
        except KnownError as exc:
            self._say(str(exc))
            return
        if pages is None:
            return
        self._say(f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.", problem=False)
        self.printed.emit(pages)


def print_week_packs(
    store: Store,
    parent: QWidget,
    *,
    week_of: dt.date | None = None,
    folder: Path | None = None,
) -> BackgroundJob | None:
    """Packs for every meeting of next week (or `week_of`'s week), with progress and Cancel."""
    from ccodesk.services.pack_batch import meetings_between, next_week, print_packs
    from ccodesk.services.pack_batch import week_of as week_bounds

    start, end = week_bounds(week_of or next_week(dt.date.today()))
    meetings = meetings_between(store, start, end)
    if not meetings:
        QMessageBox.information(
            parent, "Packs", f"No meetings are planned in the week of {start:%d %b %Y}."
        )
        return None
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(
            parent, f"Folder for the {len(meetings)} packs of the week of {start:%d %b %Y}"
        )
        if not chosen:
            return None
        folder = Path(chosen)
    target = folder

    def work(progress: Any, cancelled: Any) -> Any:
        return print_packs(store, meetings, target, progress=progress, cancelled=cancelled)

    job = BackgroundJob(work)
    dialog = ProgressDialog(job, f"Printing {len(meetings)} meeting packs…", parent)

    def done(result: Any) -> None:
        count = len(result.written)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Packs",
            f"Wrote {count} meeting pack{'s' if count != 1 else ''} for the week of "
            f"{start:%d %b %Y} in {result.folder}.",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        parent.setProperty("last_packs_message", box.text())

    def failed(exc: KnownError) -> None:
        QMessageBox.warning(parent, "Packs", str(exc))

    job.signals.succeeded.connect(done)
    job.on_failure(failed)  # Cancelled: no pack was written, nothing to say
    job.start()
    dialog.show()
    return job
