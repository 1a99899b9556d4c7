"""The consultation timetable: windows, planning-cycle milestones, deadlines and meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import DecisionKind, Engagement, Level, TimetableEntry, TimetableKind
from ccodesk.services.engagements import Saved


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
        found = session.get(TimetableEntry, entry_id)
        if found is None or found.deleted:
            raise NotFound(f"No timetable entry has the id {entry_id!r}.")
        entry = found
    for name, value in vars(draft).items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(entry, name) != value:
            setattr(entry, name, value)
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
