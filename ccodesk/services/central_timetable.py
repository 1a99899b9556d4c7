"""The corporate consultation timetable, authored by the central unit (issue 16).

Pan-London planning-cycle milestones, consultation windows and deadlines — the policing plan,
the Best Value performance plan, the crime and disorder strategies, the Public Attitude
Survey — are timetable entries created on the central store. The centre owns them
(sync/ownership.py): they are the entries whose origin is the central unit's own device,
and they reach every borough in the next reference bundle (sync/central.py), edits and
deletions (tombstones) alike. Entries merged from a borough are the borough's and are never
edited here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.failures import file_boundary
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import (
    Borough,
    DecisionKind,
    Engagement,
    EngagementStatus,
    Level,
    TimetableEntry,
    TimetableKind,
)
from ccodesk.services.timetable import (
    CalendarItem,
    TimetableDraft,
    entry_items,
    save_timetable_entry,
)
from ccodesk.sync.central import Central, reference_bundle
from ccodesk.sync.ownership import device_owners
from ccodesk.words import plural

# What the centre authors; PCCG and joint meetings are the boroughs' own.
CENTRAL_KINDS = (TimetableKind.MILESTONE, TimetableKind.CONSULTATION_WINDOW, TimetableKind.DEADLINE)
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
LONGEST_WINDOW = dt.timedelta(days=366)
BOROUGHS_KIND = "Boroughs' planned engagements"


@dataclass(frozen=True)
class Preset:
    """A kind of corporate entry the centre authors often, with what it usually feeds."""

    name: str
    kind: TimetableKind
    informs: DecisionKind | None
    title: str
    planning_cycle: str


PRESETS = (
    Preset(
        "Policing plan: consultation window",
        TimetableKind.CONSULTATION_WINDOW,
        DecisionKind.POLICING_PLAN,
        "Policing plan consultation",
        "Policing plan",
    ),
    Preset(
        "Policing plan: milestone",
        TimetableKind.MILESTONE,
        DecisionKind.POLICING_PLAN,
        "Boroughs' priorities for the policing plan due",
        "Policing plan",
    ),
    Preset(
        "Best Value performance plan",
        TimetableKind.DEADLINE,
        DecisionKind.BEST_VALUE_REVIEW,
        "Best Value performance plan published",
        "Best Value performance plan",
    ),
    Preset(
        "Crime and disorder strategies",
        TimetableKind.CONSULTATION_WINDOW,
        DecisionKind.CRIME_DISORDER_STRATEGY,
        "Crime and disorder strategy consultation",
        "Crime and disorder strategies",
    ),
    Preset(
        "Public Attitude Survey",
        TimetableKind.CONSULTATION_WINDOW,
        DecisionKind.POLICY,
        "Public Attitude Survey fieldwork",
        "Public Attitude Survey",
    ),
)


@dataclass(frozen=True)
class CorporateEntry:
    """One entry of the corporate timetable, as the page lists it."""

    id: str
    title: str
    kind: TimetableKind
    starts_on: dt.date
    ends_on: dt.date | None
    planning_cycle: str
    informs: DecisionKind | None
    notes: str
    version: str  # its clock stamp: a save or delete refuses it if it changed since

    def when(self) -> str:
        """ "3 Mar 2027" or "3 Mar 2027 to 28 Apr 2027"."""
        start, end = self.starts_on, self.ends_on
        if end is None or end == start:
            return f"{start.day} {start:%b %Y}"
        last = f"{end.day} {end:%b %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{last}"
        if start.year == end.year:
            return f"{start.day} {start:%b} to {last}"
        return f"{start.day} {start:%b %Y} to {last}"

    def feeds(self) -> str:
        """What it feeds, in words: the decision and the planning cycle."""
        decision = self.informs.label if self.informs else ""
        cycle = self.planning_cycle if self.planning_cycle != decision else ""
        return " · ".join(p for p in (decision, cycle) if p)

    def draft(self) -> TimetableDraft:
        return TimetableDraft(
            title=self.title,
            kind=self.kind,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            planning_cycle=self.planning_cycle,
            informs=self.informs,
            level=Level.PAN_LONDON,
            notes=self.notes,
        )


def _centre(session: Session) -> str:
    return str(session.info["device_id"])


def _entry(row: TimetableEntry) -> CorporateEntry:
    return CorporateEntry(
        row.id,
        row.title,
        row.kind,
        row.starts_on,
        row.ends_on,
        row.planning_cycle,
        row.informs,
        row.notes,
        row.hlc,
    )


def corporate_entries(session: Session) -> list[CorporateEntry]:
    """The centre's own live timetable entries, by date."""
    rows = session.scalars(
        select(TimetableEntry)
        .where(TimetableEntry.origin_device == _centre(session), TimetableEntry.deleted.is_(False))
        .order_by(TimetableEntry.starts_on, TimetableEntry.title)
    )
    return [_entry(row) for row in rows]


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def check_draft(draft: TimetableDraft) -> list[str]:
    """What is wrong with a corporate entry, in plain words (empty: nothing)."""
    problems = []
    if not draft.title.strip():
        problems.append("the entry has no title")
    elif len(draft.title.strip()) > 200:
        problems.append("the title is longer than 200 characters")
    if len(draft.planning_cycle.strip()) > 80:
        problems.append("the planning cycle is longer than 80 characters")
    if draft.kind not in CENTRAL_KINDS:
        problems.append(
            f"a {draft.kind.label.lower()} is planned by the borough, not in the corporate "
            "timetable"
        )
    for what, value in (("start", draft.starts_on), ("end", draft.ends_on)):
        if value is not None and not EARLIEST <= value <= LATEST:
            problems.append(
                f"the {what} date ({_day(value)}) is not between {EARLIEST.year} and {LATEST.year}"
            )
    if draft.ends_on is not None and draft.ends_on < draft.starts_on:
        problems.append(
            f"it ends ({_day(draft.ends_on)}) before it starts ({_day(draft.starts_on)})"
        )
    elif draft.ends_on is not None and draft.ends_on - draft.starts_on > LONGEST_WINDOW:
        problems.append("a consultation window longer than a year is two entries, not one")
    if draft.kind == TimetableKind.CONSULTATION_WINDOW and (
        draft.ends_on is None or draft.ends_on == draft.starts_on
    ):
        problems.append("a consultation window needs an end date after its start")
    return problems


