"""Validation in the officer's words, every problem at once, and calendars that cannot happen.

The services refuse an engagement held before it starts, attendance or outcomes for a meeting
still to come, outcomes and feedback dated before their meeting, and a quick-time review
before its event or with feedback owed; the editor lists the problems live, each gone as soon
as it is fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ConsulteeRole,
    EngagementKind,
    EngagementStatus,
    FeedbackChannel,
    OrganisationType,
    OutcomeResult,
    QuickTimeStatus,
)
from ccodesk.services import quicktime as qt
from ccodesk.services import records
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import (
    EngagementDraft,
    EngagementFilter,
    count_engagements,
    get_engagement,
    save_engagement,
)
from ccodesk.services.fatigue import fatigue_warnings
from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.words import plural

NOW = dt.datetime.now().replace(second=0, microsecond=0)
NEXT_WEEK = NOW.replace(hour=18, minute=30) + dt.timedelta(days=7)
LAST_WEEK = NOW.replace(hour=18, minute=30) - dt.timedelta(days=7)


def _draft(starts_at: dt.datetime, **changes: object) -> EngagementDraft:
    draft = EngagementDraft(
        kind=EngagementKind.PCCG_MEETING,
        title="Camden PCCG: safer streets",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        target_groups=["children-young-people"],
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


def _save(store: Store, draft: EngagementDraft, engagement_id: str | None = None) -> str:
    with store.transaction() as s:
        return save_engagement(s, draft, engagement_id).id


def _refused(store: Store, work: Callable[[Session], object]) -> list[str]:
    with pytest.raises(ValidationError) as caught, store.transaction() as s:
        work(s)
    return caught.value.problems


# -- the services ------------------------------------------------------------------------------


def test_a_meeting_next_week_cannot_be_saved_as_held(store: Store) -> None:
    problems = _refused(
        store, lambda s: save_engagement(s, _draft(NEXT_WEEK, status=EngagementStatus.HELD))
    )
    assert len(problems) == 1
    assert problems[0].startswith("The status is Held, but the engagement starts on ")
    assert f"{NEXT_WEEK.day} {NEXT_WEEK:%b %Y} at 18:30" in problems[0]
    with store.session() as s:  # nothing saved, so nothing counted in this quarter's report
        assert count_engagements(s, EngagementFilter()) == 0
    assert _save(store, _draft(LAST_WEEK, status=EngagementStatus.HELD))  # held last week: fine


def test_no_attendance_or_outcome_for_a_meeting_still_to_come(store: Store) -> None:
    planned = _save(store, _draft(NEXT_WEEK))
    problems = _refused(
        store,
        lambda s: records.record_attendance(
            s, planned, total=12, group_counts={"children-young-people": 4}
        ),
    )
    assert any(
        p.startswith("Attendance is recorded, but the engagement starts on") for p in problems
    )
    with store.transaction() as s:
        finding = records.add_finding(s, planned, "The park needs lights").id
    problems = _refused(
        store,
        lambda s: records.add_outcome(
            s, finding, OutcomeResult.CHANGED_DECISION, decision="Lights ordered"
        ),
    )
    assert problems == [
        f"1 outcome is recorded for it, but the engagement starts on "
        f"{NEXT_WEEK:%a} {NEXT_WEEK.day} {NEXT_WEEK:%b %Y} at 18:30, in the future."
    ]
    with store.session() as s:
        assert get_engagement(s, planned).attendance is None


def test_an_outcome_or_feedback_dated_before_the_meeting_is_refused(store: Store) -> None:
    held = _save(store, _draft(LAST_WEEK, status=EngagementStatus.HELD))
    with store.transaction() as s:
        finding = records.add_finding(s, held, "The park needs lights").id
    before = LAST_WEEK.date() - dt.timedelta(days=3)
    problems = _refused(
        store,
        lambda s: records.add_outcome(
            s, finding, OutcomeResult.CHANGED_DECISION, decision="Lights", decided_on=before
        ),
    )
    assert problems == [
        f"The outcome is dated {before.day} {before:%b %Y}, before the engagement it follows "
        f"({LAST_WEEK.day} {LAST_WEEK:%b %Y})."
    ]
    problems = _refused(
        store,
        lambda s: records.give_feedback(
            s,
            "You said lights, we ordered them",
            given_on=before,
            channel=FeedbackChannel.MEETING,
            finding_ids=[finding],
        ),
    )
    assert problems[0].startswith("The feedback is dated ")
    with store.transaction() as s:  # on the day of the meeting, or after: fine
        records.add_outcome(
            s, finding, OutcomeResult.CHANGED_DECISION, decision="Lights", decided_on=NOW.date()
        )
    # Moving the meeting after its outcome, or into the future, is refused too.
    moved = _draft(LAST_WEEK + dt.timedelta(days=30), status=EngagementStatus.PLANNED)
    problems = _refused(store, lambda s: save_engagement(s, moved, held))
    assert any("1 outcome is recorded for it" in p for p in problems)
    assert any(p.startswith("The outcome is dated ") for p in problems)


def test_problems_name_groups_not_codes(store: Store) -> None:
    held = _save(store, _draft(LAST_WEEK, status=EngagementStatus.HELD))
    problems = _refused(
        store,
        lambda s: records.record_attendance(
            s, held, total=3, group_counts={"children-young-people": 5}
        ),
    )
    assert problems == ["the count for Children and young people (5) is more than the total (3)"]
    assert not any("children-young-people" in p for p in problems)


def test_every_engagement_problem_at_once(store: Store) -> None:
    draft = _draft(NEXT_WEEK, title=" ", status=EngagementStatus.HELD, topics=["nonsense"])
    draft.ends_at = NEXT_WEEK - dt.timedelta(hours=1)
    problems = _refused(store, lambda s: save_engagement(s, draft))
    assert len(problems) == 4
    assert problems[0] == "The title is empty: give the engagement a title."
    assert problems[1].startswith("The end (") and "is before the start" in problems[1]


# -- quick time ------------------------------------------------------------------------------


def _consultation(store: Store) -> tuple[str, str]:
    """A consultation for an event in three days, and a consultee whose advice is recorded."""
    event = NOW + dt.timedelta(days=3)
    with store.transaction() as s:
        cid = qt.create(s, qt.CausalEvent("Pride weekend", event, NOW + dt.timedelta(days=2)))
        forum = save_organisation(
            s, OrganisationDraft("Camden LGBT Forum", OrganisationType.COMMUNITY_GROUP)
        ).id
        consultee = qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, forum))
        qt.record_advice(s, consultee, advice="Avoid the parade route", used=True,
                         impact="Route changed")  # fmt: skip
    return cid, consultee


def test_no_quick_time_review_before_the_event_or_with_feedback_owed(store: Store) -> None:
    cid, consultee = _consultation(store)

    def review(s: Session, **when: Any) -> None:
        qt.review(s, cid, review_text="Went well", lessons="Ask early", **when)

    problems = _refused(store, review)
    assert problems[0].startswith("The event is on ")
    assert problems[0].endswith(": review it once it has happened.")
    assert problems[1] == (
        "Feedback is still owed to 1 consultee (Camden LGBT Forum): tell them what their "
        "advice changed, or why it did not, before the review."
    )
    after = NOW + dt.timedelta(days=4)
    problems = _refused(store, lambda s: review(s, now=after))
    assert [p.split(" (")[0] for p in problems] == ["Feedback is still owed to 1 consultee"]
    with store.transaction() as s:
        qt.record_advice(s, consultee, advice="Avoid the parade route", used=True,
                         impact="Route changed", feedback_given_on=after.date())  # fmt: skip
    problems = _refused(store, lambda s: review(s, now=after, reviewed_on=NOW.date()))
    assert problems == [
        f"The review is dated {NOW.day} {NOW:%b %Y}, before the event "
        f"({(NOW + dt.timedelta(days=3)).day} {(NOW + dt.timedelta(days=3)):%b %Y})."
    ]
    with store.transaction() as s:
        review(s, now=after)
    with store.session() as s:
        c = qt.get(s, cid)
        assert (c.status, c.reviewed_on) == (QuickTimeStatus.REVIEWED, after.date())


# -- words -----------------------------------------------------------------------------------


def test_one_time_two_times(store: Store) -> None:
    assert [plural(n, "time") for n in (0, 1, 2, 1500)] == [
        "0 times",
        "1 time",
        "2 times",
        "1,500 times",
    ]
    assert plural(1, "person", "people") == "1 person" and plural(3, "person", "people") == (
        "3 people"
    )
    with store.transaction() as s:
        org = save_organisation(
            s, OrganisationDraft("Dalston Youth Club", OrganisationType.YOUTH_GROUP)
        ).id
        save_engagement(s, _draft(LAST_WEEK, partner_ids=[org]))
        assert fatigue_warnings(s, [org], starts_at=NOW, threshold=1, days=90) == [
            "Dalston Youth Club was consulted 1 time in the 90 days before this: beware of "
            "consultee fatigue."
        ]
        save_engagement(s, _draft(LAST_WEEK - dt.timedelta(days=1), partner_ids=[org]))
        (warning,) = fatigue_warnings(s, [org], starts_at=NOW, threshold=1, days=90)
        assert "consulted 2 times in the 90 days" in warning


# -- the editor, live ------------------------------------------------------------------------


def _editor(
    qtbot: QtBot, store: Store, engagement_id: str | None = None, **kw: Any
) -> EngagementEditor:
    editor = EngagementEditor(store, engagement_id, **kw)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _choose(combo: QComboBox, label: str) -> None:
    """Pick from a list by the keyboard: Home, then Down until it shows `label`."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == label:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == label


