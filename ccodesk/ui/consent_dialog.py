"""Recording a step of a contact's consent: given, renewed or withdrawn (issue 15).

One small dialog for each step, opened from the contact form's consent history and from the
Dashboard's consent lists. OK records the step (`services.consent.record_consent`) in its own
transaction; a problem keeps the dialog open with the reasons in plain words. For a contact
not yet saved, the dialog only hands the step back (`step`), and the form saves both at once.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import ConsentEventKind, ConsentMethod
from ccodesk.services.consent import (
    METHODS,
    ConsentStep,
    check_new_contact_step,
    record_consent,
)
from ccodesk.store import Store
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, qdate

PROBLEM_STYLE = "color: #b00020;"

TITLES = {
    ConsentEventKind.GIVEN: "Record consent",
    ConsentEventKind.RENEWED: "Renew consent",
    ConsentEventKind.WITHDRAWN: "Withdraw consent",
}
DATE_LABELS = {
    ConsentEventKind.GIVEN: "&Given on:",
    ConsentEventKind.RENEWED: "&Renewed on:",
    ConsentEventKind.WITHDRAWN: "&Withdrawn on:",
}


class OptionalDate(QWidget):
    """A date that may be left unset: a tick box beside the date."""

    def __init__(self, label: str, value: dt.date | None) -> None:
        super().__init__()
        self.check = QCheckBox()
        self.check.setAccessibleName(f"{label} set")
        self.edit = DateEdit(qdate(value or dt.date.today()))
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("dd MMM yyyy")
        self.edit.setAccessibleName(label)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.edit, 1)

    def value(self) -> dt.date | None:
        return pydate(self.edit.date()) if self.check.isChecked() else None


class ConsentDialog(QDialog):
    """Date, scope, expiry, how it was recorded and a note, for one step of consent."""

    recorded = Signal(str)  # the contact whose consent changed

    def __init__(
        self,
        store: Store | None,
        contact_id: str | None,
        kind: ConsentEventKind,
        *,
        name: str = "",
        start: ConsentStep | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.contact_id, self.kind = store, contact_id, kind
        self.today = today or dt.date.today()
        self.step: ConsentStep | None = None  # what was recorded (or handed back)
        self.setWindowTitle(TITLES[kind] + (f": {name}" if name else ""))
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.on = DateEdit(qdate(start.on if start else self.today))
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("dd MMM yyyy")
        self.on.setMaximumDate(qdate(self.today))
        self.on.setAccessibleName(DATE_LABELS[kind].replace("&", "").rstrip(":"))
        form.addRow(DATE_LABELS[kind], self.on)
        self.scope = QLineEdit(start.scope if start else "")
        self.scope.setAccessibleName("What it covers")
        self.scope.setPlaceholderText("e.g. contact about consultation; named in meeting records")
        self.scope.setMinimumWidth(340)
        self.expires = OptionalDate("Expires on", start.expires_on if start else None)
        if kind != ConsentEventKind.WITHDRAWN:
            form.addRow("What it &covers:", self.scope)
            form.addRow("E&xpires on:", self.expires)
        else:
            self.scope.hide()
            self.expires.hide()
        self.method = QComboBox()
        self.method.setAccessibleName("How it was recorded")
        for method in METHODS:
            self.method.addItem(method.label, method.value)
        if start is not None and start.method in METHODS:
            self.method.setCurrentIndex(self.method.findData(start.method.value))
        form.addRow("&How recorded:", self.method)
        self.note = QLineEdit(start.note if start else "")
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Optional")
        form.addRow("&Note:", self.note)
        self.problems = QLabel()
        self.problems.setStyleSheet(PROBLEM_STYLE)
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Problems")
        self.problems.hide()
        form.addRow(self.problems)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def chosen(self) -> ConsentStep:
        withdrawn = self.kind == ConsentEventKind.WITHDRAWN
        return ConsentStep(
            self.kind,
            pydate(self.on.date()),
            ConsentMethod(self.method.currentData()),
            scope="" if withdrawn else self.scope.text(),
            expires_on=None if withdrawn else self.expires.value(),
            note=self.note.text(),
        )

    def _ok(self) -> None:
        step = self.chosen()
        try:
            if self.store is not None and self.contact_id is not None:
                with self.store.transaction() as session:
                    record_consent(session, self.contact_id, step, day=self.today)
            elif problems := check_new_contact_step(step, self.today):
                raise ValidationError(problems)
        except ValidationError as exc:
            self._show(exc.problems)
            return
        except KnownError as exc:
            self._show([str(exc)])
            return
        self.step = step
        if self.contact_id is not None:
            self.recorded.emit(self.contact_id)
        self.accept()

    def _show(self, problems: list[str]) -> None:
        self.problems.setText(
            "Not recorded:\n" + "\n".join(f"• {p[:1].upper()}{p[1:]}." for p in problems)
        )
        self.problems.show()


__all__ = ["ConsentDialog", "OptionalDate"]
