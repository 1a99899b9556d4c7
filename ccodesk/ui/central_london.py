"""The central window's London page: the indicators London-wide and borough by borough for
a month, quarter or year, against the period before and London's baseline; the boroughs in a
sortable table; exported as CSV or XLSX (the very files of the central report,
`services.indicator_export`) and as the London quarterly return (PDF).

The figures come from `services/central_london.py`, which runs the command line's report and
words it with the exports' presenter, so "Withhold small counts" withholds what they do.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services import indicator_export as export
from ccodesk.services.central_london import (
    KEY_FIGURES,
    ComparisonLine,
    LondonData,
    comparison,
    london_figures,
    london_withheld,
    write_london_return,
)
from ccodesk.services.indicator_presenter import format_value, page_view
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.settings import Settings
from ccodesk.sync.central import Central
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.bar_chart import BarChart, Series
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.flow_layout import FlowLayout
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.period_picker import ExportStatus, PeriodPicker, withhold_box
from ccodesk.ui.reports_page import BASELINE, BEFORE, NOW
from ccodesk.words import plural

Index = QModelIndex | QPersistentModelIndex
EARLIER = QColor("#5a5a5a")  # the previous period's columns: grey text beside the current


class ComparisonModel(QAbstractTableModel):
    """London's line, then a line per borough: the borough, then each key figure's current
    and previous value side by side."""

    BOROUGH = 0
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1
    OBJECT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[ComparisonLine] = []
        self.now_label = self.before_label = ""

    def set_lines(self, lines: list[ComparisonLine], now: str, before: str) -> None:
        self.beginResetModel()
        self.lines, self.now_label, self.before_label = lines, now, before
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    @staticmethod
    def column(figure: int, *, previous: bool = False) -> int:
        """The column of a key figure (its index in KEY_FIGURES), current or previous."""
        return 1 + 2 * figure + int(previous)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + 2 * len(KEY_FIGURES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section == self.BOROUGH:
            return "Borough" if role == Qt.ItemDataRole.DisplayRole else None
        key = KEY_FIGURES[(section - 1) // 2]
        label = self.before_label if (section - 1) % 2 else self.now_label
        if role == Qt.ItemDataRole.DisplayRole:
            # Headings in lines of a column's width, never cut short ("Findings with / an
            # outcome / 2026Q4"); the header grows a line for them.
            return "\n".join([*textwrap.wrap(key.heading, 13), label])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{key.measure}, {label}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, column = self.lines[index.row()], index.column()
        if role == self.OBJECT_ROLE:
            return line
        if column == self.BOROUGH:
            if role in (Qt.ItemDataRole.DisplayRole, self.SORT_ROLE):
                return line.name
            if role == Qt.ItemDataRole.FontRole and not line.code:
                bold = QFont()
                bold.setBold(True)
                return bold
            return None
        figure, previous = divmod(column - 1, 2)
        cell = (line.before if previous else line.now)[figure]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == self.SORT_ROLE:  # no figure or withheld sorts below every figure
            return float("-inf") if cell.number is None else float(cell.number)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and previous:
            return QBrush(EARLIER)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{line.name}: {KEY_FIGURES[figure].measure}, {cell.text}"
        return None


class LondonFirst(QSortFilterProxyModel):
    """Sorts the boroughs by the chosen column; London's line stays on top either way."""

    def lessThan(self, left: Index, right: Index) -> bool:
        role = ComparisonModel.OBJECT_ROLE
        left_line, right_line = left.data(role), right.data(role)
        ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
        if not left_line.code or not right_line.code:
            return (not left_line.code) == ascending
        a, b = left.data(ComparisonModel.SORT_ROLE), right.data(ComparisonModel.SORT_ROLE)
        if a == b:  # ties in name order, whichever way the column runs
            return bool((left_line.name < right_line.name) == ascending)
        return bool(a < b)


