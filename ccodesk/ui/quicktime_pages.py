"""The pages of the quick-time consultation wizard: stages 1 to 4 (what they share is in
`ccodesk.ui.quicktime_stage`).

Each page shows what the store holds when it is entered and saves what it decided when it is
left (`validatePage`), in its own transaction, through `ccodesk.services.quicktime`; problems
are shown on the page, which stays. Picks, advice and contacts are saved as they are made.
The plan and the review after the event are in `ccodesk.ui.quicktime_plan`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ConsulteeRole,
    Level,
    QuickTimeConsultation,
)
from ccodesk.services import quicktime as qt
from ccodesk.services.reference import all_topics, priority_groups
from ccodesk.ui.partner_picker import PartnerPicker, StoreDirectory
from ccodesk.ui.qtdates import pydatetime, qdatetime
from ccodesk.ui.quicktime_stage import (
    ID_ROLE,
    PROBLEM_STYLE,
    WARNING_STYLE,
    StagePage,
    WizardState,
    bullets,
    datetime_edit,
    enum_combo,
    labelled,
    select_data,
    text_edit,
)

# -- 1. causal event ---------------------------------------------------------------------------


class CausalEventPage(StagePage):
    deadline_changed = Signal()

    def __init__(self, state: WizardState) -> None:
        super().__init__(
            state,
            "1. Causal event",
            "What is coming, where, when and how big; and when responses are needed.",
        )
        with state.store.session() as s:
            topics = all_topics(s)
            groups = [(g.code, g.name) for g in priority_groups(s)]
        self.what = QLineEdit()
        self.what.setPlaceholderText("e.g. Pride weekend safer streets operation")
        self.where = QLineEdit()
        now = dt.datetime.now().replace(second=0, microsecond=0)
        self.when = datetime_edit(now + dt.timedelta(days=3))
        self.scale = text_edit(2)
        self.topic = QComboBox()
        self.topic.addItem("No particular topic", None)
        for code, name in topics:
            self.topic.addItem(name, code)
        self.affected = QListWidget()
        for code, name in groups:
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.affected.addItem(item)
        self.affected.setFixedHeight(self.affected.sizeHintForRow(0) * len(groups) + 8)
        self.deadline = datetime_edit(state.deadline)
        self.countdown = QLabel()
        self.countdown.setAccessibleName("Countdown")
        font = self.countdown.font()
        font.setBold(True)
        self.countdown.setFont(font)
        self.critical = QCheckBox("This is a major critical incident")
        self.critical.setAccessibleName("This is a major critical incident")
        self.refusal = QLabel(qt.CRITICAL_INCIDENT)
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(PROBLEM_STYLE)
        self.refusal.setAccessibleName("Refusal")
        self.refusal.setVisible(False)
        form = QFormLayout()
        labelled(form, "&What:", self.what)
        labelled(form, "W&here:", self.where)
        labelled(form, "Wh&en:", self.when)
        labelled(form, "&Scale:", self.scale)
        labelled(form, "&Topic:", self.topic)
        labelled(form, "Priority &groups affected:", self.affected)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline, 1)
        deadline_row.addWidget(self.countdown)
        label = QLabel("Responses needed b&y:")
        label.setBuddy(self.deadline)
        self.deadline.setAccessibleName("Responses needed by")
        form.addRow(label, deadline_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.critical)
        layout.addWidget(self.refusal)
        layout.addStretch(1)
        layout.addWidget(self.problems)
        self.track(self.what, self.where, self.when, self.scale, self.topic, self.affected)
        self.track(self.deadline)
        self.critical.toggled.connect(self._critical_toggled)
        self.deadline.dateTimeChanged.connect(self._deadline_edited)
        self.show_countdown()

    def _critical_toggled(self, on: bool) -> None:
        self.refusal.setVisible(on)
        self.completeChanged.emit()

    def _deadline_edited(self) -> None:
        self.state.deadline = pydatetime(self.deadline.dateTime())
        self.deadline_changed.emit()

    def show_countdown(self) -> None:
        super().show_countdown()
        if hasattr(self, "countdown"):
            self.countdown.setText(qt.countdown(self.state.deadline))

    def isComplete(self) -> bool:
        return not self.critical.isChecked()  # refused: Next stays disabled

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        c = consultation
        self.what.setText(c.title)
        self.where.setText(c.location)
        self.when.setDateTime(qdatetime(c.event_at))
        self.scale.setPlainText(c.scale)
        select_data(self.topic, c.topic_code)
        codes = {g.code for g in c.affected_groups}
        for row in range(self.affected.count()):
            item = self.affected.item(row)
            checked = item.data(ID_ROLE) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.deadline.setDateTime(qdatetime(c.deadline))
        self.critical.setEnabled(False)  # a consultation that exists was never one

    def affected_codes(self) -> list[str]:
        return [
            self.affected.item(row).data(ID_ROLE)
            for row in range(self.affected.count())
            if self.affected.item(row).checkState() == Qt.CheckState.Checked
        ]

    def save(self) -> None:
        event = qt.CausalEvent(
            title=self.what.text().strip(),
            event_at=pydatetime(self.when.dateTime()),
            deadline=pydatetime(self.deadline.dateTime()),
            location=self.where.text().strip(),
            scale=self.scale.toPlainText().strip(),
            topic_code=self.topic.currentData(),
            affected_groups=self.affected_codes(),
            borough_code=self.state.store.borough_code,
            critical_incident=self.critical.isChecked(),
        )
        with self.state.store.transaction() as s:
            if self.state.consultation_id is None:
                self.state.consultation_id = qt.create(s, event)
            else:
                qt.update_stage(
                    s,
                    self.state.consultation_id,
                    1,
                    {
                        "title": event.title,
                        "location": event.location,
                        "event_at": event.event_at,
                        "scale": event.scale,
                        "topic_code": event.topic_code,
                        "deadline": event.deadline,
                        "affected_groups": event.affected_groups,
                    },
                )
        self.state.deadline = event.deadline


# -- 2. scanning -------------------------------------------------------------------------------


class ScanningPage(StagePage):
    def __init__(self, state: WizardState) -> None:
        super().__init__(
            state,
            "2. Scanning",
            "Communities, police departments, other agencies, independent advisers to engage; "
            "warnings below.",
        )
        # The engagement editor's picker; here a pick carries a role and a reason, so the
        # picked list on the right (not chips) shows what was picked.
        self.picker = PartnerPicker(
            StoreDirectory(state.store), chips=False, label="Organisations directory"
        )
        self.search = self.picker.search
        self.found = self.picker.found
        self.role = enum_combo(ConsulteeRole)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why them, for this event")
        self.named = QLineEdit()
        self.named.setPlaceholderText("e.g. Traffic OCU")
        self.pick_button = QPushButton("&Pick organisation")
        self.named_button = QPushButton("&Add named consultee")
        self.picked = QListWidget()
        self.picked.setAccessibleName("Consultees picked")
        self.picked.setWordWrap(True)  # long names and reasons shown whole, not cut
        self.picked.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unpick_button = QPushButton("&Unpick")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setAccessibleName("Warnings")
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        directory = QGroupBox("Organisations directory")
        left = QFormLayout(directory)
        search_label = QLabel("Sea&rch:")
        search_label.setBuddy(self.search)
        left.addRow(search_label)
        left.addRow(self.picker)
        labelled(left, "R&ole:", self.role)
        labelled(left, "R&eason:", self.reason)
        left.addRow(self.pick_button)
        labelled(left, "Or a na&med consultee:", self.named)
        left.addRow(self.named_button)
        chosen = QGroupBox("Picked")
        right = QVBoxLayout(chosen)
        right.addWidget(self.picked)
        right.addWidget(self.unpick_button)
        row = QHBoxLayout()
        row.addWidget(directory, 3)
        row.addWidget(chosen, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.problems)
        self.picker.activated.connect(lambda _org_id: self.pick_selected())
        self.pick_button.clicked.connect(self.pick_selected)
        self.named_button.clicked.connect(self.add_named)
        self.named.returnPressed.connect(self.add_named)
        self.unpick_button.clicked.connect(self.unpick_selected)

    def initializePage(self) -> None:
        super().initializePage()
        self.picker.search_now()  # the directory may have changed since the page was built

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        self.picked.clear()
        for x in consultation.consultees:
            if x.deleted:
                continue
            reason = f" — {x.reason}" if x.reason else ""
            item = QListWidgetItem(f"{x.name} ({x.role.label}){reason}")
            item.setData(ID_ROLE, x.id)
            self.picked.addItem(item)
        found = qt.consultee_warnings(
            session,
            consultation,
            qt.picked_organisations(consultation),
            fatigue_threshold=self.state.settings.fatigue_threshold,
            fatigue_days=self.state.settings.fatigue_window_days,
        )
        self.warnings.setText(bullets(found, "⚠") if found else "No warnings.")

    def refresh(self) -> None:
        with self.state.store.session() as s:
            self.load(s, qt.get(s, self.consultation_id))

    def _pick(self, choice: qt.Pick) -> bool:
        def work() -> None:
            with self.state.store.transaction() as s:
                qt.pick(s, self.consultation_id, choice)

        done = self.attempt(work)
        if done:
            self.reason.clear()
            self.refresh()
        return done

    def pick_selected(self) -> bool:
        match = self.picker.current_match()  # after any search still waiting on typing
        if match is None:
            self.problems.setText("Find the organisation in the directory first.")
            return False
        role = ConsulteeRole(self.role.currentData())
        return self._pick(qt.Pick(role, match.id, reason=self.reason.text()))

    def add_named(self) -> bool:
        role = ConsulteeRole(self.role.currentData())
        done = self._pick(qt.Pick(role, name=self.named.text(), reason=self.reason.text()))
        if done:
            self.named.clear()
        return done

    def unpick_selected(self) -> None:
        item = self.picked.currentItem()
        if item is None:
            return

        def work() -> None:
            with self.state.store.transaction() as s:
                qt.unpick(s, item.data(ID_ROLE))

        if self.attempt(work):
            self.refresh()

    def save(self) -> None:
        if not self.picked.count():
            raise ValidationError("pick at least one consultee")


# -- 3. assessment, 4. strategy ----------------------------------------------------------------


class _TextStagePage(StagePage):
    """A stage of text fields (and a few others) saved with `update_stage`."""

    stage: int

    def __init__(self, state: WizardState, title: str, heading: str) -> None:
        super().__init__(state, title, heading)
        self.form = QFormLayout()
        self.texts: dict[str, QPlainTextEdit] = {}
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.problems)

    def addtext_edit(self, name: str, label: str, lines: int = 3) -> QPlainTextEdit:
        edit = text_edit(lines)
        self.texts[name] = edit
        labelled(self.form, label, edit)
        self.track(edit)
        return edit

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        for name, edit in self.texts.items():
            edit.setPlainText(getattr(consultation, name))

    def values(self) -> dict[str, Any]:
        return {name: edit.toPlainText().strip() for name, edit in self.texts.items()}

    def save(self) -> None:
        with self.state.store.transaction() as s:
            qt.update_stage(s, self.consultation_id, self.stage, self.values())


class AssessmentPage(_TextStagePage):
    stage = 3

    def __init__(self, state: WizardState) -> None:
        super().__init__(
            state, "3. Assessment", "The five areas of potential impact, and the level."
        )
        self.addtext_edit("event_profile", "&Event profile (with historical context):")
        self.level = enum_combo(Level)
        labelled(self.form, "&Level of consultation:", self.level)
        self.track(self.level)
        self.addtext_edit("communities", "&Communities:")
        self.addtext_edit("police", "&Police:")
        self.addtext_edit("other_agencies", "&Other agencies:")

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        super().load(session, consultation)
        select_data(self.level, consultation.level.value)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "level": Level(self.level.currentData())}


class StrategyPage(_TextStagePage):
    stage = 4

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "4. Strategy", "How to consult, and what it will cost.")
        self.addtext_edit("impact_assessment", "Community &impact assessment:", 2)
        self.addtext_edit("media_strategy", "&Media strategy:", 2)
        self.addtext_edit("cost_benefit", "&Cost / benefit:", 2)
        self.officer_hours = QSpinBox()
        self.officer_hours.setRange(0, 10_000)
        self.officer_hours.setSuffix(" h")
        labelled(self.form, "&Officer time (hours):", self.officer_hours)
        self.compensation = QDoubleSpinBox()
        self.compensation.setRange(0, 1_000_000)
        self.compensation.setDecimals(2)
        self.compensation.setPrefix("£")
        labelled(self.form, "&Adviser compensation:", self.compensation)
        self.track(self.officer_hours, self.compensation)
        self.addtext_edit("technology", "&Technology:", 2)
        self.addtext_edit("departmental_assessment", "Further &departmental assessment:", 2)

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        super().load(session, consultation)
        self.officer_hours.setValue(consultation.officer_hours)
        self.compensation.setValue(consultation.adviser_compensation_pence / 100)

    def values(self) -> dict[str, Any]:
        return {
            **super().values(),
            "officer_hours": self.officer_hours.value(),
            "adviser_compensation_pence": round(self.compensation.value() * 100),
        }
