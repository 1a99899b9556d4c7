"""The Reports page: the performance indicators for a month, quarter or year, with charts,
against the period before and the borough's baseline; exported to CSV or XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
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
from ccodesk.services.indicator_results import IndicatorReport
from ccodesk.services.indicators import FEEDBACK_DAYS, build_report
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.reference import borough_name
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.bar_chart import BarChart, Series
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.indicator_texts import field_texts, pct
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.words import plural

NOW, BEFORE, BASELINE = "#2b5797", "#9fb6d8", "#d9822b"
KINDS = (("Month", PeriodKind.MONTH), ("Quarter", PeriodKind.QUARTER), ("Year", PeriodKind.YEAR))


class ReportsPage(LoadOnShow):
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
        self.kind = QComboBox()
        self.kind.setAccessibleName("Period kind")
        for label, kind in KINDS:
            self.kind.addItem(label, kind.value)
        self.kind.setCurrentIndex(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        kind_label = QLabel("&Period:")
        kind_label.setBuddy(self.kind)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setAccessibleName("Previous period")
        self.previous_button.setShortcut(QKeySequence("Alt+Left"))
        self.previous_button.clicked.connect(lambda: self.set_period(self.period.previous()))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Period shown")
        # as wide as the widest period, so Next stays under the pointer when clicked again
        bold = QFont(self.period_label.font())
        bold.setBold(True)
        widest = QFontMetrics(bold).horizontalAdvance("Q4 2026 (September to December)")
        self.period_label.setMinimumWidth(widest + 8)
        self.period_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setAccessibleName("Next period")
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.next_button.clicked.connect(lambda: self.set_period(self.period.next()))
        bar = QHBoxLayout()
        for widget in (kind_label, self.kind, self.previous_button, self.period_label):
            bar.addWidget(widget)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        return bar

    def _status_and_exports(self) -> QHBoxLayout:
        """The status line, and the exports beside it (the top row stays short)."""
        self.status = QLabel()
        self.status.setAccessibleName("Report status")
        self.status.setWordWrap(True)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setAccessibleName("Export the report as CSV")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.xlsx_button = QPushButton("Export XLSX…")
        self.xlsx_button.setAccessibleName("Export the report as an XLSX workbook")
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        below = QHBoxLayout()
        below.addWidget(self.status, 1)
        below.addWidget(self.csv_button)
        below.addWidget(self.xlsx_button)
        return below

    def _figures(self) -> QScrollArea:
        """The indicators' boxes, in a scroll area that reflows them into one or two columns."""
        self.fields: dict[str, QLabel] = {}
        self.method_chart = BarChart("Engagements by method", rows=10, bars=2)
        self.group_chart = BarChart(
            "Share of monitored attendance by priority group", pct, rows=8, bars=3
        )
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
        """One box per indicator family; its figures go into `self.fields`."""
        boxes = [
            self._box(
                "Participation",
                ("held", "Engagements held"),
                ("attendees", "Attendees"),
                ("outreach", "Hard-to-reach outreach"),
                extra=self.method_chart,
            ),
            self._box(
                "Representation",
                ("monitored", "Attendees monitored"),
                ("unreached", "Groups not reached"),
                extra=self.group_chart,
            ),
            self._box(
                "Effective use of information",
                ("findings", "Findings"),
                ("with_outcome", "With an outcome"),
                ("changed", "Of those, changed a decision"),
            ),
            self._box(
                "Feedback",
                ("within", f"Feedback within {FEEDBACK_DAYS} days"),
                ("median", "Median days to feedback"),
            ),
            self._box(
                "Inclusivity",
                ("methods", "Methods used"),
                ("venues", "Venues in communities' own places"),
                ("access", "Access arrangements"),
            ),
            self._box(
                "Cost",
                ("cost_total", "Direct costs + officer time"),
                ("per_engagement", "Per engagement"),
                ("per_participant", "Per participant"),
            ),
            self._box("Consultee fatigue", ("tired", "Consulted too often"), extra=self.tired),
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

    def _box(self, title: str, *rows: tuple[str, str], extra: QWidget | None = None) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout()
        for key, label in rows:
            value = QLabel("…")
            value.setAccessibleName(label)
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        column = QVBoxLayout(box)
        column.addLayout(form)
        if isinstance(extra, BarChart):
            caption = QLabel(extra.title)
            caption.setBuddy(extra)
            column.addWidget(caption)
        if extra is not None:
            column.addWidget(extra)
        return box

    # -- the period ----------------------------------------------------------------------------

    def _kind_changed(self, index: int) -> None:
        kind = PeriodKind(self.kind.itemData(index))
        self.set_period(Period.containing(kind, self.period.start))

    def set_period(self, period: Period) -> None:
        """Show another period (the kind picker follows)."""
        self.period = period
        index = self.kind.findData(period.kind.value)
        if index != self.kind.currentIndex():
            self.kind.blockSignals(True)
            self.kind.setCurrentIndex(index)
            self.kind.blockSignals(False)
        self._show_period()
        self.refresh()

    def _show_period(self) -> None:
        self.period_label.setText(f"<b>{self.period.long_label}</b>")

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
        now = report.current
        for key, text in field_texts(now, report.previous).items():
            self.fields[key].setText(text)
        self.fields["methods"].setToolTip("\n".join(now.inclusivity.methods))
        self.tired.clear()
        for org in now.fatigue.tired:
            self.tired.addItem(f"{org.name}: {plural(org.consultations, 'time')}")
        self._show_charts(report)
        self.status.setText(
            f"{report.area}, {report.period.long_label}: held engagements that started in "
            f"the period, against {report.period.previous().long_label}."
        )
        self._set_exporting(True)
        self.report_shown.emit()

    def _show_charts(self, report: IndicatorReport) -> None:
        """Engagements by method, and shares by priority group against the baseline."""
        now, before = report.current, report.previous
        methods, groups = now.participation.by_method, now.representation.groups
        self.method_chart.set_data(
            [line.name for line in methods],
            [
                Series(report.period.label, NOW, [line.engagements for line in methods]),
                Series(
                    report.period.previous().label,
                    BEFORE,
                    [line.engagements for line in before.participation.by_method],
                ),
            ],
        )
        baseline = [report.baselines.get(g.code) for g in groups]
        self.group_chart.set_data(
            [g.name for g in groups],
            [
                Series(report.period.label, NOW, [g.share for g in groups]),
                Series(
                    report.period.previous().label,
                    BEFORE,
                    [g.share for g in before.representation.groups],
                ),
                Series(
                    "Baseline",
                    BASELINE,
                    [None if b is None else b.share_percent / 100 for b in baseline],
                ),
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

    def _exported(self, path: Path) -> None:
        self.status.setText(
            f"Wrote {path} (counts of people under {export.SMALL} are shown as "
            f"{export.SUPPRESSED_COUNT!r})."
        )
        self.exported.emit(str(path))

    def _export_failed(self, exc: KnownError) -> None:
        self.status.setText(str(exc))
        self.export_failed.emit(str(exc))
