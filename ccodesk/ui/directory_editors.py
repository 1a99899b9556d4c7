"""Editors for an organisation (groups served, sensitivities) and a contact (consent)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import ConsentEventKind, OrganisationType, SensitivityLevel
from ccodesk.services import consent
from ccodesk.services.consent import ConsentStep
from ccodesk.services.directory import (
    ContactDraft,
    OrganisationDraft,
    get_contact,
    get_organisation,
    save_contact,
    save_organisation,
)
from ccodesk.services.reference import all_topics, priority_groups
from ccodesk.store import Store
from ccodesk.ui.consent_dialog import ConsentDialog
from ccodesk.ui.privacy_person import PersonActions


class _Editor(QDialog):
    """Shared frame: a form, a line for problems, Save and Cancel."""

    saved = Signal(str)

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.body = QVBoxLayout(self)
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020;")
        self.problems.setAccessibleName("Problems")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.body.addWidget(self.problems)
        self.body.addWidget(self.buttons)

    def line(self, label: str, value: str = "") -> QLineEdit:
        edit = QLineEdit(value)
        edit.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.form.addRow(label, edit)
        return edit

    def save(self) -> None:
        try:
            record_id = self.store_it()
        except ValidationError as exc:
            self.problems.setText("Not saved:\n" + "\n".join(f"• {p}" for p in exc.problems))
            return
        except KnownError as exc:
            self.problems.setText(f"Not saved: {exc}")
            return
        self.saved.emit(record_id)
        self.accept()

    def store_it(self) -> str:
        raise NotImplementedError


class OrganisationEditor(_Editor):
    def __init__(
        self, store: Store, organisation_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Organisation", parent)
        self.store, self.organisation_id = store, organisation_id
        with store.session() as s:
            self.topics = all_topics(s)
            groups = [(g.code, g.name) for g in priority_groups(s)]
            org = get_organisation(s, organisation_id) if organisation_id else None
            served = {g.code for g in org.groups_served} if org else set()
            sensitivities = (
                [(x.topic_code, x.level, x.note) for x in org.sensitivities if not x.deleted]
                if org
                else []
            )
        self.name = self.line("&Name:", org.name if org else "")
        self.org_type = QComboBox()
        self.org_type.setAccessibleName("Type")
        for t in OrganisationType:
            self.org_type.addItem(t.label, t.value)
        if org:
            self.org_type.setCurrentIndex(self.org_type.findData(org.org_type.value))
        self.form.addRow("&Type:", self.org_type)
        self.address = self.line("&Address:", org.address if org else "")
        self.postcode = self.line("&Postcode:", org.postcode if org else "")
        self.phone = self.line("P&hone:", org.phone if org else "")
        self.email = self.line("&E-mail:", org.email if org else "")
        self.website = self.line("&Web site:", org.website if org else "")
        self.notes = QPlainTextEdit(org.notes if org else "")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.form.addRow("N&otes:", self.notes)
        box = QGroupBox("Priority groups served")
        grid = QHBoxLayout(box)
        self.groups = {code: QCheckBox(name) for code, name in groups}
        for code, check in self.groups.items():
            check.setChecked(code in served)
            grid.addWidget(check)
        self.body.addWidget(box)
        self.sensitivities = QTableWidget(0, 3)
        self.sensitivities.setAccessibleName("Sensitivities")
        self.sensitivities.setHorizontalHeaderLabels(["Topic", "Level", "Note"])
        self.sensitivities.horizontalHeader().setStretchLastSection(True)
        for topic, level, note in sensitivities:
            self.add_sensitivity(topic, level, note)
        add = QPushButton("Add &sensitivity")
        add.clicked.connect(lambda: self.add_sensitivity())
        remove = QPushButton("&Remove sensitivity")
        remove.clicked.connect(
            lambda: self.sensitivities.removeRow(self.sensitivities.currentRow())
        )
        self.body.addWidget(QLabel("Topics it must not be consulted on, or only with care:"))
        self.body.addWidget(self.sensitivities)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.body.addLayout(row)
        self.finish()
        self.resize(760, 620)

    def add_sensitivity(
        self,
        topic: str | None = None,
        level: SensitivityLevel = SensitivityLevel.CAUTION,
        note: str = "",
    ) -> None:
        row = self.sensitivities.rowCount()
        self.sensitivities.insertRow(row)
        topics = QComboBox()
        for code, name in self.topics:
            topics.addItem(name, code)
        if topic:
            topics.setCurrentIndex(topics.findData(topic))
        levels = QComboBox()
        for member in SensitivityLevel:
            levels.addItem(member.label, member.value)
        levels.setCurrentIndex(levels.findData(level.value))
        self.sensitivities.setCellWidget(row, 0, topics)
        self.sensitivities.setCellWidget(row, 1, levels)
        self.sensitivities.setCellWidget(row, 2, QLineEdit(note))

    def draft(self) -> OrganisationDraft:
        rows = []
        for row in range(self.sensitivities.rowCount()):
            topic, level, note = (self.sensitivities.cellWidget(row, c) for c in range(3))
            assert isinstance(topic, QComboBox) and isinstance(level, QComboBox)
            assert isinstance(note, QLineEdit)
            rows.append((topic.currentData(), SensitivityLevel(level.currentData()), note.text()))
        return OrganisationDraft(
            name=self.name.text(),
            org_type=OrganisationType(self.org_type.currentData()),
            address=self.address.text(),
            postcode=self.postcode.text(),
            phone=self.phone.text(),
            email=self.email.text().strip(),
            website=self.website.text(),
            notes=self.notes.toPlainText(),
            groups_served=[c for c, b in self.groups.items() if b.isChecked()],
            sensitivities=rows,
        )

    def store_it(self) -> str:
        draft = self.draft()
        if len({t for t, _, _ in draft.sensitivities}) < len(draft.sensitivities):
            raise ValidationError("the same topic is listed twice")
        with self.store.transaction() as s:
            return save_organisation(s, draft, self.organisation_id).id


class ContactEditor(_Editor):
    """A contact's details, and their consent: where it stands, its history, and buttons to
    record consent given, renewed or withdrawn (each step in a small dialog)."""

    def __init__(
        self,
        store: Store,
        contact_id: str | None = None,
        *,
        organisation_id: str | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Contact", parent)
        self.store, self.contact_id = store, contact_id
        self.today = today or dt.date.today()
        self.pending: ConsentStep | None = None  # consent given to a contact not saved yet
        self.consent_dialog: ConsentDialog | None = None  # the last one opened (for tests)
        with store.session() as s:
            c = get_contact(s, contact_id) if contact_id else None
        self.organisation_id = c.organisation_id if c else organisation_id
        self.name = self.line("&Name:", c.name if c else "")
        self.role = self.line("&Role:", c.role if c else "")
        self.email = self.line("&E-mail:", c.email if c else "")
        self.phone = self.line("&Phone:", c.phone if c else "")
        self.channel = self.line("Prefers to be contacted &by:", c.preferred_channel if c else "")
        self.access = self.line("&Accessibility needs:", c.accessibility_needs if c else "")
        self.shareable = QCheckBox("Details may be &shared with the central unit")
        self.shareable.setChecked(bool(c and c.shareable))
        self.form.addRow("", self.shareable)
        self.notes = QPlainTextEdit(c.notes if c else "")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.notes.setMaximumHeight(70)
        self.form.addRow("N&otes:", self.notes)
        self.body.addWidget(self._consent_box())
        if contact_id is not None:  # erase, object to processing (issue 15)
            self.person_actions = PersonActions(store, contact_id, self)
            self.person_actions.erased.connect(self._erased)
            self.body.addWidget(self.person_actions)
        self.finish()
        self.show_consent()

    def _consent_box(self) -> QGroupBox:
        box = QGroupBox("Consent")
        layout = QVBoxLayout(box)
        self.consent_state = QLabel()
        self.consent_state.setWordWrap(True)
        self.consent_state.setAccessibleName("Consent")
        layout.addWidget(self.consent_state)
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setAccessibleName("Consent history")
        self.history.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setMinimumHeight(80)
        self.history.setMaximumHeight(140)
        layout.addWidget(self.history)
        row = QHBoxLayout()
        self.record_button = QPushButton("Record &consent…")
        self.renew_button = QPushButton("Rene&w…")
        self.withdraw_button = QPushButton("Wit&hdraw…")
        for button, kind in (
            (self.record_button, ConsentEventKind.GIVEN),
            (self.renew_button, ConsentEventKind.RENEWED),
            (self.withdraw_button, ConsentEventKind.WITHDRAWN),
        ):
            button.clicked.connect(lambda _=False, kind=kind: self.consent_step(kind))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def show_consent(self) -> None:
        """The consent's state, history and which steps may follow, as the store has them."""
        if self.contact_id is not None:
            with self.store.session() as s:
                now = consent.summary(s, self.contact_id, self.today)
            lines = [
                (h.on, h.kind.label, h.scope, h.expires_on, h.method.label, h.officer)
                for h in now.history
            ]
            given, objected, state = now.given, now.objected, now.state
            self.renewal: ConsentStep | None = now.renewal
        else:
            step = self.pending
            lines = (
                [(step.on, "Consent given (on saving)", step.scope, step.expires_on,
                  step.method.label, "")]
                if step
                else []
            )  # fmt: skip
            given, objected, self.renewal = step is not None, False, None
            state = "Consent given: recorded when the contact is saved" if step else (
                "No consent recorded: this person's details are not used in lists, packs "
                "or exports until it is"
            )  # fmt: skip
        self.consent_state.setText(state)
        self.history.setRowCount(0)
        for on, what, scope, expires, method, officer in lines:
            row = self.history.rowCount()
            self.history.insertRow(row)
            cells = (f"{on:%d %b %Y}", what, scope, f"{expires:%d %b %Y}" if expires else "",
                     method, officer)  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history.setItem(row, column, item)
        self.history.resizeColumnsToContents()
        saved = self.contact_id is not None
        self.record_button.setEnabled(not objected and not (given and not saved))
        self.renew_button.setEnabled(saved and given and not objected)
        self.withdraw_button.setEnabled(saved and given)

    def consent_step(self, kind: ConsentEventKind) -> ConsentDialog:
        """Open the dialog for one step of consent (window-modal); the form follows on OK."""
        start = self.renewal if kind == ConsentEventKind.RENEWED else None
        dialog = ConsentDialog(
            self.store if self.contact_id else None,
            self.contact_id,
            kind,
            name=self.name.text().strip(),
            start=start,
            today=self.today,
            parent=self,
        )
        dialog.accepted.connect(lambda: self._stepped(dialog))
        self.consent_dialog = dialog
        dialog.open()
        return dialog

    def _stepped(self, dialog: ConsentDialog) -> None:
        if self.contact_id is None:
            self.pending = dialog.step
        if dialog.kind == ConsentEventKind.WITHDRAWN:
            self.shareable.setChecked(False)  # sharing ends with consent (as it did in the store)
        self.show_consent()

    def _erased(self, contact_id: str) -> None:
        self.saved.emit(contact_id)  # whoever listed the contact shows the list without it
        self.reject()

    def store_it(self) -> str:
        step = self.pending
        draft = ContactDraft(
            name=self.name.text(),
            organisation_id=self.organisation_id,
            role=self.role.text(),
            email=self.email.text().strip(),
            phone=self.phone.text(),
            preferred_channel=self.channel.text(),
            accessibility_needs=self.access.text(),
            shareable=self.shareable.isChecked(),
            notes=self.notes.toPlainText(),
        )
        if self.contact_id is None and step is not None:
            draft = dataclasses.replace(
                draft,
                consent_given=True,
                consent_date=step.on,
                consent_scope=step.scope,
                consent_expires=step.expires_on,
                consent_method=step.method,
                consent_note=step.note,
            )
        with self.store.transaction() as s:
            # consent changes only through its own steps (the dialogs), never by this save
            return save_contact(s, draft, self.contact_id, keep_consent=True).id


HISTORY_COLUMNS = ("Date", "What", "Scope", "Expires", "How recorded", "Officer")


__all__ = ["ContactEditor", "OrganisationEditor"]
