"""The partner picker: search as you type over 15,000 organisations, the picked ones as chips.

Used by the engagement editor (its partners) and by the quick-time wizard (its consultees).
A search box (debounced), a list of results — each the name and the line that tells two of
the same name apart — and the picked organisations as small removable buttons ("chips").

Keyboard: Down moves from the search box into the results, Up from the first result back;
Enter or Space picks the current result (or removes it, if picked); typing in the results goes
on in the search box; Backspace in an empty search box removes the last chip; Backspace,
Delete, Enter or Space on a chip removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.services.directory import (
    PARTNER_LIMIT,
    PartnerMatch,
    PartnerResults,
    partner_matches,
    search_partners,
)
from ccodesk.store import Store

ID_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
PICKED_ROLE = Qt.ItemDataRole.UserRole + 2
DEBOUNCE_MS = 150
CHIP_ROWS = 3  # the chips scroll beyond this many lines, so the picker never grows tall
_PICK_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
_REMOVE_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete, *_PICK_KEYS)


class PartnerDirectory(Protocol):
    """Where the picker finds organisations (the store, or anything answering the same)."""

    def search(self, typed: str) -> PartnerResults: ...

    def describe(self, ids: Sequence[str]) -> list[PartnerMatch]: ...


class StoreDirectory:
    """The store's organisations, one short session per question."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def search(self, typed: str) -> PartnerResults:
        with self.store.session() as s:
            return search_partners(s, typed)

    def describe(self, ids: Sequence[str]) -> list[PartnerMatch]:
        with self.store.session() as s:
            return partner_matches(s, ids)