def _owned(session: Session, entry_id: str, seen: str | None) -> TimetableEntry:
    """The centre's entry, locked for this transaction (PostgreSQL: SELECT … FOR UPDATE, so
    two central officers saving at once take turns); refused, in plain words, when a borough
    owns it or when it changed since the officer saw it (`seen`: its version stamp then)."""
    entry = session.get(TimetableEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound(f"No timetable entry has the id {entry_id!r}.")
    if entry.origin_device != _centre(session):
        raise ValidationError(
            [f"“{entry.title}” came from a borough; only that borough can change it"]
        )
    if entry.deleted:
        raise ValidationError(
            [f"“{entry.title}” was deleted meanwhile (in another session); nothing was changed"]
        )
    if seen is not None and entry.hlc != seen:
        raise ValidationError(
            [
                f"“{entry.title}” was changed in another session since you opened it; nothing "
                "was changed: close this, then open the entry again to see what it says now"
            ]
        )
    return entry


def save_corporate_entry(
    session: Session,
    draft: TimetableDraft,
    entry_id: str | None = None,
    *,
    seen: str | None = None,
) -> str:
    """Create (no `entry_id`) or change a pan-London entry; its id. ValidationError, with
    every problem in plain words, when it cannot be saved: then nothing is written.
    `seen`: the entry's version as the officer saw it, so no one's change is lost."""
    problems = check_draft(draft)
    if problems:
        raise ValidationError(problems)
    if entry_id is not None:
        _owned(session, entry_id, seen)
    draft.level = Level.PAN_LONDON
    draft.engagement_id = None  # an engagement is a borough's; the centre's entries stand alone
    return save_timetable_entry(session, draft, entry_id).id


def delete_corporate_entry(session: Session, entry_id: str, *, seen: str | None = None) -> str:
    """Mark the entry deleted (a tombstone, so the deletion reaches the boroughs); its title."""
    entry = _owned(session, entry_id, seen)
    entry.deleted = True
    session.flush()
    return entry.title


@dataclass
class MonthOverview:
    """A month of the central calendar: the corporate entries and, per day, how many
    engagements each borough has planned."""

    items: list[CalendarItem]
    boroughs: dict[dt.date, list[tuple[str, int]]] = field(default_factory=dict)

    def on(self, day: dt.date) -> list[tuple[str, int]]:
        """Per borough (name, engagements) planned on `day`, most first."""
        return self.boroughs.get(day, [])


def month_overview(session: Session, start: dt.date, end: dt.date) -> MonthOverview:
    """The days [start, end): each corporate entry on its days (a window on every day it is
    open) and one line per day counting the boroughs' engagements not cancelled."""
    centre = _centre(session)
    items: list[CalendarItem] = []
    rows = session.scalars(
        select(TimetableEntry).where(
            TimetableEntry.origin_device == centre,
            TimetableEntry.deleted.is_(False),
            TimetableEntry.starts_on < end,
            TimetableEntry.starts_on >= start - LONGEST_WINDOW,
        )
    )
    for entry in rows:  # the centre's own: no engagement of theirs, never a joint meeting
        items += entry_items(entry, start, end)
    names = {code: name for code, name in session.execute(select(Borough.code, Borough.name))}
    owners = device_owners(session)  # an engagement is the borough's of the device that made it
    counts: dict[dt.date, dict[str, int]] = {}
    for when, device in session.execute(
        select(Engagement.starts_at, Engagement.origin_device).where(
            Engagement.deleted.is_(False),
            Engagement.status != EngagementStatus.CANCELLED,
            Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
            Engagement.starts_at < dt.datetime.combine(end, dt.time()),
        )
    ):
        borough = owners.get(device, "")
        name = names.get(borough, borough or "A device not trusted")
        per_borough = counts.setdefault(when.date(), {})
        per_borough[name] = per_borough.get(name, 0) + 1
    overview = MonthOverview(items)
    for day, per_borough in counts.items():
        ranked = sorted(per_borough.items(), key=lambda kv: (-kv[1], kv[0]))
        overview.boroughs[day] = ranked
        total = sum(per_borough.values())
        items.append(
            CalendarItem(
                day,
                f"{total} in {plural(len(ranked), 'borough')}",
                None,
                kind=BOROUGHS_KIND,
                venue=", ".join(f"{name} {n}" for name, n in ranked),
            )
        )
    # consultation windows first on each day, so their bands run straight across the week,
    # then milestones and deadlines, then the boroughs' count
    items.sort(key=lambda i: (i.day, i.window is None, i.entry_id is None, i.title))
    return overview


def export_reference(central: Central, path: Path) -> int:
    """Write the signed reference bundle, with the corporate timetable, to `path`
    (atomically); how many corporate entries it carries, deletions included."""
    data = reference_bundle(central)
    with file_boundary(path):
        atomic_write_bytes(path, data)
    with central.session() as session:
        return len(
            session.scalars(
                select(TimetableEntry.id).where(
                    TimetableEntry.origin_device == central.config.central_id
                )
            ).all()
        )
