"""The central window's Follow-up page: search across every engagement, finding and action
London's boroughs have sent; each borough's findings with no outcome and overdue actions; a
record opened read-only (double-click or Enter) with the centre's own notes on it, which stay
at the centre. Searches and lists are read on the thread pool (services/central_followup.py);
the record and its notes in the dialog (ui/central_note_dialogs.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.central_followup import (
    BoroughLooseEnds,
    LooseEnd,
    SearchAnswer,
    SearchResult,
    borough_loose_ends,
    london_search,
    loose_ends_by_borough,
)
from ccodesk.settings import Settings
from ccodesk.sync.central import Central
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.central_boroughs import BoardTable
from ccodesk.ui.central_note_dialogs import RecordDialog
from ccodesk.ui.tables import RowsModel, rows_table
from ccodesk.words import plural

Index = QModelIndex | QPersistentModelIndex
REFUSED = "color: #b00020;"


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


class ResultsModel(RowsModel[SearchResult]):
    """London-wide search results."""

    BOROUGH, KIND, DATE, TITLE, SNIPPET = range(5)
    HEADERS = ("Borough", "Kind", "Date", "Title", "Where the words are")

    def text(self, row: SearchResult, column: int) -> str:
        return (row.borough, row.kind_label, _day(row.when), row.title, row.snippet)[column]

    def sort_key(self, row: SearchResult, column: int) -> Any:
        if column == self.DATE:
            return row.when.isoformat() if row.when else ""
        return self.text(row, column).lower()


class CountsModel(RowsModel[BoroughLooseEnds]):
    """Each borough's findings with no outcome and overdue actions."""

    BOROUGH, FINDINGS, OVERDUE = range(3)
    HEADERS = ("Borough", "Findings with\nno outcome", "Actions\noverdue")

    def text(self, row: BoroughLooseEnds, column: int) -> str:
        return (row.name, f"{row.findings:,}", f"{row.overdue:,}")[column]

    def sort_key(self, row: BoroughLooseEnds, column: int) -> Any:
        return (row.name, row.findings, row.overdue)[column]

    def numeric(self, column: int) -> bool:
        return column != self.BOROUGH


class LooseEndsModel(RowsModel[LooseEnd]):
    """One borough's overdue actions and findings with no outcome."""

    WHAT, DATE, TITLE, ENGAGEMENT, NOTES = range(5)
    HEADERS = ("What", "Date", "Finding or action", "Engagement", "Notes")

    def text(self, row: LooseEnd, column: int) -> str:
        notes = str(row.notes) if row.notes else ""
        return (row.what, _day(row.when), row.title, row.engagement, notes)[column]

    def sort_key(self, row: LooseEnd, column: int) -> Any:
        if column == self.DATE:
            return row.when.isoformat() if row.when else ""
        if column == self.NOTES:
            return row.notes
        return self.text(row, column).lower()

    def numeric(self, column: int) -> bool:
        return column == self.NOTES


def _table(
    model: RowsModel[Any], name: str, parent: QWidget
) -> tuple[BoardTable, QSortFilterProxyModel]:
    table = BoardTable()  # Enter opens the current row, as a double-click does
    rows_table(model, name, parent, view=table)
    table.setWordWrap(False)
    return table, cast(QSortFilterProxyModel, table.model())