class _Flow(QLayout):
    """Chips left to right, wrapping onto more lines; its height follows its width."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(4)

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
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize(0, 0)
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            width = min(hint.width(), rect.width())
            if x > rect.x() and x + width > rect.right() + 1:
                x, y, line = rect.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + gap
            line = max(line, hint.height())
        return y + line - rect.y()


class _Chips(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.flow = _Flow(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.flow.heightForWidth(width)


class _ResultLines(QStyledItemDelegate):
    """Two lines a result: the name (✓ when picked), and what tells it apart, smaller."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(120, metrics.height() * 2 + 8)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        group = palette.currentColorGroup()
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = opt.rect.adjusted(6, 3, -6, -3)
        picked = bool(index.data(PICKED_ROLE))
        name = ("✓ " if picked else "") + str(index.data(Qt.ItemDataRole.DisplayRole))
        detail = str(index.data(DETAIL_ROLE) or "")
        painter.save()
        font = QFont(opt.font)
        font.setBold(picked)
        painter.setFont(font)
        painter.setPen(palette.color(group, text_role))
        metrics = QFontMetrics(font)
        line = metrics.height()
        painter.drawText(
            QRect(rect.x(), rect.y(), rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, rect.width()),
        )
        small = QFont(opt.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.9))
        painter.setFont(small)
        if not selected:
            painter.setPen(palette.color(group, QPalette.ColorRole.PlaceholderText))
        small_metrics = QFontMetrics(small)
        painter.drawText(
            QRect(rect.x(), rect.y() + line, rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.restore()


class _Results(QListWidget):
    """The results list; it asks for a few rows only, so the picker never pushes a form tall."""

    ROWS = 4

    def sizeHint(self) -> QSize:
        line = QFontMetrics(self.font()).height() * 2 + 8
        return QSize(240, line * self.ROWS + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        line = QFontMetrics(self.font()).height() * 2 + 8
        return QSize(160, line * 3 + 2 * self.frameWidth())


class PartnerPicker(QWidget):
    """Find organisations by any words of their name, type, area or groups served; pick some.

    `changed` fires when the officer picks or removes one (never on `set_partner_ids`).
    With `chips=False` (the quick-time wizard, whose picks carry a role and a reason) nothing
    is kept here: Enter, Space or a double-click on a result emits `activated` with its id.
    """

    changed = Signal()
    activated = Signal(str)

    def __init__(
        self,
        directory: PartnerDirectory,
        *,
        chips: bool = True,
        label: str = "Partner organisations",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self.keeps_picks = chips
        self._picked: list[PartnerMatch] = []
        self._known: dict[str, PartnerMatch] = {}
        self._more = False
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type any words of a name, type, area or group served")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(f"Search {label.lower()}")
        self.found = _Results()
        self.found.setAccessibleName("Organisations found")
        self.found.setItemDelegate(_ResultLines(self.found))
        self.found.setUniformItemSizes(True)
        self.found.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.found.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.found.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.count = QLabel()
        self.count.setAccessibleName("How many found and picked")
        self.count.setWordWrap(True)
        self.chips = _Chips()
        self.chips.setAccessibleName(f"{label} picked")
        self.chip_area = QScrollArea()
        self.chip_area.setWidgetResizable(True)
        self.chip_area.setWidget(self.chips)
        self.chip_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chip_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chip_area.setVisible(chips)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chip_area)  # the picked ones first: they stay in sight
        layout.addWidget(self.search)
        layout.addWidget(self.count)
        layout.addWidget(self.found, 1)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.installEventFilter(self)
        self.found.installEventFilter(self)
        self.found.itemDoubleClicked.connect(self._choose)
        self.search_now()

    # searching -----------------------------------------------------------------------------
    def search_now(self) -> None:
        """Run the search for what is typed (the debounce timer calls this)."""
        self._timer.stop()
        results = self.directory.search(self.search.text())
        current = self.current_id()
        self._more = results.more
        self.found.clear()
        for match in results.matches:
            self._known[match.id] = match
            detail = match.detail
            item = QListWidgetItem(match.name)
            item.setData(ID_ROLE, match.id)
            item.setData(DETAIL_ROLE, detail)
            item.setToolTip(f"{match.name}\n{detail}")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, detail)
            self.found.addItem(item)
            if match.id == current:
                self.found.setCurrentItem(item)
        if self.found.currentItem() is None and self.found.count():
            self.found.setCurrentRow(0)
        self._show_picked_marks()
        self._show_count()

    def flush(self) -> None:
        """Bring the results up to date with what is typed, if a search is waiting."""
        if self._timer.isActive():
            self.search_now()

    def current_id(self) -> str | None:
        """The id of the result the officer is on, after any search still waiting."""
        item = self.found.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def current_match(self) -> PartnerMatch | None:
        self.flush()
        org_id = self.current_id()
        return None if org_id is None else self._known.get(org_id)

    # picking -------------------------------------------------------------------------------
    def partner_ids(self) -> list[str]:
        return [m.id for m in self._picked]

    def set_partner_ids(self, ids: Sequence[str]) -> None:
        """Show these as picked (a stored engagement, a draft, undo); `changed` stays quiet."""
        if list(ids) == self.partner_ids():
            return
        missing = [i for i in ids if i not in self._known]
        for match in self.directory.describe(missing) if missing else []:
            self._known[match.id] = match
        self._picked = [self._known[i] for i in ids if i in self._known]
        self._show_chips()

    def pick(self, org_id: str) -> None:
        """Add `org_id` to the picked ones, as the officer would."""
        if org_id in self.partner_ids():
            return
        if org_id not in self._known:
            for match in self.directory.describe([org_id]):
                self._known[match.id] = match
        if org_id in self._known:
            self._picked.append(self._known[org_id])
            self._show_chips()
            self.changed.emit()

    def remove(self, org_id: str) -> None:
        """Take `org_id` out of the picked ones, as the officer would."""
        if org_id not in self.partner_ids():
            return
        self._picked = [m for m in self._picked if m.id != org_id]
        self._show_chips()
        self.changed.emit()

    def chip_buttons(self) -> list[QToolButton]:
        return [
            w for w in self.chips.findChildren(QToolButton) if w.property("partner_id") is not None
        ]

    def _choose(self, item: QListWidgetItem | None = None) -> None:
        item = item or self.found.currentItem()
        if item is None:
            return
        org_id = str(item.data(ID_ROLE))
        if not self.keeps_picks:
            self.activated.emit(org_id)
        elif org_id in self.partner_ids():
            self.remove(org_id)
        else:
            self.pick(org_id)

    def _show_chips(self) -> None:
        focused = self.focusWidget()
        focus_index = next(
            (i for i, b in enumerate(self.chip_buttons()) if b is focused and b.hasFocus()), None
        )
        for button in self.chip_buttons():
            button.hide()
            button.setParent(None)
            button.deleteLater()
        for match in self._picked:
            button = QToolButton(self.chips)
            button.setText(f"{match.name}  ×")
            button.setAccessibleName(f"Remove {match.name}")
            button.setToolTip(f"Remove {match.name}\n{match.detail}")
            button.setProperty("partner_id", match.id)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAutoRaise(False)
            button.clicked.connect(lambda _=False, i=match.id: self._remove_by_chip(i))
            button.installEventFilter(self)
            self.chips.flow.addWidget(button)
            button.show()
        if focus_index is not None:
            buttons = self.chip_buttons()
            (buttons[min(focus_index, len(buttons) - 1)] if buttons else self.search).setFocus()
        self._fit_chip_area()
        self._show_picked_marks()
        self._show_count()

    def _remove_by_chip(self, org_id: str) -> None:
        index = self.partner_ids().index(org_id) if org_id in self.partner_ids() else 0
        self.remove(org_id)
        buttons = self.chip_buttons()
        (buttons[min(index, len(buttons) - 1)] if buttons else self.search).setFocus()

    def _fit_chip_area(self) -> None:
        if not self._picked:
            self.chip_area.setFixedHeight(0)
            return
        width = max(120, self.chip_area.viewport().width())
        line = max(b.sizeHint().height() for b in self.chip_buttons())
        tallest = line * CHIP_ROWS + self.chips.flow.spacing() * (CHIP_ROWS - 1)
        self.chip_area.setFixedHeight(min(tallest, self.chips.heightForWidth(width)) + 2)

    def _show_picked_marks(self) -> None:
        picked = set(self.partner_ids())
        for i in range(self.found.count()):
            item = self.found.item(i)
            item.setData(PICKED_ROLE, item.data(ID_ROLE) in picked)

    def _show_count(self) -> None:
        shown = self.found.count()
        if self._more:
            found = f"The first {PARTNER_LIMIT} found: type more words to narrow"
        elif shown:
            found = f"{shown} found" if self.search.text().strip() else f"{shown} in the directory"
        else:
            found = "None found: try fewer letters or other words"
        if self.keeps_picks:
            picked = len(self._picked)
            self.count.setText(f"{found} · {picked} picked" if picked else f"{found} · none picked")
        else:
            self.count.setText(found)

    # keys ----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_chip_area()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search:
            return self._search_key(key)
        if watched is self.found:
            return self._results_key(event)
        if isinstance(watched, QToolButton) and key in _REMOVE_KEYS:
            self._remove_by_chip(str(watched.property("partner_id")))
            return True
        return False

    def _search_key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.flush()
            if self.found.count():
                self.found.setFocus()
                if self.found.currentRow() < 0:
                    self.found.setCurrentRow(0)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
            self._choose()
            return True  # never the dialog's default button
        if key == Qt.Key.Key_Backspace and not self.search.text() and self._picked:
            self.remove(self._picked[-1].id)
            return True
        return False

    def _results_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in _PICK_KEYS:
            self._choose()
            return True
        if key == Qt.Key.Key_Up and self.found.currentRow() <= 0:
            self.search.setFocus()
            return True
        text = event.text()
        if (
            text
            and text.isprintable()
            and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        ):
            # Typing in the list goes on searching (every word), not Qt's first-letter jump.
            self.search.setFocus()
            self.search.insert(text)
            return True
        if key == Qt.Key.Key_Backspace:
            self.search.setFocus()
            self.search.backspace()
            return True
        return False
