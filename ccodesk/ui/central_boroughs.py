"""The central unit's boroughs board: the 32 boroughs and the City, each with its trusted
devices, last bundle, missing bundle numbers, open conflicts and whether it is late —
sortable, coloured where something needs a look, a double-click opening the borough."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.central_board import BoroughDetail, BoroughLine, borough_detail, read_board
from ccodesk.settings import Settings, save_settings
from ccodesk.sync.central import Central
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.tables import RowsModel, rows_table
from ccodesk.words import plural

Index = QModelIndex | QPersistentModelIndex

LATE = QColor("#f6c58f")  # amber: nothing came within the threshold
CONFLICT = QColor("#f2b8b5")  # red: conflicts wait for review
GAP = QColor("#fbe7a1")  # yellow: bundle numbers missing


def state_text(line: BoroughLine, today: dt.date) -> str:
    """What needs a look, in words (the colours say it again, never alone)."""
    said = []
    if line.late:
        days = line.days_since(today)
        said.append("late: nothing received yet" if days is None else f"late ({days} days)")
    if line.conflicts:
        said.append(plural(line.conflicts, "open conflict"))
    if line.missing_count:
        said.append(plural(line.missing_count, "missing bundle"))
    if said:
        return "; ".join(said).capitalize()
    if line.devices == 0 and line.bundles == 0:
        return "No devices trusted yet"
    return "Up to date"


class BoardModel(RowsModel[BoroughLine]):
    """The board's lines, coloured by what needs a look."""

    # what needs a look comes second, so a narrow screen shows it without scrolling
    BOROUGH, STATE, DEVICES, LAST, RECEIVED, MISSING, CONFLICTS = range(7)
    HEADERS = (
        "Borough",
        "State",
        "Devices",
        "Last bundle",
        "Received",
        "Missing bundles",
        "Open conflicts",
    )

    def __init__(self) -> None:
        super().__init__()
        self.today = dt.date.today()

    @property
    def lines(self) -> list[BoroughLine]:
        return self.rows

    def set_lines(self, lines: list[BoroughLine], today: dt.date) -> None:
        self.today = today
        self.set_rows(lines)

    def tooltip(self, line: BoroughLine, column: int) -> str | None:
        return self.text(line, column) or None if column in (self.MISSING, self.STATE) else None

    def numeric(self, column: int) -> bool:
        return column in (self.DEVICES, self.CONFLICTS)

    def text(self, line: BoroughLine, column: int) -> str:
        if column == self.BOROUGH:
            return line.name
        if column == self.DEVICES:
            return str(line.devices)
        if column == self.LAST:
            return f"No. {line.last_seq}" if line.last_seq is not None else "None yet"
        if column == self.RECEIVED:
            if line.last_received is None:
                return "Never"
            days = line.days_since(self.today)
            ago = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
            return f"{line.last_received:%d %b %Y} ({ago})"
        if column == self.MISSING:
            return line.missing_text
        if column == self.CONFLICTS:
            return str(line.conflicts) if line.conflicts else ""
        return state_text(line, self.today)  # STATE

    def sort_key(self, line: BoroughLine, column: int) -> Any:
        if column == self.BOROUGH:
            return line.name
        if column == self.DEVICES:
            return line.devices
        if column == self.LAST:
            return line.last_seq if line.last_seq is not None else -1
        if column == self.RECEIVED:  # never received sorts as the oldest
            return line.last_received.timestamp() if line.last_received else 0.0
        if column == self.MISSING:
            return line.missing_count
        if column == self.CONFLICTS:
            return line.conflicts
        # the state: what needs the most attention sorts last (first when descending)
        return int(line.late) * 1_000_000 + line.conflicts * 1000 + min(line.missing_count, 999)

    def background(self, line: BoroughLine, column: int) -> QColor | None:
        if column in (self.RECEIVED, self.LAST) and line.late:
            return LATE
        if column == self.MISSING and line.missing_count:
            return GAP
        if column == self.CONFLICTS and line.conflicts:
            return CONFLICT
        if column in (self.BOROUGH, self.STATE):
            if line.late:
                return LATE
            if line.conflicts:
                return CONFLICT
            if line.missing_count:
                return GAP
        return None


