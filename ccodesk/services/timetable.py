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
    engagement_id: str | None  # a timetable entry's linked engagement, if any
    time: dt.time | None = None  # None: all day (a timetable entry)
    joint: bool = False
    cancelled: bool = False
    milestone: bool = False  # from the consultation timetable
    ends: dt.time | None = None  # the end, when it ends later the same day
    venue: str = ""
    kind: str = ""  # in words: "PCCG meeting", "Consultation window", …
    with_whom: str = ""  # "the BLO (PS Dean)": who a joint meeting is with
    window: tuple[dt.date, dt.date] | None = None  # a consultation window's first and last day
    entry_id: str | None = None  # the timetable entry, for one from the timetable

    def label(self) -> str:
        """One line: "18:00 Title (joint)"."""
        when = f"{self.time:%H:%M} " if self.time else ""
        marks = " (joint)" if self.joint else ""
        marks += " (cancelled)" if self.cancelled else ""
        return f"{when}{self.title}{marks}"

    def details(self) -> str:
        """Everything about it in a few lines: the whole title, time, venue, with whom."""
        lines = [self.title]
        if self.time is not None:
            until = f"–{self.ends:%H:%M}" if self.ends else ""
            lines.append(f"{self.day:%A %d %B %Y}, {self.time:%H:%M}{until}")
        elif self.window is not None:
            first, last = self.window
            lines.append(f"{first:%d %B %Y} to {last:%d %B %Y}")
        else:
            lines.append(f"{self.day:%A %d %B %Y}")
        if self.venue:
            lines.append(self.venue)
        if self.kind:
            lines.append(self.kind)
        if self.with_whom:
            lines.append(f"Joint meeting with {self.with_whom}")
        if self.cancelled:
            lines.append("Cancelled")
        return "\n".join(lines)


def _with_whom(blo: str, cso: str) -> str:
    people = [f"the BLO ({blo})" if blo else "", f"the CSO ({cso})" if cso else ""]
    return " and ".join(p for p in people if p)


def calendar_items(session: Session, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """Engagements and timetable entries on each day in [start, end), by day then time.

    Only the engagements starting in the period are read (one range over the
    (deleted, starts_at) index), so a month stays quick in a store of 100,000. A timetable
    entry shows on each of its days in the period: a consultation window on every day it is
    open, a milestone or deadline on its day.
    """
    items: list[CalendarItem] = []
    rows = session.execute(
        select(
            Engagement.id,
            Engagement.starts_at,
            Engagement.ends_at,
            Engagement.title,
            Engagement.kind,
            Engagement.venue_name,
            Engagement.blo_name,
            Engagement.cso_name,
            Engagement.status,
        ).where(
            Engagement.deleted.is_(False),
            Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
            Engagement.starts_at < dt.datetime.combine(end, dt.time()),
        )
    )
    for eid, when, until, title, kind, venue, blo, cso, status in rows:
        ends = until.time() if until is not None and until.date() == when.date() else None
        if ends is not None and ends <= when.time():
            ends = None
        items.append(
            CalendarItem(
                when.date(),
                title,
                eid,
                when.time(),
                joint=bool(blo or cso),
                cancelled=status == EngagementStatus.CANCELLED,
                ends=ends,
                venue=venue,
                kind=kind.label,
                with_whom=_with_whom(blo, cso),
            )
        )
    for entry in timetable_between(session, start, end):
        items += entry_items(entry, start, end)
    # all-day entries first (as calendars show them), then by time
    items.sort(key=lambda i: (i.day, i.time is not None, i.time or dt.time(0), i.title))
    return items


def entry_items(entry: TimetableEntry, start: dt.date, end: dt.date) -> list[CalendarItem]:
    """A timetable entry on each of its days from `start` to before `end`: a milestone or a
    deadline on its day, a consultation window on every day it is open ("… opens" on its first
    day, "… closes" on its last)."""
    items = []
    first = entry.starts_on
    last = entry.ends_on if entry.ends_on is not None else first
    windowed = last != first
    day = max(first, start)
    while day <= min(last, end - dt.timedelta(days=1)):
        suffix = ""
        if windowed and day == first:
            suffix = " opens"
        elif windowed and day == last:
            suffix = " closes"
        items.append(
            CalendarItem(
                day,
                entry.title + suffix,
                entry.engagement_id,
                joint=entry.kind == TimetableKind.JOINT_MEETING,
                milestone=True,
                kind=entry.kind.label,
                window=(first, last) if windowed else None,
                entry_id=entry.id,
            )
        )
        day += dt.timedelta(days=1)
    return items
