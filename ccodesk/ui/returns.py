"""Keying in returned paper forms: type (or scan) the form code, then the answers, then Add.

Made for a stack of forms, typed or scanned: Enter in the code box looks the code up and moves
to the answers (a barcode or QR scanner ends every code with Enter); Enter in an answer moves to
the next one; only Add (Ctrl+Enter) keys a form in, and Enter never closes the window. After Add
the answers clear, the sheet number moves on and the cursor goes back to the code box with the
code selected: Enter carries on with the next sheet of the same form, a scan replaces it.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, ValidationError
from ccodesk.printing.codes import FormKind
from ccodesk.printing.questionnaire import EQUALITY_QUESTIONS, FEEDBACK_QUESTIONS
from ccodesk.services import returned_forms as returns
from ccodesk.services.reference import all_topics
from ccodesk.store import Store

log = logging.getLogger("ccodesk.ui")
RECENT_DAYS = 120  # blank forms: engagements held this long ago or planned soon


def _labelled(form: QFormLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    form.addRow(label, widget)


class _EqualityPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.answers: dict[str, QComboBox] = {}
        for number, question in enumerate(EQUALITY_QUESTIONS, start=1):
            combo = QComboBox()
            combo.addItem("(not answered)", None)
            for option in question.options:
                combo.addItem(option.label, option.value)
            _labelled(form, f"{number}. {question.text}", combo)
            self.answers[question.key] = combo

    def values(self) -> dict[str, str | None]:
        return {key: combo.currentData() for key, combo in self.answers.items()}

    def clear(self) -> None:
        for combo in self.answers.values():
            combo.setCurrentIndex(0)

    def first(self) -> QWidget:
        return next(iter(self.answers.values()))


class _FeedbackPage(QWidget):
    def __init__(self, topics: list[tuple[str, str]]) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.answers: dict[str, QPlainTextEdit] = {}
        for number, (key, text) in enumerate(FEEDBACK_QUESTIONS, start=1):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(64)
            _labelled(form, f"{number}. {text}", edit)
            self.answers[key] = edit
        self.topic = QComboBox()
        self.topic.addItem("(none ticked)", None)
        for code, name in topics:
            self.topic.addItem(name, code)
        _labelled(form, f"{len(FEEDBACK_QUESTIONS) + 1}. Which topic is it about?", self.topic)

    def values(self) -> dict[str, str]:
        return {key: edit.toPlainText() for key, edit in self.answers.items()}

    def clear(self) -> None:
        for edit in self.answers.values():
            edit.clear()
        self.topic.setCurrentIndex(0)

    def first(self) -> QWidget:
        return next(iter(self.answers.values()))


class _SignInPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.names = QSpinBox()
        self.names.setRange(0, 100)
        _labelled(form, "Names on this sheet:", self.names)
        self.consented = QSpinBox()
        self.consented.setRange(0, 100)
        _labelled(form, "Of whom ticked \u201ccontact me again\u201d:", self.consented)

    def clear(self) -> None:
        self.names.setValue(0)
        self.consented.setValue(0)

    def first(self) -> QWidget:
        return self.names


class ReturnedFormsDialog(QDialog):
    """The quick data-entry screen for returned paper forms; `keyed` carries the engagement."""

    keyed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Key in returned forms")
        self.target: returns.FormTarget | None = None
        self._confirmed_duplicate: tuple[str, str, int] | None = None
        self.session_tally: dict[FormKind, int] = {}
        with store.session() as session:
            topics = all_topics(session)
        self.code = QLineEdit()
        self.code.setPlaceholderText("e.g. EK4Q-7MX2, or scan the QR code")
        self.sheet = QSpinBox()
        self.sheet.setRange(0, 9999)
        self.sheet.setSpecialValueText("not numbered")
        self.what = QLabel("Type the code printed at the foot of the form.")
        self.what.setWordWrap(True)
        self.what.setAccessibleName("Form")
        self.engagement = QComboBox()
        self.engagement.setEnabled(False)
        top = QFormLayout()
        _labelled(top, "Form &code:", self.code)
        _labelled(top, "&Sheet number:", self.sheet)
        top.addRow(self.what)
        _labelled(top, "&Engagement:", self.engagement)
        self.equality = _EqualityPage()
        self.feedback = _FeedbackPage(topics)
        self.sign_in = _SignInPage()
        self.pages = QStackedWidget()
        self.pages.addWidget(QLabel())  # nothing to key until a code is read
        for page in (self.equality, self.feedback, self.sign_in):
            self.pages.addWidget(page)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Result")
        self.tally = QLabel()
        self.tally.setAccessibleName("Keyed this session")
        self.add_button = QPushButton("&Add to the engagement")
        # Not the default button: a scanner ends the code with Enter, which must not key in
        # an empty form; Enter in the code field moves on to the answers instead.
        self.add_button.setAutoDefault(False)
        self.add_button.setToolTip("Ctrl+Enter")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():  # no default button: Enter belongs to the fields
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.add)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.tally)
        layout.addWidget(buttons)
        self.code.textChanged.connect(self._read_code)
        self.code.installEventFilter(self)  # Enter in the code box: see eventFilter
        self.sheet.valueChanged.connect(lambda _v: setattr(self, "_confirmed_duplicate", None))
        self.resize(760, 620)

    # -- the code ------------------------------------------------------------------------------

    def _read_code(self, text: str) -> None:
        self.target = None
        self._confirmed_duplicate = None
        self.engagement.clear()
        self.engagement.setEnabled(False)
        self.add_button.setEnabled(False)
        self.pages.setCurrentIndex(0)
        if len(text.replace("-", "").replace(" ", "")) < 8:
            self.what.setText("Type the code printed at the foot of the form.")
            return
        try:
            with self.store.session() as session:
                target = returns.resolve_code(session, text)
        except KnownError as exc:
            self.what.setText(f"\u26a0 {exc}")
            return
        self.target = target
        if target.parsed.sheet:
            self.sheet.setValue(target.parsed.sheet)
            self.code.blockSignals(True)
            self.code.setText(target.parsed.code)  # a scanned "CODE/7" leaves the code alone
            self.code.blockSignals(False)
        kind = target.kind
        if target.engagement is not None:
            e = target.engagement
            self.engagement.addItem(f"{e.starts_at:%d %b %Y %H:%M} — {e.title}", e.id)
            self.what.setText(f"{kind.label} for <b>{e.title}</b>, {e.when}")
        else:
            choices = [(c.id, c.starts_at, c.title) for c in target.candidates]
            for e_id, when, title in choices or self._recent():
                self.engagement.addItem(f"{when:%d %b %Y %H:%M} — {title}", e_id)
            self.engagement.setEnabled(True)
            blank = "a blank form" if not target.candidates else "a code that fits several"
            self.what.setText(f"{kind.label}: {blank}; choose its engagement below.")
        pages = {FormKind.EQUALITY: self.equality, FormKind.FEEDBACK: self.feedback}
        page = pages.get(kind, self.sign_in)
        self.pages.setCurrentWidget(page)
        self.add_button.setEnabled(self.engagement.count() > 0)

    def _recent(self) -> list[tuple[str, dt.datetime, str]]:
        today = dt.datetime.combine(dt.date.today(), dt.time())
        with self.store.session() as session:
            return returns.engagements_between(
                session, today - dt.timedelta(days=RECENT_DAYS), today + dt.timedelta(days=8)
            )

    def _to_answers(self) -> None:
        """Enter in the code box: on to the engagement (a blank form) or the first answer."""
        page = self.pages.currentWidget()
        if self.target is None or not isinstance(page, _EqualityPage | _FeedbackPage | _SignInPage):
            if not self.code.text().strip():
                self.what.setText("Type the code printed at the foot of the form.")
            self.code.selectAll()  # stay: the message says what is wrong with the code
            return
        if self.engagement.isEnabled():
            self.engagement.setFocus()
        else:
            page.first().setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.code
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._to_answers()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        # Ctrl+Enter adds even when the window is not active (the shortcut then cannot fire).
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.add()
        else:
            # Enter in an answer (a list or a number) moves on, like Tab; it never closes
            # the window or keys a form in by accident.
            self.focusNextChild()
        event.accept()

    # -- adding --------------------------------------------------------------------------------

    def add(self) -> returns.Keyed | None:
        """Key the answers in; a sheet keyed before needs a second press (a photocopy)."""
        target = self.target
        engagement_id = self.engagement.currentData()
        if target is None or engagement_id is None:
            return None
        code, sheet = target.parsed.code, self.sheet.value() or None
        try:
            with self.store.transaction() as session:
                earlier = returns.keyed_before(session, engagement_id, code, sheet)
                marker = (engagement_id, code, sheet or 0)
                if earlier is not None and self._confirmed_duplicate != marker:
                    self._confirmed_duplicate = marker
                    self.message.setText(
                        f"\u26a0 Sheet {sheet} of form {code} was keyed already, on "
                        f"{earlier.at:%d %b %Y at %H:%M}"
                        + (f" by {earlier.officer}" if earlier.officer else "")
                        + ". Nothing was added. If this is another copy of that sheet, press "
                        "Add again to key it anyway."
                    )
                    self.add_button.setText("&Add anyway")
                    return None
                keyed = self._key(session, target.kind, engagement_id, code, sheet)
        except ValidationError as exc:
            self.message.setText("Not added: " + "; ".join(exc.problems))
            return None
        except KnownError as exc:
            self.message.setText(f"Not added: {exc}")
            return None
        log.info("keyed %s %s sheet %s", target.kind.value, code, sheet)
        self._confirmed_duplicate = None
        self.add_button.setText("&Add to the engagement")
        warnings = "".join(f"\n\u26a0 {w}" for w in keyed.warnings)
        self.message.setText(f"\u2714 Added. {keyed.summary}.{warnings}")
        self.session_tally[target.kind] = self.session_tally.get(target.kind, 0) + 1
        self.tally.setText(
            "Keyed this session: "
            + ", ".join(f"{n} \u00d7 {k.label.lower()}" for k, n in self.session_tally.items())
        )
        self._next_sheet()
        self.keyed.emit(engagement_id)
        return keyed

    def _key(
        self, session: Session, kind: FormKind, engagement_id: str, code: str, sheet: int | None
    ) -> returns.Keyed:
        if kind == FormKind.EQUALITY:
            return returns.key_equality_form(
                session, engagement_id, self.equality.values(), code=code, sheet=sheet
            )
        if kind == FormKind.FEEDBACK:
            return returns.key_feedback_form(
                session,
                engagement_id,
                self.feedback.values(),
                code=code,
                sheet=sheet,
                topic_code=self.feedback.topic.currentData(),
            )
        return returns.key_sign_in_sheet(
            session,
            engagement_id,
            self.sign_in.names.value(),
            code=code,
            sheet=sheet,
            consented=self.sign_in.consented.value(),
        )

    def _next_sheet(self) -> None:
        page = self.pages.currentWidget()
        if isinstance(page, _EqualityPage | _FeedbackPage | _SignInPage):
            page.clear()
        # Back to the code, selected: Enter goes on with the next sheet of this form, and the
        # next form scanned replaces it.
        self.code.setFocus()
        self.code.selectAll()
        if self.sheet.value():
            self.sheet.blockSignals(True)
            self.sheet.setValue(self.sheet.value() + 1)
            self.sheet.blockSignals(False)
