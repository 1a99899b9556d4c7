"""The Corporate timetable's entry dialog: New or Edit one pan-London milestone, consultation
window or deadline (ui/central_timetable.py's page opens it)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import DecisionKind, TimetableKind
from ccodesk.services.central_timetable import (
    CENTRAL_KINDS,
    PRESETS,
    CorporateEntry,
    save_corporate_entry,
)
from ccodesk.services.timetable import TimetableDraft
from ccodesk.sync.central import DESK_WAIT, Central
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, qdate


class EntryDialog(QDialog):
    """New or edit one corporate entry: a preset, title, kind, dates, what it feeds, notes.
    OK saves it in one transaction; a refused entry keeps the dialog open with the reasons."""

    saved = Signal(str)  # the entry's id

    def __init__(
        self,
        central: Central,
        entry: CorporateEntry | None,
        day: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.central = central
        self.entry = entry
        self.setWindowTitle("Edit corporate entry" if entry else "New corporate entry")
        self.preset = QComboBox()
        self.preset.addItem("(choose to fill in the usual words)")
        for preset in PRESETS:
            self.preset.addItem(preset.name)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.kind = QComboBox()
        for kind in CENTRAL_KINDS:
            self.kind.addItem(kind.label, kind.value)
        self.starts = DateEdit()
        self.ends = DateEdit()
        for edit in (self.starts, self.ends):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setDateRange(QDate(1900, 1, 1), QDate(2199, 12, 31))  # the service says why
        self.has_end = QCheckBox("Ends &on:")
        self.informs = QComboBox()
        self.informs.addItem("(nothing in particular)", None)
        for decision in DecisionKind:
            self.informs.addItem(decision.label, decision.value)
        self.cycle = QLineEdit()
        self.cycle.setMaxLength(80)
        self.cycle.setPlaceholderText("e.g. Policing plan 2027/28")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(60)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setAccessibleName("Why the entry was not saved")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        ends_row = QHBoxLayout()
        ends_row.addWidget(self.has_end)
        ends_row.addWidget(self.ends, 1)
        widget: QWidget
        for text, widget in (
            ("&Preset:", self.preset),
            ("&Title:", self.title_edit),
            ("&Kind:", self.kind),
            ("&Starts on:", self.starts),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", ends_row)
        self.ends.setAccessibleName("Ends on")
        for text, widget in (
            ("&Feeds:", self.informs),
            ("Planning &cycle:", self.cycle),
            ("&Notes:", self.notes),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.preset.activated.connect(self._apply_preset)
        self.has_end.toggled.connect(self.ends.setEnabled)
        self._end_by_hand = entry is not None and entry.draft().ends_on is not None
        self.ends.editingFinished.connect(self._end_edited)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        draft = entry.draft() if entry else None
        self.starts.setDate(qdate(draft.starts_on if draft else day))
        self.ends.setDate(qdate(draft.ends_on if draft and draft.ends_on else day))
        self.has_end.setChecked(bool(draft and draft.ends_on))
        self.ends.setEnabled(self.has_end.isChecked())
        if draft is not None:
            self.title_edit.setText(draft.title)
            self.kind.setCurrentIndex(self.kind.findData(draft.kind))
            self.informs.setCurrentIndex(max(0, self.informs.findData(draft.informs)))
            self.cycle.setText(draft.planning_cycle)
            self.notes.setPlainText(draft.notes)
        else:
            self.kind.setCurrentIndex(self.kind.findData(TimetableKind.MILESTONE))
        self.resize(520, 440)

    def _end_edited(self) -> None:
        self._end_by_hand = True

    def _kind_changed(self) -> None:
        if self.kind.currentData() == TimetableKind.CONSULTATION_WINDOW:
            self.has_end.setChecked(True)

    def _apply_preset(self, index: int) -> None:
        if index <= 0:
            return
        preset = PRESETS[index - 1]
        self.kind.setCurrentIndex(self.kind.findData(preset.kind))
        self.informs.setCurrentIndex(max(0, self.informs.findData(preset.informs)))
        if not self.title_edit.text().strip():
            self.title_edit.setText(preset.title)
        if not self.cycle.text().strip():
            year = self.starts.date().year()
            self.cycle.setText(f"{preset.planning_cycle} {year}/{(year + 1) % 100:02d}")
        # A window gets its usual eight weeks unless the officer has set its end by hand
        # (choosing the kind ticks "Ends on" first, with the end still the day first shown).
        window = preset.kind == TimetableKind.CONSULTATION_WINDOW
        if window and not self._end_by_hand:
            self.has_end.setChecked(True)
            self.ends.setDate(self.starts.date().addDays(55))  # eight weeks, as usual

    def draft(self) -> TimetableDraft:
        """What the form says."""
        informs = self.informs.currentData()
        return TimetableDraft(
            title=self.title_edit.text(),
            kind=TimetableKind(self.kind.currentData()),
            starts_on=pydate(self.starts.date()),
            ends_on=pydate(self.ends.date()) if self.has_end.isChecked() else None,
            planning_cycle=self.cycle.text().strip(),
            informs=DecisionKind(informs) if informs else None,
            notes=self.notes.toPlainText().strip(),
        )

    def save(self) -> None:
        """Save in one transaction; on a refusal say why and stay open (nothing written)."""
        try:
            with self.central.transaction(wait=DESK_WAIT) as session:
                entry_id = save_corporate_entry(
                    session,
                    self.draft(),
                    self.entry.id if self.entry else None,
                    seen=self.entry.version if self.entry else None,
                )
        except ValidationError as exc:
            self._refused("Not saved: " + "; ".join(exc.problems) + ".")
            return
        except KnownError as exc:
            self._refused(f"Not saved: {exc}")
            return
        self.saved.emit(entry_id)
        self.accept()

    def _refused(self, text: str) -> None:
        self.problem.setText(text[:1].upper() + text[1:])
        self.problem.show()
