"""The central unit's Corporate timetable: the pan-London milestones, consultation windows and
deadlines it authors, in a month beside the boroughs' planned engagements, and the list of
entries with New…, Edit… and Delete…; "Export reference bundle…" sends them to the boroughs.

The month is the borough Timetable's `MonthView`: each day lists the corporate entries, then
one line counting the boroughs' engagements; the panel under the list names the boroughs of
the day selected. Reading happens on the thread pool; saving is one short transaction.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.central_timetable import (
    CorporateEntry,
    MonthOverview,
    corporate_entries,
    delete_corporate_entry,
    export_reference,
    month_overview,
)
from ccodesk.services.timetable import CalendarItem
from ccodesk.sync.central import DESK_WAIT, Central
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.central_timetable_entry import EntryDialog
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.flow_layout import FlowLayout
from ccodesk.ui.month_view import MonthView, month_grid
from ccodesk.words import plural

ENTRY_ROLE = Qt.ItemDataRole.UserRole


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


class EntriesTable(QTableWidget):
    """The list of entries: Enter opens the current one (as a double-click does), Delete
    asks to delete it."""

    open_requested = Signal()
    delete_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.open_requested.emit()
        elif event.matches(QKeySequence.StandardKey.Delete) and self.currentRow() >= 0:
            self.delete_requested.emit()
        else:
            super().keyPressEvent(event)


class CorporateTimetablePage(QWidget):
    """The month of corporate entries and the boroughs' engagements, and the entries' list."""

    shown = Signal()  # the month and the list arrived from the store
    changed = Signal()  # an entry was saved or deleted
    exported = Signal(str)  # the reference bundle was written: what to say

    def __init__(
        self, central: Central, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.central = central
        self._today = today
        self.current = self.today
        self.overview = MonthOverview([])
        self.entries: list[CorporateEntry] = []
        self.dialog: EntryDialog | None = None  # the last New/Edit dialog
        self.confirm: QMessageBox | None = None  # the last Delete question
        self.message: QMessageBox | None = None  # the last word (an export, a refusal)
        self._generation = 0
        self._jobs: list[BackgroundJob] = []

        self.previous = QToolButton()
        self.previous.setText("◀")
        self.previous.setAccessibleName("Previous month")
        self.previous.setToolTip("Previous month (Page Up)")
        self.next = QToolButton()
        self.next.setText("▶")
        self.next.setAccessibleName("Next month")
        self.next.setToolTip("Next month (Page Down)")
        self.today_button = QPushButton("&Today")
        self.period = QLabel()
        self.period.setAccessibleName("Month shown")
        font = QFont(self.period.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.period.setFont(font)
        self.new_button = QPushButton("&New…")
        self.new_button.setToolTip("A new pan-London milestone, consultation window or deadline")
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("&Delete…")
        self.export_button = QPushButton("E&xport reference bundle…")
        self.export_button.setToolTip(
            "Write the signed reference bundle, with the corporate timetable, for the boroughs"
        )
        self.month_view = MonthView()
        self.month_view.setAccessibleName("Corporate timetable and boroughs' engagements")

        self.table = EntriesTable(0, 3)
        self.table.setHorizontalHeaderLabels(["Entry", "When", "Feeds"])
        self.table.setAccessibleName("Corporate timetable entries")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 190)
        self.table.setColumnWidth(1, 130)
        entries_label = QLabel("Corporate timetable ent&ries:")
        entries_label.setBuddy(self.table)
        self.day_label = QLabel()
        self.day_label.setWordWrap(True)
        self.day_list = QListWidget()
        self.day_list.setAccessibleName("The day selected")
        self.day_list.setWordWrap(True)
        self.day_label.setBuddy(self.day_list)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()

        top = QHBoxLayout()
        for widget in (self.previous, self.today_button, self.next):
            top.addWidget(widget)
        top.addSpacing(8)
        top.addWidget(self.period, 1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side.setMinimumWidth(220)  # the month keeps the room on a 1024-px screen
        buttons = QWidget()
        flow = FlowLayout(buttons)  # New, Edit, Delete wrap when the side is narrow
        flow.setContentsMargins(0, 0, 0, 0)
        for button in (self.new_button, self.edit_button, self.delete_button):
            flow.addWidget(button)
        side_layout.addWidget(entries_label)
        side_layout.addWidget(self.table, 3)
        side_layout.addWidget(buttons)
        side_layout.addWidget(self.export_button)
        side_layout.addWidget(self.day_label)
        side_layout.addWidget(self.day_list, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("corporate-timetable")
        self.splitter.addWidget(self.month_view)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([700, 340])  # shares of the width (a splitter kept overrides)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.splitter, 1)
        order = (
            self.previous,
            self.today_button,
            self.next,
            self.month_view,
            self.table,
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.export_button,
            self.day_list,
        )
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(lambda: self.go_to(self.today))
        self.new_button.clicked.connect(lambda: self.new_entry())
        self.edit_button.clicked.connect(lambda: self.edit_entry())
        self.delete_button.clicked.connect(lambda: self.delete_entry())
        self.export_button.clicked.connect(self.export_dialog)
        self.table.doubleClicked.connect(self._table_opened)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.open_requested.connect(lambda: self.edit_entry())
        self.table.delete_requested.connect(lambda: self.delete_entry())
        self.month_view.entry_activated.connect(self._open_item)
        self.month_view.plan_requested.connect(lambda when: self.new_entry(when.date()))
        self.month_view.day_moved.connect(self._day_moved)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.step(-1)),
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.step(1)),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        self._selection_changed()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- reading ---------------------------------------------------------------------------

    def step(self, direction: int) -> None:
        start, end = _month(self.current)
        target = end if direction > 0 else (start - dt.timedelta(days=1)).replace(day=1)
        last = (_month(target)[1] - dt.timedelta(days=1)).day
        self.go_to(target.replace(day=min(self.current.day, last)))

    def go_to(self, day: dt.date) -> None:
        self.current = day
        self.refresh()

    def refresh(self) -> None:
        """Show the month's days now; the entries and counts follow (`shown`)."""
        days = month_grid(self.current)
        start, end = days[0], days[-1] + dt.timedelta(days=1)
        self.period.setText(f"{self.current:%B %Y}")
        self.month_view.show_month(self.current, self.today, self.overview.items)
        self._generation += 1
        generation, central = self._generation, self.central

        def work(
            _progress: object, _cancelled: object
        ) -> tuple[int, MonthOverview, list[CorporateEntry]]:
            with central.session() as session:
                return generation, month_overview(session, start, end), corporate_entries(session)

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._arrived)
        job.on_failure(self._failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()

    def _arrived(self, result: tuple[int, MonthOverview, list[CorporateEntry]]) -> None:
        generation, overview, entries = result
        if generation != self._generation:  # an older read finishing late is not shown
            return
        self.problem.hide()
        self.overview = overview
        self.month_view.set_items(overview.items)
        self._fill_table(entries)
        self._show_day(self.month_view.selected_day)
        self.shown.emit()

    def _failed(self, error: KnownError) -> None:
        self.problem.setText(f"The corporate timetable could not be read: {error}")
        self.problem.show()

    def _fill_table(self, entries: list[CorporateEntry]) -> None:
        chosen = self.selected_entry()
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = (entry.title, entry.when(), entry.feeds())
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ENTRY_ROLE, entry.id)
                item.setToolTip(f"{entry.title}\n{entry.kind.label}, {entry.when()}")
                self.table.setItem(row, column, item)
            if chosen is not None and entry.id == chosen.id:
                self.table.selectRow(row)
        self._selection_changed()

    def _day_moved(self, day: dt.date) -> None:
        if (day.year, day.month) != (self.current.year, self.current.month):
            self.go_to(day)
        else:
            self.current = day
            self._show_day(day)

    def _show_day(self, day: dt.date) -> None:
        """The selected day: its corporate entries and each borough's engagements."""
        self.day_list.clear()
        corporate = [i for i in self.month_view.entries_on(day) if i.entry_id is not None]
        boroughs = self.overview.on(day)
        total = sum(n for _name, n in boroughs)
        self.day_label.setText(
            f"&{day:%A} {day.day} {day:%B}: "
            f"{plural(len(corporate), 'corporate entry', 'corporate entries')}, "
            f"{plural(total, 'borough engagement')}"
        )
        for item in corporate:
            self.day_list.addItem(f"{item.title} ({item.kind.lower()})")
        for name, count in boroughs:
            self.day_list.addItem(f"{name}: {plural(count, 'engagement')} planned")

    # -- the entries -------------------------------------------------------------------------

    def selected_entry(self) -> CorporateEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self.entries):
            return None
        return self.entries[rows[0].row()]

    def select_entry(self, entry_id: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.id == entry_id:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        has = self.selected_entry() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _table_opened(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.entries):
            self.edit_entry(self.entries[index.row()])

    def _open_item(self, item: CalendarItem) -> None:
        found = next((e for e in self.entries if e.id == item.entry_id), None)
        if found is not None:
            self.edit_entry(found)
        else:
            self.day_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def new_entry(self, day: dt.date | None = None) -> EntryDialog:
        """The New dialog, its dates on `day` (default: the day selected)."""
        return self._open_dialog(None, day or self.month_view.selected_day)

    def edit_entry(self, entry: CorporateEntry | None = None) -> EntryDialog | None:
        entry = entry or self.selected_entry()
        if entry is None:
            return None
        return self._open_dialog(entry, entry.starts_on)

    def _open_dialog(self, entry: CorporateEntry | None, day: dt.date) -> EntryDialog:
        dialog = EntryDialog(self.central, entry, day, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, entry_id: str) -> None:
        self.changed.emit()
        self.refresh()
        self.shown.connect(
            lambda: self.select_entry(entry_id), Qt.ConnectionType.SingleShotConnection
        )

    def delete_entry(self, entry: CorporateEntry | None = None) -> QMessageBox | None:
        """Ask, then delete: the deletion reaches the boroughs in the next reference bundle."""
        entry = entry or self.selected_entry()
        if entry is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete corporate entry",
            f"Delete “{entry.title}” ({entry.when()}) from the corporate timetable? The "
            "boroughs lose it when they import the next reference bundle.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(lambda: self._delete(entry))
        self.confirm = box
        box.open()
        return box

    def _delete(self, entry: CorporateEntry) -> None:
        try:
            with self.central.transaction(wait=DESK_WAIT) as session:
                delete_corporate_entry(session, entry.id, seen=entry.version)
        except KnownError as exc:
            self._tell(QMessageBox.Icon.Warning, f"Not deleted: {exc}.")
            self.refresh()  # what the other session did
            return
        self.changed.emit()
        self.refresh()

    def _tell(self, icon: QMessageBox.Icon, text: str) -> None:
        """Say something without blocking (the box is kept in `message`)."""
        box = QMessageBox(icon, "ccodesk", text, QMessageBox.StandardButton.Ok, self)
        self.message = box
        box.open()

    # -- the reference bundle ----------------------------------------------------------------

    def export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export reference bundle",
            start_path(f"reference-{self.today:%Y-%m-%d}.ccref"),
            "Reference bundles (*.ccref)",
        )
        remember(name)
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> BackgroundJob:
        """Write the reference bundle on the thread pool; `exported` with what it says."""
        central = self.central

        def work(_progress: object, _cancelled: object) -> str:
            count = export_reference(central, path)
            return (
                f"Wrote the reference bundle to {path}, with "
                f"{plural(count, 'corporate timetable entry', 'corporate timetable entries')} "
                "(deletions included). Send it to every borough: their officers import it on "
                "the Sync page."
            )

        def done(text: str) -> None:
            self._tell(QMessageBox.Icon.Information, text)
            self.exported.emit(text)

        def failed(error: KnownError) -> None:
            QMessageBox.warning(self, "ccodesk", f"The reference bundle was not written: {error}")

        job = BackgroundJob(work)
        job.signals.succeeded.connect(done)
        job.on_failure(failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job


__all__ = ["CorporateTimetablePage", "EntriesTable"]
