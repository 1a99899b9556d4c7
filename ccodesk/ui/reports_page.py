"""The Reports page: the performance indicators for a month, quarter or year, with charts,
against the period before and the borough's baseline; exported to CSV or XLSX.

What each field says comes from the presenter the exports use
(`services/indicator_presenter.page_view`), so the page names, compares and, with "Withhold
small counts", withholds every figure as an export of the same period does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services import indicator_export as export
from ccodesk.services.indicator_presenter import Bars, format_value, page_layout, page_view
from ccodesk.services.indicator_results import IndicatorReport
from ccodesk.services.indicators import build_report
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.reference import borough_name
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.bar_chart import BarChart, Series
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.period_picker import ExportStatus, PeriodPicker, withhold_box

NOW, BEFORE, BASELINE = "#2b5797", "#9fb6d8", "#d9822b"


class ReportsPage(PeriodPicker, ExportStatus, LoadOnShow):
    """Indicators for the chosen period; the queries run on the thread pool."""

    report_shown = Signal()  # a report arrived from the store and is on screen
    exported = Signal(str)  # the path of a file written
    export_failed = Signal(str)  # what went wrong, in words

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.period = Period.containing(PeriodKind.QUARTER, today or dt.date.today())
        self.report: IndicatorReport | None = None
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self._generation = 0

        bar = self._period_bar()
        below = self._status_and_exports()
        scroll = self._figures()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(below)
        layout.addWidget(scroll, 1)
        self._show_period()

    # -- building the page -------------------------------------------------------------------

    def _period_bar(self) -> QHBoxLayout:
        """The period's kind, Previous, the period shown and Next."""
        bar = QHBoxLayout()
        for widget in self.period_controls():
            bar.addWidget(widget)
        bar.addStretch(1)
        return bar

    def _status_and_exports(self) -> QHBoxLayout:
        """The status line, and the exports beside it (the top row stays short)."""
        self.status = QLabel()
        self.status.setAccessibleName("Report status")
        self.status.setWordWrap(True)
        self.withhold = withhold_box()
        self.withhold.toggled.connect(self._withhold_toggled)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setAccessibleName("Export the report as CSV")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.xlsx_button = QPushButton("Export XLSX…")
        self.xlsx_button.setAccessibleName("Export the report as an XLSX workbook")
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        below = QHBoxLayout()
        below.addWidget(self.status, 1)
        below.addWidget(self.withhold)
        below.addWidget(self.csv_button)
        below.addWidget(self.xlsx_button)
        return below

    def _figures(self) -> QScrollArea:
        """The indicators' boxes, in a scroll area that reflows them into one or two columns."""
        self.fields: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.method_chart = BarChart("Engagements by method", rows=10, bars=2)
        self.group_chart = BarChart(
            "Share of monitored attendance by priority group", _percent, rows=8, bars=3
        )
        self.attendees_by = QListWidget()
        self.attendees_by.setAccessibleName("Attendees by kind and by method")
        self.attendees_by.setMaximumHeight(110)
        self.tired = QListWidget()
        self.tired.setAccessibleName("Organisations consulted more than the threshold")
        self.tired.setMaximumHeight(110)
        self.boxes: list[QGroupBox] = self._indicator_boxes()
        self.grid = QGridLayout()
        self._columns = 0
        body = QWidget()
        body.setLayout(self.grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.figures_scroll = scroll
        scroll.viewport().installEventFilter(self)
        self._reflow(1)
        return scroll

    def _indicator_boxes(self) -> list[QGroupBox]:
        """One box per indicator family, as the presenter lays them out; its figures go into
        `self.fields`, their names into `self.labels`."""
        extras: dict[str, list[QWidget]] = {
            "Participation": [self.method_chart, self.attendees_by],
            "Representation": [self.group_chart],
            "Consultee fatigue": [self.tired],
        }
        boxes = [
            self._box(family, fields, extras.get(family, []))
            for family, fields in page_layout(self.settings.fatigue_threshold)
        ]
        # two lines from the start: a page that grows once its figures arrive would need
        # its scroll area laid out again
        self.fields["access"].setMinimumHeight(2 * self.fontMetrics().lineSpacing())
        return boxes

    # -- layout: two columns of boxes where there is room, one on a narrow screen ----------

    def _reflow(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for box in self.boxes:
            self.grid.removeWidget(box)
        *pairs, last = self.boxes  # the fatigue list spans the page
        for number, box in enumerate(pairs):
            self.grid.addWidget(box, number // columns, number % columns)
        self.grid.addWidget(last, (len(pairs) + columns - 1) // columns, 0, 1, columns)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.figures_scroll.viewport() and event.type() == QEvent.Type.Resize:
            widest = max(box.minimumSizeHint().width() for box in self.boxes[:-1])
            room = self.figures_scroll.viewport().width()
            self._reflow(2 if room >= 2 * widest + 3 * self.grid.spacing() + 40 else 1)
        return super().eventFilter(watched, event)

    def _box(
        self, title: str, rows: tuple[tuple[str, str], ...], extras: list[QWidget]
    ) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout()
        for key, label in rows:
            value = QLabel("…")
            value.setAccessibleName(label)
            name = QLabel(f"{label}:")
            name.setBuddy(value)
            self.fields[key], self.labels[key] = value, name
            form.addRow(name, value)
        column = QVBoxLayout(box)
        column.addLayout(form)
        for extra in extras:
            if isinstance(extra, BarChart):
                caption = QLabel(extra.title)
                caption.setBuddy(extra)
                column.addWidget(caption)
            column.addWidget(extra)
        column.addStretch(1)  # a box beside a taller one keeps its figures together at the top
        return box

    # -- the period ----------------------------------------------------------------------------

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the period's report in the background; the newest answer is shown."""
        self.loaded = True
        self._generation += 1
        generation, store, period = self._generation, self.store, self.period
        threshold = self.settings.fatigue_threshold
        area = borough_name(store.borough_code) or "This store"

        def work(_progress: object, _cancelled: object) -> tuple[int, IndicatorReport]:
            with store.session() as session:
                report = build_report(
                    session,
                    period,
                    area=area,
                    borough_code=store.borough_code,
                    fatigue_threshold=threshold,
                )
            return generation, report

        self.status.setText(f"Working out the indicators for {period.long_label}…")
        self._set_exporting(False)
        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._arrived)
        job.on_failure(self._failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()

    def _arrived(self, result: tuple[int, IndicatorReport]) -> None:
        generation, report = result
        if generation == self._generation:  # an older query finishing late is not shown
            self.show_report(report)

    def _failed(self, exc: KnownError) -> None:
        self.status.setText(f"The indicators could not be worked out: {exc}")

    def _set_exporting(self, enabled: bool) -> None:
        self.csv_button.setEnabled(enabled)
        self.xlsx_button.setEnabled(enabled)

    def show_report(self, report: IndicatorReport) -> None:
        self.report = report
        self._show_view(report)
        self._set_exporting(True)
        self.report_shown.emit()

    def _withhold_toggled(self) -> None:
        if self.report is not None:
            self._show_view(self.report)

    def _show_view(self, report: IndicatorReport) -> None:
        """Every field, list and chart from the presenter's view of the report."""
        withheld = self.withhold.isChecked()
        view = page_view(report, for_export=withheld)
        for field in view.fields:
            self.fields[field.key].setText(field.text)
            self.fields[field.key].setAccessibleName(field.label)
            self.labels[field.key].setText(f"{field.label}:")
        self.fields["methods"].setToolTip("\n".join(view.methods_used))
        for widget, lines in ((self.attendees_by, view.attendees_by), (self.tired, view.tired)):
            widget.clear()
            widget.addItems(list(lines))
        self._show_charts(report, view.by_method, view.group_shares)
        self.status.setText(
            f"{report.area}, {report.period.long_label}: held engagements that started in "
            f"the period, against {report.period.previous().long_label}"
            + (", small counts withheld as in the exports." if withheld else ".")
        )

    def _show_charts(self, report: IndicatorReport, by_method: Bars, shares: Bars) -> None:
        """Engagements by method, and shares by priority group against the baseline."""
        now, before = report.period.label, report.period.previous().label
        self.method_chart.set_data(
            by_method.categories,
            [Series(now, NOW, list(by_method.now)), Series(before, BEFORE, list(by_method.before))],
        )
        self.group_chart.set_data(
            shares.categories,
            [
                Series(now, NOW, list(shares.now)),
                Series(before, BEFORE, list(shares.before)),
                Series("Baseline", BASELINE, list(shares.baseline)),
            ],
        )

    # -- export -------------------------------------------------------------------------------

    def export(self, fmt: str) -> BackgroundJob | None:
        """Ask where, then write the shown report as CSV or XLSX (small counts suppressed)."""
        report = self.report
        if report is None:
            return None
        suggested = f"{report.area.lower().replace(' ', '-')}-indicators-{report.period.label}"
        name, _ = QFileDialog.getSaveFileName(
            self,
            f"Export the indicators as {fmt.upper()}",
            start_path(f"{suggested}.{fmt}"),
            "CSV files (*.csv)" if fmt == "csv" else "Excel workbooks (*.xlsx)",
        )
        if not name:
            return None
        remember(name)
        path = Path(name)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        writer = export.write_csv if fmt == "csv" else export.write_xlsx

        def work(_progress: object, _cancelled: object) -> Path:
            return writer(path, [report])

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._exported)
        job.on_failure(self._export_failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        self.status.setText(f"Writing {path}…")
        job.start()
        return job


def _percent(value: float) -> str:
    return format_value(value, "share")
