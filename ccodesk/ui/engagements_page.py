"""The Engagements page: every engagement, filtered and searched in SQL, paged as you scroll."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import EngagementKind, EngagementStatus
from ccodesk.services.engagements import (
    EngagementFilter,
    EngagementRow,
    count_engagements,
    list_engagements,
)
from ccodesk.services.reference import priority_groups
from ccodesk.store import Store
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.paged_model import Column, PagedTableModel
from ccodesk.ui.qtdates import pydate

SEARCH_DELAY_MS = 150  # wait for a pause in typing before querying
MIN_SEARCH = 2  # one letter matches nearly everything: not worth a query
COUNT_CAP = 10_000  # the list counts (and scrolls) this far; beyond it, refine the filters


def search_text(typed: str) -> str:
    """What a search box's text filters on: nothing until it has two characters."""
    return typed if len(typed.strip()) >= MIN_SEARCH else ""


COLUMNS: list[Column[EngagementRow]] = [
    Column("Date", lambda r: f"{r.starts_at:%a %d %b %Y %H:%M}", lambda r: r.starts_at),
    Column("Kind", lambda r: r.kind.label),
    Column("Title", lambda r: r.title + (" (joint)" if r.joint else "")),
    Column("Status", lambda r: r.status.label),
    Column("Venue", lambda r: r.venue_name),
    Column(
        "Attended",
        lambda r: "" if r.attendance is None else str(r.attendance),
        lambda r: r.attendance or 0,
        align_right=True,
    ),
]


class EngagementModel(PagedTableModel[EngagementRow]):
    """Engagements matching a filter, one page of SQL at a time."""

    def __init__(self, store: Store, page_size: int = 200) -> None:
        self.store = store
        self.criteria = EngagementFilter(newest_first=True)
        super().__init__(COLUMNS, self._page, self._count, page_size)

    def _page(self, offset: int, limit: int) -> list[EngagementRow]:
        with self.store.session() as session:
            return list_engagements(session, self.criteria, offset=offset, limit=limit)

    def _count(self) -> int:
        with self.store.session() as session:
            return count_engagements(session, self.criteria, cap=COUNT_CAP)

    def set_filter(self, criteria: EngagementFilter) -> None:
        self.criteria = criteria
        self.reload()


def _optional_date(label: str, initial: QDate) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    edit = QDateEdit(initial)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setEnabled(False)
    edit.setAccessibleName(f"{label} date")
    check.toggled.connect(edit.setEnabled)
    return check, edit


def _day(edit: QDateEdit) -> dt.date:
    return pydate(edit.date())


class EngagementsPage(LoadOnShow):
    """Filters and search above a table of engagements (queried when first shown)."""

    engagement_activated = Signal(str)  # the engagement's id
    new_requested = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EngagementModel(store)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, themes, venues, notes…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search engagements")
        self.search.setMinimumWidth(260)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        self.kind.addItem("All kinds", None)
        for kind in EngagementKind:
            self.kind.addItem(kind.label, kind.value)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem("Any status", None)
        for status in EngagementStatus:
            self.status.addItem(status.label, status.value)
        self.group = QComboBox()
        self.group.setAccessibleName("Target priority group")
        self.group.addItem("Any priority group", None)
        with store.session() as session:
            for g in priority_groups(session):
                self.group.addItem(g.name, g.code)
        today = QDate.currentDate()
        self.use_from, self.date_from = _optional_date("From", today.addMonths(-3))
        self.use_to, self.date_to = _optional_date("To", today.addMonths(3))

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Engagements")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 150), (1, 150), (3, 80), (4, 220), (5, 70)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._activated)
        self.new_button = QPushButton("&New engagement…")
        self.new_button.clicked.connect(self.new_requested)
        self.summary = QLabel()
        self.summary.setAccessibleName("Number of engagements shown")

        filters = QHBoxLayout()
        filters.addWidget(self.new_button)
        filters.addWidget(self.search, 3)
        for widget in (
            self.kind,
            self.status,
            self.group,
            self.use_from,
            self.date_from,
            self.use_to,
            self.date_to,
        ):
            filters.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.kind, self.status, self.group):
            combo.currentIndexChanged.connect(self.apply_filters)
        for check in (self.use_from, self.use_to):
            check.toggled.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply_filters)

    def current_filter(self) -> EngagementFilter:
        kind, status = self.kind.currentData(), self.status.currentData()
        start = end = None
        if self.use_from.isChecked():
            start = dt.datetime.combine(_day(self.date_from), dt.time())
        if self.use_to.isChecked():
            end = dt.datetime.combine(_day(self.date_to) + dt.timedelta(days=1), dt.time())
        return EngagementFilter(
            start=start,
            end=end,
            kinds=[EngagementKind(kind)] if kind else [],
            statuses=[EngagementStatus(status)] if status else [],
            priority_group=self.group.currentData(),
            text=search_text(self.search.text()),
            newest_first=True,
        )

    def apply_filters(self) -> None:
        self.loaded = True
        self._debounce.stop()
        self.model.set_filter(self.current_filter())
        total = self.model.total
        if total >= COUNT_CAP:
            self.summary.setText(
                f"More than {COUNT_CAP:,} engagements: narrow the search or filters to see them all"
            )
        else:
            self.summary.setText(f"{total:,} engagement{'s' if total != 1 else ''}")

    def refresh(self) -> None:
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _activated(self, index) -> None:  # type: ignore[no-untyped-def]
        self.engagement_activated.emit(self.model.row_object(index.row()).id)
