"""Recording what happened: attendance, findings, outcomes, actions, feedback and costs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceCount,
    Contact,
    CostCategory,
    CostItem,
    FeedbackChannel,
    FeedbackGiven,
    Finding,
    OfficerRole,
    OfficerTime,
    Outcome,
    OutcomeResult,
    PriorityGroup,
    Topic,
)
from ccodesk.services import checks
from ccodesk.services.consent import may_use
from ccodesk.services.engagements import Saved, engagement_warnings, get_engagement
from ccodesk.services.reference import check_codes


def record_attendance(
    session: Session,
    engagement_id: str,
    *,
    total: int,
    group_counts: Mapping[str, int],
    prefer_not_to_say: int = 0,
    not_asked: int = 0,
    attendee_ids: Sequence[str] = (),
    notes: str = "",
) -> Saved:
    """Set an engagement's attendance and equality monitoring counts (aggregate only)."""
    engagement = get_engagement(session, engagement_id)
    problems = checks.not_happened_yet(engagement.starts_at, dt.datetime.now(), attendance=True)
    problems += check_codes(session, PriorityGroup, group_counts, "priority group")
    rows = session.execute(select(PriorityGroup.code, PriorityGroup.name))
    names: dict[str, str] = {code: name for code, name in rows}
    if total < 0:
        problems.append("the total attendance cannot be negative")
    for code, count in group_counts.items():
        if count < 0:
            problems.append(f"the count for {names.get(code, code)} cannot be negative")
        elif count > total:
            problems.append(
                f"the count for {names.get(code, code)} ({count:,}) is more than the total "
                f"({total:,})"
            )
    if prefer_not_to_say < 0 or not_asked < 0:
        problems.append("'prefer not to say' and 'not asked' cannot be negative")
    if prefer_not_to_say + not_asked > total:
        problems.append("'prefer not to say' and 'not asked' add up to more than the total")
    attendees: list[Contact] = []
    if attendee_ids:
        attendees = list(session.scalars(select(Contact).where(Contact.id.in_(attendee_ids))))
        day = engagement.starts_at.date()
        found = {c.id for c in attendees}
        problems += [f"unknown contact {i!r}" for i in attendee_ids if i not in found]
        problems += [
            f"{c.name} has no valid consent on {day:%d %b %Y}, so cannot be named as an attendee"
            for c in attendees
            if not may_use(c, day)
        ]
    if problems:
        raise ValidationError(problems)
    attendance = engagement.attendance
    if attendance is None:
        attendance = Attendance(engagement=engagement)
        session.add(attendance)
    attendance.total = total
    attendance.prefer_not_to_say = prefer_not_to_say
    attendance.not_asked = not_asked
    attendance.notes = notes
    existing = {c.group_code: c for c in attendance.counts}
    for code, count in group_counts.items():
        if code in existing:
            if existing[code].count != count:
                existing[code].count = count
        else:
            attendance.counts.append(AttendanceCount(group_code=code, count=count))
    for code, row in existing.items():
        if code not in group_counts:
            attendance.counts.remove(row)
    if [c.id for c in engagement.attendees] != list(attendee_ids):
        engagement.attendees = attendees
    session.flush()
    return Saved(attendance.id, engagement_warnings(session, engagement))


def add_finding(
    session: Session,
    engagement_id: str,
    text: str,
    *,
    theme: str = "",
    topic_code: str | None = None,
    raised_by: Sequence[str] = (),
) -> Saved:
    """Record a view raised at an engagement, and which priority groups raised it."""
    engagement = get_engagement(session, engagement_id)
    problems = check_codes(session, PriorityGroup, raised_by, "priority group")
    if topic_code:
        problems += check_codes(session, Topic, [topic_code], "topic")
    if not text.strip():
        problems.append("the finding is empty")
    if problems:
        raise ValidationError(problems)
    groups = list(session.scalars(select(PriorityGroup).where(PriorityGroup.code.in_(raised_by))))
    finding = Finding(
        engagement=engagement,
        text=text.strip(),
        theme=theme,
        topic_code=topic_code,
        raised_by=groups,
    )
    session.add(finding)
    session.flush()
    return Saved(finding.id, [])


def _finding(session: Session, finding_id: str) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or finding.deleted:
        raise NotFound(f"No finding has the id {finding_id!r}.")
    return finding


