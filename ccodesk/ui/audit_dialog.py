"""The audit trail viewer (issue 15): who changed what and when, filtered by record, officer
and days, newest first, paged through SQL; exported as spreadsheet-safe CSV.

Enter or a double-click on an event shows that record's whole history. The queries are
`ccodesk.services.audit`'s, which also checks the hash chain (`verify`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.audit import (
    AuditFilter,
    AuditRow,
    audit_choices,
    audit_rows,
    count_audit,
    write_audit_csv,
)
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.engagements_page import compact_combo, optional_date
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.flow_layout import FlowLayout
from ccodesk.ui.paged_model import Column, PagedTableModel
from ccodesk.ui.qtdates import pydate, qdate
from ccodesk.words import plural

ACTIONS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "bulk-create": "loaded in bulk",
    "keyed": "form keyed in",
}


def _when(row: AuditRow) -> str:
    return f"{row.at:%d %b %Y %H:%M:%S}"


class AuditModel(PagedTableModel[AuditRow]):
    """The events the filter selects, newest first, one page at a time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.criteria = AuditFilter()
        columns: list[Column[AuditRow]] = [
            Column("When", _when, tooltip=False),
            Column("Officer", lambda r: r.officer),
            Column("Record", lambda r: r.entity.replace("_", " ")),
            Column("Record id", lambda r: r.entity_id),
            Column("What", lambda r: ACTIONS.get(r.action, r.action)),
            Column("Fields", lambda r: ", ".join(r.changes)),
            Column("Summary", lambda r: r.summary),
        ]
        super().__init__(columns, self._page, self._count)

    def _page(self, offset: int, limit: int) -> list[AuditRow]:
        with self.store.session() as s:
            return audit_rows(s, self.criteria, offset=offset, limit=limit)

    def _count(self) -> int:
        with self.store.session() as s:
            return count_audit(s, self.criteria)


