"""The pages of the quick-time consultation wizard: one per stage, then the review.

Each page shows what the store holds when it is entered and saves what it decided when it is
left (`validatePage`), in its own transaction, through `ccodesk.services.quicktime`; problems
are shown on the page, which stays. Picks, advice and contacts are saved as they are made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
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
    QWidget,
    QWizardPage,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, ValidationError
from ccodesk.models import (
    ConsulteeRole,
    ContactChannel,
    Delivery,
    Labelled,
    Level,
    Organisation,
    QuickTimeConsultation,
    QuickTimeConsultee,
    Topic,
)
from ccodesk.services import quicktime as qt
from ccodesk.services.reference import priority_groups
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.qtdates import pydate, pydatetime, qdate, qdatetime

SEARCH_LIMIT = 50  # the directory can hold 15,000 organisations: never load them all
ID_ROLE = Qt.ItemDataRole.UserRole
WARNING_STYLE = "color: #8a4b00;"
PROBLEM_STYLE = "color: #b00020;"
IMPACT_CHOICES = (
    ("Not known yet", None),
    ("Had an impact", True),
    ("Did not have an impact", False),
)


@dataclass
class WizardState:
    """What the pages share: the store, the settings, and the consultation once created."""

    store: Store
    settings: Settings
    consultation_id: str | None
    deadline: dt.datetime
    fast_forward: bool = False  # opening an existing consultation: pass pages without saving


def _labelled(form: QFormLayout, text: str, widget: QWidget) -> QWidget:
    """A form row whose label is the field's buddy and its accessible name."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    form.addRow(label, widget)
    return widget


