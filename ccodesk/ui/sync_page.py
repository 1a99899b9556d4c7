"""The Sync page: first-time set-up with the central unit, export a bundle for the centre,
import receipts and other bundles, see where things stand, and review conflicts — a person picks
the version to keep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.failures import stop_if_cancelled
from ccodesk.store import Store
from ccodesk.sync.device import device_keys, sync_status, write_public_key
from ccodesk.sync.export import ExportResult, export_bundle
from ccodesk.sync.receive import BundlePreview, ImportResult, import_bundle, preview_bundle
from ccodesk.ui.background import BackgroundJob, ProgressDialog
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.sync_conflicts import ConflictReview
from ccodesk.ui.sync_setup import ElidedLabel, FoldingRow, SetUpPanel, TrustCentreDialog

NO_CENTRE_YET = (
    "Export is possible once the central unit's reference bundle is imported (step 2 above): "
    "until then there is no one to encrypt a bundle to."
)


def _when(value: dt.datetime | None) -> str:
    return f"{value:%a %d %b %Y %H:%M}" if value else "never"


class SyncPage(LoadOnShow):
    """Set-up, export, import, status and conflict review for this device.

    `status_changed` is emitted after anything that changes what the status bar counts
    (an export, an import of a receipt or bundle, a conflict resolved).
    """

    status_changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.centre_known = False
        self.trust_dialog: TrustCentreDialog | None = None
        self._jobs: list[BackgroundJob] = []
        self._progress: ProgressDialog | None = None

        self.setup = SetUpPanel()
        self.setup.save_key_requested.connect(self.save_key_dialog)
        self.setup.import_requested.connect(self.import_dialog)

        status = QGroupBox("Where things stand")
        form = QFormLayout(status)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("centre", "Central unit"),
            ("export", "Last export"),
            ("receipt", "Last receipt"),
            ("awaiting", "Awaiting the centre"),
            ("recipient", "This device's age recipient"),
        ):
            value: QLabel = ElidedLabel() if key in ("centre", "recipient") else QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.fields[key] = value
            if key == "recipient":
                self.copy_recipient = QPushButton("C&opy")
                self.copy_recipient.setAccessibleName("Copy this device's age recipient")
                self.copy_recipient.setToolTip(
                    "For a colleague who encrypts a bundle to this device"
                )
                self.copy_recipient.clicked.connect(self.copy_recipient_to_clipboard)
                row = QHBoxLayout()
                row.addWidget(value, 1)
                row.addWidget(self.copy_recipient)
                form.addRow(f"{label}:", row)
            else:
                form.addRow(f"{label}:", value)

        exchange = QGroupBox("Exchange")
        self.full = QCheckBox("Everything, not only what is unacknowledged")
        self.full.setAccessibleName("Full export")
        self.recipients = QLineEdit()
        self.recipients.setPlaceholderText("age1… (a colleague's device or a recovery key)")
        self.recipients.setAccessibleName("Extra recipients")
        self.export_button = QPushButton("&Export bundle for the centre…")
        self.export_button.clicked.connect(self.export_dialog)
        self.import_button = QPushButton("&Import bundle or receipt…")
        self.import_button.clicked.connect(self.import_dialog)
        self.export_reason = QLabel(NO_CENTRE_YET)
        self.export_reason.setWordWrap(True)
        self.export_reason.setAccessibleName("Why export is not possible yet")
        box = QVBoxLayout(exchange)
        box.addWidget(self.full)
        also = QFormLayout()
        also.addRow("Also encrypt &to:", self.recipients)
        box.addLayout(also)
        # once set up, the set-up panel folds away; this brings it back (the key to send again
        # to a new central unit, a new reference bundle)
        self.show_setup = QPushButton("This device's &key…")
        self.show_setup.setCheckable(True)
        self.show_setup.setAccessibleName("Show this device's key and the central unit's set-up")
        self.show_setup.toggled.connect(lambda _on: self._show_setup())
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.show_setup)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(self.export_reason)
        box.addStretch(1)

        self.overview = FoldingRow(fold_below=700)
        self.overview.box.setSpacing(8)
        self.overview.add(exchange)  # first: it is what the page is for, once set up
        self.overview.add(status)
        content = QWidget()
        upper = QVBoxLayout(content)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(self.setup)
        upper.addWidget(self.overview)
        upper.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)

        review = self.review_box = ConflictReview(store, lambda: store.officer_name)
        review.resolved.connect(self.refresh)
        review.resolved.connect(self.status_changed)
        self.conflict_list, self.versions = review.conflict_list, review.versions
        self.keep_local, self.keep_incoming = review.keep_local, review.keep_incoming

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.scroll_area)
        self.split.addWidget(review)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split)

    # -- status and conflicts --------------------------------------------------------------------

    def _show_setup(self) -> None:
        self.show_setup.setVisible(self.centre_known)
        self.setup.setVisible(not self.centre_known or self.show_setup.isChecked())

    def refresh(self) -> None:
        self.loaded = True
        st = sync_status(self.store)
        keys = device_keys(self.store)
        self.centre_known = st.centre is not None
        self._show_setup()
        self.setup.show_keys(keys)
        self.export_button.setEnabled(self.centre_known)
        self.export_button.setToolTip("" if self.centre_known else NO_CENTRE_YET)
        self.export_reason.setVisible(not self.centre_known)
        self.fields["centre"].setText(
            st.centre or "not set up yet: import its reference bundle (step 2 above)"
        )
        self.fields["export"].setText(
            f"{_when(st.last_export_at)} (bundle {st.bundles_exported})"
            if st.bundles_exported
            else "never"
        )
        self.fields["receipt"].setText(_when(st.last_receipt_at))
        self.fields["awaiting"].setText(
            f"{st.awaiting:,} change{'s' if st.awaiting != 1 else ''} "
            f"(acknowledged up to {st.acked_seq:,} of {st.change_seq:,})"
        )
        self.fields["recipient"].setText(keys.age_recipient)
        self.review_box.refresh()

    # -- this device's keys ----------------------------------------------------------------------

    def copy_recipient_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(device_keys(self.store).age_recipient)

    def save_key_dialog(self) -> None:
        code = self.store.borough_code or "ccodesk"
        suggested = start_path(f"{code}-{self.store.device_id[:8]}.pub")
        name, _ = QFileDialog.getSaveFileName(
            self, "Save this device's public key", suggested, "Public keys (*.pub);;All files (*)"
        )
        remember(name)
        if name:
            self.save_key_to(Path(name))

    def save_key_to(self, path: Path) -> None:
        try:
            write_public_key(self.store, path)
        except KnownError as exc:
            QMessageBox.warning(self, "ccodesk", str(exc))
            return
        self.setup.say_key(
            f"Saved the key to {path}. Attach this file to your e-mail to the central unit."
        )

    # -- export and import -----------------------------------------------------------------------

    def export_dialog(self) -> None:
        if not self.centre_known:  # the button is disabled; a shortcut must not get further
            self.export_reason.show()
            return
        today = dt.date.today()
        suggested = f"{self.store.borough_code or 'ccodesk'}-{today:%Y-%m-%d}.ccbundle"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export bundle", start_path(suggested), "ccodesk bundles (*.ccbundle)"
        )
        remember(name)
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> BackgroundJob:
        recipients = self.recipients.text().split()
        full = self.full.isChecked()

        def work(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            return export_bundle(
                self.store,
                path,
                full=full,
                recipients=recipients,
                progress=progress,
                cancelled=cancelled,
            )

        def done(result: ExportResult) -> None:
            self.refresh()
            self.status_changed.emit()
            QMessageBox.information(
                self,
                "ccodesk",
                f"Wrote bundle {result.seq} ({result.records:,} record"
                f"{'s' if result.records != 1 else ''}) to {result.path}.\n"
                "Send it to the central unit; its receipt comes back to import here.",
            )

        return self._run("Exporting a bundle", work, done)

    def import_dialog(self) -> None:
        if self.centre_known:
            title, kinds = "Import a bundle or receipt", "ccodesk bundles and receipts"
        else:
            title, kinds = "Import the central unit's reference bundle", "Reference bundles"
        name, _ = QFileDialog.getOpenFileName(
            self,
            title,
            start_path(),
            f"{kinds} (*.ccbundle *.ccreceipt *.ccref);;All files (*)",
        )
        remember(name)
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> BackgroundJob:
        """Import `path`; a central unit seen for the first time is shown for trust first."""
        if self.centre_known:
            return self._import(path, None)

        def work(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            progress(0, 1, f"Checking {path.name}…")
            preview = preview_bundle(self.store, path)  # reads only
            stop_if_cancelled(cancelled)  # then neither the trust question nor the import
            return preview

        def done(preview: BundlePreview) -> None:
            if preview.needs_confirmation:
                self._ask_trust(path, preview)
            else:
                self._import(path, None)

        return self._run("Checking the bundle", work, done)

    def _ask_trust(self, path: Path, preview: BundlePreview) -> None:
        dialog = self.trust_dialog = TrustCentreDialog(preview, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def answered(result: int) -> None:
            self.trust_dialog = None
            dialog.deleteLater()
            if result == TrustCentreDialog.DialogCode.Accepted:
                self.setup.say_import("")
                self._import(path, preview.signer)
            else:
                self.setup.say_import(
                    "Nothing was imported: the central unit's key was not trusted."
                )

        dialog.finished.connect(answered)
        dialog.open()

    def _import(self, path: Path, trusted: str | None) -> BackgroundJob:
        def confirm(fingerprint: str) -> bool:
            return trusted is not None and fingerprint == trusted

        def work(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            progress(0, 1, f"Importing {path.name}…")
            return import_bundle(self.store, path, confirm_centre=confirm, cancelled=cancelled)

        def done(result: ImportResult) -> None:
            self.refresh()
            self.status_changed.emit()
            QMessageBox.information(self, "ccodesk", result.summary)

        return self._run("Importing", work, done)

    def _run(
        self,
        title: str,
        work: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
        done: Callable[[Any], None],
    ) -> BackgroundJob:
        job = BackgroundJob(work)
        self._progress = ProgressDialog(job, title, self)
        job.signals.succeeded.connect(done)

        def on_failure(exc: KnownError) -> None:
            QMessageBox.warning(self, "ccodesk", f"{title} failed: {exc}")

        job.on_failure(on_failure)  # Cancelled: nothing was written, nothing to say
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job
