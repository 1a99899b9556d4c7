"""The Sync page: export a bundle for the centre, import receipts and other bundles, see where
things stand, and review conflicts — a person picks the version to keep."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.models import SyncConflict
from ccodesk.store import Store
from ccodesk.sync.borough import (
    ExportResult,
    ImportResult,
    SyncError,
    device_recipient,
    export_bundle,
    import_bundle,
    sync_status,
)
from ccodesk.sync.merge import conflicts, resolve_conflict
from ccodesk.ui.background import BackgroundJob, ProgressDialog
from ccodesk.ui.lazy import LoadOnShow

META = {"id", "origin", "vv", "hlc", "entity", "deleted"}


def _when(value: dt.datetime | None) -> str:
    return f"{value:%a %d %b %Y %H:%M}" if value else "never"


class SyncPage(LoadOnShow):
    """Export, import, status and conflict review for this device."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._jobs: list[BackgroundJob] = []
        self._progress: ProgressDialog | None = None

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
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            form.addRow(f"{label}:", value)
            self.fields[key] = value

        exchange = QGroupBox("Exchange")
        self.full = QCheckBox("Everything, not only what the centre has not acknowledged")
        self.full.setAccessibleName("Full export")
        self.recipients = QLineEdit()
        self.recipients.setPlaceholderText("age1… (a colleague's device or a recovery key)")
        self.recipients.setAccessibleName("Extra recipients")
        self.export_button = QPushButton("&Export bundle for the centre…")
        self.export_button.clicked.connect(self.export_dialog)
        self.import_button = QPushButton("&Import bundle or receipt…")
        self.import_button.clicked.connect(self.import_dialog)
        box = QFormLayout(exchange)
        box.addRow(self.full)
        box.addRow("Also encrypt to:", self.recipients)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        box.addRow(buttons)

        review = self.review_box = QGroupBox("Conflicts to review")
        self.conflict_list = QTreeWidget()
        self.conflict_list.setHeaderLabels(["Record", "Found", "Kept for now"])
        self.conflict_list.setRootIsDecorated(False)
        self.conflict_list.setAccessibleName("Conflicts")
        self.conflict_list.setColumnWidth(0, 320)
        self.conflict_list.currentItemChanged.connect(lambda *_: self._show_conflict())
        self.versions = QTreeWidget()
        self.versions.setHeaderLabels(["Field", "This device", "Incoming"])
        self.versions.setRootIsDecorated(False)
        self.versions.setAccessibleName("The two versions")
        self.versions.setColumnWidth(0, 160)
        self.versions.setColumnWidth(1, 260)
        self.keep_local = QPushButton("Keep &this device's version")
        self.keep_incoming = QPushButton("Keep the i&ncoming version")
        self.keep_local.clicked.connect(lambda: self.resolve("local"))
        self.keep_incoming.clicked.connect(lambda: self.resolve("incoming"))
        split = QSplitter()
        split.addWidget(self.conflict_list)
        split.addWidget(self.versions)
        split.setStretchFactor(1, 2)
        keep = QHBoxLayout()
        keep.addStretch(1)
        keep.addWidget(self.keep_local)
        keep.addWidget(self.keep_incoming)
        inner = QVBoxLayout(review)
        inner.addWidget(split, 1)
        inner.addLayout(keep)

        top = QHBoxLayout()
        top.addWidget(status, 1)
        top.addWidget(exchange, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(review, 1)

    # -- status and conflicts --------------------------------------------------------------------

    def refresh(self) -> None:
        self.loaded = True
        st = sync_status(self.store)
        self.fields["centre"].setText(st.centre or "not configured: import its reference bundle")
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
        self.fields["recipient"].setText(device_recipient(self.store))
        self.conflict_list.clear()
        with self.store.session() as session:
            for c in conflicts(session):
                item = QTreeWidgetItem([_title(c), f"{c.found_at:%d %b %Y %H:%M}", _winner(c)])
                item.setData(0, Qt.ItemDataRole.UserRole, c.id)
                self.conflict_list.addTopLevelItem(item)
        count = self.conflict_list.topLevelItemCount()
        self.review_box.setTitle(
            f"Conflicts to review ({count})"
            if count
            else "Conflicts to review: none — every change merged cleanly"
        )
        first = self.conflict_list.topLevelItem(0)
        if first is not None:
            self.conflict_list.setCurrentItem(first)
        self._show_conflict()

    def selected_conflict(self) -> int | None:
        item = self.conflict_list.currentItem()
        return None if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))

    def _show_conflict(self) -> None:
        self.versions.clear()
        chosen = self.selected_conflict()
        for button in (self.keep_local, self.keep_incoming):
            button.setEnabled(chosen is not None)
        if chosen is None:
            return
        with self.store.session() as session:
            conflict = session.get(SyncConflict, chosen)
            assert conflict is not None
            local, incoming = conflict.local, conflict.incoming
        for name, mine, theirs in _differences(local, incoming):
            item = QTreeWidgetItem([name, mine, theirs])
            if mine != theirs:
                for column in (1, 2):
                    item.setBackground(column, QBrush(QColor("#fff3bf")))
            self.versions.addTopLevelItem(item)

    def resolve(self, keep: str) -> None:
        chosen = self.selected_conflict()
        if chosen is None:
            return
        try:
            with self.store.transaction() as session:
                resolve_conflict(session, chosen, keep, self.store.officer_name)
        except KnownError as exc:
            QMessageBox.warning(self, "ccodesk", str(exc))
        self.refresh()

    # -- export and import -----------------------------------------------------------------------

    def export_dialog(self) -> None:
        today = dt.date.today()
        suggested = f"{self.store.borough_code or 'ccodesk'}-{today:%Y-%m-%d}.ccbundle"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export bundle", suggested, "ccodesk bundles (*.ccbundle)"
        )
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
            QMessageBox.information(
                self,
                "ccodesk",
                f"Wrote bundle {result.seq} ({result.records:,} records) to {result.path}.\n"
                "Send it to the central unit; its receipt comes back to import here.",
            )

        return self._run("Exporting a bundle", work, done)

    def import_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import a bundle or receipt",
            "",
            "ccodesk bundles and receipts (*.ccbundle *.ccreceipt *.ccref);;All files (*)",
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path, confirmed: str | None = None) -> BackgroundJob:
        asked: list[str] = []

        def confirm(fingerprint: str) -> bool:
            asked.append(fingerprint)
            return fingerprint == confirmed

        def work(progress: Callable[[int, int, str], None], _cancelled: Callable[[], bool]) -> Any:
            progress(0, 1, f"Importing {path.name}…")
            return import_bundle(self.store, path, confirm_centre=confirm)

        def done(result: ImportResult) -> None:
            self.refresh()
            QMessageBox.information(self, "ccodesk", result.summary)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, SyncError) and asked and confirmed is None:
                answer = QMessageBox.question(
                    self,
                    "Trust this central unit?",
                    f"The central unit's key fingerprint is\n\n{asked[0]}\n\nCheck it with the "
                    "central unit (by phone, or on its letter) before you trust it. Trust it?",
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self.import_from(path, confirmed=asked[0])
                return True
            return False

        return self._run("Importing", work, done, failed)

    def _run(
        self,
        title: str,
        work: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], bool] | None = None,
    ) -> BackgroundJob:
        job = BackgroundJob(work)
        self._progress = ProgressDialog(job, title, self)
        job.signals.succeeded.connect(done)

        def on_failure(exc: BaseException) -> None:
            if failed is not None and failed(exc):
                return
            if not isinstance(exc, KnownError):
                raise exc  # a bug: the crash dialog reports it
            QMessageBox.warning(self, "ccodesk", f"{title} failed: {exc}")

        job.signals.failed.connect(on_failure)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job


