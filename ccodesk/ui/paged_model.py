"""A read-only table model that pages through SQL: rows arrive as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex

ObjectRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A column: its header and how to show (and sort) a row in it."""

    header: str
    display: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    align_right: bool = False


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows come from `fetch(offset, limit)`; `count()` says how many there are in all.

    `reload()` starts again from the first page (after a filter change); `fetchMore` appends
    the next page when the view asks for it, so a list of 100,000 rows costs one page.
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

    @property
    def total(self) -> int:
        """How many rows match in all (not only those loaded)."""
        return self._total

    def reload(self) -> None:
        self.beginResetModel()
        self._total = self._count()
        self._rows = self._fetch(0, self.page_size) if self._total else []
        self.endResetModel()

    def set_source(self, fetch: Callable[[int, int], list[Row]], count: Callable[[], int]) -> None:
        """Switch to another query (e.g. new filters) and show its first page."""
        self._fetch, self._count = fetch, count
        self.reload()

    def row_object(self, row: int) -> Row:
        return self._rows[row]

    # Qt's model interface
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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.display(row)
        if role == ObjectRole:
            return row
        if role == SortRole:
            return column.sort_key(row) if column.sort_key else column.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].header
        return None
