"""The Timetable's week: hours down, seven days across, each engagement a block in its hours.

All-day entries (milestones, deadlines, consultation windows) sit in a strip under the day
names. Blocks that overlap share their day's column side by side. The hours scroll; 07:00 to
22:00 fill the view when a week is first shown.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from ccodesk.services.timetable import CalendarItem
from ccodesk.ui.calendar_view import (
    DIM_TEXT_COLOUR,
    GRID_COLOUR,
    TEXT_COLOUR,
    TODAY_COLOUR,
    WEEKEND_COLOUR,
    CalendarView,
    Layout,
    edge_colour,
    fill_colour,
)

FIRST_HOUR, LAST_HOUR = 7, 22  # the working day shown first
ALL_DAY_LINES = 2  # all-day entries shown per day before "+N more"
DEFAULT_LENGTH = dt.timedelta(hours=1)  # an engagement with no end time
HALF_HOUR_COLOUR = QColor("#ececec")


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def side_by_side(items: list[CalendarItem]) -> dict[int, tuple[int, int]]:
    """For timed items of one day: index → (column, columns in its group of overlaps)."""
    spans = []
    for index, item in enumerate(items):
        assert item.time is not None
        start = _minutes(item.time)
        end = _minutes(item.ends) if item.ends else start + DEFAULT_LENGTH.seconds // 60
        spans.append((start, max(end, start + 15), index))
    spans.sort()
    placed: dict[int, tuple[int, int]] = {}
    group: list[tuple[int, int]] = []  # (index, column) of the current group of overlaps
    column_ends: list[int] = []
    group_end = -1

    def close_group() -> None:
        for index, column in group:
            placed[index] = (column, len(column_ends))

    for start, end, index in spans:
        if start >= group_end and group:
            close_group()
            group, column_ends = [], []
        for column, column_end in enumerate(column_ends):
            if column_end <= start:
                column_ends[column] = end
                break
        else:
            column = len(column_ends)
            column_ends.append(end)
        group.append((index, column))
        group_end = max(group_end, end)
    close_group()
    return placed


class _BlockFonts:
    """The fonts and metrics of a paint, made once rather than per block."""

    def __init__(self, base: QFont) -> None:
        self.fonts: dict[tuple[bool, bool], tuple[QFont, QFontMetrics]] = {}
        for bold in (False, True):
            for struck in (False, True):
                font = QFont(base)
                font.setBold(bold)
                font.setStrikeOut(struck)
                self.fonts[bold, struck] = (font, QFontMetrics(font))
        metrics = self.fonts[False, False][1]
        self.line = metrics.height()
        self.time_width = metrics.horizontalAdvance("00:00–00:00")

    def pick(self, *, bold: bool, struck: bool) -> tuple[QFont, QFontMetrics]:
        return self.fonts[bold, struck]


class WeekView(CalendarView):
    """Seven days as a time grid; the selection is a day and an hour (or one entry)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected_hour = 18
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.setAccessibleName("Week calendar")
        self._scroll_to_morning = True
        self._top_hour: float = FIRST_HOUR  # the hour at the top of the view
        self._fitting = False
        self._lines = 0  # all-day lines under the day names

    def show_week(self, selected: dt.date, today: dt.date, items: list[CalendarItem]) -> None:
        days = week_of(selected)
        if not self.days or days[0] != self.days[0]:
            self._scroll_to_morning = True
        self.set_days(days, selected, today)
        self.set_items(items)
        self._fit_scroll()

    def sizeHint(self) -> QSize:
        return QSize(760, 520)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._gutter() + 7 * 56, self._header_height() + 8 * self._line_height())

    # geometry --------------------------------------------------------------------------------
    def _line_height(self) -> int:
        return self.fontMetrics().height() + 3

    def _gutter(self) -> int:
        return self.fontMetrics().horizontalAdvance("00:00") + 12

    def _all_day_lines(self) -> int:
        return self._lines

    def layout_changed(self) -> None:
        # what every y coordinate depends on, counted once per change, not per block
        most = max((len(self._all_day(d)) for d in self.days), default=0)
        self._lines = min(most, ALL_DAY_LINES)
        super().layout_changed()

    def _header_height(self) -> int:
        return self.fontMetrics().height() + 10 + self._all_day_lines() * self._line_height() + 2

    def hour_height(self) -> int:
        """Pixels per hour: the working day fills the view, but never cramped."""
        room = self.viewport().height() - self._header_height()
        return max(self._line_height() + 6, room // (LAST_HOUR - FIRST_HOUR))

    def _column(self, index: int) -> tuple[int, int]:
        width = self.viewport().width() - self._gutter()
        left = self._gutter() + index * width // 7
        return left, self._gutter() + (index + 1) * width // 7

    def y_of(self, minutes: float) -> int:
        """The viewport y of a time of day (minutes since midnight), after scrolling."""
        offset = self.verticalScrollBar().value()
        return self._header_height() + round(minutes * self.hour_height() / 60) - offset

    def _all_day(self, day: dt.date) -> list[CalendarItem]:
        return [i for i in self.entries_on(day) if i.time is None]

    def _fit_scroll(self) -> None:
        """Fit the scroll bar to the view's height, keeping the hour at the top."""
        if self._scroll_to_morning:
            self._top_hour = FIRST_HOUR
            self._scroll_to_morning = False
        top_hour = self._top_hour  # a smaller range clamps the value; the hour is kept
        room = self.viewport().height() - self._header_height()
        bar = self.verticalScrollBar()
        self._fitting = True
        bar.setRange(0, max(0, 24 * self.hour_height() - room))
        bar.setPageStep(max(1, room))
        bar.setSingleStep(max(1, self.hour_height() // 2))
        bar.setValue(round(top_hour * self.hour_height()))
        self._fitting = False
        self._top_hour = top_hour
        self.layout_changed()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_scroll()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_scroll()

    def _scrolled(self, value: int) -> None:
        if not self._fitting:
            self._top_hour = value / max(1, self.hour_height())
        self.layout_changed()

    def day_at(self, pos: QPoint) -> dt.date | None:
        if not self.days or pos.x() < self._gutter():
            return None
        for index, day in enumerate(self.days):
            left, right = self._column(index)
            if left <= pos.x() < right:
                return day
        return None

    def time_at(self, pos: QPoint, day: dt.date) -> dt.datetime:
        if pos.y() < self._header_height():
            return super().time_at(pos, day)
        minutes = (pos.y() - self.y_of(0)) * 60 // self.hour_height()
        minutes = max(0, min(23 * 60 + 30, minutes // 30 * 30))
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))

    def clicked_empty(self, pos: QPoint, day: dt.date) -> None:
        if pos.y() >= self._header_height():
            self.selected_hour = self.time_at(pos, day).hour
            self.layout_changed()

    def plan_time(self) -> dt.datetime:
        return dt.datetime.combine(self.selected_day, dt.time(self.selected_hour))

    def move_vertically(self, steps: int) -> None:
        """Up and Down move the selected hour; the entry in that hour, if any, is selected."""
        self.selected_hour = max(0, min(23, self.selected_hour + steps))
        entries = self.entries_on(self.selected_day)
        index = -1
        for n, item in enumerate(entries):
            if item.time is not None and item.time.hour <= self.selected_hour:
                end = (
                    item.ends or (dt.datetime.combine(item.day, item.time) + DEFAULT_LENGTH).time()
                )
                if item.time.hour == self.selected_hour or _minutes(end) > self.selected_hour * 60:
                    index = n
        self.selected_index = index
        self._ensure_hour_visible(self.selected_hour)
        self.layout_changed()

    def after_selection(self) -> None:
        item = self.selected_item()
        if item is not None and item.time is not None:
            self.selected_hour = item.time.hour
        if item is None or item.time is not None:
            self._ensure_hour_visible(self.selected_hour)

    def _ensure_hour_visible(self, hour: int) -> None:
        bar = self.verticalScrollBar()
        room = self.viewport().height() - self._header_height()
        top, bottom = hour * self.hour_height(), (hour + 1) * self.hour_height()
        if top < bar.value():
            bar.setValue(top)
        elif bottom > bar.value() + room:
            bar.setValue(bottom - room)

    def selection_rect(self) -> QRect:
        item = self.selected_item()
        rect = self.rect_of(item) if item is not None else None
        if rect is not None:
            return rect
        if self.selected_day not in self.days:
            return QRect()
        left, right = self._column(self.days.index(self.selected_day))
        top = self.y_of(self.selected_hour * 60)
        return QRect(left, top, right - left, self.hour_height())

    # layout ----------------------------------------------------------------------------------
    def lay_out(self) -> Layout:
        placed: list[tuple[CalendarItem, QRect]] = []
        more: dict[dt.date, tuple[int, QRect]] = {}
        line = self._line_height()
        strip_top = self.fontMetrics().height() + 10
        lines = self._all_day_lines()
        # y_of's terms, once for all blocks
        origin = self._header_height() - self.verticalScrollBar().value()
        per_minute = self.hour_height() / 60
        for index, day in enumerate(self.days):
            left, right = self._column(index)
            all_day = self._all_day(day)
            shown = all_day if len(all_day) <= lines else all_day[: lines - 1]
            chosen = self.selected_item()
            if day == self.selected_day and chosen in all_day and chosen not in shown and shown:
                shown = [*shown[:-1], chosen]
            for n, item in enumerate(shown):
                band = item.window is not None
                x0, x1 = (left, right) if band else (left + 2, right - 3)
                placed.append((item, QRect(x0, strip_top + n * line, x1 - x0, line - 1)))
            if len(shown) < len(all_day):
                rect = QRect(left + 2, strip_top + len(shown) * line, right - left - 5, line - 1)
                more[day] = (len(all_day) - len(shown), rect)
            timed = [i for i in self.entries_on(day) if i.time is not None]
            for n, (column, columns) in side_by_side(timed).items():
                item = timed[n]
                assert item.time is not None
                start = _minutes(item.time)
                end = _minutes(item.ends) if item.ends else start + DEFAULT_LENGTH.seconds // 60
                top = origin + round(start * per_minute)
                bottom = origin + round(end * per_minute)
                width = (right - left - 5) / columns
                x0 = left + 2 + round(column * width)
                x1 = left + 2 + round((column + 1) * width) - 1
                placed.append((item, QRect(x0, top + 1, x1 - x0, max(line, bottom - top - 2))))
        return placed, more

    # painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        area = self.viewport().rect()
        painter.fillRect(area, self.palette().base())
        header = self._header_height()
        hour = self.hour_height()
        metrics = QFontMetrics(self.font())
        for index, day in enumerate(self.days):
            left, right = self._column(index)
            if day.weekday() >= 5:
                painter.fillRect(QRect(left, header, right - left, area.height()), WEEKEND_COLOUR)
        # hours
        painter.setClipRect(QRect(0, header, area.width(), area.height() - header))
        for h in range(24):
            y = self.y_of(h * 60)
            if y > area.height():
                break
            painter.setPen(GRID_COLOUR)
            painter.drawLine(self._gutter() - 4, y, area.width(), y)
            painter.setPen(HALF_HOUR_COLOUR)
            painter.drawLine(self._gutter(), y + hour // 2, area.width(), y + hour // 2)
            painter.setPen(DIM_TEXT_COLOUR)
            label = QRect(0, y + 1, self._gutter() - 6, metrics.height())
            painter.drawText(
                label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, f"{h:02d}:00"
            )
        self._paint_selected_slot(painter)
        self._paint_now(painter)
        fonts = _BlockFonts(self.font())
        body = QRect(0, header, area.width(), area.height() - header)
        for item, rect in self.entry_rects():
            if item.time is not None and rect.intersects(body):  # only what is in view
                self._paint_block(painter, item, rect, fonts)
        painter.setClipping(False)
        # day names and the all-day strip, over the hours
        painter.fillRect(QRect(0, 0, area.width(), header), self.palette().base())
        for index, day in enumerate(self.days):
            left, right = self._column(index)
            name = QRect(left, 0, right - left, metrics.height() + 10)
            font = QFont(self.font())
            font.setBold(day == self.today)
            painter.setFont(font)
            painter.setPen(TODAY_COLOUR if day == self.today else TEXT_COLOUR)
            painter.drawText(name, Qt.AlignmentFlag.AlignCenter, f"{day:%a} {day.day} {day:%b}")
            font.setBold(False)
            painter.setFont(font)
            if day == self.today:
                painter.fillRect(
                    QRect(left + 4, name.bottom() - 2, right - left - 8, 3), TODAY_COLOUR
                )
        for item, rect in self.entry_rects():
            if item.time is None:
                self.paint_entry(painter, item, rect, item.title, band=item.window is not None)
        painter.setPen(TODAY_COLOUR)
        for hidden, rect in self.more_rects().values():
            painter.drawText(
                rect.adjusted(6, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, f"+{hidden} more"
            )
        painter.setPen(GRID_COLOUR)
        painter.drawLine(0, header - 1, area.width(), header - 1)
        for index in range(7):
            left, _right = self._column(index)
            painter.drawLine(left, 0, left, area.height())
        painter.end()

    def _paint_selected_slot(self, painter: QPainter) -> None:
        if self.selected_item() is not None or self.selected_day not in self.days:
            return
        rect = self.selection_rect()
        colour = self.palette().highlight().color()
        fill = colour.lighter(185)
        painter.fillRect(rect.adjusted(1, 1, -1, -1), fill)
        painter.setPen(colour)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(1, 1, -2, -2))

    def _paint_now(self, painter: QPainter) -> None:
        if self.today not in self.days:
            return
        now = dt.datetime.now().time() if self.today == dt.date.today() else None
        if now is None:
            return
        left, right = self._column(self.days.index(self.today))
        y = self.y_of(_minutes(now))
        painter.fillRect(QRect(left, y - 1, right - left, 2), TODAY_COLOUR)

    def _paint_block(
        self, painter: QPainter, item: CalendarItem, rect: QRect, fonts: _BlockFonts
    ) -> None:
        fill = fill_colour(item)
        edge = edge_colour(fill)
        painter.setPen(edge)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 3, 3)
        painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), edge)
        assert item.time is not None
        inner = rect.adjusted(6, 1, -3, -1)
        height = fonts.line
        until = f"–{item.ends:%H:%M}" if item.ends else ""
        lines = [f"{item.time:%H:%M}{until}", item.title]
        if item.venue:
            lines.append(item.venue)
        if inner.width() < fonts.time_width:
            lines = lines[1:]  # a narrow block: the grid's hours say when
        elif inner.height() < 2 * height:
            lines = [f"{item.time:%H:%M} {item.title}"]
        painter.setPen(DIM_TEXT_COLOUR if item.cancelled else TEXT_COLOUR)
        y = inner.top()
        for n, text in enumerate(lines):
            if y + height > inner.bottom() + 2:
                break
            font, metrics = fonts.pick(bold=n == 0 and len(lines) > 1, struck=item.cancelled)
            painter.setFont(font)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner.width())
            painter.drawText(
                QRect(inner.left(), y, inner.width(), height), Qt.AlignmentFlag.AlignLeft, shown
            )
            y += height
        painter.setFont(self.font())
        if item is self.selected_item():
            self.paint_selection(painter, rect)
