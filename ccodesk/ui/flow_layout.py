"""A layout that places widgets left to right and wraps them onto more lines when narrow.

For filter rows: at 1366 px they sit on one line, at 1024 px they take two, and the page's
minimum width is that of its widest control, not the sum of all of them (Qt's Flow Layout
example, typed).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items in reading order, as many on a line as fit; height follows the width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """All items on one line."""
        width = height = 0
        for item in self._items:
            hint = item.sizeHint()
            width += hint.width() + (self._gap(item, Qt.Orientation.Horizontal) if width else 0)
            height = max(height, hint.height())
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """The widest item: everything else wraps."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    def _gap(self, item: QLayoutItem, orientation: Qt.Orientation) -> int:
        if self._spacing >= 0:
            return self._spacing
        widget = item.widget()
        style = widget.style() if widget is not None else None
        if style is None:
            return 6
        kind = QSizePolicy.ControlType.PushButton
        return style.layoutSpacing(kind, kind, orientation)

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in `rect` (only measure unless `move`); return the height used.

        Items of a line are centred on it vertically (a check box beside a combo box).
        """
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        lines: list[list[QLayoutItem]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():
                continue
            width = item.sizeHint().width()
            if lines[-1] and x + width > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append(item)
            x += width + self._gap(item, Qt.Orientation.Horizontal)
        y = area.y()
        for number, line in enumerate(lines):
            if not line:
                continue
            height = max(item.sizeHint().height() for item in line)
            if number:
                y += self._gap(line[0], Qt.Orientation.Vertical)
            x = area.x()
            for item in line:
                hint = item.sizeHint()
                if move:
                    width = min(hint.width(), area.width())
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
                x += hint.width() + self._gap(item, Qt.Orientation.Horizontal)
            y += height
        return y - rect.y() + margins.bottom()
