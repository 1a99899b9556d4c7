"""A read-only table model that pages through SQL: rows arrive as the view scrolls.

Sorting by a header re-queries in SQL (`sort()`), so the order covers every row, not only the
pages loaded.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A column: its header, how to show a row in it, and what the query sorts it by.

    `order` is the key the model's query understands (e.g. an `EngagementOrder`); a column
    without one cannot be sorted by its header; `tooltip` shows the cell's whole text when it
    may be cut off.
    """

    header: str
    display: Callable[[Row], str]
    align_right: bool = False
    order: str | None = None
    tooltip: bool = True


def whole_text_tip(text: str) -> str | None:
    """A tooltip showing `text` whole: rich text, so Qt wraps long lines and keeps newlines."""
    if not text.strip():
        return None
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows come from `fetch(offset, limit)`; `count()` says how many there are in all.

    `reload()` starts again from the first page (after a filter change); `fetchMore` appends
    the next page when the view asks for it, so a list of 100,000 rows costs one page.
    `sort()` (a header click) records the column and direction in `sort_column` and
    `sort_order` and reloads; `fetch` reads them through `order_key` and `descending`.
    """

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        fetch: Callable[[int, int], list[Row]],
        count: Callable[[], int],
        page_size: int = 200,
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self._fetch = fetch
        self._count = count
        self.page_size = page_size
        self._rows: list[Row] = []
        self._total = 0
        self._loaded = False
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder

    @property
    def total(self) -> int:
        """How many rows match in all (not only those loaded)."""
        return self._total

    @property
    def order_key(self) -> str | None:
        """The query's sort key for the column sorted by (None: the query's own order)."""
        if 0 <= self.sort_column < len(self.columns):
            return self.columns[self.sort_column].order
        return None

    @property
    def descending(self) -> bool:
        return self.sort_order == Qt.SortOrder.DescendingOrder

    def set_sort(self, column: int, order: Qt.SortOrder) -> None:
        """Sort by `column` from the next query on, without querying now."""
        self.sort_column, self.sort_order = column, order

    def reload(self, *, recount: bool = True) -> None:
        """Show the first page again; `recount=False` when only the order changed."""
        self._loaded = True
        self.beginResetModel()
        if recount:
            self._total = self._count()
        self._rows = self._fetch(0, self.page_size) if self._total else []
        self.endResetModel()

    def row_object(self, row: int) -> Row:
        return self._rows[row]

    # Qt's model interface
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query sorted by `column` (a header click); the first page is shown again.

        A column the query cannot sort by is ignored. Before the first query (a view calls
        this when sorting is enabled) only the choice is kept, so building a page stays free.
        """
        if not (0 <= column < len(self.columns)) or self.columns[column].order is None:
            return
        if (column, order) == (self.sort_column, self.sort_order):
            return
        self.set_sort(column, order)
        if self._loaded:
            self.reload(recount=False)  # the same rows in another order

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = self._fetch(len(self._rows), self.page_size)
        if not more:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return whole_text_tip(column.display(row)) if column.tooltip else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(self.columns)):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.order is not None:
            return "Click to sort by this column; click again to reverse the order"
        return None


def sortable_header(view: QTableView, model: PagedTableModel[Any]) -> None:
    """Let `view`'s header sort `model` in SQL, starting from the model's current order.

    A click on a column the query cannot sort by leaves the indicator where it was.
    """
    header = view.horizontalHeader()
    header.setSortIndicator(model.sort_column, model.sort_order)
    view.setSortingEnabled(True)

    def keep_sortable(column: int, _order: Qt.SortOrder) -> None:
        if model.columns[column].order is None:
            header.setSortIndicator(model.sort_column, model.sort_order)

    header.sortIndicatorChanged.connect(keep_sortable)