class FollowUpPage(QWidget):
    """Search London, and each borough's loose ends; `searched` with each answer shown,
    `counts_shown` and `borough_shown` when those are filled, `record_opened` with the
    dialog of a record opened."""

    searched = Signal(object)  # the SearchAnswer
    counts_shown = Signal()
    borough_shown = Signal(str)  # the borough's code
    record_opened = Signal(object)  # the RecordDialog

    def __init__(
        self,
        central: Central,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.central = central
        self.settings = settings
        self._today = today
        self._jobs: dict[str, BackgroundJob] = {}
        self._again: dict[str, Callable[[], None]] = {}
        self.dialog: RecordDialog | None = None
        self.chosen_borough = ""
        self._typing = QTimer(self)  # a search once typing pauses
        self._typing.setSingleShot(True)
        self._typing.setInterval(250)
        self._typing.timeout.connect(self.search_now)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._search_tab(), "&Search London")
        self.tabs.addTab(self._borough_tab(), "&By borough")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setFocusProxy(self.query)  # Ctrl+7 puts the cursor where the officer types
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- building ----------------------------------------------------------------------------

    def _search_tab(self) -> QWidget:
        tab = QWidget()
        self.query = QLineEdit()
        self.query.setAccessibleName("Search London")
        self.query.setPlaceholderText("Words from a title, finding, action, venue or note…")
        self.query.setClearButtonEnabled(True)
        self.query.textChanged.connect(lambda _t: self._typing.start())
        self.query.returnPressed.connect(self.search_now)
        label = QLabel("Fin&d in every borough's engagements, findings and actions:")
        label.setBuddy(self.query)
        self.results = ResultsModel()
        self.results_table, self.results_proxy = _table(self.results, "Search results", self)
        self.results_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for column, width in ((0, 130), (1, 90), (2, 95), (3, 260)):
            self.results_table.setColumnWidth(column, width)
        self.results_table.doubleClicked.connect(self.open_result)
        self.results_table.opened.connect(self.open_result)
        self.search_said = QLabel(
            "Type a word to search London's engagements, findings and actions."
        )
        self.search_said.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(label)
        layout.addWidget(self.query)
        layout.addWidget(self.search_said)
        layout.addWidget(self.results_table, 1)
        return tab

    def _borough_tab(self) -> QWidget:
        tab = QWidget()
        hint = QLabel(
            "Findings no one has yet said how they were used, and actions open past their due "
            "date, as each borough's own Follow-up page counts them. Choose a borough to list "
            "them; open one to read it and add the unit's notes."
        )
        hint.setWordWrap(True)
        self.counts = CountsModel()
        self.counts_table, self.counts_proxy = _table(self.counts, "Boroughs' loose ends", self)
        self.counts_table.sortByColumn(CountsModel.BOROUGH, Qt.SortOrder.AscendingOrder)
        for column, width in ((0, 160), (1, 100), (2, 80)):  # the headings in two lines, whole
            self.counts_table.setColumnWidth(column, width)
        self.counts_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.counts_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.counts_table.selectionModel().currentRowChanged.connect(
            lambda index, _old: self.choose_borough_at(index)
        )
        self.loose = LooseEndsModel()
        self.loose_table, self.loose_proxy = _table(self.loose, "The borough's loose ends", self)
        for column, width in ((0, 150), (1, 95), (2, 280), (3, 200)):
            self.loose_table.setColumnWidth(column, width)
        self.loose_table.doubleClicked.connect(self.open_loose_end)
        self.loose_table.opened.connect(self.open_loose_end)
        self.borough_said = QLabel("Choose a borough.")
        self.borough_said.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.borough_said)
        right_layout.addWidget(self.loose_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("followup-boroughs")
        self.splitter.addWidget(self.counts_table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([360, 600])
        layout = QVBoxLayout(tab)
        layout.addWidget(hint)
        layout.addWidget(self.splitter, 1)
        return tab

    # -- reading on the thread pool ---------------------------------------------------------

    def _run(self, name: str, work: Callable[[Any, Any], Any], done: Callable[[Any], None],
             again: Callable[[], None], failed: Callable[[KnownError], None]) -> None:  # fmt: skip
        """Run `work` on the thread pool; a second ask while it runs runs it once more after."""
        if name in self._jobs:
            self._again[name] = again
            return
        job = BackgroundJob(work)
        job.signals.succeeded.connect(done)
        job.on_failure(failed)
        job.signals.succeeded.connect(lambda _r: self._over(name))
        job.signals.failed.connect(lambda _e: self._over(name))
        self._jobs[name] = job
        job.start()

    def _over(self, name: str) -> None:
        self._jobs.pop(name, None)
        again = self._again.pop(name, None)
        if again is not None:
            again()

    def _tab_shown(self, tab: int) -> None:
        self.setFocusProxy(self.query if tab == 0 else self.counts_table)
        self.refresh()

    def refresh(self) -> None:
        """Read the tab in view again (F5, the page shown, a merge)."""
        if self.tabs.currentIndex() == 0:
            if self.query.text().strip():
                self.search_now()
        else:
            self.read_counts()

    def search_now(self) -> None:
        self._typing.stop()
        typed, central = self.query.text(), self.central

        def work(_progress: object, _cancelled: object) -> tuple[str, SearchAnswer]:
            with central.session() as session:
                return typed, london_search(session, typed)

        self._run("search", work, self._show_answer, self.search_now, self._search_failed)

    def _show_answer(self, result: tuple[str, SearchAnswer]) -> None:
        typed, answer = result
        if typed != self.query.text():
            return  # typed on meanwhile: the newer search follows
        self.search_said.setStyleSheet("")
        self.search_said.setText(answer.message)
        self.results.set_rows(answer.results)
        # best matches first, as the search ranks them, until the officer sorts by a heading
        self.results_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.results_proxy.sort(-1)
        self.searched.emit(answer)

    def _search_failed(self, error: KnownError) -> None:
        self.search_said.setStyleSheet(REFUSED)
        self.search_said.setText(f"The search could not be done: {error}")

    def read_counts(self) -> None:
        central, today = self.central, self.today

        def work(_progress: object, _cancelled: object) -> list[BoroughLooseEnds]:
            with central.session() as session:
                return loose_ends_by_borough(session, today)

        self._run("counts", work, self._show_counts, self.read_counts, self._borough_failed)

    def _show_counts(self, lines: list[BoroughLooseEnds]) -> None:
        self.counts.set_rows(lines)
        if self.chosen_borough:
            self.choose_borough(self.chosen_borough)
        self.counts_shown.emit()

    def choose_borough_at(self, index: QModelIndex) -> None:
        line: BoroughLooseEnds | None = self.counts_proxy.data(index, RowsModel.OBJECT_ROLE)
        if line is not None and line.code != self.chosen_borough:
            self.choose_borough(line.code)

    def choose_borough(self, code: str) -> None:
        """List the borough's overdue actions and findings with no outcome."""
        self.chosen_borough = code
        central, today = self.central, self.today

        def work(_progress: object, _cancelled: object) -> tuple[str, list[LooseEnd]]:
            with central.session() as session:
                return code, borough_loose_ends(session, code, today)

        self._run(
            "borough",
            work,
            self._show_borough,
            lambda: self.choose_borough(self.chosen_borough),
            self._borough_failed,
        )

    def _show_borough(self, result: tuple[str, list[LooseEnd]]) -> None:
        code, rows = result
        if code != self.chosen_borough:
            return
        line = next((r for r in self.counts.rows if r.code == code), None)
        name = line.name if line else code
        self.borough_said.setStyleSheet("")
        if rows:
            actions = sum(r.kind == "action_item" for r in rows)
            self.borough_said.setText(
                f"{name}: {plural(actions, 'action')} overdue, "
                f"{plural(len(rows) - actions, 'finding')} with no outcome"
                + (" (the first 500 of each)" if len(rows) >= 500 else "")
                + ". Double-click one to read it and its notes."
            )
        else:
            self.borough_said.setText(f"{name}: nothing overdue and every finding has an outcome.")
        self.loose.set_rows(rows)
        self.borough_shown.emit(code)

    def _borough_failed(self, error: KnownError) -> None:
        self.borough_said.setStyleSheet(REFUSED)
        self.borough_said.setText(f"The boroughs' loose ends could not be read: {error}")

    # -- opening a record -------------------------------------------------------------------

    def open_result(self, index: QModelIndex) -> RecordDialog | None:
        row: SearchResult | None = self.results_proxy.data(index, RowsModel.OBJECT_ROLE)
        return None if row is None else self.open_record(row.kind, row.id)

    def open_loose_end(self, index: QModelIndex) -> RecordDialog | None:
        row: LooseEnd | None = self.loose_proxy.data(index, RowsModel.OBJECT_ROLE)
        return None if row is None else self.open_record(row.kind, row.id)

    def open_record(self, kind: str, record_id: str) -> RecordDialog | None:
        """The record read-only, with the centre's notes (not modal to the tests: `open`)."""
        try:
            dialog = RecordDialog(self.central, self.settings, kind, record_id, self)
        except KnownError as exc:
            said = self.search_said if self.tabs.currentIndex() == 0 else self.borough_said
            said.setStyleSheet(REFUSED)
            said.setText(str(exc))
            return None
        self.dialog = dialog
        dialog.notes_changed.connect(self._notes_changed)
        dialog.open()
        self.record_opened.emit(dialog)
        return dialog

    def _notes_changed(self) -> None:
        if self.tabs.currentIndex() == 1 and self.chosen_borough:
            self.choose_borough(self.chosen_borough)  # the Notes column
