"""Date fields an officer can type a whole date into: "15/12/2026", "15122026", "5/1/2027".

Qt's own date edits take digits one section at a time and only when that section is selected:
with the whole date selected (Ctrl+A), the cursor at the start (Home), the weekday selected
(as Tab leaves it in "Sun 06 Dec 2026 18:30") or a month shown by name, typing changes nothing,
and a "/" typed after a day that filled itself skips the month. `DateEdit` and `DateTimeEdit`
take the digits themselves: each part (day, month, year, then hour and minute) fills as it is
typed and moves on when full or at a separator; a separator straight after a full part is
swallowed. Keyboard focus (Tab, Shift+Tab, a label's Alt shortcut) selects the day, and Tab
leaves the field. Everything else (arrows, the calendar popup, ranges, letters in a month's
name) is Qt's own.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget

Section = QDateTimeEdit.Section
# The parts an officer types, in order: the section, its width in digits, its largest value.
PARTS = (
    (Section.DaySection, 2, 31),
    (Section.MonthSection, 2, 12),
    (Section.YearSection, 4, 9999),
    (Section.HourSection, 2, 23),
    (Section.MinuteSection, 2, 59),
)
SEPARATORS = frozenset("/-.,: ")
KEYBOARD_FOCUS = (
    Qt.FocusReason.TabFocusReason,
    Qt.FocusReason.BacktabFocusReason,
    Qt.FocusReason.ShortcutFocusReason,
)


def split_typed(typed: str, first: int, count: int) -> tuple[list[str], int]:
    """The digits typed for each part from `first` on (a part being typed may be short), and
    the part typing has reached. A part is full at its width, or sooner when no further digit
    could follow ("5" for a day); a separator ends a short part and is swallowed after a full one.
    """
    parts = [""] * count
    at = first
    for char in typed:
        if at >= count:
            break
        if char.isdigit():
            parts[at] += char
            _, width, top = PARTS[at]
            if len(parts[at]) == width or int(parts[at]) * 10 > top:
                at += 1
        elif parts[at]:
            at += 1
    return parts, at


class _Typist:
    """What an officer has typed into one date field since it last took a key of another kind."""

    def __init__(self, edit: QDateTimeEdit) -> None:
        self.edit = edit
        self.typed: str | None = None
        self.base = QDateTime()
        self.first = 0
        self.left: tuple[int, int, str] | None = None  # the selection we left, to see a click

    def parts(self) -> int:
        shown = self.edit.displayedSections()
        return sum(1 for section, _, _ in PARTS if shown & section)

    def key(self, event: QKeyEvent) -> bool:
        """Take a digit, separator or Backspace while typing; False leaves the key to Qt."""
        text = event.text()
        plain = not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        )
        if plain and text.isdigit() and len(text) == 1:
            if self.typed is None or self.left != self._selection():
                self._start()
            return self._type(text)
        if self.typed is not None and plain and (text in SEPARATORS and len(text) == 1):
            return self._type(text)
        if self.typed is not None and event.key() == Qt.Key.Key_Backspace and self.typed:
            self.typed = self.typed[:-1]
            self._show(final=False)
            return True
        self.finish()
        return False

    def finish(self) -> None:
        """The officer has moved on: a two-digit year counts as this century's."""
        if self.typed is not None and self.left == self._selection():
            self._show(final=True)
        self.typed = None

    def select(self, part: int) -> None:
        """Select one part's digits (the day, not the weekday), the cursor at its start."""
        section = PARTS[min(part, self.parts() - 1)][0]
        indexes = [i for i in range(self.edit.sectionCount()) if self.edit.sectionAt(i) == section]
        if not indexes:
            return
        self.edit.setCurrentSectionIndex(indexes[-1])  # "ddd dd": the digits come last
        line = self.edit.lineEdit()
        start = line.cursorPosition()
        text = line.text()
        end = start
        while end < len(text) and text[end].isalnum():
            end += 1
        line.setSelection(end, start - end)
        self.left = self._selection()

    def _selection(self) -> tuple[int, int, str]:
        line = self.edit.lineEdit()
        return line.cursorPosition(), line.selectionStart(), line.selectedText()

    def _start(self) -> None:
        self.typed = ""
        self.base = self.edit.dateTime()
        line = self.edit.lineEdit()
        current = self.edit.currentSection()
        starts = [i for i, (section, _, _) in enumerate(PARTS) if section == current]
        whole = line.selectedText() == line.text()
        self.first = 0 if whole or not starts else starts[0]

    def _type(self, char: str) -> bool:
        assert self.typed is not None
        before = self.typed
        self.typed += char
        if not self._show(final=False):
            self.typed = before  # a 32nd day or a 13th month: the key is refused
        return True

    def _show(self, final: bool) -> bool:
        """Put what is typed over the value typing began from; False if a part is impossible."""
        assert self.typed is not None
        parts, at = split_typed(self.typed, self.first, self.parts())
        base_date, base_time = self.base.date(), self.base.time()
        values = [base_date.day(), base_date.month(), base_date.year()]
        values += [base_time.hour(), base_time.minute()]
        for index, digits in enumerate(parts):
            if not digits:
                continue
            number = int(digits)
            full = index < at
            if index == 2:  # the year: four digits, or two once the officer has moved on
                if len(digits) == 4 and number > 0:
                    values[2] = number
                elif len(digits) == 2 and (final or full):
                    values[2] = 2000 + number
                continue
            floor = 1 if index < 2 else 0
            if number > PARTS[index][2] or (full and number < floor):
                return False
            if number >= floor:
                values[index] = number
        day, month, year, hour, minute = values
        day = min(day, QDate(year, month, 1).daysInMonth())
        self.edit.setDateTime(QDateTime(QDate(year, month, day), QTime(hour, minute)))
        self.select(at)
        return True


def leave(edit: QDateTimeEdit, forward: bool) -> bool:
    """Tab and Shift+Tab move on to the next field, as in Outlook, rather than to the date's next
    part (Qt's way, which took a note typed after Tab into the month); parts are typed through."""
    return QWidget.focusNextPrevChild(edit, forward)


class _TypedWhole:
    """What both fields share: keys through the typist, the first part chosen on keyboard
    focus, the typing finished on leaving, and Tab leaving the field (put before the Qt class
    among a field's bases)."""

    _typist: _Typist

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._typist.key(event):
            event.accept()
        else:
            super().keyPressEvent(event)  # type: ignore[misc]

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # type: ignore[misc]
        self._typist.typed = None
        if event.reason() in KEYBOARD_FOCUS:
            self._typist.select(0)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._typist.finish()
        super().focusOutEvent(event)  # type: ignore[misc]

    def focusNextPrevChild(self, next: bool) -> bool:
        return leave(cast(QDateTimeEdit, self), next)


class DateTimeEdit(_TypedWhole, QDateTimeEdit):
    """A date and time field that takes "15/12/2026 18:30" typed whole."""

    def __init__(self, value: QDateTime | None = None, parent: QWidget | None = None) -> None:
        if value is None:
            super().__init__(parent)
        else:
            super().__init__(value, parent)
        self._typist = _Typist(self)


class DateEdit(_TypedWhole, QDateEdit):
    """A date field that takes "15/12/2026", "15122026" or "5/1/2027" typed whole."""

    def __init__(self, value: QDate | None = None, parent: QWidget | None = None) -> None:
        if value is None:
            super().__init__(parent)
        else:
            super().__init__(value, parent)
        self._typist = _Typist(self)
