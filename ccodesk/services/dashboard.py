"""What the CCO should see first: this week, overdue actions, feedback owed, groups unreached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import (
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
from ccodesk.services.indicators import group_counts
from ccodesk.services.periods import Period, PeriodKind
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


def group_reach(session: Session, period: Period) -> list[GroupReach]:
    """Per priority group, the attendees counted at engagements held in `period` (the
    indicators' own figure, `indicators.group_counts`), in the strategy's order."""
    people: dict[str, int] = {}
    for _device, code, _reached, n in group_counts(session, period):
        people[code] = people.get(code, 0) + n
    rows = session.execute(
        select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
    )
    return [GroupReach(code, name, people.get(code, 0)) for code, name in rows]


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
    return Dashboard(
        today=today,
        coming=coming,
        overdue=open_actions(session, overdue_on=today, limit=100),
        overdue_total=count_open_actions(session, overdue_on=today),
        feedback_owed=owed,
        reach=group_reach(session, Period.containing(PeriodKind.QUARTER, today)),
        quick_time=[QuickTimeDue(c.id, c.title, c.deadline) for c in list_open(session)],
    )