class LondonPage(PeriodPicker, ExportStatus, LoadOnShow):
    """London and the boroughs for the chosen period; the report runs on the thread pool."""

    figures_shown = Signal()  # a period's figures are on screen (small counts not yet known)
    shown = Signal()  # … and which small counts to withhold: the exports can be written
    exported = Signal(str)  # the path of a file written
    export_failed = Signal(str)  # what went wrong, in words

    def __init__(
        self,
        central: Central,
        settings: Settings,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.central = central
        self.settings = settings
        self.period = Period.containing(PeriodKind.QUARTER, today or dt.date.today())
        self.data: LondonData | None = None
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self._generation = 0

        self.tabs = QTabWidget()
        self.tabs.addTab(self._comparison_tab(), "&Boroughs compared")
        self.tabs.addTab(self._london_tab(), "&London")
        layout = QVBoxLayout(self)
        layout.addWidget(self._period_bar())
        layout.addLayout(self._status_and_exports())
        layout.addWidget(self.tabs, 1)
        self._show_period()
        self._set_exporting(False)

    # -- building the page -------------------------------------------------------------------

    def _period_bar(self) -> QWidget:
        kind_label, *_controls = self.period_controls()
        self.withhold = withhold_box()
        self.withhold.toggled.connect(self._show)
        bar = QWidget()
        flow = FlowLayout(bar, spacing=16)  # three groups, wrapping on a narrow window
        flow.setContentsMargins(0, 0, 0, 0)
        for group in (
            (kind_label, self.kind),
            (self.previous_button, self.period_label, self.next_button),
            (self.withhold,),
        ):
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in group:
                row.addWidget(widget)
            flow.addWidget(holder)
        return bar

    def _status_and_exports(self) -> QHBoxLayout:
        self.status = QLabel()
        self.status.setAccessibleName("London page status")
        self.status.setWordWrap(True)
        self.csv_button = QPushButton("Export C&SV…")
        self.csv_button.setAccessibleName("Export London and the boroughs as CSV")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.xlsx_button = QPushButton("Export &XLSX…")
        self.xlsx_button.setAccessibleName("Export London and the boroughs as an XLSX workbook")
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button = QPushButton("London &return PDF…")
        self.pdf_button.setAccessibleName("Write the London quarterly return as a PDF")
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        for button in (self.csv_button, self.xlsx_button, self.pdf_button):
            row.addWidget(button)
        return row

    def _comparison_tab(self) -> QWidget:
        self.model = ComparisonModel()
        self.proxy = LondonFirst(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(ComparisonModel.SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("London and the boroughs compared")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ComparisonModel.BOROUGH, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(ComparisonModel.BOROUGH, 170)
        for column in range(1, self.model.columnCount()):
            self.table.setColumnWidth(column, 92)
        self.held_chart = BarChart("Engagements held, borough by borough", rows=8, bars=2)
        caption = QLabel(self.held_chart.title)
        caption.setBuddy(self.held_chart)
        tab = QWidget()
        stacked = QVBoxLayout(tab)
        stacked.addWidget(self.table, 3)
        stacked.addWidget(caption)
        stacked.addWidget(self._scrolled(self.held_chart), 2)
        return tab

    def _london_tab(self) -> QWidget:
        self.fields: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (
            ("held", "Engagements held"),
            ("attendees", "Attendees"),
            ("outreach", "Hard-to-reach outreach engagements"),
            ("monitored", "Attendees monitored"),
            ("unreached", "Groups not reached"),
            ("with_outcome", "Findings with an outcome"),
            ("changed", "Findings that changed a decision"),
            ("within", "Engagements with feedback in time"),
            ("methods", "Methods used"),
            ("cost_total", "Total cost"),
            ("per_participant", "Cost per participant"),
            ("tired", "Organisations consulted often"),
        ):
            value = QLabel("…")
            value.setAccessibleName(label)
            value.setWordWrap(True)
            name = QLabel(f"{label}:")
            name.setBuddy(value)
            self.fields[key], self._names[key] = value, name
            form.addRow(name, value)
        figures = QGroupBox("London-wide")
        figures.setLayout(form)
        self.group_chart = BarChart(
            "Share of monitored attendance by priority group, against London's baseline",
            _percent,
            rows=8,
            bars=3,
        )
        caption = QLabel(self.group_chart.title)
        caption.setWordWrap(True)
        caption.setBuddy(self.group_chart)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(figures)
        column.addWidget(caption)
        column.addWidget(self.group_chart)
        column.addStretch(1)
        return self._scrolled(body)

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        return scroll

    # -- the period ----------------------------------------------------------------------------

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Work out the period's report in the background; the newest answer is shown."""
        self.loaded = True
        self._generation += 1
        generation, central, period = self._generation, self.central, self.period
        threshold = self.settings.fatigue_threshold

        def work(_progress: object, _cancelled: object) -> tuple[int, LondonData]:
            with central.session() as session:
                return generation, london_figures(session, period, fatigue_threshold=threshold)

        self.status.setText(f"Working out London's indicators for {period.long_label}…")
        self._set_exporting(False)
        self._start(work, self._figures_arrived, self._failed)

    @property
    def generation(self) -> int:
        """How many times the page has begun working a period out."""
        return self._generation

    @property
    def working(self) -> bool:
        """Whether a period's figures or small counts are still being worked out."""
        return any(not job.done for job in self._jobs)

    def _start(
        self,
        work: Callable[[object, object], object],
        succeeded: Callable[[Any], None],
        failed: Callable[[KnownError], None],
    ) -> BackgroundJob:
        job = BackgroundJob(work)
        job.signals.succeeded.connect(succeeded)
        job.on_failure(failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job

    def _figures_arrived(self, result: tuple[int, LondonData]) -> None:
        """The figures are shown at once; which small counts to withhold (over London, every
        borough and every period of the year: the slow part) is worked out after."""
        generation, data = result
        if generation != self._generation:  # an older answer finishing late is not shown
            return
        self.data = data
        self._show()
        self.figures_shown.emit()
        central = self.central

        def work(_progress: object, _cancelled: object) -> tuple[int, LondonData]:
            with central.session() as session:
                return generation, london_withheld(session, data)

        self._start(work, self._withheld_arrived, self._failed)

    def _withheld_arrived(self, result: tuple[int, LondonData]) -> None:
        generation, data = result
        if generation == self._generation:
            self.data = data
            self._show()
            self._set_exporting(True)
            self.shown.emit()

    def _failed(self, exc: KnownError) -> None:
        self.status.setText(f"London's indicators could not be worked out: {exc}")

    def _set_exporting(self, enabled: bool) -> None:
        self.withhold.setEnabled(enabled)
        self.csv_button.setEnabled(enabled)
        self.xlsx_button.setEnabled(enabled)
        quarterly = self.period.kind == PeriodKind.QUARTER
        self.pdf_button.setEnabled(enabled and quarterly)
        self.pdf_button.setToolTip("" if quarterly else "The London return is for a quarter.")

    # -- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        data = self.data
        if data is None:
            return
        withheld = self.withhold.isChecked()
        now, before = data.period.label, data.period.previous().label
        if withheld and not data.withheld_known:  # never a small count meant to be withheld
            self.model.set_lines([], now, before)
            self.status.setText(
                f"Working out which small counts to withhold for {data.period.long_label}…"
            )
            return
        london, boroughs = comparison(data, withhold=withheld)
        self.model.set_lines([london, *boroughs], now, before)
        self.table.resizeRowsToContents()
        header = self.table.horizontalHeader()
        for column in range(1, self.model.columnCount()):  # the two-line headings in full
            needed = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            self.table.setColumnWidth(column, max(92, needed))
        active = [b for b in boroughs if b.now[0].value or b.before[0].value]
        self.held_chart.set_data(
            [b.name for b in active],
            [
                Series(now, NOW, [b.now[0].number for b in active]),
                Series(before, BEFORE, [b.before[0].number for b in active]),
            ],
        )
        view = page_view(data.report.london, for_export=withheld)
        for field in view.fields:
            if field.key in self.fields:
                self.fields[field.key].setText(field.text)
                self._names[field.key].setText(f"{field.label}:")
                self.fields[field.key].setAccessibleName(field.label)
        shares = view.group_shares
        self.group_chart.set_data(
            shares.categories,
            [
                Series(now, NOW, list(shares.now)),
                Series(before, BEFORE, list(shares.before)),
                Series("London baseline", BASELINE, list(shares.baseline)),
            ],
        )
        self.status.setText(
            f"London and {plural(len(boroughs), 'borough')} with trusted devices, "
            f"{data.period.long_label}, against {data.period.previous().long_label}; "
            f"{plural(len(active), 'borough')} held engagements in one or the other"
            + (", small counts withheld as in the exports." if withheld else ".")
            + ("" if data.withheld_known else " Working out which small counts to withhold…")
        )

    def line(self, code: str) -> ComparisonLine:
        """The shown line of a borough (its code; "" for London)."""
        return next(line for line in self.model.lines if line.code == code)

    # -- export -------------------------------------------------------------------------------

    def export(self, fmt: str, path: Path | None = None) -> BackgroundJob | None:
        """Write London and the boroughs as CSV or XLSX, or the London return as PDF (asks
        where unless given `path`); small counts withheld in all three."""
        data = self.data
        if data is None:
            return None
        if path is None:
            path = self._ask_where(fmt, data)
            if path is None:
                return None
        chosen = path

        def work(_progress: object, _cancelled: object) -> Path:
            if fmt == "pdf":
                return write_london_return(chosen, data)
            writer = export.write_csv if fmt == "csv" else export.write_xlsx
            return writer(chosen, data.reports())

        self.status.setText(f"Writing {chosen}…")
        return self._start(work, self._exported, self._export_failed)

    def _ask_where(self, fmt: str, data: LondonData) -> Path | None:
        stem = "london-return" if fmt == "pdf" else "london-indicators"
        filters = {
            "csv": "CSV files (*.csv)",
            "xlsx": "Excel workbooks (*.xlsx)",
            "pdf": "PDF documents (*.pdf)",
        }
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Write the London return" if fmt == "pdf" else f"Export as {fmt.upper()}",
            start_path(f"{stem}-{data.period.label}.{fmt}"),
            filters[fmt],
        )
        if not name:
            return None
        remember(name)
        path = Path(name)
        return path if path.suffix.lower() == f".{fmt}" else path.with_name(f"{path.name}.{fmt}")


def _percent(value: float) -> str:
    return format_value(value, "share")
