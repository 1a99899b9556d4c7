"""Timetable, follow-up lists and corrections of recorded data."""

from __future__ import annotations

import datetime as dt

import pytest

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionStatus,
    CostCategory,
    EngagementKind,
    EngagementStatus,
    FeedbackChannel,
    OfficerRole,
    OutcomeResult,
    TimetableKind,
)
from ccodesk.services import edits, followup, records
from ccodesk.services.engagements import EngagementDraft, get_engagement, save_engagement
from ccodesk.services.timetable import TimetableDraft, save_timetable_entry, timetable_between
from ccodesk.store import Store

DAY = dt.datetime(2026, 10, 5, 18, 0)


@pytest.fixture
def held(store: Store) -> tuple[Store, str, str, str]:
    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.THEMED_SESSION,
                title="Street drinking",
                starts_at=DAY,
                status=EngagementStatus.HELD,
                target_groups=["older"],
            ),
        ).id
        used = records.add_finding(s, eid, "Drinking in the park every afternoon").id
        unused = records.add_finding(s, eid, "Benches should be removed").id
        records.add_outcome(
            s,
            used,
            OutcomeResult.CHANGED_DECISION,
            decision="Controlled drinking zone extended to the park",
        )
        records.add_action(
            s,
            "Ask licensing about the zone",
            engagement_id=eid,
            owner="CSO",
            due_on=dt.date(2026, 10, 20),
        )
        records.add_action(
            s, "Write to residents", engagement_id=eid, owner="CCO", due_on=dt.date(2026, 12, 1)
        )
    return store, eid, used, unused


def test_open_and_overdue_actions(held: tuple[Store, str, str, str]) -> None:
    store, *_ = held
    with store.session() as s:
        assert [a.description for a in followup.open_actions(s)] == [
            "Ask licensing about the zone",
            "Write to residents",
        ]
        overdue = followup.open_actions(s, overdue_on=dt.date(2026, 11, 1))
        assert [a.owner for a in overdue] == ["CSO"]
        assert overdue[0].engagement_title == "Street drinking"


def test_findings_without_outcome_and_feedback_due(held: tuple[Store, str, str, str]) -> None:
    store, eid, _used, unused = held
    with store.session() as s:
        assert [f.id for f in followup.findings_without_outcome(s)] == [unused]
        assert [e.id for e in followup.held_without_feedback(s)] == [eid]
    with store.transaction() as s:
        records.give_feedback(
            s,
            "You said …",
            given_on=dt.date(2026, 11, 1),
            channel=FeedbackChannel.LETTER,
            engagement_id=eid,
        )
    with store.session() as s:
        assert followup.held_without_feedback(s) == []


def test_you_said_we_did(held: tuple[Store, str, str, str]) -> None:
    store, eid, _used, unused = held
    with store.transaction() as s:
        records.add_outcome(
            s, unused, OutcomeResult.NOT_USED, explanation="benches are used by older residents"
        )
    with store.session() as s:
        lines = followup.you_said_we_did(s, eid)
    assert [line.you_said for line in lines] == [
        "Benches should be removed",
        "Drinking in the park every afternoon",
    ]
    assert lines[0].we_did.endswith("We did not act on this: benches are used by older residents")
    assert "Controlled drinking zone extended" in lines[1].we_did


def test_edits_and_tombstones(held: tuple[Store, str, str, str]) -> None:
    store, eid, used, unused = held
    with store.transaction() as s:
        edits.update_finding(s, unused, text="Benches attract drinkers", raised_by=["older"])
        cost = records.add_cost(s, eid, CostCategory.VENUE, 3000).id
        edits.update_cost(s, cost, amount_pence=3500)
        time_row = records.add_officer_time(s, eid, OfficerRole.CCO, 60, 2400).id
        edits.update_officer_time(s, time_row, minutes=90)
        edits.delete_record(s, "finding", used)
        with pytest.raises(ValidationError):
            edits.update_finding(s, unused, text="  ")
        with pytest.raises(ValidationError):
            edits.update_cost(s, cost, amount_pence=-5)
        with pytest.raises(ValidationError, match="cannot delete"):
            edits.delete_record(s, "engagement", eid)
    with store.session() as s:
        e = get_engagement(s, eid)
        live = [f for f in e.findings if not f.deleted]
        assert [f.text for f in live] == ["Benches attract drinkers"]
        assert live[0].raised_by[0].code == "older"
        assert e.costs[0].amount_pence == 3500
        assert e.officer_time[0].cost_pence == 3600
        with pytest.raises(NotFound):
            edits.update_finding(s, used, text="gone")


def test_action_status_moves(held: tuple[Store, str, str, str]) -> None:
    store, *_ = held
    with store.transaction() as s:
        action = followup.open_actions(s)[0]
        records.set_action_status(s, action.id, ActionStatus.DONE, on=dt.date(2026, 10, 18))
        edits.update_action(s, action.id, owner="Community Safety Officer")
    with store.session() as s:
        assert [a.description for a in followup.open_actions(s)] == ["Write to residents"]


def test_timetable(store: Store) -> None:
    with store.transaction() as s:
        save_timetable_entry(
            s,
            TimetableDraft(
                "Local consultation on priorities",
                TimetableKind.CONSULTATION_WINDOW,
                dt.date(2026, 6, 1),
                dt.date(2026, 7, 31),
            ),
        )
        save_timetable_entry(
            s,
            TimetableDraft("Findings due to the MPA", TimetableKind.DEADLINE, dt.date(2026, 9, 30)),
        )
        with pytest.raises(ValidationError, match="before it starts"):
            save_timetable_entry(
                s,
                TimetableDraft(
                    "Backwards", TimetableKind.MILESTONE, dt.date(2026, 5, 2), dt.date(2026, 5, 1)
                ),
            )
    with store.session() as s:
        july = timetable_between(s, dt.date(2026, 7, 1), dt.date(2026, 8, 1))
        september = timetable_between(s, dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    assert [e.title for e in july] == ["Local consultation on priorities"]
    assert [e.title for e in september] == ["Findings due to the MPA"]
