"""The central unit's inbox: bundle files dropped on the window or picked, merged in the
background with progress and Cancel, one line each in the central command line's words, and
their receipts written to an outbox folder to attach to e-mail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import Cancelled, KnownError
from ccodesk.services.central_inbox import InboxLine, merge_many
from ccodesk.settings import Settings, save_settings
from ccodesk.sync.central import Central
from ccodesk.ui.background import BackgroundJob, Progress, ProgressDialog
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.words import plural

REJECTED = QColor("#b00020")
OUTBOX = "outbox"  # the default outbox, in the central unit's folder


class InboxPage(QWidget):
    """Bundles to merge, the results, and where the receipts go.

    `line_added` with each bundle's InboxLine as it is merged; `merged` when a batch is over
    (the board and status refresh); `batch_done` after it, with the lines of the batch.
    """

    line_added = Signal(object)
    merged = Signal()
    batch_done = Signal(object)  # list[InboxLine]

    def __init__(self, central: Central, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.central = central
        self.settings = settings
        self.outbox_path = QLineEdit(str(self.outbox()))
        self.outbox_path.setReadOnly(True)
        self.outbox_path.setAccessibleName("Outbox folder")
        outbox_label = QLabel("Receipts go &to:")
        outbox_label.setBuddy(self.outbox_path)
        self.choose_outbox = QPushButton("&Choose…")
        self.choose_outbox.setAccessibleName("Choose the outbox folder")
        self.choose_outbox.clicked.connect(self.pick_outbox)
        self.open_outbox = QPushButton("&Open folder")
        self.open_outbox.setToolTip("Open the outbox, to attach the receipts to e-mail")
        self.open_outbox.clicked.connect(self.open_folder)
        outbox_row = QHBoxLayout()
        outbox_row.addWidget(outbox_label)
        outbox_row.addWidget(self.outbox_path, 1)
        outbox_row.addWidget(self.choose_outbox)
        outbox_row.addWidget(self.open_outbox)

        hint = QLabel(
            "Drop bundle files (.ccbundle) anywhere on this window, or add them here. Each is "
            "checked and merged on its own: a bad one is rejected and the others go on."
        )
        hint.setWordWrap(True)
        self.add_button = QPushButton("&Add bundles…")
        self.add_button.clicked.connect(self.pick_bundles)
        self.clear_button = QPushButton("C&lear the list")
        self.clear_button.clicked.connect(self._clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        self.results = QListWidget()
        self.results.setAccessibleName("Results")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        results_label = QLabel("&Results, one line per bundle:")
        results_label.setBuddy(self.results)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Merge summary")
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addLayout(outbox_row)
        layout.addWidget(results_label)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        self.job: BackgroundJob | None = None
        self.progress: ProgressDialog | None = None
        self._queue: list[Path] = []
        self._batch: list[InboxLine] = []
        self._pending: list[Path] = []

    def _clear(self) -> None:
        self.results.clear()
        self.summary.clear()

    # -- the outbox ------------------------------------------------------------------------

    def outbox(self) -> Path:
        """The folder receipts go to: the one chosen last, else the central unit's outbox."""
        chosen = self.settings.central_outbox
        return Path(chosen) if chosen else self.central.home / OUTBOX

    def set_outbox(self, folder: Path) -> None:
        """Receipts go to `folder` from now on (remembered in the settings)."""
        changed = dataclasses.replace(self.settings, central_outbox=str(folder))
        try:
            save_settings(changed)
        except KnownError as exc:
            self.summary.setText(f"The outbox was not changed: {exc}")
            return
        self.settings.central_outbox = str(folder)  # the window's settings object, shared
        self.outbox_path.setText(str(folder))

    def pick_outbox(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Where should the receipts go?", str(self.outbox())
        )
        if chosen:
            self.set_outbox(Path(chosen))

    def open_folder(self) -> bool:
        """Open the outbox in the desktop's file manager (made first if need be)."""
        folder = self.outbox()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.summary.setText(f"The outbox {folder} could not be made: {exc.strerror}.")
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- merging ---------------------------------------------------------------------------

    def pick_bundles(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self,
            "Bundles to merge",
            start_path(),
            "ccodesk bundles (*.ccbundle);;All files (*)",
        )
        if names:
            remember(names[0])
            self.add_bundles([Path(n) for n in names])

    def add_bundles(self, paths: list[Path]) -> None:
        """Merge these bundles in the background (after any batch under way)."""
        self._queue.extend(paths)
        if self.job is None:
            self._start()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _start(self) -> None:
        paths, self._queue = self._queue, []
        if not paths:
            return
        central, receipts = self.central, self.outbox()
        self._batch, self._pending = [], list(paths)

        def work(progress: Progress, cancelled: Callable[[], bool]) -> None:
            for line in merge_many(central, paths, receipts, progress, cancelled):
                job.signals.partial.emit(line)

        job = BackgroundJob(work)
        job.signals.partial.connect(self._line)
        job.signals.succeeded.connect(lambda _none: self._over())
        job.on_failure(self._failed, self._cancelled)
        job.signals.failed.connect(lambda _error: self._over())
        self.job = job
        self.add_button.setEnabled(False)
        self.summary.setText(f"Merging {plural(len(paths), 'bundle')}…")
        self.progress = ProgressDialog(job, f"Merging {plural(len(paths), 'bundle')}…", self)
        job.start()

    def _line(self, line: InboxLine) -> None:
        self._batch.append(line)
        if line.path in self._pending:
            self._pending.remove(line.path)
        self._show(line.text, line.complete)
        self.line_added.emit(line)

    def _show(self, text: str, ok: bool) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(text)
        if not ok:
            item.setForeground(QBrush(REJECTED))
        self.results.addItem(item)
        self.results.scrollToItem(item)

    def _cancelled(self, _error: Cancelled) -> None:
        for path in self._pending:  # one line each, as for the others
            self._show(f"{path}: not merged: cancelled", False)

    def _failed(self, error: KnownError) -> None:
        for path in self._pending:
            self._show(f"{path}: not merged: {error}", False)

    def _over(self) -> None:
        batch = self._batch
        self.job = None
        self.progress = None
        self.add_button.setEnabled(True)
        merged = sum(line.merged for line in batch)
        receipts = sum(line.receipt is not None for line in batch)
        not_merged = len(batch) - merged + len(self._pending)
        self._pending = []
        self.summary.setText(
            f"{plural(merged, 'bundle')} merged, {not_merged} not merged; "
            f"{plural(receipts, 'receipt')} written to {self.outbox()}."
        )
        if merged:
            self.merged.emit()
        self.batch_done.emit(batch)
        if self._queue:
            self._start()
