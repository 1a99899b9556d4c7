"""The quick-time consultation wizard driven through the five stages and the review, with every
warning where it belongs; the list in progress; the one-page record printed from the desktop."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from ccodesk.models import (
    ConsulteeRole,
    ContactChannel,
    Delivery,
    EngagementKind,
    Level,
    OrganisationType,
    QuickTimeConsultation,
    QuickTimeStatus,
    SensitivityLevel,
)
from ccodesk.services import quicktime as qt
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.quicktime import (
    PLAN,
    REVIEW,
    SCANNING,
    QuickTimeDialog,
    QuickTimeWizard,
    RecordPrintDialog,
)
from tests.test_printing import page_count, pdf_text

NOW = dt.datetime.now().replace(second=0, microsecond=0)
SETTINGS = Settings(fatigue_threshold=3, fatigue_window_days=90)
TITLE = "Pride weekend safer streets operation"


@pytest.fixture
def directory(store: Store) -> dict[str, str]:
    """A mosque flagged as not to be consulted on LGBT issues, an LGBT forum, a tired
    residents' association, and an earlier reviewed consultation on the same topic."""
    drafts = {
        "mosque": OrganisationDraft(
            "Camden Central Mosque",
            OrganisationType.FAITH_GROUP,
            groups_served=["faith"],
            sensitivities=[("lgbt-issues", SensitivityLevel.AVOID, "leaders asked not to be")],
        ),
        "lgbt": OrganisationDraft(
            "Camden LGBT Forum", OrganisationType.COMMUNITY_GROUP, groups_served=["lgbt"]
        ),
        "tired": OrganisationDraft(
            "Somers Town Residents", OrganisationType.RESIDENTS_ASSOCIATION, groups_served=["older"]
        ),
    }
    with store.transaction() as s:
        ids = {key: save_organisation(s, d).id for key, d in drafts.items()}
        for n in range(3):  # three times in the last fortnight: fatigue (threshold 3)
            save_engagement(
                s,
                EngagementDraft(
                    kind=EngagementKind.OUTREACH,
                    title=f"Residents' meeting {n}",
                    starts_at=NOW - dt.timedelta(days=3 + n),
                    partner_ids=[ids["tired"]],
                ),
            )
        earlier = qt.create(
            s,
            qt.CausalEvent(
                "Notting Hill weekend road closures",
                NOW + dt.timedelta(days=1),
                NOW + dt.timedelta(hours=5),
                topic_code="lgbt-issues",
            ),
        )
        qt.review(
            s,
            earlier,
            review_text="Held well",
            lessons="Ring the forum chair before e-mailing",
            now=NOW + dt.timedelta(days=2),  # after the event
        )
    return ids


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _tick(qtbot: QtBot, box: QWidget) -> None:
    """Click a check box on its box (its middle may lie beyond its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _next(qtbot: QtBot, wizard: QuickTimeWizard) -> None:
    _click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def _check(items: QListWidget, name: str) -> None:
    items.findItems(name, Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Checked)


def _stored(store: Store) -> list[QuickTimeConsultation]:
    with store.session() as s:
        return [qt.get(s, c.id) for c in qt.list_open(s)]


def test_five_stages_and_review_with_every_warning(
    qtbot: QtBot,
    store: Store,
    directory: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wizard = QuickTimeWizard(store, SETTINGS)
    qtbot.addWidget(wizard)
    wizard.show()
    event = wizard.causal_event
    deadline = wizard.state.deadline  # two days from now, to the minute
    assert dt.timedelta(days=2) - (deadline - dt.datetime.now()) < dt.timedelta(minutes=1)
    assert event.countdown.text() == qt.countdown(deadline) == "1 day 23 h left"
    assert "1 day 23 h left" in event.subTitle()
    assert all(
        w.accessibleName()
        for w in (event.what, event.where, event.when, event.scale, event.topic, event.deadline)
    )

    # 1. Causal event: a major critical incident is refused, and Next stays disabled.
    _tick(qtbot, event.critical)
    assert event.refusal.isVisible() and event.refusal.text() == qt.CRITICAL_INCIDENT
    assert "gold group" in event.refusal.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    _tick(qtbot, event.critical)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert not event.refusal.isVisible()
    _next(qtbot, wizard)  # nothing typed: the service's problems, plainly
    assert wizard.currentId() == 1 and "say what the causal event is" in event.problems.text()
    assert _stored(store) == []

    qtbot.keyClicks(event.what, TITLE)
    qtbot.keyClicks(event.where, "Camden High Street")
    qtbot.keyClicks(event.scale, "400 officers, road closures")
    _choose(event.topic, "LGBT issues")
    _check(event.affected, "LGBT people")
    _check(event.affected, "Faith groups")
    event.deadline.setDateTime(event.deadline.dateTime().addDays(-1))  # the countdown follows
    assert event.countdown.text() == "23 h 59 min left" or event.countdown.text().startswith("23 h")
    assert event.countdown.text() in event.subTitle()
    event.deadline.setDateTime(event.deadline.dateTime().addDays(1))
    _next(qtbot, wizard)
    assert wizard.currentId() == SCANNING
    (created,) = _stored(store)
    assert created.title == TITLE and created.topic_code == "lgbt-issues"
    assert {g.code for g in created.affected_groups} == {"lgbt", "faith"}
    assert created.deadline == deadline

    # 2. Scanning: each warning with its reason, where the picking is.
    scan = wizard.scanning
    assert "1 day 23 h left" in scan.subTitle()
    assert "Nobody picked serves Faith groups" in scan.warnings.text()
    assert "Nobody picked serves LGBT people" in scan.warnings.text()
    qtbot.keyClicks(scan.search, "mosque")
    qtbot.waitUntil(  # the search runs once typing pauses
        lambda: (
            [scan.found.item(i).text() for i in range(scan.found.count())]
            == ["Camden Central Mosque"]
        )
    )
    qtbot.keyClicks(scan.reason, "the local faith lead")
    _click(qtbot, scan.pick_button)
    warnings = scan.warnings.text()
    assert (
        "Camden Central Mosque must not be consulted on LGBT issues (leaders asked not to be)."
        in warnings
    )
    assert "Nobody picked serves Faith groups" not in warnings
    assert "Nobody picked serves LGBT people, whom this event affects" in warnings

    scan.search.clear()
    qtbot.keyClicks(scan.search, "lgbt")
    _click(qtbot, scan.pick_button)
    assert "Nobody picked serves" not in scan.warnings.text()  # the forum serves LGBT people
    assert "must not be consulted on LGBT issues" in scan.warnings.text()

    scan.search.clear()
    qtbot.keyClicks(scan.search, "Somers")
    _click(qtbot, scan.pick_button)
    assert (
        "Somers Town Residents was consulted 3 times in the 90 days before this: beware of "
        "consultee fatigue." in scan.warnings.text()
    )
    _choose(scan.role, ConsulteeRole.POLICE.label)
    qtbot.keyClicks(scan.named, "Traffic OCU")
    qtbot.keyClicks(scan.reason, "road closures")
    _click(qtbot, scan.named_button)
    qtbot.keyClicks(scan.named, "Picked by mistake")
    _click(qtbot, scan.named_button)
    assert scan.picked.count() == 5
    scan.picked.setCurrentRow(4)
    _click(qtbot, scan.unpick_button)
    assert scan.picked.count() == 4
    assert scan.picked.item(3).text() == "Traffic OCU (Police department) — road closures"
    _next(qtbot, wizard)

    # 3. Assessment, 4. Strategy.
    assessment = wizard.assessment
    assert wizard.currentId() == 3 and "1 day 23 h left" in assessment.subTitle()
    qtbot.keyClicks(assessment.texts["event_profile"], "Disorder on the same weekend last year")
    _choose(assessment.level, Level.PAN_LONDON.label)
    qtbot.keyClicks(assessment.texts["police"], "Traffic, public order and the LGBT liaison")
    _next(qtbot, wizard)
    strategy = wizard.strategy
    assert wizard.currentId() == 4 and "1 day 23 h left" in strategy.subTitle()
    qtbot.keyClicks(strategy.texts["media_strategy"], "Joint statement with the forum")
    strategy.officer_hours.setValue(12)
    strategy.compensation.setValue(150)
    _next(qtbot, wizard)

    # 5. Plan: the scope follows the level; advice, impact or its lack, feedback, contacts.
    plan = wizard.plan
    assert wizard.currentId() == PLAN and "1 day 23 h left" in plan.subTitle()
    assert plan.scope.text().startswith("Pan-London: refer to the central Strategic")
    _next(qtbot, wizard)
    assert wizard.currentId() == PLAN
    assert "choose how the consultation is delivered" in plan.problems.text()
    _choose(plan.delivery, Delivery.CONTACTS.label)
    qtbot.keyClicks(plan.terms, "Advice within 24 hours; not a veto")
    plan.consultees.setCurrentRow(1)
    assert plan.consultees.currentItem().text() == ("Camden LGBT Forum (Community): no advice yet")
    qtbot.keyClicks(plan.advice, "Keep the Saturday route open until 22:00")
    _choose(plan.impact, "Did not have an impact")
    _click(qtbot, plan.advice_button)
    assert "say why the advice was not acted on" in plan.problems.text()
    qtbot.keyClicks(plan.impact_text, "the route closes at 20:00 for the fireworks")
    _tick(qtbot, plan.feedback_given)
    _click(qtbot, plan.advice_button)
    assert plan.problems.text() == ""
    assert plan.consultees.item(1).text().startswith("Camden LGBT Forum (Community): told ")
    _choose(plan.channel, ContactChannel.PHONE.label)
    qtbot.keyClicks(plan.note, "Called the chair; advice by Friday")
    _click(qtbot, plan.contact_button)
    assert plan.contacts.count() == 1 and "Phone: Called the chair" in plan.contacts.item(0).text()
    plan.consultees.setCurrentRow(0)
    qtbot.keyClicks(plan.advice, "Brief the imams before Friday prayers")
    _choose(plan.impact, "Had an impact")
    qtbot.keyClicks(plan.impact_text, "a briefing was added on Thursday")
    _tick(qtbot, plan.feedback_given)  # no review while feedback is owed
    _next(qtbot, wizard)  # the advice typed but not recorded is saved with the page

    # After the event: the review, with the lessons of a similar consultation at the top.
    review = wizard.review
    assert wizard.currentId() == REVIEW, plan.problems.text()
    assert "Notting Hill weekend road closures" in review.similar.text()
    assert "Ring the forum chair before e-mailing" in review.similar.text()
    qtbot.keyClicks(review.review, "Quiet weekend; the forum's chair helped on the day")
    qtbot.keyClicks(review.lessons, "Brief faith leaders separately from the LGBT forum")
    # Before the event the page says it cannot be reviewed yet, and Finish is refused.
    assert "review it once it has happened" in review.problems.text()
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert wizard.isVisible() and "Not saved" in review.problems.text()
    with store.session() as s:
        event_at = qt.get(s, wizard.state.consultation_id).event_at
    monkeypatch.setattr(qt, "clock", lambda: event_at + dt.timedelta(days=1))  # after it
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert wizard.result() == QWizard.DialogCode.Accepted

    with store.session() as s:
        (found,) = s.query(QuickTimeConsultation).filter_by(title=TITLE).all()
        c = qt.get(s, found.id)
        assert (c.stage, c.status) == (5, QuickTimeStatus.REVIEWED)
        assert c.level == Level.PAN_LONDON and c.event_profile.startswith("Disorder")
        assert (c.officer_hours, c.adviser_compensation_pence) == (12, 15000)
        assert c.delivery == Delivery.CONTACTS and c.terms_of_reference.startswith("Advice")
        assert c.lessons == "Brief faith leaders separately from the LGBT forum"
        people = {x.name: x for x in c.consultees if not x.deleted}
        assert list(people) == [
            "Camden Central Mosque",
            "Camden LGBT Forum",
            "Somers Town Residents",
            "Traffic OCU",
        ]
        forum, mosque = people["Camden LGBT Forum"], people["Camden Central Mosque"]
        assert (forum.advice_used, forum.feedback_given_on) == (False, dt.date.today())
        assert forum.impact == "the route closes at 20:00 for the fireworks"
        assert [(k.channel, k.note) for k in forum.contacts] == [
            (ContactChannel.PHONE, "Called the chair; advice by Friday")
        ]
        assert (mosque.advice_used, mosque.feedback_given_on) == (True, dt.date.today())
        assert mosque.impact == "a briefing was added on Thursday"
        consultation_id = c.id

    # The one-page record, from the list's Print record… (reviewed ones shown on request).
    target = tmp_path / "record"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), "PDF (*.pdf)"))
    dialog = QuickTimeDialog(store, SETTINGS)
    qtbot.addWidget(dialog)
    assert dialog.table.topLevelItemCount() == 0  # reviewed: no longer in progress
    dialog.include_reviewed.setChecked(True)
    titles = [dialog.table.topLevelItem(i).text(0) for i in range(2)]
    assert TITLE in titles
    dialog.table.setCurrentItem(dialog.table.topLevelItem(titles.index(TITLE)))
    assert dialog.selected_id() == consultation_id
    printing = dialog.print_selected()
    assert isinstance(printing, RecordPrintDialog)
    with qtbot.waitSignal(printing.saved_to, timeout=20000) as saved:
        _click(qtbot, printing.save_button)
    pdf = Path(saved.args[0])
    assert pdf == tmp_path / "record.pdf"
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    for expected in (
        TITLE,
        "Camden LGBT Forum",
        "Did not have an impact",  # the table's cells wrap: words, not whole sentences
        "fireworks",
        "Had an impact",
        "Called the chair",
        "Brief faith leaders separately from the LGBT forum",
        f"QT {consultation_id[:8]}",
    ):
        assert expected in text, expected


def test_list_in_progress_and_continue_where_it_stopped(
    qtbot: QtBot, store: Store, directory: dict[str, str]
) -> None:
    with store.transaction() as s:
        first = qt.create(
            s,
            qt.CausalEvent(
                "Football derby dispersal order",
                NOW + dt.timedelta(days=4),
                NOW + dt.timedelta(days=1, hours=3, minutes=30),
                affected_groups=["children-young-people"],
            ),
        )
    dialog = QuickTimeDialog(store, SETTINGS)
    qtbot.addWidget(dialog)
    row = dialog.table.topLevelItem(0)
    assert row.text(0) == "Football derby dispersal order"
    assert row.text(1) == "1 of 5: Causal event"
    assert re.fullmatch(r"1 day 3 h left", row.text(3))
    wizard = dialog.continue_selected()
    assert isinstance(wizard, QuickTimeWizard)
    qtbot.addWidget(wizard)
    assert wizard.currentId() == SCANNING  # the causal event is done: scanning next
    assert wizard.causal_event.what.text() == "Football derby dispersal order"
    assert "1 day 3 h left" in wizard.currentPage().subTitle()
    assert "Nobody picked serves Children and young people" in wizard.scanning.warnings.text()
    _next(qtbot, wizard)  # nobody picked yet: stays
    assert wizard.currentId() == SCANNING
    assert "pick at least one consultee" in wizard.scanning.problems.text()
    wizard.scanning.named.setText("Schools officer")
    _click(qtbot, wizard.scanning.named_button)
    assert dialog.table.topLevelItem(0).text(1) == "2 of 5: Scanning"  # refreshed on save
    with store.session() as s:
        assert qt.get(s, first).stage == 2
    wizard.close()


def test_every_input_has_an_accessible_name(qtbot: QtBot, store: Store) -> None:
    wizard = QuickTimeWizard(store, SETTINGS)
    qtbot.addWidget(wizard)
    inputs = (QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QListWidget, QPlainTextEdit)
    fields = [
        w
        for page in wizard.stage_pages()
        for w in page.findChildren(QWidget)
        if isinstance(w, inputs) and not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
    ]
    assert len(fields) >= 40
    assert [type(w).__name__ for w in fields if not w.accessibleName()] == []


def test_main_window_opens_quick_time_with_ctrl_shift_q(qtbot: QtBot, store: Store) -> None:
    from ccodesk.ui.main_window import MainWindow

    window = MainWindow(store, SETTINGS)
    qtbot.addWidget(window)
    (action,) = [a for a in window.actions() if a.text() == "Quick-time consultation…"]
    assert action.shortcut().toString() == "Ctrl+Shift+Q"
    shortcuts = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+Q") == 1
    dialog = window.open_quick_time()
    assert isinstance(dialog, QuickTimeDialog)
    assert dialog.table.topLevelItemCount() == 0
    dialog.close()


def test_dashboard_shows_quick_time_countdowns_in_coming_up(qtbot: QtBot, store: Store) -> None:
    from ccodesk.ui.dashboard_page import DashboardPage

    with store.transaction() as s:
        qt.create(
            s,
            qt.CausalEvent(
                "Football derby dispersal order",
                NOW + dt.timedelta(days=4),
                NOW + dt.timedelta(days=1, hours=3, minutes=30),
            ),
        )
    page = DashboardPage(store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.board_shown, timeout=10_000):
        page.show()
    week = [page.week.item(i).text() for i in range(page.week.count())]
    assert week == ["Quick-time: Football derby dispersal order — 1 day 3 h left"]


def test_closing_with_unsaved_edits_asks_first(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Close, Esc or the close box with a stage edited: save, discard or stay; never lost
    unasked. An unedited wizard closes without a question."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answers: list[QMessageBox.StandardButton] = []
    warned: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    Button = QMessageBox.StandardButton

    def new_wizard() -> QuickTimeWizard:
        wizard = QuickTimeWizard(store, SETTINGS)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        return wizard

    wizard = new_wizard()
    wizard.close()  # nothing typed: no question
    assert asked == [] and not wizard.isVisible()

    wizard = new_wizard()
    qtbot.keyClicks(wizard.causal_event.where, "Camden High Street")
    answers.append(Button.Cancel)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert wizard.isVisible() and "“1. Causal event” has changes" in asked[-1]
    answers.append(Button.Save)  # but the title is missing: it says why, and stays
    wizard.close()
    assert wizard.isVisible() and "say what the causal event is" in warned[-1]
    assert _stored(store) == []
    answers.append(Button.Discard)
    wizard.close()
    assert not wizard.isVisible() and _stored(store) == []

    wizard = new_wizard()
    qtbot.keyClicks(wizard.causal_event.what, TITLE)
    answers.append(Button.Save)
    wizard.close()
    assert not wizard.isVisible()
    (created,) = _stored(store)
    assert created.title == TITLE and len(asked) == 4

    # A later stage: the assessment's text, typed and closed over, is saved when asked.
    with store.transaction() as s:
        qt.pick(s, created.id, qt.Pick(ConsulteeRole.COMMUNITY, name="Camden LGBT Forum"))
    dialog = QuickTimeDialog(store, SETTINGS)
    qtbot.addWidget(dialog)
    wizard = dialog.continue_selected()
    assert wizard is not None
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentId() == SCANNING
    wizard.close()  # only moved through: no question
    assert len(asked) == 4 and not wizard.isVisible()
    wizard = dialog.continue_selected()
    assert wizard is not None
    qtbot.addWidget(wizard)
    wizard.show()
    _next(qtbot, wizard)
    assessment = wizard.assessment
    assert wizard.currentPage() is assessment
    qtbot.keyClicks(assessment.texts["communities"], "LGBT venues along the route")
    answers.append(Button.Save)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert "“3. Assessment” has changes" in asked[-1] and not wizard.isVisible()
    (saved,) = _stored(store)
    assert saved.communities == "LGBT venues along the route" and saved.stage == 3
