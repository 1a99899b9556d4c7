"""The consultation timetable: windows, planning-cycle milestones, deadlines and meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    DecisionKind,
    Engagement,
    EngagementStatus,
    Level,
    TimetableEntry,
    TimetableKind,
)
from ccodesk.services.engagements import Saved
from ccodesk.services.fields import assign_changed, get_live


@dataclass
class TimetableDraft:
    title: str
    kind: TimetableKind
    starts_on: dt.date
    ends_on: dt.date | None = None
    planning_cycle: str = ""
    informs: DecisionKind | None = None
    level: Level = Level.LOCAL
    engagement_id: str | None = None
    notes: str = ""


def save_timetable_entry(
    session: Session, draft: TimetableDraft, entry_id: str | None = None
) -> Saved:
    """Create or update a timetable entry."""
    problems = []
    if not draft.title.strip():
        problems.append("the timetable entry has no title")
    if draft.ends_on is not None and draft.ends_on < draft.starts_on:
        problems.append(
            f"it ends ({draft.ends_on:%d %b %Y}) before it starts ({draft.starts_on:%d %b %Y})"
        )
    if draft.engagement_id and session.get(Engagement, draft.engagement_id) is None:
        problems.append(f"unknown engagement {draft.engagement_id!r}")
    if problems:
        raise ValidationError(problems)
    if entry_id is None:
        entry = TimetableEntry(
            title=draft.title.strip(), kind=draft.kind, starts_on=draft.starts_on
        )
        session.add(entry)
    else:
        entry = get_live(session, TimetableEntry, entry_id, "timetable entry")
    assign_changed(entry, vars(draft))
    session.flush()
    return Saved(entry.id, [])


def timetable_between(session: Session, start: dt.date, end: dt.date) -> list[TimetableEntry]:
    """Entries that overlap the days from `start` up to, not including, `end`."""
    return list(
        session.scalars(
            select(TimetableEntry)
            .where(
                TimetableEntry.deleted.is_(False),
                TimetableEntry.starts_on < end,
                or_(
                    TimetableEntry.ends_on >= start,
                    (TimetableEntry.ends_on.is_(None)) & (TimetableEntry.starts_on >= start),
                ),
            )
            .order_by(TimetableEntry.starts_on, TimetableEntry.title)
        )
    )


@dataclass(frozen=True)
class CalendarItem:
    """Something on a day of the calendar: an engagement or a timetable entry."""

    day: dt.date
    title: str
    engagement_id: str | None  # None for a timetable entry
    time: dt.time | None = None
    joint: bool = False
    cancelled: bool = False
    milestone: bool = False

    def label(self) -> str:
        when = f"{self.time:%H:%M} " if self.time else ""
        marks = " (joint)" if self.joint else ""
        marks += " (cancelled)" if self.cancelled else ""
        return f"{when}{self.title}{marks}"


def calendar_items(session: Session, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """Engagements and timetable entries on each day in [start, end), by day then time."""
    items: list[CalendarItem] = []
    rows = session.execute(
        select(
            Engagement.id,
            Engagement.starts_at,
            Engagement.title,
            Engagement.blo_name,
            Engagement.cso_name,
            Engagement.status,
        ).where(
            Engagement.deleted.is_(False),
            Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
            Engagement.starts_at < dt.datetime.combine(end, dt.time()),
        )
    )
    for eid, when, title, blo, cso, status in rows:
        items.append(
            CalendarItem(
                when.date(),
                title,
                eid,
                when.time(),
                bool(blo or cso),
                status == EngagementStatus.CANCELLED,
            )
        )
    for entry in timetable_between(session, start, end):
        last = min(entry.ends_on or entry.starts_on, end - dt.timedelta(days=1))
        day = max(entry.starts_on, start)
        windowed = entry.ends_on is not None and entry.ends_on != entry.starts_on
        while day <= last:
            # a window shows on its first and last day; a milestone on its day
            if not windowed or day in (entry.starts_on, entry.ends_on):
                suffix = ""
                if windowed:
                    suffix = " opens" if day == entry.starts_on else " closes"
                items.append(
                    CalendarItem(
                        day,
                        entry.title + suffix,
                        None,
                        joint=entry.kind == TimetableKind.JOINT_MEETING,
                        milestone=True,
                    )
                )
            day += dt.timedelta(days=1)
    items.sort(key=lambda i: (i.day, i.time or dt.time(0), i.title))
    return items
