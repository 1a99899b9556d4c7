"""The Engagements page: every engagement, filtered, searched and sorted in SQL, paged.

Enter or a double-click opens one, a right-click offers what can be done with it; the
filters wrap on a narrow window and fold away behind the Filters button.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import EngagementKind, EngagementStatus
from ccodesk.services.engagements import (
    EngagementFilter,
    EngagementOrder,
    EngagementRow,
    count_engagements,
    list_engagements,
)
from ccodesk.services.reference import priority_groups
from ccodesk.store import Store
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.flow_layout import FlowLayout
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.paged_model import Column, PagedTableModel, sortable_header
from ccodesk.ui.qtdates import pydate

SEARCH_DELAY_MS = 150  # wait for a pause in typing before querying
MIN_SEARCH = 2  # one letter matches nearly everything: not worth a query
COUNT_CAP = 10_000  # the list counts (and scrolls) this far; beyond it, refine the filters


def search_text(typed: str) -> str:
    """What a search box's text filters on: nothing until it has two characters."""
    return typed if len(typed.strip()) >= MIN_SEARCH else ""


COLUMNS: list[Column[EngagementRow]] = [
    Column(
        "Date",
        lambda r: f"{r.starts_at:%a %d %b %Y %H:%M}",
        order=EngagementOrder.DATE,
        tooltip=False,
    ),
    Column("Kind", lambda r: r.kind.label, order=EngagementOrder.KIND),
    Column(
        "Title", lambda r: r.title + (" (joint)" if r.joint else ""), order=EngagementOrder.TITLE
    ),
    Column("Status", lambda r: r.status.label, order=EngagementOrder.STATUS, tooltip=False),
    Column("Venue", lambda r: r.venue_name, order=EngagementOrder.VENUE),
    Column(
        "Attended",
        lambda r: "" if r.attendance is None else str(r.attendance),
        align_right=True,
        order=EngagementOrder.ATTENDED,
        tooltip=False,
    ),
]
DATE_COLUMN = 0


class EngagementModel(PagedTableModel[EngagementRow]):
    """Engagements matching a filter, in the order of the header clicked, one page at a time."""

    def __init__(self, store: Store, page_size: int = 200) -> None:
        self.store = store
        self.criteria = EngagementFilter()
        super().__init__(COLUMNS, self._page, self._count, page_size)
        self.set_sort(DATE_COLUMN, Qt.SortOrder.DescendingOrder)  # newest first

    def _sorted(self) -> EngagementFilter:
        return dataclasses.replace(
            self.criteria,
            order=EngagementOrder(self.order_key or EngagementOrder.DATE),
            descending=self.descending,
            newest_first=False,
        )

    def _page(self, offset: int, limit: int) -> list[EngagementRow]:
        with self.store.session() as session:
            return list_engagements(session, self._sorted(), offset=offset, limit=limit)

    def _count(self) -> int:
        with self.store.session() as session:
            return count_engagements(session, self.criteria, cap=COUNT_CAP)

    def set_filter(self, criteria: EngagementFilter) -> None:
        self.criteria = criteria
        self.reload()


def optional_date(label: str, initial: QDate) -> tuple[QCheckBox, QDateEdit, QWidget]:
    """A check box that turns a date filter on, its date, and the pair as one widget.

    The pair wraps as one in the filters' flow layout.
    """
    check = QCheckBox(label)
    edit = DateEdit(initial)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setEnabled(False)
    edit.setAccessibleName(f"{label} date")
    check.toggled.connect(edit.setEnabled)
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(check)
    row.addWidget(edit)
    return check, edit, pair


def _day(edit: QDateEdit) -> dt.date:
    return pydate(edit.date())