def _enter(spin: QAbstractSpinBox, value: int) -> None:
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, str(value))


def _lines(editor: EngagementEditor) -> list[str]:
    return [line for line in editor.errors.text().splitlines() if line.startswith("•")]


def test_every_problem_shown_at_once_and_each_cleared_when_fixed(
    qtbot: QtBot, store: Store
) -> None:
    editor = _editor(qtbot, store, starts_at=NEXT_WEEK)
    form = editor.form
    assert _lines(editor) == ["• The title is empty: give the engagement a title."]
    _choose(form.combos["status"], "Held")
    form.attendance_box.setFocus()
    QTest.keyClick(form.attendance_box, Qt.Key.Key_Space)  # tick "Record attendance"
    assert form.attendance_box.isChecked()
    _enter(form.counts["children-young-people"], 6)  # more than the total (0)
    lines = _lines(editor)
    assert len(lines) == 4, lines
    assert lines[1].startswith("• The status is Held, but the engagement starts on")
    assert lines[2].startswith("• Attendance is recorded, but the engagement starts on")
    assert lines[3] == "• Attendance: Children and young people (6) is more than the total (0)."
    assert "children-young-people" not in editor.errors.text()

    QTest.keyClicks(form.text["title"], "Youth forum")  # fixed: that line goes at once
    assert len(_lines(editor)) == 3 and "title" not in editor.errors.text()
    _enter(form.total, 20)
    assert len(_lines(editor)) == 2 and "more than the total" not in editor.errors.text()
    _choose(form.combos["status"], "Planned")
    assert len(_lines(editor)) == 1 and "Held" not in editor.errors.text()
    QTest.keyClick(form.attendance_box, Qt.Key.Key_Space)  # no attendance before the meeting
    assert editor.errors.text() == ""
    assert editor.save(close=False)


def test_a_held_meeting_next_week_is_refused_in_the_editor(qtbot: QtBot, store: Store) -> None:
    planned = _save(store, _draft(NEXT_WEEK))
    editor = _editor(qtbot, store, planned)
    assert editor.errors.text() == ""
    _choose(editor.form.combos["status"], "Held")
    assert "cannot have been held yet" in editor.errors.text()  # said before Save
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and "cannot have been held yet" in editor.errors.text()
    with store.session() as s:
        assert get_engagement(s, planned).status == EngagementStatus.PLANNED
