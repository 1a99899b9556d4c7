"""Long lines that wrap in lists and trees (Qt's views size rows for one line of text).

`wrap_lines(view)` gives a QTreeView or QListView a delegate that measures each cell at its
column's (or the viewport's) width, and lays the rows out again when that width changes, so
an action or a finding of three lines shows all three.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)


class WrappingDelegate(QStyledItemDelegate):
    """Measures a cell's wrapped text at the width the view gives it."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        view = self.view
        if isinstance(view, QTreeView):
            width = view.columnWidth(index.column())
            if index.column() == 0:
                width -= view.indentation() * (0 if not view.rootIsDecorated() else 1)
        else:
            spacing = view.spacing() if isinstance(view, QListView) else 0
            width = view.viewport().width() - 2 * spacing
        measured = QStyleOptionViewItem(option)
        if width > 0:  # Qt wraps only in a valid rectangle: any height, the column's width
            measured.rect = QRect(0, 0, width, max(1, measured.rect.height()))
        return super().sizeHint(measured, index)


def wrap_lines(view: QTreeView | QListView) -> WrappingDelegate:
    """Let `view`'s long lines wrap, re-measured whenever their width changes."""
    view.setWordWrap(True)
    delegate = WrappingDelegate(view)
    view.setItemDelegate(delegate)
    relayout = QTimer(view)
    relayout.setSingleShot(True)
    relayout.setInterval(0)
    relayout.timeout.connect(view.doItemsLayout)
    if isinstance(view, QTreeView):
        view.setUniformRowHeights(False)
        view.header().sectionResized.connect(lambda *_: relayout.start())
    else:
        view.setUniformItemSizes(False)
        view.setResizeMode(QListView.ResizeMode.Adjust)
    return delegate
