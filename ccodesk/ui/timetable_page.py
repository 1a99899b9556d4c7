"""The Timetable: a month or week calendar of engagements and planning-cycle milestones.

The month (`month_view.MonthView`) lists each day's entries in its cell; the week
(`week_view.WeekView`) is a time grid. The page queries only the days shown, in the
background, and turns what the views ask for (open, plan, a context menu, "+N more") into
its two signals and its menus.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QFont, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason, stop_if_cancelled
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import EngagementKind
from ccodesk.services.calendar_ics import export_ics
from ccodesk.services.calendar_import import ImportPlan, apply_import, plan_import, read_calendar
from ccodesk.services.timetable import CalendarItem, calendar_items
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob, Progress, ProgressDialog
from ccodesk.ui.calendar_import_dialog import CalendarImportDialog
from ccodesk.ui.calendar_view import (
    ENGAGEMENT_COLOUR,
    JOINT_COLOUR,
    LEGEND,
    MILESTONE_COLOUR,
    PLAN_HOUR,
    WINDOW_COLOUR,
    CalendarView,
    day_words,
    edge_colour,
    fill_colour,
)
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.month_view import MonthView, month_grid
from ccodesk.ui.week_view import WeekView, week_of
from ccodesk.words import plural

log = logging.getLogger("ccodesk.ui")
__all__ = [
    "ENGAGEMENT_COLOUR",
    "JOINT_COLOUR",
    "MILESTONE_COLOUR",
    "WINDOW_COLOUR",
    "TimetablePage",
    "read_ics",
    "write_ics",
]


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _swatch(item: CalendarItem) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(fill_colour(item))
    return QIcon(pixmap)


def _legend() -> str:
    keys = "".join(
        f'<span style="background-color:{colour.name()}; color:{edge_colour(colour).name()}">'
        f"&nbsp;■&nbsp;</span>&nbsp;{words}&nbsp;&nbsp; "
        for colour, words in LEGEND
    )
    return keys


class TimetablePage(LoadOnShow):
    """Month and week views of engagements and the consultation timetable."""

    engagement_activated = Signal(str)
    new_requested = Signal(object)  # a datetime: when the new engagement starts
    period_loaded = Signal()  # the entries of the days shown arrived from the store
    status_changed = Signal()  # a calendar was imported (changes await the centre)

    def __init__(
        self, store: Store, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.import_preview: CalendarImportDialog | None = None  # the last import's preview
        self.import_message: QMessageBox | None = None  # and what it did
        self.store = store
        self._today = today
        self.current = self.today
        self.items: list[CalendarItem] = []
        self._generation = 0
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self.menu: QMenu | None = None  # the last context or day menu shown

        self.month_button = QPushButton("&Month")
        self.week_button = QPushButton("&Week")
        # not an exclusive QButtonGroup: Tab would then reach only the checked one
        for button in (self.month_button, self.week_button):
            button.setCheckable(True)
        self.month_button.setChecked(True)
        self.previous = QToolButton()
        self.previous.setText("◀")
        self.previous.setAccessibleName("Previous period")
        self.previous.setToolTip("Previous month or week (Page Up)")
        self.next = QToolButton()
        self.next.setText("▶")
        self.next.setAccessibleName("Next period")
        self.next.setToolTip("Next month or week (Page Down)")
        for arrow in (self.previous, self.next):
            arrow.setMinimumSize(32, self.month_button.sizeHint().height())
        self.today_button = QPushButton("&Today")
        self.today_button.setToolTip("Go to today (Ctrl+Home)")
        self.period = QLabel()
        self.period.setAccessibleName("Period shown")
        font = QFont(self.period.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.period.setFont(font)
        self.import_button = QPushButton("&Import .ics…")
        self.import_button.setToolTip("Import a calendar file (.ics), such as a BLO's invitation")
        self.export_button = QPushButton("E&xport .ics…")
        self.export_button.setToolTip(
            "Export the month or week shown to a calendar file (.ics) for Outlook"
        )

        self.month_view = MonthView()
        self.week_view = WeekView()
        self.views = QStackedWidget()
        self.views.addWidget(self.month_view)
        self.views.addWidget(self.week_view)
        self.legend = QLabel(_legend())
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Colours and how to use the calendar")

        top = QHBoxLayout()
        for widget in (
            self.month_button,
            self.week_button,
            self.previous,
            self.today_button,
            self.next,
        ):
            top.addWidget(widget)
        top.addSpacing(8)
        top.addWidget(self.period, 1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.legend)
        order = (
            self.month_button,
            self.week_button,
            self.previous,
            self.today_button,
            self.next,
            self.import_button,
            self.export_button,
            self.month_view,
            self.week_view,
        )
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

        self.month_button.clicked.connect(lambda: self.show_mode(week=False))
        self.week_button.clicked.connect(lambda: self.show_mode(week=True))
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.go_to_today)
        self.export_button.clicked.connect(self.export_dialog)
        self.import_button.clicked.connect(self.import_dialog)
        for view in (self.month_view, self.week_view):
            view.entry_activated.connect(self._open)
            view.plan_requested.connect(self.new_requested)
            view.day_moved.connect(self._day_moved)
            view.context_requested.connect(self._context_menu)
            view.more_requested.connect(self._day_menu)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.step(-1)),
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.step(1)),
            (QKeySequence("Ctrl+Home"), self.go_to_today),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # focusing the page (as the window does when it shows it) focuses the calendar; not a
        # focus proxy, which would put the calendar first in the Tab order
        super().focusInEvent(event)
        self.view.setFocus(event.reason())

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def show_mode(self, *, week: bool) -> None:
        """Show the week (or the month) around the current day."""
        self.week_button.setChecked(week)
        self.month_button.setChecked(not week)
        self.refresh()

    @property
    def view(self) -> CalendarView:
        """The view shown: the month or the week."""
        return self.week_view if self.week_button.isChecked() else self.month_view

    # navigation ----------------------------------------------------------------------------
    def period_range(self) -> tuple[dt.date, dt.date]:
        """The month or week shown: what an export writes."""
        if self.week_button.isChecked():
            start = self.current - dt.timedelta(days=self.current.weekday())
            return start, start + dt.timedelta(days=7)
        return _month(self.current)

    def shown_days(self) -> list[dt.date]:
        """Every day on screen (a month view shows whole weeks)."""
        if self.week_button.isChecked():
            return week_of(self.current)
        return month_grid(self.current)

    def step(self, direction: int) -> None:
        if self.week_button.isChecked():
            self.go_to(self.current + dt.timedelta(days=7 * direction))
        else:
            start, end = _month(self.current)
            target = end if direction > 0 else (start - dt.timedelta(days=1)).replace(day=1)
            # the same day of the month, where the month has it
            day = min(self.current.day, (_month(target)[1] - dt.timedelta(days=1)).day)
            self.go_to(target.replace(day=day))

    def go_to(self, day: dt.date) -> None:
        self.current = day
        self.refresh()

    def go_to_today(self) -> None:
        self.go_to(self.today)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        """Show the period's days now; its entries follow from the store (`period_loaded`)."""
        self.loaded = True
        days = self.shown_days()
        start, end = days[0], days[-1] + dt.timedelta(days=1)
        had_focus = self.month_view.hasFocus() or self.week_view.hasFocus()
        if self.week_button.isChecked():
            self.week_view.show_week(self.current, self.today, self.items)
            self.views.setCurrentWidget(self.week_view)
            last = start + dt.timedelta(days=6)
            self.period.setText(f"Week of {start.day} {start:%B %Y}")
            self.period.setToolTip(f"{day_words(start)} to {day_words(last)}")
        else:
            self.month_view.show_month(self.current, self.today, self.items)
            self.views.setCurrentWidget(self.month_view)
            self.period.setText(f"{self.current:%B %Y}")
            self.period.setToolTip("")
        if had_focus:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._generation += 1
        generation, store = self._generation, self.store

        def work(_progress: object, _cancelled: object) -> tuple[int, list[CalendarItem]]:
            with store.session() as session:
                return generation, calendar_items(session, start, end)

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._arrived)
        job.on_failure(self._failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()

    def _arrived(self, result: tuple[int, list[CalendarItem]]) -> None:
        generation, items = result
        if generation != self._generation:  # an older query finishing late is not shown
            return
        self.items = items
        self.view.set_items(items)
        self.period_loaded.emit()

    def _failed(self, exc: KnownError) -> None:
        QMessageBox.warning(self, "ccodesk", f"The timetable could not be loaded: {exc}")

    def _day_moved(self, day: dt.date) -> None:
        """The selection moved to `day`: show its month or week if it is not shown."""
        if self.week_button.isChecked():
            same = week_of(day)[0] == week_of(self.current)[0]
        else:
            same = (day.year, day.month) == (self.current.year, self.current.month)
        self.current = day
        if not same:
            self.refresh()

    # opening, planning, menus --------------------------------------------------------------
    def _open(self, item: CalendarItem) -> None:
        if item.engagement_id is not None:
            self.engagement_activated.emit(item.engagement_id)

    def _new_on(self, day: dt.date) -> None:
        self.new_requested.emit(dt.datetime.combine(day, PLAN_HOUR))

    def print_pack(self, engagement_id: str) -> QWidget:
        """The print dialog, set to this engagement's meeting pack."""
        from ccodesk.ui.printing import PrintDialog

        dialog = PrintDialog(self.store, engagement_id, document="pack", parent=self)
        dialog.open()
        return dialog

    def _context_menu(self, item: CalendarItem | None, when: dt.datetime, pos: QPoint) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        if item is not None and item.engagement_id is not None:
            engagement_id = item.engagement_id
            opening = menu.addAction("&Open")
            opening.triggered.connect(lambda: self.engagement_activated.emit(engagement_id))
            menu.setDefaultAction(opening)
            pack = menu.addAction("&Print meeting pack…")
            pack.triggered.connect(lambda: self.print_pack(engagement_id))
            menu.addSeparator()
            plan_text = f"Plan another engagement on {when:%a} {when.day} {when:%b}…"
        elif item is not None:
            details = menu.addAction(_swatch(item), item.title)
            details.setToolTip(item.details())
            details.triggered.connect(lambda: self.view.activate(item))
            menu.addSeparator()
            plan_text = f"Plan an &engagement on {when:%a} {when.day} {when:%b}…"
        else:
            at = f" at {when:%H:%M}" if self.week_button.isChecked() else ""
            plan_text = f"Plan an &engagement here ({when:%a} {when.day} {when:%b}{at})…"
        plan = menu.addAction(plan_text)
        plan.triggered.connect(lambda: self.new_requested.emit(when))
        if item is None:
            menu.setDefaultAction(plan)
        menu.addSeparator()
        shown = "week" if self.week_button.isChecked() else "month"
        export = menu.addAction(f"E&xport this {shown} to calendar (.ics)…")
        export.triggered.connect(self.export_dialog)
        importing = menu.addAction("&Import .ics…")
        importing.triggered.connect(self.import_dialog)
        self._show_menu(menu, pos)
        return menu

    def _day_menu(self, day: dt.date, pos: QPoint) -> QMenu:
        """Everything on `day` (what "+N more" hides): choose one to open it."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        heading = menu.addAction(day_words(day))
        heading.setEnabled(False)
        menu.addSeparator()
        for item in self.view.entries_on(day):
            action = menu.addAction(_swatch(item), item.label())
            action.setToolTip(item.details())
            action.triggered.connect(lambda _=False, chosen=item: self._chosen(chosen))
        menu.addSeparator()
        plan = menu.addAction("Plan an &engagement on this day…")
        plan.triggered.connect(lambda: self._new_on(day))
        self._show_menu(menu, pos)
        return menu

    def _chosen(self, item: CalendarItem) -> None:
        view = self.view
        entries = view.entries_on(item.day)
        if item in entries:
            view.select_day(item.day, entries.index(item))
        view.activate(item)

    def _show_menu(self, menu: QMenu, pos: QPoint) -> None:
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(pos)

    def menu_actions(self) -> list[QAction]:
        """The actions of the menu shown last (for tests and accessibility checks)."""
        return [] if self.menu is None else list(self.menu.actions())

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
        work: Callable[[Progress], object],
        done: Callable[[object], object],
        start: bool = True,
    ) -> BackgroundJob:
        """Run `work(progress)` off the UI thread behind a progress dialog; Cancel stops it at
        its next progress report (its transaction rolls back: nothing is written)."""

        def run(progress: Progress, cancelled: Callable[[], bool]) -> object:
            def report(done: int, total: int, what: str) -> None:
                stop_if_cancelled(cancelled)  # inside the work's transaction: rolled back
                progress(done, total, what)

            report(0, 1, title)
            result = work(report)
            progress(1, 1, "Done")
            return result

        def failed(exc: KnownError) -> None:
            QMessageBox.warning(self, "ccodesk", f"{title} failed: {exc}")

        job = BackgroundJob(run)
        self._progress = ProgressDialog(job, title, self)
        job.signals.succeeded.connect(done)
        job.on_failure(failed)  # Cancelled: nothing was written, nothing to say
        if start:
            job.start()
        self._job = job  # keep it alive until it reports
        return job

    def export_dialog(self) -> None:
        start, end = self.period_range()
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export to calendar",
            start_path(f"ccodesk-{start:%Y-%m}.ics"),
            "iCalendar (*.ics)",
        )
        remember(name)
        if name:

            def done(count: object) -> None:
                assert isinstance(count, int)
                QMessageBox.information(
                    self, "ccodesk", f"Exported {plural(count, 'engagement')} to {name}."
                )

            self._in_background(
                "Exporting the calendar",
                lambda _progress: write_ics(self.store, start, end, Path(name)),
                done,
            )

    def import_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a calendar", start_path(), "iCalendar (*.ics)"
        )
        remember(name)
        if name:
            self.preview_import(Path(name))

    def preview_import(self, path: Path) -> None:
        """Read and compare the file in the background, then show what would happen; the
        officer imports from the preview (or cancels, and nothing is written)."""

        def shown(plan: object) -> None:
            assert isinstance(plan, ImportPlan)
            dialog = CalendarImportDialog(path.name, plan, self)
            self.import_preview = dialog
            dialog.accepted.connect(lambda: self._import(path, dialog))
            dialog.open()

        self._in_background(
            "Reading the calendar", lambda progress: preview_ics(self.store, path, progress), shown
        )

    def _import(self, path: Path, dialog: CalendarImportDialog) -> None:
        default, kinds = dialog.chosen_default(), dialog.chosen_kinds()

        def done(summary: object) -> None:
            self.refresh()
            self.status_changed.emit()
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "ccodesk",
                f"Imported {path.name}: {summary}",
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.import_message = box  # kept, and shown without blocking
            box.open()

        self._in_background(
            "Importing the calendar",
            lambda progress: read_ics(
                self.store, path, default_kind=default, kinds=kinds, progress=progress
            ),
            done,
        )


def _quiet(_done: int, _total: int, _what: str) -> None:
    pass


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


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KnownError(f"Could not read {path}: {os_reason(exc)}") from exc


def preview_ics(store: Store, path: Path, progress: Progress = _quiet) -> ImportPlan:
    """What importing `path` would do (nothing is written)."""
    parsed = read_calendar(_read(path), progress=progress)
    with store.session() as s:
        return plan_import(s, parsed, progress=progress)


def read_ics(
    store: Store,
    path: Path,
    *,
    default_kind: EngagementKind = EngagementKind.PCCG_MEETING,
    kinds: dict[str, EngagementKind] | None = None,
    progress: Progress = _quiet,
) -> str:
    """Import an .ics file in one transaction (all or nothing); a summary of what happened.
    The file is read and compared again, so what changed since the preview is seen."""
    parsed = read_calendar(_read(path), progress=progress)
    with store.transaction() as s:
        plan = plan_import(s, parsed, default_kind=default_kind, kinds=kinds, progress=progress)
        report = apply_import(s, plan, progress=progress)
    return report.summary() + "".join(f"\n• refused {why}" for why in report.refused[:20])
