"""What the Timetable's month and week views share: colours, selection, keys, mouse, tooltips.

Both views are painted by hand. Each lays out its visible entries as `(item, rectangle)`
pairs (`entry_rects`), and paints, hit-tests and answers tests from that one layout. The
selection is a day and, optionally, one of that day's entries: the arrow keys move the day,
Tab and Shift+Tab step through the day's entries (then leave the view, as Tab should), Enter
opens the selected entry or plans one on an empty day.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QAccessibleWidget, QToolTip, QWidget

from ccodesk.services.timetable import CalendarItem

ENGAGEMENT_COLOUR = QColor("#dbe9f6")
JOINT_COLOUR = QColor("#f9e0b0")
MILESTONE_COLOUR = QColor("#e7def3")
WINDOW_COLOUR = QColor("#d8eedc")
CANCELLED_COLOUR = QColor("#ececec")
_EDGES = {
    ENGAGEMENT_COLOUR.name(): QColor("#4f82b8"),
    JOINT_COLOUR.name(): QColor("#c9801a"),
    MILESTONE_COLOUR.name(): QColor("#7b59a6"),
    WINDOW_COLOUR.name(): QColor("#4c9a5c"),
    CANCELLED_COLOUR.name(): QColor("#9a9a9a"),
}
TODAY_COLOUR = QColor("#1f6fc4")
WEEKEND_COLOUR = QColor("#f6f6f6")
OTHER_MONTH_COLOUR = QColor("#f0f0f0")
GRID_COLOUR = QColor("#cfcfcf")
TEXT_COLOUR = QColor("#1b1b1b")
DIM_TEXT_COLOUR = QColor("#8a8a8a")
PLAN_HOUR = dt.time(18, 0)  # a new engagement planned on a day starts at 18:00 (evenings)

LEGEND = (
    (ENGAGEMENT_COLOUR, "Engagement"),
    (JOINT_COLOUR, "Joint meeting with the BLO or CSO"),
    (MILESTONE_COLOUR, "Milestone or deadline"),
    (WINDOW_COLOUR, "Consultation window"),
)


def fill_colour(item: CalendarItem) -> QColor:
    """The colour an entry is drawn in (the legend says what each means)."""
    if item.cancelled:
        return CANCELLED_COLOUR
    if item.joint:
        return JOINT_COLOUR
    if item.window is not None:
        return WINDOW_COLOUR
    if item.milestone:
        return MILESTONE_COLOUR
    return ENGAGEMENT_COLOUR


def edge_colour(fill: QColor) -> QColor:
    return _EDGES.get(fill.name(), fill.darker(160))


def day_words(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# the entries drawn and where; per day whose entries did not all fit, how many are hidden
# and where its "+N more" line is
Layout = tuple[list[tuple[CalendarItem, QRect]], dict[dt.date, tuple[int, QRect]]]

_FACES: list[QAccessibleWidget] = []  # one per view; Qt uses them while the view lives


def _accessible(_key: str, obj: QObject) -> QAccessibleWidget | None:
    """A calendar view is a table to a screen reader (as QCalendarWidget is), not a "client"."""
    if not isinstance(obj, CalendarView):
        return None
    face = QAccessibleWidget(obj, QAccessible.Role.Table, obj.accessibleName())
    _FACES.append(face)
    return face


_factory_installed = False


class CalendarView(QAbstractScrollArea):
    """A painted calendar of some days: selection, keyboard, mouse, tooltips, accessibility."""

    entry_activated = Signal(object)  # a CalendarItem: open it
    plan_requested = Signal(object)  # a datetime: plan a new engagement then
    day_moved = Signal(object)  # a date: the selection moved to this day
    context_requested = Signal(object, object, QPoint)  # item or None, datetime, global pos
    more_requested = Signal(object, QPoint)  # a date whose entries did not all fit

    def __init__(self, parent: QWidget | None = None) -> None:
        global _factory_installed
        if not _factory_installed:
            QAccessible.installFactory(_accessible)
            _factory_installed = True
        super().__init__(parent)
        self.days: list[dt.date] = []
        self.today = dt.date.today()
        self.by_day: dict[dt.date, list[CalendarItem]] = {}
        self.selected_day = self.today
        self.selected_index = -1  # which of the selected day's entries; -1: none
        self._first_entry = True  # select the day's first entry when its entries arrive
        self._laid_out: Layout | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)

    # what is shown --------------------------------------------------------------------------
    def set_days(self, days: list[dt.date], selected: dt.date, today: dt.date) -> None:
        """Show these days (the entries of days still shown stay until `set_items`)."""
        self.days = days
        self.today = today
        if selected != self.selected_day:
            self.selected_day = selected
            self.selected_index = -1
            self._first_entry = True
        self.layout_changed()

    def set_items(self, items: list[CalendarItem]) -> None:
        """The entries of the days shown (from `calendar_items`, in its order)."""
        self.by_day = {}
        for item in items:
            self.by_day.setdefault(item.day, []).append(item)
        count = len(self.entries_on(self.selected_day))
        if self.selected_index >= count:
            self.selected_index = count - 1
        if self._first_entry and self.selected_index == -1 and count:
            self.selected_index = 0
        self.layout_changed()

    def entries_on(self, day: dt.date) -> list[CalendarItem]:
        return self.by_day.get(day, [])

    def selected_item(self) -> CalendarItem | None:
        entries = self.entries_on(self.selected_day)
        if 0 <= self.selected_index < len(entries):
            return entries[self.selected_index]
        return None

    def layout_changed(self) -> None:
        """Something shown changed: lay out again when next asked, and repaint."""
        self._laid_out = None
        self._announce()
        self.viewport().update()

    def lay_out(self) -> Layout:
        """Where each visible entry and each "+N more" line goes (each view its own way)."""
        raise NotImplementedError

    # to be given by each view ----------------------------------------------------------------
    def _layout(self) -> Layout:
        if self._laid_out is None:
            self._laid_out = self.lay_out()
        return self._laid_out

    def entry_rects(self) -> list[tuple[CalendarItem, QRect]]:
        """The entries drawn and where, in viewport coordinates."""
        return self._layout()[0]

    def more_rects(self) -> dict[dt.date, tuple[int, QRect]]:
        """Per day whose entries did not all fit: how many are hidden and the "+N more" line."""
        return self._layout()[1]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._laid_out = None

    def day_at(self, pos: QPoint) -> dt.date | None:
        raise NotImplementedError

    def time_at(self, pos: QPoint, day: dt.date) -> dt.datetime:
        """When a new engagement planned at `pos` (on `day`) would start."""
        return dt.datetime.combine(day, PLAN_HOUR)

    def selection_rect(self) -> QRect:
        """Where the selection is drawn (for a keyboard context menu or tooltip)."""
        raise NotImplementedError

    def plan_time(self) -> dt.datetime:
        """When an engagement planned at the keyboard selection would start."""
        return dt.datetime.combine(self.selected_day, PLAN_HOUR)

    def move_vertically(self, steps: int) -> None:
        self.select_day(self.selected_day + dt.timedelta(days=7 * steps))

    # selection -----------------------------------------------------------------------------
    def select_day(self, day: dt.date, index: int | None = None) -> None:
        """Select `day` (and its first entry, or entry `index`); tell the page if it moved."""
        moved = day != self.selected_day
        self.selected_day = day
        entries = self.entries_on(day)
        self._first_entry = index is None
        if index is None:
            index = 0 if entries else -1
        self.selected_index = min(index, len(entries) - 1)
        self.after_selection()
        if moved:
            self.day_moved.emit(day)
        self.layout_changed()

    def after_selection(self) -> None:
        """A hook: the week view scrolls the selection into view."""

    def step_entry(self, forward: bool) -> bool:
        """Select the day's next (previous) entry; False when there is none that way."""
        entries = self.entries_on(self.selected_day)
        index = self.selected_index + (1 if forward else -1)
        if not forward and self.selected_index == -1:
            index = len(entries) - 1
        if not 0 <= index < len(entries):
            return False
        self.selected_index = index
        self._first_entry = False
        self.after_selection()
        self.layout_changed()
        return True

    def activate_selection(self) -> None:
        item = self.selected_item()
        if item is None:
            self.plan_requested.emit(self.plan_time())
        else:
            self.activate(item)

    def activate(self, item: CalendarItem) -> None:
        if item.engagement_id is not None:
            self.entry_activated.emit(item)
        else:  # a milestone has nothing to open: say what it is
            rect = self.rect_of(item) or self.selection_rect()
            QToolTip.showText(
                self.viewport().mapToGlobal(rect.bottomLeft()), item.details(), self.viewport()
            )

    def rect_of(self, item: CalendarItem) -> QRect | None:
        for shown, rect in self.entry_rects():
            if shown is item:
                return rect
        return None

    def item_at(self, pos: QPoint) -> CalendarItem | None:
        for item, rect in reversed(self.entry_rects()):
            if rect.contains(pos):
                return item
        return None

    def more_at(self, pos: QPoint) -> dt.date | None:
        for day, (_hidden, rect) in self.more_rects().items():
            if rect.contains(pos):
                return day
        return None

    def _select_item(self, item: CalendarItem) -> None:
        entries = self.entries_on(item.day)
        self.select_day(item.day, next(i for i, e in enumerate(entries) if e is item))

    def _announce(self) -> None:
        """Tell screen readers what is selected (the view is one painted widget)."""
        entries = self.entries_on(self.selected_day)
        item = self.selected_item()
        if item is not None:
            text = f"{item.label()}, {self.selected_index + 1} of {len(entries)}"
            text = f"{day_words(self.selected_day)}: {text}. {item.details()}"
        elif entries:
            text = f"{day_words(self.selected_day)}: {len(entries)} entries"
        else:
            text = f"{day_words(self.selected_day)}: nothing planned"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            event = QAccessibleEvent(self, QAccessible.Event.DescriptionChanged)
            QAccessible.updateAccessibility(event)

    # keys ------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Left:
            self.select_day(self.selected_day - dt.timedelta(days=1))
        elif key == Qt.Key.Key_Right:
            self.select_day(self.selected_day + dt.timedelta(days=1))
        elif key == Qt.Key.Key_Up:
            self.move_vertically(-1)
        elif key == Qt.Key.Key_Down:
            self.move_vertically(1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate_selection()
        elif key == Qt.Key.Key_Menu or (
            key == Qt.Key.Key_F10 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self._context_at(self.selection_rect().center(), self.selected_item())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab steps through the selected day's entries, then leaves the view.
        if self.hasFocus() and self.step_entry(next):
            return True
        return super().focusNextPrevChild(next)

    # mouse -----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        more = self.more_at(pos)
        item = self.item_at(pos)
        if more is not None:
            self.select_day(more)
            if event.button() == Qt.MouseButton.LeftButton:
                self.more_requested.emit(more, self.viewport().mapToGlobal(pos))
        elif item is not None:
            self._select_item(item)
        else:
            day = self.day_at(pos)
            if day is not None:
                self.select_day(day, -1)
                self.clicked_empty(pos, day)
        super().mousePressEvent(event)

    def clicked_empty(self, pos: QPoint, day: dt.date) -> None:
        """A hook: the week view selects the clicked hour."""

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        if self.more_at(pos) is not None:
            return
        item = self.item_at(pos)
        if item is not None:
            self.activate(item)
            return
        day = self.day_at(pos)
        if day is not None:
            self.plan_requested.emit(self.time_at(pos, day))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self._context_at(self.selection_rect().center(), self.selected_item())
            return
        pos = event.pos()
        item = self.item_at(pos)
        if item is not None:
            self._select_item(item)
        else:
            day = self.day_at(pos)
            if day is None:
                return
            self.select_day(day, -1)
            self.clicked_empty(pos, day)
        self._context_at(pos, item)

    def _context_at(self, pos: QPoint, item: CalendarItem | None) -> None:
        if item is not None:
            when = dt.datetime.combine(item.day, item.time or PLAN_HOUR)
        else:
            when = self.plan_time()
        self.context_requested.emit(item, when, self.viewport().mapToGlobal(pos))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            self._tooltip(event)
            return True
        return super().viewportEvent(event)

    def _tooltip(self, event: QHelpEvent) -> None:
        pos = event.pos()
        more = self.more_at(pos)
        item = self.item_at(pos)
        if more is not None:
            hidden, rect = self.more_rects()[more]
            text = f"{hidden} more on {day_words(more)}; click to see them all"
        elif item is not None:
            rect = self.rect_of(item) or QRect()
            text = item.details()
        else:
            day = self.day_at(pos)
            if day is None:
                QToolTip.hideText()
                event.ignore()
                return
            when = self.time_at(pos, day)
            text = (
                f"Double-click to plan an engagement on {day_words(day)} at {when:%H:%M}; "
                "right-click for more"
            )
            rect = QRect(pos, pos)
        QToolTip.showText(event.globalPos(), text, self.viewport(), rect)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    # painting helpers ------------------------------------------------------------------------
    def paint_entry(
        self, painter: QPainter, item: CalendarItem, rect: QRect, text: str, *, band: bool
    ) -> None:
        """One entry: a coloured box with an edge on the left, its text elided to fit.

        A consultation window is a band with square ends, so that its days join up.
        """
        fill = fill_colour(item)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        if band:
            painter.drawRect(rect)
        else:
            painter.drawRoundedRect(rect, 3, 3)
            painter.setBrush(edge_colour(fill))
            painter.drawRect(QRect(rect.left(), rect.top(), 3, rect.height()))
        self.paint_entry_text(painter, item, rect, text)
        if item is self.selected_item():
            self.paint_selection(painter, rect)

    def paint_entry_text(
        self, painter: QPainter, item: CalendarItem, rect: QRect, text: str
    ) -> None:
        """An entry's text in `rect`, elided to fit."""
        if not text:
            return
        font = painter.font()
        font.setStrikeOut(item.cancelled)
        painter.setFont(font)
        painter.setPen(DIM_TEXT_COLOUR if item.cancelled else TEXT_COLOUR)
        inner = rect.adjusted(6, 0, -3, 0)
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
        font.setStrikeOut(False)
        painter.setFont(font)

    def paint_selection(self, painter: QPainter, rect: QRect) -> None:
        colour = self.palette().highlight().color()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 2))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
