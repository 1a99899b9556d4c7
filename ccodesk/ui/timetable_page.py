"""The Timetable: a month or week calendar of engagements and planning-cycle milestones."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.fileio import atomic_write_bytes
from ccodesk.services.calendar_ics import export_ics, import_ics
from ccodesk.services.timetable import CalendarItem, calendar_items
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob, ProgressDialog
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.qtdates import pydate, qdate

log = logging.getLogger("ccodesk.ui")
ENGAGEMENT_COLOUR = QColor("#dbe9f6")
JOINT_COLOUR = QColor("#f9e0b0")


def _py(day: QDate) -> dt.date:
    return pydate(day)


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


class TimetablePage(LoadOnShow):
    """Month and week views; double-click a day to plan an engagement on it."""

    engagement_activated = Signal(str)
    new_requested = Signal(object)  # a datetime: when the new engagement starts

    def __init__(
        self, store: Store, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.current = today or dt.date.today()
        self.items: list[CalendarItem] = []

        self.month_button = QPushButton("&Month")
        self.week_button = QPushButton("&Week")
        modes = QButtonGroup(self)
        for button in (self.month_button, self.week_button):
            button.setCheckable(True)
            modes.addButton(button)
        self.month_button.setChecked(True)
        self.previous = QPushButton("◀")
        self.previous.setAccessibleName("Previous period")
        self.next = QPushButton("▶")
        self.next.setAccessibleName("Next period")
        self.today_button = QPushButton("&Today")
        self.period = QLabel()
        self.period.setAccessibleName("Period shown")
        self.export_button = QPushButton("E&xport to calendar (.ics)…")
        self.import_button = QPushButton("&Import .ics…")

        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Month calendar")
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setNavigationBarVisible(False)
        self.week = QTreeWidget()
        self.week.setAccessibleName("Week")
        self.week.setHeaderHidden(True)
        self.views = QStackedWidget()
        self.views.addWidget(self.calendar)
        self.views.addWidget(self.week)
        self.day_list = QListWidget()
        self.day_list.setAccessibleName("On the selected day")

        top = QHBoxLayout()
        for widget in (
            self.month_button,
            self.week_button,
            self.previous,
            self.today_button,
            self.next,
        ):
            top.addWidget(widget)
        top.addWidget(self.period, 1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        split = QSplitter()
        split.addWidget(self.views)
        split.addWidget(self.day_list)
        split.setSizes([760, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(
            QLabel(
                "Double-click a day to plan an engagement on it. "
                "Orange: joint meetings with the BLO or CSO."
            )
        )

        modes.buttonClicked.connect(lambda _b: self.refresh())
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(lambda: self.go_to(dt.date.today()))
        self.calendar.selectionChanged.connect(self._day_selected)
        self.calendar.activated.connect(lambda d: self._new_on(_py(d)))
        self.day_list.itemActivated.connect(self._item_activated)
        self.week.itemActivated.connect(self._item_activated)
        self.export_button.clicked.connect(self.export_dialog)
        self.import_button.clicked.connect(self.import_dialog)

    # navigation ----------------------------------------------------------------------------
    def period_range(self) -> tuple[dt.date, dt.date]:
        if self.week_button.isChecked():
            start = self.current - dt.timedelta(days=self.current.weekday())
            return start, start + dt.timedelta(days=7)
        return _month(self.current)

    def step(self, direction: int) -> None:
        if self.week_button.isChecked():
            self.go_to(self.current + dt.timedelta(days=7 * direction))
        else:
            start, end = _month(self.current)
            self.go_to(end if direction > 0 else (start - dt.timedelta(days=1)).replace(day=1))

    def go_to(self, day: dt.date) -> None:
        self.current = day
        self.refresh()

    def refresh(self) -> None:
        self.loaded = True
        start, end = self.period_range()
        with self.store.session() as s:
            self.items = calendar_items(s, start, end)
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear old marks
        self.calendar.setCurrentPage(self.current.year, self.current.month)
        self.calendar.setSelectedDate(qdate(self.current))
        by_day: dict[dt.date, list[CalendarItem]] = {}
        for item in self.items:
            by_day.setdefault(item.day, []).append(item)
        for day, items in by_day.items():
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            colour = JOINT_COLOUR if any(i.joint for i in items) else ENGAGEMENT_COLOUR
            fmt.setBackground(QBrush(colour))
            if any(i.milestone for i in items):
                fmt.setFontUnderline(True)
            fmt.setToolTip("\n".join(i.label() for i in items))
            self.calendar.setDateTextFormat(qdate(day), fmt)
        self.week.clear()
        if self.week_button.isChecked():
            for offset in range(7):
                day = start + dt.timedelta(days=offset)
                parent = QTreeWidgetItem([f"{day:%A %d %B}"])
                for item in by_day.get(day, []):
                    child = QTreeWidgetItem([item.label()])
                    child.setData(0, Qt.ItemDataRole.UserRole, item.engagement_id)
                    parent.addChild(child)
                self.week.addTopLevelItem(parent)
                parent.setExpanded(True)
            self.views.setCurrentWidget(self.week)
            self.period.setText(f"Week of {start:%d %B %Y}")
        else:
            self.views.setCurrentWidget(self.calendar)
            self.period.setText(f"{start:%B %Y}")
        self._show_day(self.current)

    # days and items ------------------------------------------------------------------------
    def _day_selected(self) -> None:
        day = _py(self.calendar.selectedDate())
        if _month(day) != _month(self.current):
            self.current = day
            self.refresh()
        else:
            self.current = day
            self._show_day(day)

    def _show_day(self, day: dt.date) -> None:
        self.day_list.clear()
        for item in (i for i in self.items if i.day == day):
            row = QListWidgetItem(item.label())
            row.setData(Qt.ItemDataRole.UserRole, item.engagement_id)
            self.day_list.addItem(row)
        if not self.day_list.count():
            self.day_list.addItem(f"Nothing on {day:%a %d %b}.")

    def _item_activated(self, item: QListWidgetItem | QTreeWidgetItem) -> None:
        data = (
            item.data(Qt.ItemDataRole.UserRole)
            if isinstance(item, QListWidgetItem)
            else item.data(0, Qt.ItemDataRole.UserRole)
        )
        if data:
            self.engagement_activated.emit(data)

    def _new_on(self, day: dt.date) -> None:
        self.new_requested.emit(dt.datetime.combine(day, dt.time(18, 0)))

    # iCalendar ---------------------------------------------------------------------------
    def export_to(self, path: Path) -> int:
        """Write the period shown to `path` as iCalendar; return how many events."""
        start, end = self.period_range()
        return write_ics(self.store, start, end, path)

    def import_from(self, path: Path) -> str:
        """Import an .ics file; return a summary of what happened."""
        summary = read_ics(self.store, path)
        self.refresh()
        return summary

    def _in_background(
        self,
        title: str,
        work: Callable[[], object],
        done: Callable[[object], object],
        start: bool = True,
    ) -> BackgroundJob:
        def run(
            progress: Callable[[int, int, str], None], _cancelled: Callable[[], bool]
        ) -> object:
            progress(0, 1, title)
            result = work()
            progress(1, 1, "Done")
            return result

        job = BackgroundJob(run)
        self._progress = ProgressDialog(job, title, self)
        job.signals.succeeded.connect(done)
        job.signals.failed.connect(
            lambda exc: QMessageBox.warning(self, "ccodesk", f"{title} failed: {exc}")
        )
        if start:
            job.start()
        self._job = job  # keep it alive until it reports
        return job

    def export_dialog(self) -> None:
        start, end = self.period_range()
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to calendar", f"ccodesk-{start:%Y-%m}.ics", "iCalendar (*.ics)"
        )
        if name:
            self._in_background(
                "Exporting the calendar",
                lambda: write_ics(self.store, start, end, Path(name)),
                lambda count: QMessageBox.information(
                    self, "ccodesk", f"Exported {count} engagements to {name}."
                ),
            )

    def import_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a calendar", "", "iCalendar (*.ics)")
        if name:

            def done(summary: object) -> None:
                self.refresh()
                QMessageBox.information(self, "ccodesk", f"Imported {Path(name).name}: {summary}")

            self._in_background(
                "Importing the calendar", lambda: read_ics(self.store, Path(name)), done
            )


def write_ics(store: Store, start: dt.date, end: dt.date, path: Path) -> int:
    """Write the engagements starting in [start, end) to `path` (atomically); how many."""
    with store.session() as s:
        data = export_ics(
            s, dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
        )
    atomic_write_bytes(path, data)
    count = data.count(b"BEGIN:VEVENT")
    log.info("exported %d events to %s", count, path)
    return count


def read_ics(store: Store, path: Path) -> str:
    """Import an .ics file in one transaction (all or nothing); a summary of what happened."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnownError(f"Could not read {path}: {exc.strerror}") from exc
    with store.transaction() as s:
        report = import_ics(s, data)
    return report.summary() + "".join(f"\n• skipped {why}" for why in report.skipped)
