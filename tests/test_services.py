"""The services validate what users enter: errors stop a save, warnings are reported."""

from __future__ import annotations

import datetime as dt

import pytest

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionStatus,
    CostCategory,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackChannel,
    OfficerRole,
    OrganisationType,
    OutcomeResult,
    SensitivityLevel,
)
from ccodesk.services import records
from ccodesk.services.directory import (
    ContactDraft,
    OrganisationDraft,
    save_contact,
    save_organisation,
)
from ccodesk.services.engagements import (
    EngagementDraft,
    EngagementFilter,
    count_engagements,
    delete_engagement,
    get_engagement,
    list_engagements,
    save_engagement,
)
from ccodesk.services.reference import resolve_borough
from ccodesk.store import Store

START = dt.datetime(2026, 11, 3, 18, 30)  # held: in the past


def draft(**changes: object) -> EngagementDraft:
    base = EngagementDraft(
        kind=EngagementKind.FOCUS_GROUP,
        title="Focus group: street safety",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        target_groups=["older"],
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_end_before_start_is_an_error(store: Store) -> None:
    with pytest.raises(ValidationError) as caught, store.transaction() as s:
        save_engagement(s, draft(ends_at=START - dt.timedelta(hours=1)))
    assert "before the start" in str(caught.value)
    with store.session() as s:
        assert count_engagements(s, EngagementFilter()) == 0


def test_unknown_priority_group_is_an_error(store: Store) -> None:
    with (
        pytest.raises(ValidationError, match="unknown priority group 'pensioners'"),
        store.transaction() as s,
    ):
        save_engagement(s, draft(target_groups=["older", "pensioners"]))


def test_every_problem_is_reported_at_once(store: Store) -> None:
    with pytest.raises(ValidationError) as caught, store.transaction() as s:
        save_engagement(
            s, draft(title=" ", topics=["nonsense"], ends_at=START - dt.timedelta(minutes=5))
        )
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(("total", "warned"), [(8, True), (9, False), (12, False), (13, True)])
def test_focus_group_outside_9_to_12_is_a_warning(store: Store, total: int, warned: bool) -> None:
    with store.transaction() as s:
        saved = save_engagement(s, draft(status=EngagementStatus.HELD))
        result = records.record_attendance(s, saved.id, total=total, group_counts={"older": 5})
    assert any("normally 9–12" in w for w in result.warnings) is warned
    with store.session() as s:
        assert get_engagement(s, saved.id).attendance.total == total  # saved anyway


def test_meeting_reaching_none_of_its_targets_warns(store: Store) -> None:
    with store.transaction() as s:
        saved = save_engagement(
            s,
            draft(
                kind=EngagementKind.OUTREACH, target_groups=["refugees-asylum", "no-permanent-home"]
            ),
        )
        result = records.record_attendance(
            s, saved.id, total=14, group_counts={"older": 6, "faith": 3}
        )
    assert any("reached none of its target groups" in w for w in result.warnings)


def test_sensitive_partner_warns(store: Store) -> None:
    with store.transaction() as s:
        org = save_organisation(
            s,
            OrganisationDraft(
                name="Hope Street Chapel",
                org_type=OrganisationType.FAITH_GROUP,
                groups_served=["faith"],
                sensitivities=[("lgbt-issues", SensitivityLevel.AVOID, "asked us not to")],
            ),
        )
        saved = save_engagement(
            s,
            draft(kind=EngagementKind.THEMED_SESSION, topics=["lgbt-issues"], partner_ids=[org.id]),
        )
    assert saved.warnings == [
        "Hope Street Chapel must not be consulted on LGBT issues (asked us not to)."
    ] or any("must not be consulted" in w for w in saved.warnings)


def test_attendance_counts_are_checked(store: Store) -> None:
    with store.transaction() as s:
        saved = save_engagement(s, draft())
    with pytest.raises(ValidationError) as caught, store.transaction() as s:
        records.record_attendance(
            s,
            saved.id,
            total=10,
            group_counts={"older": 11, "martians": 1, "faith": -1},
            prefer_not_to_say=8,
            not_asked=5,
        )
    text = str(caught.value)
    assert "more than the total" in text
    assert "unknown priority group 'martians'" in text
    assert "cannot be negative" in text
    assert "add up to more than the total" in text


def test_named_attendees_need_consent(store: Store) -> None:
    with store.transaction() as s:
        saved = save_engagement(s, draft())
        with_consent = save_contact(
            s,
            ContactDraft(
                name="Grace Mensah",
                consent_given=True,
                consent_date=dt.date(2026, 1, 5),
                consent_expires=dt.date(2027, 1, 5),
            ),
        )
        without = save_contact(s, ContactDraft(name="Tom Reilly"))
    with (
        pytest.raises(ValidationError, match="Tom Reilly has no valid consent"),
        store.transaction() as s,
    ):
        records.record_attendance(
            s, saved.id, total=10, group_counts={}, attendee_ids=[with_consent.id, without.id]
        )
    with store.transaction() as s:
        records.record_attendance(
            s, saved.id, total=10, group_counts={}, attendee_ids=[with_consent.id]
        )
        assert [c.name for c in get_engagement(s, saved.id).attendees] == ["Grace Mensah"]


def test_contact_consent_rules() -> None:
    from ccodesk.services.directory import validate_contact

    assert validate_contact(ContactDraft(name="A", consent_given=True)) == [
        "record the date consent was given"
    ]
    assert "consent expires before it was given" in validate_contact(
        ContactDraft(
            name="A",
            consent_given=True,
            consent_date=dt.date(2026, 5, 1),
            consent_expires=dt.date(2026, 4, 1),
        )
    )
    assert any(
        "only be shared" in p for p in validate_contact(ContactDraft(name="A", shareable=True))
    )
    assert any("not an e-mail" in p for p in validate_contact(ContactDraft(name="A", email="nope")))


def test_findings_outcomes_actions_feedback_costs(store: Store) -> None:
    with store.transaction() as s:
        eng = save_engagement(s, draft(status=EngagementStatus.HELD)).id
        finding = records.add_finding(
            s,
            eng,
            "Buses stop running before the meeting ends",
            topic_code="road-safety",
            raised_by=["older"],
        ).id
        with pytest.raises(ValidationError, match="say why"):
            records.add_outcome(s, finding, OutcomeResult.NOT_USED)
        records.add_outcome(
            s,
            finding,
            OutcomeResult.CHANGED_DECISION,
            decision="PCCG meetings moved to 6pm",
            decided_on=dt.date(2026, 12, 9),
        )
        action = records.add_action(
            s,
            "Move the meeting time",
            engagement_id=eng,
            finding_id=finding,
            owner="CCO",
            due_on=dt.date(2027, 1, 5),
        )
        records.set_action_status(s, action.id, ActionStatus.DONE, on=dt.date(2026, 12, 20))
        records.give_feedback(
            s,
            "You said buses stop early; we moved meetings to 6pm.",
            given_on=dt.date(2027, 1, 10),
            channel=FeedbackChannel.NEWSLETTER,
            engagement_id=eng,
            finding_ids=[finding],
        )
        records.add_cost(s, eng, CostCategory.VENUE, 4500, "Library room")
        records.add_officer_time(s, eng, OfficerRole.CCO, 150, 2400, "Ada Officer")
        with pytest.raises(ValidationError):
            records.add_cost(s, eng, CostCategory.VENUE, -1)
        with pytest.raises(ValidationError):
            records.add_officer_time(s, eng, OfficerRole.CCO, 0, 2400)
    with store.session() as s:
        e = get_engagement(s, eng)
        assert e.findings[0].outcomes[0].decision == "PCCG meetings moved to 6pm"
        assert e.actions[0].status == ActionStatus.DONE
        assert e.actions[0].completed_on == dt.date(2026, 12, 20)
        assert e.feedback[0].answers[0].id == finding
        assert e.costs[0].amount_pence == 4500
        assert e.officer_time[0].cost_pence == 6000


def test_listing_filters_in_sql(store: Store) -> None:
    with store.transaction() as s:
        for day, kind, groups in (
            (1, EngagementKind.FOCUS_GROUP, ["older"]),
            (2, EngagementKind.PCCG_MEETING, ["faith"]),
            (40, EngagementKind.FOCUS_GROUP, ["faith", "older"]),
        ):
            save_engagement(
                s,
                draft(
                    kind=kind,
                    target_groups=groups,
                    title=f"Meeting on day {day}",
                    starts_at=START + dt.timedelta(days=day),
                    ends_at=None,
                ),
            )
    with store.session() as s:

        def titles(**criteria: object) -> list[str]:
            return [r.title for r in list_engagements(s, EngagementFilter(**criteria))]  # type: ignore[arg-type]

        assert titles(kinds=[EngagementKind.FOCUS_GROUP]) == [
            "Meeting on day 1",
            "Meeting on day 40",
        ]
        assert titles(priority_group="faith") == ["Meeting on day 2", "Meeting on day 40"]
        assert titles(end=START + dt.timedelta(days=10)) == ["Meeting on day 1", "Meeting on day 2"]
        assert titles(text="day 4") == ["Meeting on day 40"]
        assert count_engagements(s, EngagementFilter(priority_group="older")) == 2


def test_deleted_engagements_disappear(store: Store) -> None:
    with store.transaction() as s:
        eid = save_engagement(s, draft()).id
    with store.transaction() as s:
        delete_engagement(s, eid)
    with store.session() as s:
        assert count_engagements(s, EngagementFilter()) == 0
        with pytest.raises(NotFound):
            get_engagement(s, eid)
        assert s.get(Engagement, eid).deleted is True  # a tombstone, for sync


def test_boroughs_resolve_by_name() -> None:
    assert resolve_borough("Camden") == "camden"
    assert resolve_borough("city of london") == "city-of-london"
    assert resolve_borough("Kensington & Chelsea") == "kensington-and-chelsea"
    with pytest.raises(ValidationError, match="Did you mean Camden"):
        resolve_borough("Camdem")