class BoardTable(QTableView):
    """The board's table: Enter opens the current borough, as a double-click does."""

    opened = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class BoroughsPage(QWidget):
    """The board; `board_shown` each time it is filled, `borough_opened` with the dialog."""

    board_shown = Signal()
    borough_opened = Signal(object)  # the BoroughDialog

    def __init__(self, central: Central, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.central = central
        self.settings = settings
        self.model = BoardModel()
        self.table = BoardTable()  # Enter opens the current borough, as a double-click does
        _view, self.proxy = rows_table(self.model, "Boroughs", self, view=self.table)
        self.table.sortByColumn(BoardModel.BOROUGH, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in (
            (BoardModel.BOROUGH, 190),
            (BoardModel.STATE, 230),
            (BoardModel.DEVICES, 70),
            (BoardModel.LAST, 90),
            (BoardModel.RECEIVED, 200),
            (BoardModel.MISSING, 130),
            (BoardModel.CONFLICTS, 110),
        ):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self.open_borough)
        self.table.opened.connect(self.open_borough)

        self.late_days = QSpinBox()
        self.late_days.setRange(1, 365)
        self.late_days.setValue(settings.central_late_days)
        self.late_days.setSuffix(" days")
        self.late_days.setAccessibleName("Late after")
        self.late_days.setToolTip("A borough is late when no bundle came within this many days.")
        self.late_days.editingFinished.connect(self._late_days_changed)
        late_label = QLabel("&Late after no bundle for:")
        late_label.setBuddy(self.late_days)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Board summary")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(late_label)
        top.addWidget(self.late_days)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        self._job: BackgroundJob | None = None
        self._again = False

    # -- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the board again on the thread pool (once more after, if asked meanwhile)."""
        if self._job is not None:
            self._again = True
            return
        central, late_days, today = self.central, self.settings.central_late_days, dt.date.today()

        def work(_progress: object, _cancelled: object) -> tuple[list[BoroughLine], dt.date]:
            with central.session() as session:
                return read_board(session, today, late_days), today

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._read)
        job.on_failure(self._failed)
        job.signals.failed.connect(lambda _e: self._job_over())
        self._job = job
        job.start()

    def _read(self, result: tuple[list[BoroughLine], dt.date]) -> None:
        lines, today = result
        self.show_board(lines, today)
        self._job_over()

    def _job_over(self) -> None:
        self._job = None
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: KnownError) -> None:
        self.problem.setText(f"The board could not be read: {error}")
        self.problem.show()

    def show_board(self, lines: list[BoroughLine], today: dt.date) -> None:
        self.problem.hide()
        self.model.set_lines(lines, today)
        self.summary_label.setText(self.summary())
        self.board_shown.emit()

    def summary(self) -> str:
        """The board in one line: late boroughs, conflicts, gaps."""
        lines = self.model.lines
        late = sum(line.late for line in lines)
        conflicts = sum(line.conflicts for line in lines)
        gaps = sum(1 for line in lines if line.missing_count)
        sending = sum(1 for line in lines if line.bundles)
        return (
            f"{plural(sending, 'borough')} sending · {late} late · "
            f"{plural(conflicts, 'open conflict')} · {gaps} with missing bundles"
        )

    def line(self, code: str) -> BoroughLine:
        """The board's line for a borough (its code)."""
        return next(line for line in self.model.lines if line.code == code)

    # -- settings and details --------------------------------------------------------------

    def _late_days_changed(self) -> None:
        days = self.late_days.value()
        if days == self.settings.central_late_days:
            return
        changed = dataclasses.replace(self.settings, central_late_days=days)
        try:
            save_settings(changed)
        except KnownError as exc:
            self._failed(exc)
            return
        self.settings.central_late_days = days  # the window's settings object, shared
        self.refresh()

    def open_borough(self, index: QModelIndex) -> BoroughDialog | None:
        """The borough's devices and bundles, in a dialog."""
        if not index.isValid():
            return None
        line: BoroughLine = self.proxy.data(index, BoardModel.OBJECT_ROLE)
        try:
            with self.central.session() as session:
                detail = borough_detail(session, line.code)
        except KnownError as exc:
            self._failed(exc)
            return None
        dialog = BoroughDialog(detail, line, self.model.today, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.borough_opened.emit(dialog)
        return dialog


class BoroughDialog(QDialog):
    """One borough: its trusted devices and the bundles merged from it."""

    def __init__(
        self, detail: BoroughDetail, line: BoroughLine, today: dt.date, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{detail.name} — devices and bundles")
        summary = QLabel(f"{detail.name}: {state_text(line, today)}.")
        summary.setWordWrap(True)
        self.devices = self._table(
            ["Officer", "Fingerprint", "Trusted since", "Revoked"],
            [
                [
                    d.officer,
                    d.fingerprint,
                    f"{d.added_at:%d %b %Y}",
                    f"{d.revoked_at:%d %b %Y}" if d.revoked_at else "",
                ]
                for d in detail.devices
            ],
            "Devices",
        )
        self.bundles = self._table(
            ["No.", "Device", "Received", "Applied", "Already had", "Conflicts"],
            [
                [
                    str(b.seq),
                    b.device_id[:8],
                    f"{b.received_at:%d %b %Y %H:%M}",
                    f"{b.applied:,}",
                    f"{b.already:,}",
                    str(b.conflicts),
                ]
                for b in detail.bundles
            ],
            "Bundles",
        )
        devices_label = QLabel(f"&Trusted devices ({len(detail.devices)}):")
        devices_label.setBuddy(self.devices)
        bundles_label = QLabel(f"&Bundles received ({len(detail.bundles)}), newest first:")
        bundles_label.setBuddy(self.bundles)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(devices_label)
        layout.addWidget(self.devices, 1)
        layout.addWidget(bundles_label)
        layout.addWidget(self.bundles, 2)
        layout.addWidget(buttons)
        self.resize(760, 520)

    @staticmethod
    def _table(headers: list[str], rows: list[list[str]], name: str) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setAccessibleName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        return table
