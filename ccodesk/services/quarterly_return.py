"""What the quarterly return says (the strategy's report of a quarter's consultation), read
from the store into the plain objects of `ccodesk.printing.return_data` for
`ccodesk.printing.quarterly` to draw.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    Attendance,
    CostItem,
    Engagement,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Outcome,
    PriorityGroup,
)
from ccodesk.printing import return_data as cells
from ccodesk.printing.return_data import (
    ChangedLine,
    DeletionLine,
    FeedbackLine,
    GroupLine,
    MethodLine,
    ReturnContent,
)
from ccodesk.resource_files import borough_name
from ccodesk.services import indicator_suppression as measures
from ccodesk.services.deletion_records import deletions_in
from ccodesk.services.indicator_results import IndicatorReport
from ccodesk.services.indicators import build_report, decisions_changed, held_in
from ccodesk.services.periods import Period, PeriodKind

# the measures of the indicator report whose withheld counts the printed return shows
_CELLS = {
    measures.ATTENDEES: cells.ATTENDEES,
    measures.IN_GROUP: cells.IN_GROUP,
    measures.BY_METHOD: cells.BY_METHOD,
    measures.NO_METHOD: cells.NO_METHOD,
}


def _methods(report: IndicatorReport) -> list[MethodLine]:
    """The quarter's methods used, in the toolkit's order; "Other" for engagements with none."""
    p = report.current.participation
    lines = [MethodLine(m.name, m.engagements, m.attendees) for m in p.by_method if m.engagements]
    other = (p.held - sum(m.held for m in lines), p.attendees - sum(m.attendees for m in lines))
    if other[0]:
        lines.append(MethodLine("Other", *other))
    return lines


def return_content(session: Session, borough_code: str | None, quarter: Period) -> ReturnContent:
    """What the quarterly consultation return for `quarter` prints."""
    if quarter.kind != PeriodKind.QUARTER:
        raise ValidationError(f"{quarter.label} is not a quarter")
    this = quarter
    area = borough_name(borough_code) or "Central unit"
    report = build_report(session, this, area=area, borough_code=borough_code)
    now, before = report.current, report.previous
    held = held_in(this)
    live_attendance = (Attendance.engagement_id == Engagement.id) & Attendance.deleted.is_(False)
    unsaid, unasked = session.execute(
        select(
            func.coalesce(func.sum(Attendance.prefer_not_to_say), 0),
            func.coalesce(func.sum(Attendance.not_asked), 0),
        )
        .join(Engagement, live_attendance)
        .where(*held)
    ).one()
    earlier = {g.code: g.attendees for g in before.representation.groups}
    groups = [GroupLine(g.name, g.attendees, earlier[g.code]) for g in now.representation.groups]
    used = session.execute(
        select(Outcome.result, func.count(func.distinct(Outcome.finding_id)))
        .join(Finding, Finding.id == Outcome.finding_id)
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(*held, Finding.deleted.is_(False), Outcome.deleted.is_(False))
        .group_by(Outcome.result)
    )
    outcomes = {result.label: int(n) for result, n in used}
    feedback = [
        FeedbackLine(given_on, channel.label, title or "", text)
        for given_on, channel, title, text in session.execute(
            select(
                FeedbackGiven.given_on, FeedbackGiven.channel, Engagement.title, FeedbackGiven.text
            )
            .outerjoin(Engagement, Engagement.id == FeedbackGiven.engagement_id)
            .where(
                FeedbackGiven.deleted.is_(False),
                FeedbackGiven.given_on >= quarter.start,
                FeedbackGiven.given_on < quarter.end,
            )
            .order_by(FeedbackGiven.given_on)
        )
    ]
    costs = [
        (category.label, int(pence))
        for category, pence in session.execute(
            select(CostItem.category, func.sum(CostItem.amount_pence))
            .join(Engagement, Engagement.id == CostItem.engagement_id)
            .where(*held, CostItem.deleted.is_(False))
            .group_by(CostItem.category)
            .order_by(func.sum(CostItem.amount_pence).desc())
        )
    ]
    officer_time = [
        (role.label, int(minutes), round(pence or 0))
        for role, minutes, pence in session.execute(
            select(
                OfficerTime.role,
                func.sum(OfficerTime.minutes),
                func.sum(OfficerTime.minutes * OfficerTime.hourly_rate_pence / 60.0),
            )
            .join(Engagement, Engagement.id == OfficerTime.engagement_id)
            .where(*held, OfficerTime.deleted.is_(False))
            .group_by(OfficerTime.role)
            .order_by(func.sum(OfficerTime.minutes).desc())
        )
    ]
    return ReturnContent(
        withheld=frozenset(
            (_CELLS[measure], group, label)
            for measure, group, label in report.withheld or ()
            if measure in _CELLS
        ),
        borough=area,
        quarter=quarter.label,
        quarter_before=quarter.previous().label,
        heading=quarter.span_label,
        methods=_methods(report),
        held=now.participation.held,
        attendees=now.participation.attendees,
        held_before=before.participation.held,
        attendees_before=before.participation.attendees,
        prefer_not_to_say=int(unsaid),
        not_asked=int(unasked),
        groups=groups,
        findings=now.information.findings,
        changed=[
            ChangedLine(c.held_on, c.engagement, c.finding, c.decision)
            for c in decisions_changed(session, this)
        ],
        outcomes=outcomes,
        feedback=feedback,
        cash_pence=now.cost.direct_pence,
        costs=costs,
        officer_pence=now.cost.officer_pence,
        officer_time=officer_time,
        deletions=[
            DeletionLine(r.done_at.date(), r.label, r.count, r.rule)
            for r in deletions_in(
                session, quarter.start, quarter.end - dt.timedelta(days=1), borough_code
            )
        ],
    )


def priority_group_names(session: Session) -> dict[str, str]:
    """Priority group code -> name, in the strategy's order."""
    query = select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
    return {code: name for code, name in session.execute(query)}