def add_outcome(
    session: Session,
    finding_id: str,
    result: OutcomeResult,
    *,
    decision: str = "",
    explanation: str = "",
    decided_on: dt.date | None = None,
) -> Saved:
    """Record how a finding was used: which decision it changed or informed, or why not."""
    finding = _finding(session, finding_id)
    problems = []
    if result in (OutcomeResult.CHANGED_DECISION, OutcomeResult.INFORMED_DECISION) and not (
        decision.strip()
    ):
        problems.append("name the decision the finding changed or informed")
    if result == OutcomeResult.NOT_USED and not explanation.strip():
        problems.append("say why the finding was not used: those consulted are owed a reason")
    starts_at = finding.engagement.starts_at
    problems += checks.not_happened_yet(starts_at, dt.datetime.now(), outcomes=1)
    problems += checks.dated_before_engagement("The outcome", decided_on, starts_at)
    if problems:
        raise ValidationError(problems)
    outcome = Outcome(
        finding=finding,
        result=result,
        decision=decision.strip(),
        explanation=explanation.strip(),
        decided_on=decided_on,
    )
    session.add(outcome)
    session.flush()
    return Saved(outcome.id, [])


def add_action(
    session: Session,
    description: str,
    *,
    engagement_id: str | None = None,
    finding_id: str | None = None,
    owner: str = "",
    due_on: dt.date | None = None,
) -> Saved:
    """Record an action someone owns, due on a date."""
    if not description.strip():
        raise ValidationError("the action has no description")
    engagement = get_engagement(session, engagement_id) if engagement_id else None
    finding = _finding(session, finding_id) if finding_id else None
    action = ActionItem(
        engagement=engagement,
        finding=finding,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
        status=ActionStatus.OPEN,
    )
    session.add(action)
    session.flush()
    warnings = [] if owner.strip() else ["the action has no owner"]
    return Saved(action.id, warnings)


def set_action_status(
    session: Session, action_id: str, status: ActionStatus, on: dt.date | None = None
) -> None:
    """Move an action on; done or dropped actions record the day they were closed."""
    action = session.get(ActionItem, action_id)
    if action is None or action.deleted:
        raise NotFound(f"No action has the id {action_id!r}.")
    action.status = status
    closed = status in (ActionStatus.DONE, ActionStatus.DROPPED)
    action.completed_on = (on or dt.date.today()) if closed else None


def give_feedback(
    session: Session,
    text: str,
    *,
    given_on: dt.date,
    channel: FeedbackChannel,
    engagement_id: str | None = None,
    finding_ids: Sequence[str] = (),
) -> Saved:
    """Record "you said, we did" feedback and the findings it answers."""
    if not text.strip():
        raise ValidationError("the feedback text is empty")
    engagement = get_engagement(session, engagement_id) if engagement_id else None
    findings = [_finding(session, f) for f in finding_ids]
    starts = [f.engagement.starts_at for f in findings]
    starts += [engagement.starts_at] if engagement else []
    if starts:
        problems = checks.dated_before_engagement("The feedback", given_on, max(starts))
        if problems:
            raise ValidationError(problems)
    feedback = FeedbackGiven(
        engagement=engagement,
        text=text.strip(),
        given_on=given_on,
        channel=channel,
        answers=findings,
    )
    session.add(feedback)
    session.flush()
    return Saved(feedback.id, [])


def add_cost(
    session: Session,
    engagement_id: str,
    category: CostCategory,
    amount_pence: int,
    description: str = "",
) -> Saved:
    """Record a cash cost of an engagement, in pence."""
    if amount_pence < 0:
        raise ValidationError("a cost cannot be negative")
    engagement = get_engagement(session, engagement_id)
    cost = CostItem(
        engagement=engagement,
        category=category,
        amount_pence=amount_pence,
        description=description.strip(),
    )
    session.add(cost)
    session.flush()
    return Saved(cost.id, [])


def add_officer_time(
    session: Session,
    engagement_id: str,
    role: OfficerRole,
    minutes: int,
    hourly_rate_pence: int,
    officer_name: str = "",
) -> Saved:
    """Record officer time spent on an engagement (its opportunity cost)."""
    problems = []
    if minutes <= 0:
        problems.append("officer time must be more than zero minutes")
    if hourly_rate_pence < 0:
        problems.append("an hourly rate cannot be negative")
    if problems:
        raise ValidationError(problems)
    engagement = get_engagement(session, engagement_id)
    row = OfficerTime(
        engagement=engagement,
        role=role,
        minutes=minutes,
        hourly_rate_pence=hourly_rate_pence,
        officer_name=officer_name.strip(),
    )
    session.add(row)
    session.flush()
    return Saved(row.id, [])
