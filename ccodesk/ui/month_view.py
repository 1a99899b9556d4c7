"""The Timetable's month: a grid of weeks, each day listing its entries as "18:30 Title"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ccodesk.services.timetable import CalendarItem
from ccodesk.ui.calendar_view import (
    DIM_TEXT_COLOUR,
    GRID_COLOUR,
    OTHER_MONTH_COLOUR,
    TEXT_COLOUR,
    TODAY_COLOUR,
    WEEKEND_COLOUR,
    CalendarView,
    Layout,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# A consultation window's band on one day: the window, its entry (or title), the day.
BandKey = tuple[tuple[dt.date, dt.date] | None, str, dt.date]


def month_grid(day: dt.date) -> list[dt.date]:
    """The days a month view of `day`'s month shows: whole weeks, Monday first."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    weeks = -(-((following - start).days) // 7)
    return [start + dt.timedelta(days=i) for i in range(7 * weeks)]


class MonthView(CalendarView):
    """A month of days; each cell lists its entries and, when they do not fit, "+N more"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month = (self.today.year, self.today.month)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Month calendar")
        # a little smaller than the page's text, as calendars have it: a laptop's month
        # then shows two or three titles a day
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)

    def show_month(self, selected: dt.date, today: dt.date, items: list[CalendarItem]) -> None:
        self.month = (selected.year, selected.month)
        self.set_days(month_grid(selected), selected, today)
        self.set_items(items)

    def sizeHint(self) -> QSize:
        return QSize(760, 520)

    def minimumSizeHint(self) -> QSize:
        return QSize(7 * 60, self._header_height() + 6 * 48)

    # geometry --------------------------------------------------------------------------------
    def _line_height(self) -> int:
        return self.fontMetrics().height() + 2

    def _header_height(self) -> int:
        return self.fontMetrics().height() + 6

    def _weeks(self) -> int:
        return max(1, len(self.days) // 7)

    def cell_rect(self, day: dt.date) -> QRect:
        """The rectangle of `day`'s cell (empty if it is not shown)."""
        if not self.days or not self.days[0] <= day <= self.days[-1]:
            return QRect()
        index = (day - self.days[0]).days
        row, column = divmod(index, 7)
        width, height = self.viewport().width(), self.viewport().height() - self._header_height()
        left, right = column * width // 7, (column + 1) * width // 7
        top = self._header_height() + row * height // self._weeks()
        bottom = self._header_height() + (row + 1) * height // self._weeks()
        return QRect(left, top, right - left, bottom - top)

    def day_at(self, pos: QPoint) -> dt.date | None:
        if not self.days or pos.y() < self._header_height():
            return None
        width, height = self.viewport().width(), self.viewport().height() - self._header_height()
        column = min(6, max(0, pos.x() * 7 // max(1, width)))
        row = (pos.y() - self._header_height()) * self._weeks() // max(1, height)
        index = row * 7 + column
        return self.days[index] if 0 <= index < len(self.days) else None

    def selection_rect(self) -> QRect:
        item = self.selected_item()
        rect = self.rect_of(item) if item is not None else None
        return rect or self.cell_rect(self.selected_day)

    def lay_out(self) -> Layout:
        placed: list[tuple[CalendarItem, QRect]] = []
        more: dict[dt.date, tuple[int, QRect]] = {}
        line = self._line_height()
        for day in self.days:
            entries = self.entries_on(day)
            if not entries:
                continue
            cell = self.cell_rect(day)
            top = cell.top() + line + 1  # below the day's number
            room = max(0, (cell.bottom() - 2 - top) // line)
            shown = entries if len(entries) <= room else entries[: max(0, room - 1)]
            if self.selected_day == day and len(shown) < len(entries):
                # the selected entry is always shown, in the last line before "+N more"
                chosen = self.selected_item()
                if chosen is not None and chosen not in shown and shown:
                    shown = [*shown[:-1], chosen]
            for n, item in enumerate(shown):
                band = item.window is not None
                left, right = (
                    (cell.left(), cell.right()) if band else (cell.left() + 2, cell.right() - 2)
                )
                placed.append((item, QRect(left, top + n * line, right - left + 1, line - 1)))
            if len(shown) < len(entries):
                rect = QRect(cell.left() + 2, top + len(shown) * line, cell.width() - 4, line - 1)
                more[day] = (len(entries) - len(shown), rect)
        return placed, more

    # painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(self.viewport().rect(), self.palette().base())
        metrics = QFontMetrics(self.font())
        header = QRect(0, 0, self.viewport().width(), self._header_height())
        painter.setPen(DIM_TEXT_COLOUR)
        width = self.viewport().width()
        long_names = metrics.horizontalAdvance("Wednesday") + 12 < width // 7
        for column, name in enumerate(WEEKDAYS):
            cell = QRect(column * width // 7, 0, width // 7, header.height())
            day = self.days[column] if self.days else None
            text = f"{day:%A}" if long_names and day else name
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
        for day in self.days:
            self._paint_day(painter, day, metrics)
        painter.setPen(GRID_COLOUR)
        for week in range(self._weeks() + 1):
            y = (
                self._header_height()
                + week * (self.viewport().height() - header.height()) // self._weeks()
            )
            painter.drawLine(
                0, min(y, self.viewport().height() - 1), width, min(y, self.viewport().height() - 1)
            )
        for column in range(1, 7):
            x = column * width // 7
            painter.drawLine(x, header.height(), x, self.viewport().height())
        for item, rect in self.entry_rects():
            band = item.window is not None
            text = "" if band else item.label()  # a window's title: over its run, below
            self.paint_entry(painter, item, rect, text, band=band)
        for item, run, text in self.window_titles():
            self.paint_entry_text(painter, item, run, text)
        for hidden, rect in self.more_rects().values():
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(TODAY_COLOUR)
            painter.drawText(
                rect.adjusted(6, 0, 0, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"+{hidden} more",
            )
            font.setBold(False)
            painter.setFont(font)
        painter.end()

    def window_titles(self) -> list[tuple[CalendarItem, QRect, str]]:
        """Each consultation window's title where it is written: its first and last day and
        each Monday, running on over the band's untitled days of that week."""
        placed = self.entry_rects()
        bands: dict[BandKey, QRect] = {
            (i.window, i.entry_id or i.title, i.day): r for i, r in placed if i.window is not None
        }
        return [
            (item, self._band_run(item, rect, bands), text)
            for item, rect in placed
            if item.window is not None and (text := self._window_text(item))
        ]

    @staticmethod
    def _band_run(
        item: CalendarItem,
        rect: QRect,
        bands: dict[BandKey, QRect],
    ) -> QRect:
        """Where a window's title may run: its band from `item`'s day on to the last day of
        the same week where the band goes on, untitled, on the same line."""
        run = QRect(rect)
        day = item.day + dt.timedelta(days=1)
        while day.weekday() != 0:
            following = bands.get((item.window, item.entry_id or item.title, day))
            if (
                following is None
                or following.top() != rect.top()
                or (item.window is not None and day == item.window[1])
            ):
                break
            run.setRight(following.right())
            day += dt.timedelta(days=1)
        return run

    def _window_text(self, item: CalendarItem) -> str:
        """A window's title on its first day and at the start of each week; else nothing."""
        assert item.window is not None
        first_shown = self.days[0] if self.days else item.day
        if item.day in (item.window[0], item.window[1], first_shown) or item.day.weekday() == 0:
            return item.title
        return ""

    def _paint_day(self, painter: QPainter, day: dt.date, metrics: QFontMetrics) -> None:
        cell = self.cell_rect(day)
        in_month = (day.year, day.month) == self.month
        if not in_month:
            painter.fillRect(cell, OTHER_MONTH_COLOUR)
        elif day.weekday() >= 5:
            painter.fillRect(cell, WEEKEND_COLOUR)
        number = f"{day.day} {day:%b}" if day.day == 1 else str(day.day)
        box = QRect(cell.left() + 4, cell.top() + 1, cell.width() - 8, self._line_height())
        font = QFont(self.font())
        if day == self.today:
            font.setBold(True)
            painter.setFont(font)
            width = QFontMetrics(font).horizontalAdvance(number) + 10
            badge = QRect(box.left() - 2, box.top() + 1, width, box.height() - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TODAY_COLOUR)
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, number)
        else:
            font.setBold(day.day == 1)
            painter.setFont(font)
            painter.setPen(TEXT_COLOUR if in_month else DIM_TEXT_COLOUR)
            painter.drawText(
                box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, number
            )
        font.setBold(False)
        painter.setFont(font)
        if day == self.selected_day:
            colour = self.palette().highlight().color()
            width = 3 if self.hasFocus() else 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRect(cell.left() + 1, cell.top() + 1, cell.width() - 1, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(colour)
            painter.drawRect(cell.adjusted(1, 1, -1, -1))