class AuditDialog(QDialog):
    """Filters above the audit trail's events; Export CSV… writes what is listed."""

    exported = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.store = store
        self.model = AuditModel(store)
        self._jobs: list[BackgroundJob] = []
        with store.session() as s:
            entities, officers = audit_choices(s)

        self.entity = QComboBox()
        self.entity.setAccessibleName("Kind of record")
        self.entity.addItem("All records", "")
        for name in entities:
            self.entity.addItem(name.replace("_", " ").capitalize(), name)
        compact_combo(self.entity, 14)
        self.record_id = QLineEdit()
        self.record_id.setPlaceholderText("Record id (or its start)")
        self.record_id.setAccessibleName("Record id")
        self.record_id.setClearButtonEnabled(True)
        self.record_id.setMinimumWidth(180)
        self.officer = QComboBox()
        self.officer.setAccessibleName("Officer")
        self.officer.addItem("All officers", "")
        for name in officers:
            self.officer.addItem(name, name)
        compact_combo(self.officer, 16)
        today = qdate(dt.date.today())
        self.from_check, self.from_date, from_pair = optional_date("From", today.addMonths(-1))
        self.to_check, self.to_date, to_pair = optional_date("To", today)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        entity_label = QLabel("&Record:")
        entity_label.setBuddy(self.entity)
        officer_label = QLabel("&Officer:")
        officer_label.setBuddy(self.officer)
        filters = QWidget()
        flow = FlowLayout(filters)
        for widget in (
            entity_label,
            self.entity,
            self.record_id,
            officer_label,
            self.officer,
            from_pair,
            to_pair,
            self.clear_button,
        ):
            flow.addWidget(widget)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit events")
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((0, 150), (1, 130), (2, 110), (3, 120), (4, 100), (5, 180)):
            self.table.setColumnWidth(column, width)
        # `activated`: Enter on the current row, or the platform's double-click
        self.table.activated.connect(self._show_record)
        self.summary = QLabel()
        self.summary.setAccessibleName("Events listed")
        self.status = QLabel()
        self.status.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setToolTip("Write the events listed to a CSV file (Ctrl+E)")
        self.export_button.setShortcut("Ctrl+E")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        # Enter opens the event under the cursor, so no button is the dialog's default (Escape
        # closes it)
        for button in (*buttons.buttons(), self.clear_button):
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.export_button.clicked.connect(self.export)

        layout = QVBoxLayout(self)
        layout.addWidget(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.setMinimumSize(640, 400)
        self.resize(1100, 620)  # inside a 1366×768 laptop's screen with its panels

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        self.record_id.textChanged.connect(self._debounce.start)
        for combo in (self.entity, self.officer):
            combo.currentIndexChanged.connect(self.refresh)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self.refresh)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self.refresh)
        self.refresh()

    # -- filters --------------------------------------------------------------------------------

    def criteria(self) -> AuditFilter:
        return AuditFilter(
            entity=str(self.entity.currentData() or ""),
            entity_id=self.record_id.text().strip(),
            officer=str(self.officer.currentData() or ""),
            since=pydate(self.from_date.date()) if self.from_check.isChecked() else None,
            until=pydate(self.to_date.date()) if self.to_check.isChecked() else None,
        )

    def refresh(self) -> None:
        self._debounce.stop()
        self.model.criteria = self.criteria()
        self.model.reload()
        self.summary.setText(
            f"{plural(self.model.total, 'event')}, newest first"
            if self.model.total
            else "No events match these filters."
        )
        self.export_button.setEnabled(self.model.total > 0)

    def clear_filters(self) -> None:
        for widget in (self.entity, self.officer, self.record_id, self.from_check, self.to_check):
            widget.blockSignals(True)
        self.entity.setCurrentIndex(0)
        self.officer.setCurrentIndex(0)
        self.record_id.clear()
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        for widget in (self.entity, self.officer, self.record_id, self.from_check, self.to_check):
            widget.blockSignals(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        self.refresh()

    def set_date_range(self, since: dt.date | None, until: dt.date | None) -> None:
        """Filter by days (None: open-ended), as the date boxes would."""
        for check, edit, day in (
            (self.from_check, self.from_date, since),
            (self.to_check, self.to_date, until),
        ):
            edit.blockSignals(True)
            check.blockSignals(True)
            if day is not None:
                edit.setDate(qdate(day))
            check.setChecked(day is not None)
            edit.setEnabled(day is not None)
            check.blockSignals(False)
            edit.blockSignals(False)
        self.refresh()

    def _show_record(self, index: QModelIndex) -> None:
        """The whole history of the event's record."""
        if not index.isValid():
            return
        row = self.model.row_object(index.row())
        if not row.entity_id:  # a bulk load names a table, not a record
            return
        self.entity.blockSignals(True)
        self.entity.setCurrentIndex(max(0, self.entity.findData(row.entity)))
        self.entity.blockSignals(False)
        self.record_id.blockSignals(True)
        self.record_id.setText(row.entity_id)
        self.record_id.blockSignals(False)
        self.refresh()

    # -- export ---------------------------------------------------------------------------------

    def export(self) -> BackgroundJob | None:
        """Ask where, then write the events listed as CSV in the background."""
        criteria = self.criteria()
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export the audit trail as CSV",
            start_path(f"audit-trail-{dt.date.today().isoformat()}.csv"),
            "CSV files (*.csv)",
        )
        if not name:
            return None
        remember(name)
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        store = self.store

        def work(_progress: object, _cancelled: object) -> Path:
            with store.session() as s:
                return write_audit_csv(s, dataclasses.replace(criteria), path)

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._exported)
        job.signals.failed.connect(self._export_failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        self.export_button.setEnabled(False)
        self.status.setText(f"Writing {path}…")
        job.start()
        return job

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(f"Wrote {path}.")
        self.exported.emit(str(path))

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        if not isinstance(exc, KnownError):
            raise exc
        self.status.setText("")
        QMessageBox.warning(self, "Export failed", str(exc))
