"""What the pages of the quick-time consultation wizard share: the wizard's state, form
helpers, and `StagePage` — a page that loads what the store holds when entered, saves what it
decided when left (`validatePage`), shows its problems plainly, and knows whether its fields
were edited since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
    QWizardPage,
)
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import (
    Labelled,
    QuickTimeConsultation,
)
from ccodesk.services import quicktime as qt
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.date_edits import DateTimeEdit
from ccodesk.ui.qtdates import qdatetime

ID_ROLE = Qt.ItemDataRole.UserRole
WARNING_STYLE = "color: #8a4b00;"
PROBLEM_STYLE = "color: #b00020;"


@dataclass
class WizardState:
    """What the pages share: the store, the settings, and the consultation once created."""

    store: Store
    settings: Settings
    consultation_id: str | None
    deadline: dt.datetime
    fast_forward: bool = False  # opening an existing consultation: pass pages without saving


def labelled(form: QFormLayout, text: str, widget: QWidget) -> QWidget:
    """A form row whose label is the field's buddy and its accessible name."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    form.addRow(label, widget)
    return widget


def text_edit(lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


def enum_combo(enum: type[Labelled]) -> QComboBox:
    combo = QComboBox()
    for member in enum:
        combo.addItem(member.label, member.value)
    return combo


def select_data(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def datetime_edit(value: dt.datetime) -> QDateTimeEdit:
    edit = DateTimeEdit(qdatetime(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
    return edit


def _value(widget: QWidget) -> Any:
    """A field's value, to tell whether it was edited."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QListWidget):  # check boxes in a list
        return tuple(widget.item(row).checkState().value for row in range(widget.count()))
    raise TypeError(f"cannot track a {type(widget).__name__}")  # pragma: no cover


def bullets(items: list[str], mark: str = "•") -> str:
    return "\n".join(f"{mark} {item}" for item in items)


class StagePage(QWizardPage):
    """A page of the wizard: its heading, the countdown under it, and a line for problems."""

    saved = Signal()

    def __init__(self, state: WizardState, title: str, heading: str) -> None:
        super().__init__()
        self.state = state
        self.heading = heading
        self.setTitle(title)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(PROBLEM_STYLE)
        self.problems.setAccessibleName("Problems")
        self.tracked: list[QWidget] = []  # the fields `save` keeps
        self._clean: tuple[Any, ...] | None = None  # their values when last loaded or saved
        self.show_countdown()

    def track(self, *widgets: QWidget) -> None:
        """Fields whose edits `save` keeps: closing with them changed asks what to do."""
        self.tracked.extend(widgets)

    def field_values(self) -> tuple[Any, ...]:
        return tuple(_value(w) for w in self.tracked)

    def mark_clean(self) -> None:
        self._clean = self.field_values()

    def is_dirty(self) -> bool:
        """Whether a tracked field was edited since the page was loaded or saved."""
        return self._clean is not None and self.field_values() != self._clean

    def show_countdown(self) -> None:
        deadline = self.state.deadline
        self.setSubTitle(
            f"Responses needed by {deadline:%a %d %b %Y %H:%M}: {qt.countdown(deadline)}.\n"
            + self.heading
        )

    def initializePage(self) -> None:
        self.problems.clear()
        if self.state.consultation_id is not None:
            with self.state.store.session() as s:
                self.load(s, qt.get(s, self.state.consultation_id))
        self.mark_clean()

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        """Show what the store holds for this stage."""

    def save(self) -> None:
        """Save what this stage decided (raises ValidationError with the problems)."""

    def validatePage(self) -> bool:
        if self.state.fast_forward:
            return True
        return self.save_page()

    def save_page(self) -> bool:
        """Save this stage; on success its fields count as unedited again."""
        done = self.attempt(self.save)
        if done:
            self.mark_clean()
        return done

    def attempt(self, work: Callable[[], Any]) -> bool:
        """Run `work`; show its problems plainly if it fails."""
        try:
            work()
        except ValidationError as exc:
            self.problems.setText("Not saved:\n" + bullets(exc.problems))
            return False
        except KnownError as exc:
            self.problems.setText(f"Not saved: {exc}")
            return False
        self.problems.clear()
        self.saved.emit()
        return True

    @property
    def consultation_id(self) -> str:
        if self.state.consultation_id is None:
            raise KnownError("Describe the causal event first.")
        return self.state.consultation_id