def _text(lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


def _combo(enum: type[Labelled]) -> QComboBox:
    combo = QComboBox()
    for member in enum:
        combo.addItem(member.label, member.value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def _datetime(value: dt.datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(qdatetime(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
    return edit


def _bullets(items: list[str], mark: str = "•") -> str:
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
        self.show_countdown()

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

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        """Show what the store holds for this stage."""

    def save(self) -> None:
        """Save what this stage decided (raises ValidationError with the problems)."""

    def validatePage(self) -> bool:
        if self.state.fast_forward:
            return True
        return self.attempt(self.save)

    def attempt(self, work: Callable[[], Any]) -> bool:
        """Run `work`; show its problems plainly if it fails."""
        try:
            work()
        except ValidationError as exc:
            self.problems.setText("Not saved:\n" + _bullets(exc.problems))
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
            topics = [(t.code, t.name) for t in s.scalars(select(Topic).order_by(Topic.name))]
            groups = [(g.code, g.name) for g in priority_groups(s)]
        self.what = QLineEdit()
        self.what.setPlaceholderText("e.g. Pride weekend safer streets operation")
        self.where = QLineEdit()
        now = dt.datetime.now().replace(second=0, microsecond=0)
        self.when = _datetime(now + dt.timedelta(days=3))
        self.scale = _text(2)
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
        self.deadline = _datetime(state.deadline)
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
        _labelled(form, "&What:", self.what)
        _labelled(form, "W&here:", self.where)
        _labelled(form, "Wh&en:", self.when)
        _labelled(form, "&Scale:", self.scale)
        _labelled(form, "&Topic:", self.topic)
        _labelled(form, "Priority &groups affected:", self.affected)
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
        _select(self.topic, c.topic_code)
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
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of a name")
        self.search.setClearButtonEnabled(True)
        self.found = QListWidget()
        self.found.setAccessibleName("Organisations found")
        self.found_note = QLabel()
        self.role = _combo(ConsulteeRole)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why them, for this event")
        self.named = QLineEdit()
        self.named.setPlaceholderText("e.g. Traffic OCU")
        self.pick_button = QPushButton("&Pick organisation")
        self.named_button = QPushButton("&Add named consultee")
        self.picked = QListWidget()
        self.picked.setAccessibleName("Consultees picked")
        self.unpick_button = QPushButton("&Unpick")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setAccessibleName("Warnings")
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        directory = QGroupBox("Organisations directory")
        left = QFormLayout(directory)
        _labelled(left, "Sea&rch:", self.search)
        left.addRow(self.found)
        left.addRow(self.found_note)
        _labelled(left, "R&ole:", self.role)
        _labelled(left, "R&eason:", self.reason)
        left.addRow(self.pick_button)
        _labelled(left, "Or a na&med consultee:", self.named)
        left.addRow(self.named_button)
        chosen = QGroupBox("Picked")
        right = QVBoxLayout(chosen)
        right.addWidget(self.picked)
        right.addWidget(self.unpick_button)
        row = QHBoxLayout()
        row.addWidget(directory, 1)
        row.addWidget(chosen, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.problems)
        self.search.textChanged.connect(self.find_organisations)
        self.found.itemDoubleClicked.connect(lambda _item: self.pick_selected())
        self.pick_button.clicked.connect(self.pick_selected)
        self.named_button.clicked.connect(self.add_named)
        self.named.returnPressed.connect(self.add_named)
        self.unpick_button.clicked.connect(self.unpick_selected)

    def initializePage(self) -> None:
        super().initializePage()
        self.find_organisations(self.search.text())

    def find_organisations(self, text: str) -> None:
        """Organisations whose name holds `text` (the first SEARCH_LIMIT, by name)."""
        query = select(Organisation.id, Organisation.name).where(Organisation.deleted.is_(False))
        if text.strip():
            query = query.where(Organisation.name.icontains(text.strip(), autoescape=True))
        with self.state.store.session() as s:
            rows = s.execute(query.order_by(Organisation.name).limit(SEARCH_LIMIT + 1)).all()
        self.found.clear()
        for org_id, name in rows[:SEARCH_LIMIT]:
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, org_id)
            self.found.addItem(item)
        if self.found.count():
            self.found.setCurrentRow(0)
        self.found_note.setText(
            f"The first {SEARCH_LIMIT}: type more of the name to narrow."
            if len(rows) > SEARCH_LIMIT
            else ("" if rows else "No organisation has that in its name.")
        )

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
        self.warnings.setText(_bullets(found, "⚠") if found else "No warnings.")

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
        item = self.found.currentItem()
        if item is None:
            self.problems.setText("Find the organisation in the directory first.")
            return False
        role = ConsulteeRole(self.role.currentData())
        return self._pick(qt.Pick(role, item.data(ID_ROLE), reason=self.reason.text()))

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

    def add_text(self, name: str, label: str, lines: int = 3) -> QPlainTextEdit:
        edit = _text(lines)
        self.texts[name] = edit
        _labelled(self.form, label, edit)
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
        self.add_text("event_profile", "&Event profile (with historical context):")
        self.level = _combo(Level)
        _labelled(self.form, "&Level of consultation:", self.level)
        self.add_text("communities", "&Communities:")
        self.add_text("police", "&Police:")
        self.add_text("other_agencies", "&Other agencies:")

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        super().load(session, consultation)
        _select(self.level, consultation.level.value)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "level": Level(self.level.currentData())}


class StrategyPage(_TextStagePage):
    stage = 4

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "4. Strategy", "How to consult, and what it will cost.")
        self.add_text("impact_assessment", "Community &impact assessment:", 2)
        self.add_text("media_strategy", "&Media strategy:", 2)
        self.add_text("cost_benefit", "&Cost / benefit:", 2)
        self.officer_hours = QSpinBox()
        self.officer_hours.setRange(0, 10_000)
        self.officer_hours.setSuffix(" h")
        _labelled(self.form, "&Officer time (hours):", self.officer_hours)
        self.compensation = QDoubleSpinBox()
        self.compensation.setRange(0, 1_000_000)
        self.compensation.setDecimals(2)
        self.compensation.setPrefix("£")
        _labelled(self.form, "&Adviser compensation:", self.compensation)
        self.add_text("technology", "&Technology:", 2)
        self.add_text("departmental_assessment", "Further &departmental assessment:", 2)

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


# -- 5. plan -----------------------------------------------------------------------------------


class PlanPage(StagePage):
    def __init__(self, state: WizardState) -> None:
        super().__init__(
            state,
            "5. Plan",
            "Scope, delivery, terms of reference; each consultee's advice, its impact (or not), "
            "feedback and contacts.",
        )
        self.scope = QLabel()
        self.scope.setWordWrap(True)
        self.scope.setAccessibleName("Scope of consultation")
        self.delivery = QComboBox()
        self.delivery.addItem("Choose…", None)
        for member in Delivery:
            self.delivery.addItem(member.label, member.value)
        self.terms = _text(2)
        self.consultees = QListWidget()
        self.consultees.setAccessibleName("Consultees")
        self.consultees.setWordWrap(True)
        self.consultees.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.advice = _text(2)
        self.impact = QComboBox()
        for label, value in IMPACT_CHOICES:
            self.impact.addItem(label, value)
        self.impact_text = QLineEdit()
        self.impact_text.setPlaceholderText("what the advice changed, or why it was not acted on")
        self.feedback_given = QCheckBox("Feedback given on")
        self.feedback_given.setAccessibleName("Feedback given")
        self.feedback_on = QDateEdit(qdate(dt.date.today()))
        self.feedback_on.setCalendarPopup(True)
        self.feedback_on.setDisplayFormat("dd MMM yyyy")
        self.feedback_on.setAccessibleName("Feedback given on")
        self.advice_button = QPushButton("&Record advice and feedback")
        self.contacts = QListWidget()
        self.contacts.setAccessibleName("Contact log")
        self.channel = _combo(ContactChannel)
        self.note = QLineEdit()
        self.note.setPlaceholderText("what was said or sent")
        self.contact_at = _datetime(dt.datetime.now().replace(second=0, microsecond=0))
        self.contact_button = QPushButton("A&dd contact")

        top = QFormLayout()
        top.addRow("Scope:", self.scope)
        _labelled(top, "De&livery:", self.delivery)
        _labelled(top, "&Terms of reference:", self.terms)
        advice = QGroupBox("Advice and feedback")
        advice_form = QFormLayout(advice)
        _labelled(advice_form, "&Advice given:", self.advice)
        _labelled(advice_form, "&Impact:", self.impact)
        _labelled(advice_form, "&What it changed, or why not:", self.impact_text)
        feedback = QHBoxLayout()
        feedback.addWidget(self.feedback_given)
        feedback.addWidget(self.feedback_on, 1)
        advice_form.addRow(feedback)
        advice_form.addRow(self.advice_button)
        log = QGroupBox("Contact log")
        log_grid = QGridLayout(log)
        log_grid.addWidget(self.contacts, 0, 0, 1, 4)
        channel = QLabel("C&hannel:")
        channel.setBuddy(self.channel)
        self.channel.setAccessibleName("Channel")
        self.note.setAccessibleName("Note")
        self.contact_at.setAccessibleName("Time of contact")
        log_grid.addWidget(channel, 1, 0)
        log_grid.addWidget(self.channel, 1, 1)
        log_grid.addWidget(self.contact_at, 1, 2, 1, 2)
        log_grid.addWidget(self.note, 2, 0, 1, 3)
        log_grid.addWidget(self.contact_button, 2, 3)
        right = QVBoxLayout()
        right.addWidget(advice)
        right.addWidget(log)
        people = QHBoxLayout()
        people.addWidget(self.consultees, 2)
        people.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(people, 1)
        layout.addWidget(self.problems)
        self._loaded_advice: tuple[Any, ...] = ()
        self.consultees.currentItemChanged.connect(lambda _new, _old: self.show_consultee())
        self.advice_button.clicked.connect(self.record_advice)
        self.contact_button.clicked.connect(self.add_contact)
        self.note.returnPressed.connect(self.add_contact)
        self.feedback_given.toggled.connect(self.feedback_on.setEnabled)
        self.feedback_on.setEnabled(False)

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        self.scope.setText(qt.scope(consultation))
        _select(self.delivery, consultation.delivery.value if consultation.delivery else None)
        self.terms.setPlainText(consultation.terms_of_reference)
        self.load_consultees(consultation)

    def load_consultees(self, consultation: QuickTimeConsultation) -> None:
        """The consultees, each with where their advice and feedback stand."""
        current = self.consultee_id()
        self.consultees.clear()
        for x in consultation.consultees:
            if x.deleted:
                continue
            item = QListWidgetItem(self._line(x))
            item.setData(ID_ROLE, x.id)
            self.consultees.addItem(item)
            if x.id == current:
                self.consultees.setCurrentItem(item)
        if self.consultees.currentItem() is None and self.consultees.count():
            self.consultees.setCurrentRow(0)
        self.show_consultee()

    @staticmethod
    def _line(x: QuickTimeConsultee) -> str:
        if not x.advice:
            state = "no advice yet"
        elif x.feedback_given_on is None:
            state = "feedback owed"
        else:
            state = f"told {x.feedback_given_on:%d %b}"
        return f"{x.name} ({x.role.label}): {state}"

    def consultee_id(self) -> str | None:
        item = self.consultees.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def show_consultee(self) -> None:
        consultee_id = self.consultee_id()
        for widget in (self.advice_button, self.contact_button):
            widget.setEnabled(consultee_id is not None)
        self.contacts.clear()
        if consultee_id is None:
            self._loaded_advice = ()
            return
        with self.state.store.session() as s:
            x = s.get(QuickTimeConsultee, consultee_id)
            if x is None:
                return
            self.advice.setPlainText(x.advice)
            # findData cannot tell False from None: by position
            self.impact.setCurrentIndex([v for _l, v in IMPACT_CHOICES].index(x.advice_used))
            self.impact_text.setText(x.impact)
            self.feedback_given.setChecked(x.feedback_given_on is not None)
            self.feedback_on.setDate(qdate(x.feedback_given_on or dt.date.today()))
            for contact in x.contacts:
                if not contact.deleted:
                    self.contacts.addItem(
                        f"{contact.at:%a %d %b %H:%M}  {contact.channel.label}: {contact.note}"
                    )
        self._loaded_advice = self._advice_values()

    def _advice_values(self) -> tuple[Any, ...]:
        return (
            self.advice.toPlainText().strip(),
            IMPACT_CHOICES[self.impact.currentIndex()][1],
            self.impact_text.text().strip(),
            pydate(self.feedback_on.date()) if self.feedback_given.isChecked() else None,
        )

    def _record_advice(self, session: Session) -> None:
        consultee_id = self.consultee_id()
        if consultee_id is None:
            return
        advice, used, impact, told = self._advice_values()
        qt.record_advice(
            session, consultee_id, advice=advice, used=used, impact=impact, feedback_given_on=told
        )

    def record_advice(self) -> bool:
        def work() -> None:
            with self.state.store.transaction() as s:
                self._record_advice(s)

        done = self.attempt(work)
        if done:  # the list says "told …" now; delivery and terms typed are kept
            with self.state.store.session() as s:
                self.load_consultees(qt.get(s, self.consultation_id))
        return done

    def add_contact(self) -> bool:
        consultee_id = self.consultee_id()
        if consultee_id is None:
            return False

        def work() -> None:
            with self.state.store.transaction() as s:
                qt.log_contact(
                    s,
                    consultee_id,
                    ContactChannel(self.channel.currentData()),
                    self.note.text(),
                    pydatetime(self.contact_at.dateTime()),
                )

        done = self.attempt(work)
        if done:
            self.note.clear()
            self.show_consultee()
        return done

    def save(self) -> None:
        delivery = self.delivery.currentData()
        if delivery is None:
            raise ValidationError("choose how the consultation is delivered")
        with self.state.store.transaction() as s:
            qt.update_stage(
                s,
                self.consultation_id,
                5,
                {"delivery": delivery, "terms_of_reference": self.terms.toPlainText().strip()},
            )
            if self._loaded_advice and self._advice_values() != self._loaded_advice:
                self._record_advice(s)  # advice typed but not recorded yet: keep it


# -- after the event ---------------------------------------------------------------------------


class ReviewPage(StagePage):
    def __init__(self, state: WizardState) -> None:
        super().__init__(
            state,
            "After the event: review",
            "What happened, and lessons for later consultations like it. Not held yet? "
            "Close: everything is saved.",
        )
        self.similar = QLabel()
        self.similar.setWordWrap(True)
        self.similar.setAccessibleName("Lessons from similar consultations")
        self.similar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QGroupBox("Lessons from similar consultations")
        QVBoxLayout(box).addWidget(self.similar)
        self.review = _text(5)
        self.lessons = _text(4)
        form = QFormLayout()
        _labelled(form, "&Review:", self.review)
        _labelled(form, "&Lessons for next time:", self.lessons)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.problems)

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        earlier = qt.similar_lessons(session, consultation)
        self.similar.setText(
            "\n".join(f"• {title} ({when:%b %Y}): {lessons}" for title, when, lessons in earlier)
            or "No earlier consultation of a similar kind has been reviewed yet."
        )
        self.review.setPlainText(consultation.review)
        self.lessons.setPlainText(consultation.lessons)

    def save(self) -> None:
        with self.state.store.transaction() as s:
            qt.review(
                s,
                self.consultation_id,
                review_text=self.review.toPlainText().strip(),
                lessons=self.lessons.toPlainText().strip(),
            )
