"""What the CCO should see first: this week, overdue actions, feedback owed, groups unreached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.models import (
    Attendance,
    AttendanceCount,
    Engagement,
    EngagementStatus,
    PriorityGroup,
)
from ccodesk.services.engagements import EngagementFilter, EngagementRow, list_engagements
from ccodesk.services.followup import (
    OpenAction,
    count_open_actions,
    held_without_feedback,
    open_actions,
)
from ccodesk.services.quicktime import list_open


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter holding `day`, as [start, end)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, end


@dataclass(frozen=True)
class GroupReach:
    code: str
    name: str
    attendees: int  # monitoring count summed over engagements held this quarter


@dataclass(frozen=True)
class QuickTimeDue:
    """A quick-time consultation in progress, for its countdown."""

    id: str
    title: str
    deadline: dt.datetime


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    coming: list[EngagementRow]  # planned or confirmed, today and the next six days
    overdue: list[OpenAction]  # the 100 longest overdue
    overdue_total: int
    feedback_owed: list[tuple[str, str, dt.datetime]]  # id, title, when held
    reach: list[GroupReach]
    quick_time: list[QuickTimeDue] = field(default_factory=list)  # nearest deadline first

    @property
    def unreached(self) -> list[GroupReach]:
        """Priority groups nobody from whom came to a consultation this quarter."""
        return [g for g in self.reach if g.attendees == 0]


def group_reach(session: Session, start: dt.date, end: dt.date) -> list[GroupReach]:
    """Per priority group, the attendees counted at engagements held in [start, end)."""
    counted = (
        select(AttendanceCount.group_code, func.sum(AttendanceCount.count).label("n"))
        .join(Attendance, Attendance.id == AttendanceCount.attendance_id)
        .join(Engagement, Engagement.id == Attendance.engagement_id)
        .where(
            Engagement.deleted.is_(False),
            Attendance.deleted.is_(False),
            Engagement.status == EngagementStatus.HELD,
            Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
            Engagement.starts_at < dt.datetime.combine(end, dt.time()),
        )
        .group_by(AttendanceCount.group_code)
        .subquery()
    )
    rows = session.execute(
        select(PriorityGroup.code, PriorityGroup.name, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.group_code == PriorityGroup.code)
        .order_by(PriorityGroup.position)
    )
    return [GroupReach(code, name, int(n)) for code, name, n in rows]


def build_dashboard(session: Session, today: dt.date) -> Dashboard:
    """Everything the dashboard shows, for `today`."""
    coming = list_engagements(
        session,
        EngagementFilter(
            start=dt.datetime.combine(today, dt.time()),
            end=dt.datetime.combine(today + dt.timedelta(days=7), dt.time()),
            statuses=[EngagementStatus.PLANNED, EngagementStatus.CONFIRMED],
        ),
        limit=100,
    )
    owed = [(e.id, e.title, e.starts_at) for e in held_without_feedback(session, limit=50)]
    q_start, q_end = quarter_of(today)
    return Dashboard(
        today=today,
        coming=coming,
        overdue=open_actions(session, overdue_on=today, limit=100),
        overdue_total=count_open_actions(session, overdue_on=today),
        feedback_owed=owed,
        reach=group_reach(session, q_start, q_end),
        quick_time=[QuickTimeDue(c.id, c.title, c.deadline) for c in list_open(session)],
    )
