"""Read-only tables of plain rows, as the central pages and the Data protection page show them:
one model (`RowsModel`: headings, each cell's text, how it sorts, its colours) and one way to
set up its view (`rows_table`: sortable through a proxy, whole rows selected, never edited)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")

# Dark text on the light colours a row is marked with, whatever the desktop's theme.
ON_COLOUR = QColor("#202020")


class RowsModel(QAbstractTableModel, Generic[RowT]):
    """A read-only table of rows: `HEADERS`, and per cell its `text`, `sort_key`, `tooltip`,
    `background` and `foreground`; `OBJECT_ROLE` gives the row itself."""

    HEADERS: tuple[str, ...] = ()
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1
    OBJECT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RowT] = []

    def set_rows(self, rows: Sequence[RowT]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def headings(self) -> Sequence[str]:
        return self.HEADERS

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headings())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        headings = self.headings()
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(headings)
        ):
            return headings[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == self.SORT_ROLE:
            return self.sort_key(row, column)
        if role == self.OBJECT_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row, column)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.foreground(row, column)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.numeric(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, row: RowT, column: int) -> str:
        raise NotImplementedError

    def sort_key(self, row: RowT, column: int) -> Any:
        return self.text(row, column).lower()

    def tooltip(self, row: RowT, column: int) -> str | None:
        return self.text(row, column) or None

    def background(self, row: RowT, column: int) -> QColor | None:
        return None

    def foreground(self, row: RowT, column: int) -> QColor | None:
        """Dark text on a cell given a background; else the theme's."""
        return ON_COLOUR if self.background(row, column) is not None else None

    def numeric(self, column: int) -> bool:
        return False


class ColumnsModel(RowsModel[RowT]):
    """Rows shown in columns given as (heading, the cell's text from a row)."""

    def __init__(
        self, columns: Sequence[tuple[str, Callable[[RowT], str]]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)

    def headings(self) -> Sequence[str]:
        return [heading for heading, _text in self.columns]

    def text(self, row: RowT, column: int) -> str:
        return self.columns[column][1](row)


def rows_table(
    model: RowsModel[Any],
    name: str,
    parent: QWidget | None = None,
    *,
    view: QTableView | None = None,
) -> tuple[QTableView, QSortFilterProxyModel]:
    """`view` (a new QTableView by default) over `model` through a sorting proxy: sorted by a
    heading's click, whole rows selected one at a time, never edited, Tab leaving it, no row
    numbers; the columns sized by hand, the last stretched."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(RowsModel.SORT_ROLE)
    table = view if view is not None else QTableView()
    table.setModel(proxy)
    table.setAccessibleName(name)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table, proxy