def compact_combo(combo: QComboBox, characters: int) -> None:
    """A combo box as wide as `characters`, not its longest item; its list shows them whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    view = combo.view()
    view.setMinimumWidth(view.sizeHintForColumn(0) + 24)  # room for the scroll bar
    for i in range(combo.count()):
        combo.setItemData(i, combo.itemText(i), Qt.ItemDataRole.ToolTipRole)


class EngagementsPage(LoadOnShow):
    """Search and folding filters above a table of engagements (queried when first shown).

    Enter or a double-click on a row opens the engagement (`engagement_activated`); its
    context menu opens it, asks for its meeting pack or forms to be printed
    (`print_requested`: the id and the print dialog's document, "pack" or "equality"), or
    copies its title.
    """

    engagement_activated = Signal(str)  # the engagement's id
    new_requested = Signal()
    print_requested = Signal(str, str)  # the engagement's id, the document ("pack", "equality")

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EngagementModel(store)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, themes, venues, notes…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search engagements")
        self.search.setMinimumWidth(200)
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
        for combo, characters in ((self.kind, 16), (self.status, 10), (self.group, 18)):
            compact_combo(combo, characters)
        today = QDate.currentDate()
        self.use_from, self.date_from, from_pair = optional_date("From", today.addMonths(-3))
        self.use_to, self.date_to, to_pair = optional_date("To", today.addMonths(3))
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)

        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # arrows move between rows; Tab leaves the list
        self.table.setModel(self.model)
        self.table.setAccessibleName("Engagements")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        for column, width in ((0, 165), (1, 130), (3, 80), (4, 180), (5, 75)):
            self.table.setColumnWidth(column, width)
        sortable_header(self.table, self.model)
        # `activated` is Enter and Return on the current row, and the platform's double-click
        self.table.activated.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.new_button = QPushButton("&New engagement…")
        self.new_button.clicked.connect(self.new_requested)
        self.filters_button = QPushButton()
        self.filters_button.setCheckable(True)
        self.filters_button.setChecked(True)
        self.filters_button.setAccessibleName("Show filters")
        self.filters_button.setToolTip("Show or hide the filters: kind, status, group and dates")
        self.filters_button.toggled.connect(self._fold)
        self.summary = QLabel()
        self.summary.setAccessibleName("Number of engagements shown")

        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.search, 1)
        top.addWidget(self.filters_button)
        self.filter_panel = QWidget()
        self.filter_panel.setAccessibleName("Filters")
        flow = FlowLayout(self.filter_panel)
        flow.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.status, self.group, from_pair, to_pair, self.clear_button):
            flow.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filter_panel)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.setTabOrder(self.new_button, self.search)
        self.setTabOrder(self.search, self.filters_button)
        self.setTabOrder(self.filters_button, self.kind)

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
        self._show_filter_count()

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
        )

    def active_filters(self) -> int:
        """How many of the folding filters (kind, status, group, from, to) narrow the list."""
        return sum(
            (
                self.kind.currentIndex() > 0,
                self.status.currentIndex() > 0,
                self.group.currentIndex() > 0,
                self.use_from.isChecked(),
                self.use_to.isChecked(),
            )
        )

    def apply_filters(self) -> None:
        self.loaded = True
        self._debounce.stop()
        self.model.set_filter(self.current_filter())
        self._show_filter_count()
        total = self.model.total
        if total >= COUNT_CAP:
            self.summary.setText(
                f"More than {COUNT_CAP:,} engagements: narrow the search or filters to see them all"
            )
        else:
            self.summary.setText(f"{total:,} engagement{'s' if total != 1 else ''}")

    def clear_filters(self) -> None:
        """Every folding filter back to "all" (the search stays), with one query."""
        widgets = (self.kind, self.status, self.group, self.use_from, self.use_to)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            for combo in (self.kind, self.status, self.group):
                combo.setCurrentIndex(0)
            for check in (self.use_from, self.use_to):
                check.setChecked(False)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        self.apply_filters()

    def _show_filter_count(self) -> None:
        active = self.active_filters()
        self.filters_button.setText(f"Fi&lters ({active})" if active else "Fi&lters")
        self.clear_button.setEnabled(active > 0)
        self.filters_button.setAccessibleDescription(
            f"{active} filter{'s' if active != 1 else ''} on" if active else "no filter on"
        )

    def _fold(self, shown: bool) -> None:
        """Show or hide the filters; hidden ones still apply (the button says how many)."""
        self.filter_panel.setVisible(shown)
        self.filters_button.setAccessibleName("Hide filters" if shown else "Show filters")

    def refresh(self) -> None:
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_id(self) -> str | None:
        """The id of the engagement on the current row, if any."""
        index = self.table.currentIndex()
        return self.model.row_object(index.row()).id if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.engagement_activated.emit(self.model.row_object(index.row()).id)

    def context_menu(self, index: QModelIndex) -> QMenu | None:
        """What can be done with the engagement on `index`'s row (None off the rows)."""
        if not index.isValid():
            return None
        row = self.model.row_object(index.row())
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        open_action = menu.addAction("&Open")
        open_action.triggered.connect(lambda: self.engagement_activated.emit(row.id))
        menu.setDefaultAction(open_action)
        menu.addSeparator()
        pack = menu.addAction("Print meeting &pack…")
        pack.triggered.connect(lambda: self.print_requested.emit(row.id, "pack"))
        forms = menu.addAction("Print &forms…")
        forms.triggered.connect(lambda: self.print_requested.emit(row.id, "equality"))
        menu.addSeparator()
        copy = menu.addAction("&Copy title")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(row.title))
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            # the keyboard's menu key: the current row, beside it
            index = self.table.currentIndex()
            if index.isValid():
                pos = self.table.visualRect(index).center()
        else:
            self.table.setCurrentIndex(index)
        menu = self.context_menu(index)
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(pos))