def _title(conflict: SyncConflict) -> str:
    for version in (conflict.local, conflict.incoming):
        data = version.get("data") or {}
        name = data.get("title") or data.get("name") or data.get("text") or data.get("description")
        if name:
            return f"{conflict.entity.replace('_', ' ').capitalize()}: {str(name)[:80]}"
    return f"{conflict.entity.replace('_', ' ').capitalize()} {conflict.record_id[:8]}"


def _winner(conflict: SyncConflict) -> str:
    return "this device's" if conflict.winner == "local" else "incoming"


def _differences(local: dict[str, Any], incoming: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Field by field, the two versions as text; differing fields first."""

    def show(version: dict[str, Any], key: str) -> str:
        if version.get("deleted"):
            return "(deleted)"
        value = (version.get("data") or {}).get(key)
        if value is None:
            value = (version.get("children") or {}).get(key)
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False)
        return "" if value is None else str(value)

    keys: list[str] = []
    for version in (local, incoming):
        for part in ("data", "children"):
            for key in version.get(part) or {}:
                if key not in keys:
                    keys.append(key)
    rows = [(k.replace("_", " "), show(local, k), show(incoming, k)) for k in keys]
    if not keys:
        rows = [("record", show(local, "_"), show(incoming, "_"))]
    rows.sort(key=lambda r: r[1] == r[2])
    return [("last changed", _stamp(local), _stamp(incoming)), *rows]


def _stamp(version: dict[str, Any]) -> str:
    try:
        wall = int(str(version.get("hlc", ""))[:13])
    except ValueError:
        return ""
    return f"{dt.datetime.fromtimestamp(wall / 1000):%d %b %Y %H:%M}"
