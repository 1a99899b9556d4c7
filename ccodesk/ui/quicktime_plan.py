"""The last pages of the quick-time wizard: the plan (per consultee: advice, its impact or
lack of it, the feedback given, the contact log) and the review after the event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import ContactChannel, Delivery, QuickTimeConsultation, QuickTimeConsultee
from ccodesk.services import quicktime as qt
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.qtdates import pydate, pydatetime, qdate
from ccodesk.ui.quicktime_stage import (
    ID_ROLE,
    StagePage,
    WizardState,
    bullets,
    datetime_edit,
    enum_combo,
    labelled,
    select_data,
    text_edit,
)

IMPACT_CHOICES = (
    ("Not known yet", None),
    ("Had an impact", True),
    ("Did not have an impact", False),
)


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
        self.terms = text_edit(2)
        self.consultees = QListWidget()
        self.consultees.setAccessibleName("Consultees")
        self.consultees.setWordWrap(True)
        self.consultees.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.advice = text_edit(2)
        self.impact = QComboBox()
        for label, value in IMPACT_CHOICES:
            self.impact.addItem(label, value)
        self.impact_text = QLineEdit()
        self.impact_text.setPlaceholderText("what the advice changed, or why it was not acted on")
        self.feedback_given = QCheckBox("Feedback given on")
        self.feedback_given.setAccessibleName("Feedback given")
        self.feedback_on = DateEdit(qdate(dt.date.today()))
        self.feedback_on.setCalendarPopup(True)
        self.feedback_on.setDisplayFormat("dd MMM yyyy")
        self.feedback_on.setAccessibleName("Feedback given on")
        self.advice_button = QPushButton("&Record advice and feedback")
        self.contacts = QListWidget()
        self.contacts.setAccessibleName("Contact log")
        self.channel = enum_combo(ContactChannel)
        self.note = QLineEdit()
        self.note.setPlaceholderText("what was said or sent")
        self.contact_at = datetime_edit(dt.datetime.now().replace(second=0, microsecond=0))
        self.contact_button = QPushButton("A&dd contact")

        top = QFormLayout()
        top.addRow("Scope:", self.scope)
        labelled(top, "De&livery:", self.delivery)
        labelled(top, "&Terms of reference:", self.terms)
        advice = QGroupBox("Advice and feedback")
        advice_form = QFormLayout(advice)
        labelled(advice_form, "&Advice given:", self.advice)
        labelled(advice_form, "&Impact:", self.impact)
        labelled(advice_form, "&What it changed, or why not:", self.impact_text)
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
        self.track(self.delivery, self.terms)

    def is_dirty(self) -> bool:
        advice_typed = bool(self._loaded_advice) and self._advice_values() != self._loaded_advice
        return super().is_dirty() or advice_typed

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        self.scope.setText(qt.scope(consultation))
        select_data(self.delivery, consultation.delivery.value if consultation.delivery else None)
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
            x = qt.get_consultee(s, consultee_id)
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
        self.review = text_edit(5)
        self.lessons = text_edit(4)
        form = QFormLayout()
        labelled(form, "&Review:", self.review)
        labelled(form, "&Lessons for next time:", self.lessons)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.problems)
        self.track(self.review, self.lessons)

    def load(self, session: Session, consultation: QuickTimeConsultation) -> None:
        earlier = qt.similar_lessons(session, consultation)
        self.similar.setText(
            "\n".join(f"• {title} ({when:%b %Y}): {lessons}" for title, when, lessons in earlier)
            or "No earlier consultation of a similar kind has been reviewed yet."
        )
        self.review.setPlainText(consultation.review)
        self.lessons.setPlainText(consultation.lessons)
        early = qt.review_problems(consultation)  # said before the officer writes the review
        self.problems.setText("Not ready for review yet:\n" + bullets(early) if early else "")

    def save(self) -> None:
        with self.state.store.transaction() as s:
            qt.review(
                s,
                self.consultation_id,
                review_text=self.review.toPlainText().strip(),
                lessons=self.lessons.toPlainText().strip(),
            )
