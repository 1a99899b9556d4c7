"""The dashboard's boxes, drawn from its lines (`snapshot.BoardLines`).

Qt and the standard library only: the main window shows the lines kept from the last run with
this view before the store is open (issue 11), and `DashboardPage` draws the live figures with
the same view.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.store.snapshot import BoardLines, Line
from ccodesk.ui.wrapping import wrap_lines

# What a line shows: ("engagement", id), ("quicktime", id), ("action", id, engagement id),
# ("group", code), ("consent", contact id) or ("sar", subject access request number).
ITEM_ROLE = Qt.ItemDataRole.UserRole


def _box(title: str, accessible: str) -> tuple[QGroupBox, QListWidget]:
    box = QGroupBox(title)
    items = QListWidget()
    items.setAccessibleName(accessible)
    items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    items.setTextElideMode(Qt.TextElideMode.ElideRight)
    wrap_lines(items)  # long lines wrap within the box; the tooltip holds them whole too
    items.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    QVBoxLayout(box).addWidget(items)
    return box, items


def fill(items: QListWidget, lines: list[Line]) -> None:
    """`items` showing `lines`: an item for each line with a target, a message otherwise."""
    items.clear()
    for line in lines:
        item = QListWidgetItem(line.text)
        if line.target is None:
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a message: nothing to open or select
        else:
            item.setToolTip(line.text)
            item.setData(ITEM_ROLE, line.target)
        items.addItem(item)


class BoardView(QWidget):
    """Coming up, overdue actions, feedback owed, priority groups not reached; consents
    expiring and expired; and, when any is due, the subject access requests to answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.week_box, self.week = _box("Coming up in the next 7 days", "Coming up")
        self.overdue_box, self.overdue = _box("Overdue actions", "Overdue actions")
        self.owed_box, self.owed = _box("Held, no feedback given yet", "Feedback owed")
        self.reach_box, self.unreached = _box("Priority groups", "Priority groups not reached")
        self.reach_box.setMinimumWidth(0)
        # issue 15: shown only while a subject access request is open and due within the month
        self.sar_box, self.sar = _box("Subject access requests due", "Subject access requests due")
        self.sar.setMaximumHeight(self.sar.fontMetrics().height() * 5)
        self.sar_box.hide()
        grid = QGridLayout(self)
        grid.addWidget(self.week_box, 0, 0)
        grid.addWidget(self.overdue_box, 0, 1)
        grid.addWidget(self.owed_box, 1, 0)
        grid.addWidget(self.reach_box, 1, 1)
        grid.addWidget(self.sar_box, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self._consent_boxes(grid)

    def _consent_boxes(self, grid: QGridLayout) -> None:
        """Consents expiring in the next 30 days, and expired (issue 15): a row of their own."""
        self.expiring_box, self.expiring = _box(
            "Consents expiring in the next 30 days", "Consents expiring"
        )
        self.expired_box, self.expired = _box("Consents expired", "Consents expired")
        row = grid.rowCount()
        grid.addWidget(self.expiring_box, row, 0)
        grid.addWidget(self.expired_box, row, 1)

    def lists(self) -> tuple[QListWidget, ...]:
        return (
            self.week, self.overdue, self.owed, self.unreached, self.expiring, self.expired,
            self.sar,
        )  # fmt: skip

    def show_lines(self, lines: BoardLines) -> None:
        fill(self.week, lines.week)
        fill(self.overdue, lines.overdue)
        fill(self.owed, lines.owed)
        fill(self.unreached, lines.unreached)
        fill(self.sar, lines.sar)
        self.sar_box.setVisible(bool(lines.sar))
        self.overdue_box.setTitle(lines.overdue_title)
        self.reach_box.setTitle(lines.reach_title)
        fill(self.expiring, lines.expiring)
        fill(self.expired, lines.expired)
        self.expiring_box.setTitle(lines.expiring_title)
        self.expired_box.setTitle(lines.expired_title)

    def show_message(self, text: str, *, everywhere: bool = False) -> None:
        """`text` in the first box (or in every box), the other boxes empty."""
        for items in self.lists():
            fill(items, [Line(text)] if everywhere or items is self.week else [])
        self.sar_box.hide()
