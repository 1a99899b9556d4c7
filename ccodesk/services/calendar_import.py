"""Importing calendars as Outlook, Google, Apple and Thunderbird write them (issue 13).

In three steps, so nothing is written before the officer has seen what will happen:

1. `read_calendar` parses the file and expands every recurring series into its occurrences
   over a bounded horizon (RRULE, RDATE, EXDATE and moved or cancelled occurrences with a
   RECURRENCE-ID, by the `recurring-ical-events` library), with local times that do not exist
   or occur twice (the clock changes) flagged.
2. `plan_import` matches each occurrence with what the store holds and says what would
   happen to it: added, updated (which fields), unchanged, or refused (why). A UID is matched
   only within the calendar it came from (`CalendarLink`); ccodesk's own `<id>@ccodesk` UIDs
   only in a file this device exported. The values last imported are kept, so a re-import
   changes only what changed in the calendar, never the officer's own edits.
3. `apply_import` writes the plan in the caller's transaction, all or nothing.

Everything imported passes the store's own rules (`validate_engagement`: lengths, controls,
dates), so nothing that sync would later refuse gets in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ccodesk.models import (
    KIND_METHOD,
    CalendarLink,
    DeviceState,
    Engagement,
    EngagementKind,
    EngagementStatus,
)
from ccodesk.models.base import new_id
from ccodesk.services import checks
from ccodesk.services.calendar_ics import (
    STATUS,
    UID_SUFFIX,
    calendar_id,
    describe,
    describe_head,
    location_of,
)
from ccodesk.services.calendar_read import (
    MAX_ICS_BYTES,
    MAX_OCCURRENCES,
    NO_UID,
    ROLES,
    Occurrence,
    ParsedCalendar,
    Person,
    Progress,
    _quiet,
    default_horizon,
    read_calendar,
)
from ccodesk.services.engagements import EngagementDraft, validate_engagement
from ccodesk.services.fields import assign_changed
from ccodesk.store import stamping
from ccodesk.words import plural

ROLE_FIELD = {"CCO": "cco_name", "BLO": "blo_name", "CSO": "cso_name"}


class Action(enum.StrEnum):
    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class Planned:
    event: Occurrence
    action: Action
    kind: EngagementKind
    engagement_id: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # engagement field → new value
    imported: dict[str, Any] = field(default_factory=dict)  # the event's values, kept
    reasons: list[str] = field(default_factory=list)  # why refused; warnings otherwise
    calendar: str = ""


@dataclass
class ImportPlan:
    name: str
    horizon: tuple[dt.date, dt.date]
    series: int
    items: list[Planned]
    unreadable: list[str]

    def count(self, action: Action) -> int:
        return sum(1 for p in self.items if p.action == action)

    def summary(self) -> str:
        """ "3 to add, 1 to update, 2 unchanged, 1 refused" (as planned)."""
        parts = [
            f"{self.count(Action.ADD):,} to add",
            f"{self.count(Action.UPDATE):,} to update",
            f"{self.count(Action.UNCHANGED):,} unchanged",
        ]
        refused = self.count(Action.REFUSED) + len(self.unreadable)
        if refused:
            parts.append(f"{refused:,} refused")
        return ", ".join(parts)

    @property
    def events_shown(self) -> str:
        """ "5 events": every event of the file, each occurrence of a series one."""
        return plural(len(self.items) + len(self.unreadable), "event")

    @property
    def series_shown(self) -> str:
        """ "1 recurring series expanded from 1 Dec 2025 to 3 Dec 2028", or "" for none."""
        if not self.series:
            return ""
        return (
            f"{plural(self.series, 'recurring series', 'recurring series')} expanded from "
            f"{checks.day(self.horizon[0])} to {checks.day(self.horizon[1])}"
        )

    def lines(self, *, limit: int = 50) -> list[str]:
        """The events that are refused or need a look, one line each (at most `limit`)."""
        out = [f"refused: {why}" for why in self.unreadable]
        for p in self.items:
            when = checks.moment(p.event.starts_at)
            if p.action == Action.REFUSED:
                out.append(f"refused: {p.event.summary!r} on {when}: " + " ".join(p.reasons))
            elif p.reasons:
                out.append(f"check: {p.event.summary!r} on {when}: " + " ".join(p.reasons))
        if len(out) > limit:
            out = [*out[:limit], f"… and {len(out) - limit:,} more"]
        return out


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # engagement ids
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)  # why, per event

    @property
    def skipped(self) -> list[str]:  # the older name
        return self.refused

    def summary(self) -> str:
        parts = [
            f"{len(self.added):,} added",
            f"{len(self.updated):,} updated",
            f"{self.unchanged:,} unchanged",
        ]
        if self.refused:
            parts.append(f"{len(self.refused):,} refused")
        return ", ".join(parts)


# -- 2. planning ------------------------------------------------------------------------------


def _status(value: str) -> EngagementStatus | None:
    return {
        "CANCELLED": EngagementStatus.CANCELLED,
        "TENTATIVE": EngagementStatus.PLANNED,
        "CONFIRMED": EngagementStatus.CONFIRMED,
    }.get(value)


def _kind_of(categories: Iterable[str]) -> EngagementKind | None:
    labels = {k.label.casefold(): k for k in EngagementKind}
    for c in categories:
        if c.strip().casefold() in labels:
            return labels[c.strip().casefold()]
    return None


def _values(
    event: Occurrence, officer: tuple[str, str], known: Mapping[str, str]
) -> tuple[dict[str, Any], Person | None]:
    """What the event says, as the fields it sets (and the organiser to keep for export).

    People become the engagement's organisers when they match a role: X-CCODESK-ROLE (a
    ccodesk file), this device's officer, a name the engagement already has in a role, or
    else the organiser of an invitation is its BLO. Everyone else is kept in the notes."""
    roles: dict[str, str] = {}
    rest: list[str] = []
    kept: Person | None = None
    people = ([event.organiser] if event.organiser else []) + [
        a for a in event.attendees if not (event.organiser and a.uri == event.organiser.uri)
    ]
    for number, person in enumerate(people):
        role = person.role
        if not role and person.name:
            for r in ROLES:
                if person.name.casefold() in (known.get(r, "").casefold(),) or (
                    r == officer[1] and person.name.casefold() == officer[0].casefold()
                ):
                    role = r
                    break
        organiser = number == 0 and event.organiser is not None
        if not role and organiser and "BLO" not in roles:
            role = "BLO"  # a BLO's invitation
        if organiser:
            kept = person
        if role and role not in roles and person.name:
            roles[role] = person.name
        elif person.shown and not (organiser and role):
            rest.append(person.shown)
    notes = event.description
    if rest:
        invited = "Invited: " + "; ".join(dict.fromkeys(rest))
        notes = f"{notes}\n\n{invited}" if notes else invited
    values: dict[str, Any] = {
        "title": event.summary,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "location": event.location,
        "notes": notes,
        "status": event.status,
        **{f"role:{r}": roles.get(r, "") for r in ROLES},
    }
    return values, kept


def _exported(e: Engagement) -> dict[str, Any]:
    """What ccodesk's own export writes for `e`, as `_values` reads it back: the base a
    re-import of this device's own file is compared with."""
    ends = e.ends_at or e.starts_at + dt.timedelta(hours=2)
    return {
        "title": e.title,
        "starts_at": e.starts_at.isoformat(),
        "ends_at": ends.isoformat(),
        "location": location_of(e),
        "notes": describe(e),
        "status": STATUS[e.status],
        **{f"role:{r}": getattr(e, ROLE_FIELD[r]) for r in ROLES},
    }


def _changes(
    e: Engagement | None, theirs: Mapping[str, Any], base: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The engagement's fields to set: those whose value in the calendar is not the one last
    imported (`base`; None for a new engagement: every field)."""

    def moved(name: str) -> bool:
        return base is None or theirs.get(name) != base.get(name)

    out: dict[str, Any] = {}
    if moved("title"):
        out["title"] = theirs["title"]
    if moved("starts_at") or moved("ends_at"):
        out["starts_at"] = dt.datetime.fromisoformat(theirs["starts_at"])
        out["ends_at"] = dt.datetime.fromisoformat(theirs["ends_at"]) if theirs["ends_at"] else None
    if moved("location"):
        place = theirs["location"]
        if e is not None and place == location_of(e):
            pass
        elif len(place) <= 200:
            out["venue_name"] = place
            if e is None or place != e.venue_name:
                out["venue_address"] = ""
        else:  # a long LOCATION (an address pasted in): kept whole as the address
            out["venue_name"], out["venue_address"] = "", place
    if moved("notes"):
        notes = theirs["notes"]
        if e is not None:
            head = describe_head(e)
            if notes == head:
                notes = ""
            elif notes.startswith(head + "\n"):
                notes = notes[len(head) + 1 :]
        out["notes"] = notes
    if moved("status"):
        status = _status(theirs["status"])
        if status is None and base is not None and base.get("status") == "CANCELLED":
            status = EngagementStatus.PLANNED  # no longer cancelled in the calendar
        if status is not None and not (
            e is not None
            and e.status == EngagementStatus.HELD
            and status != EngagementStatus.CANCELLED
        ):
            out["status"] = status
    for r in ROLES:
        if moved(f"role:{r}") and (theirs[f"role:{r}"] or base is not None):
            out[ROLE_FIELD[r]] = theirs[f"role:{r}"]
    if e is not None:  # only real differences
        out = {k: v for k, v in out.items() if getattr(e, k) != v}
    return out


def _draft(
    e: Engagement | None, kind: EngagementKind, changes: Mapping[str, Any]
) -> EngagementDraft:
    if e is None:
        base = EngagementDraft(kind=kind, title="", starts_at=changes["starts_at"])
    else:
        # the engagement's own columns: an import never changes its partners, target groups
        # or topics, so the draft checked leaves them out (loading them for 60,000
        # engagements took most of a re-import's comparison)
        base = EngagementDraft(
            **{
                f.name: getattr(e, f.name)
                for f in dataclasses.fields(EngagementDraft)
                if f.name not in ("partner_ids", "target_groups", "topics")
            }
        )
    return dataclasses.replace(base, kind=kind, **changes)


def _known(
    session: Session, parsed: ParsedCalendar, own: bool, progress: Progress
) -> tuple[dict[tuple[str, str], CalendarLink], dict[str, Engagement]]:
    """The links of this calendar's events (by UID and occurrence) and their engagements
    (and, in this device's own file, the engagements its `<id>@ccodesk` UIDs name)."""
    uids = sorted({o.uid for o in parsed.events})
    by_key: dict[tuple[str, str], CalendarLink] = {}
    what = "Finding the file's events in the store"
    for number, chunk in enumerate(_chunks(uids, 500)):
        progress(number * 500, 2 * len(uids), what)
        for link in session.scalars(select(CalendarLink).where(CalendarLink.uid.in_(chunk))):
            if link.calendar == parsed.calendar or own:
                by_key[(link.uid, link.occurrence)] = link
    wanted = {link.engagement_id for link in by_key.values()}
    if own:
        wanted |= {u.removesuffix(UID_SUFFIX) for u in uids if u.endswith(UID_SUFFIX)}
    engagements: dict[str, Engagement] = {}
    ids = sorted(wanted)
    for number, chunk in enumerate(_chunks(ids, 500)):
        progress(len(uids) + number * 500 * len(uids) // max(1, len(ids)), 2 * len(uids), what)
        for e in session.scalars(select(Engagement).where(Engagement.id.in_(chunk))):
            engagements[e.id] = e
    return by_key, engagements


def plan_import(
    session: Session,
    parsed: ParsedCalendar,
    *,
    default_kind: EngagementKind = EngagementKind.PCCG_MEETING,
    kinds: Mapping[str, EngagementKind] | None = None,
    progress: Progress = _quiet,
    now: dt.datetime | None = None,
) -> ImportPlan:
    """What importing `parsed` would do, event by event; writes nothing.

    The kind of a new engagement: `kinds[uid]` (the officer's choice for that event or
    series), else the file's category when it names a kind (ccodesk's own export), else
    `default_kind`. An engagement already in the store keeps its kind unless `kinds` names it.
    """
    kinds = kinds or {}
    now = now or dt.datetime.now()
    state = session.scalars(select(DeviceState)).first()
    officer = (state.officer_name, state.officer_role.upper()) if state else ("", "")
    own = state is not None and parsed.calendar == calendar_id(state.device_id)
    by_key, engagements = _known(session, parsed, own, progress)
    items: list[Planned] = []
    seen: set[tuple[str, str]] = set()
    total = len(parsed.events)
    for number, event in enumerate(parsed.events):
        if number % 2000 == 0:
            progress(number, total, "Comparing with the store")
        link: CalendarLink | None = by_key.get(event.key)
        e: Engagement | None = None
        if link is not None:
            e = engagements.get(link.engagement_id)
        elif own and event.uid.endswith(UID_SUFFIX) and not event.occurrence:
            e = engagements.get(event.uid.removesuffix(UID_SUFFIX))
        if e is not None and e.deleted:
            e = None
            link = None
        known = {r: getattr(e, ROLE_FIELD[r]) for r in ROLES} if e is not None else {}
        theirs, organiser = _values(event, officer, known)
        chosen = kinds.get(event.uid)
        kind = (
            chosen
            or (e.kind if e is not None else None)
            or _kind_of(event.categories)
            or default_kind
        )
        if link is not None:
            base: dict[str, Any] | None = link.imported
        elif e is not None:
            base = _exported(e)
        else:
            base = None
        item = Planned(event, Action.ADD, kind, calendar=parsed.calendar, imported=theirs)
        item.reasons += event.warnings
        if organiser is not None:
            item.imported = {**theirs, "organiser": [organiser.name, organiser.uri]}
        uid_problems = checks.text_problems("Its UID", event.uid, 255)
        if uid_problems:
            item.action, item.reasons = Action.REFUSED, uid_problems
            items.append(item)
            continue
        if event.key in seen:
            item.action = Action.REFUSED
            item.reasons = ["the file holds this event twice (the same UID and occurrence)."]
            items.append(item)
            continue
        seen.add(event.key)
        changes = _changes(e, theirs, base)
        if e is not None and chosen is not None and chosen != e.kind:
            changes["kind"] = chosen
        draft = _draft(e, kind, changes) if (changes or e is None) else None
        if draft is not None:
            problems = validate_engagement(session, draft, e.id if e else None, now=now)
            if problems:
                item.action = Action.REFUSED
                item.reasons = problems
                items.append(item)
                continue
        if e is None:
            item.action, item.changes = Action.ADD, changes
        else:
            item.engagement_id = e.id
            item.action = Action.UPDATE if changes else Action.UNCHANGED
            item.changes = changes
        items.append(item)
    items += _gone(session, parsed, by_key, engagements, seen, now)
    progress(total, total, "Compared")
    return ImportPlan(parsed.name, parsed.horizon, parsed.series, items, list(parsed.refused))


GONE = "no longer in its series in this file: marked cancelled."


def _gone(
    session: Session,
    parsed: ParsedCalendar,
    by_key: Mapping[tuple[str, str], CalendarLink],
    engagements: Mapping[str, Engagement],
    seen: set[tuple[str, str]],
    now: dt.datetime,
) -> list[Planned]:
    """The occurrences imported before from a series of this file that the series no longer
    holds (an EXDATE added, a COUNT or UNTIL shortened), within the horizon it was expanded
    over: cancelled, unless held (then left as they are, for the officer to look at)."""
    series = {o.uid for o in parsed.events if o.series}
    start = dt.datetime.combine(parsed.horizon[0], dt.time())
    end = dt.datetime.combine(parsed.horizon[1], dt.time())
    out: list[Planned] = []
    for key, link in sorted(by_key.items()):
        e = engagements.get(link.engagement_id)
        if key in seen or key[0] not in series or not key[1] or e is None or e.deleted:
            continue
        if not start <= e.starts_at < end or e.status == EngagementStatus.CANCELLED:
            continue
        event = Occurrence(
            uid=link.uid,
            occurrence=link.occurrence,
            summary=e.title,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            location=location_of(e),
            description="",
            status="CANCELLED",
            organiser=None,
            attendees=(),
            categories=(),
            series=True,
        )
        item = Planned(event, Action.UPDATE, e.kind, engagement_id=e.id, calendar=link.calendar)
        item.imported = {**link.imported, "status": "CANCELLED"}
        if e.status == EngagementStatus.HELD:
            item.action = Action.UNCHANGED
            item.reasons = ["no longer in its series in this file, but it was held: left as it is."]
            out.append(item)
            continue
        item.changes = {"status": EngagementStatus.CANCELLED}
        item.reasons = [GONE]
        problems = validate_engagement(session, _draft(e, e.kind, item.changes), e.id, now=now)
        if problems:
            item.action, item.reasons = (
                Action.REFUSED,
                [GONE.removesuffix("marked cancelled.") + "it cannot be cancelled:", *problems],
            )
        out.append(item)
    return out


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# -- 3. writing -------------------------------------------------------------------------------


BATCH = 2000


def _row(p: Planned) -> dict[str, Any]:
    """A new engagement's columns, as `save_engagement` would set them (text stripped)."""
    draft = _draft(None, p.kind, p.changes)
    row: dict[str, Any] = {
        f.name: (v.strip() if isinstance(v := getattr(draft, f.name), str) else v)
        for f in dataclasses.fields(EngagementDraft)
        if f.name not in ("partner_ids", "target_groups", "topics")
    }
    row["id"] = new_id()
    row["method_code"] = KIND_METHOD[p.kind]
    real_uid = not (p.event.occurrence or p.event.uid.startswith(NO_UID))
    row["ics_uid"] = p.event.uid if real_uid else None
    return row


def apply_import(
    session: Session, plan: ImportPlan, *, progress: Progress = _quiet
) -> ImportReport:
    """Write `plan` in the caller's transaction (the caller commits: all or nothing)."""
    report = ImportReport()
    report.refused = [*plan.unreadable] + [
        f"{p.event.summary!r} on {checks.moment(p.event.starts_at)}: " + " ".join(p.reasons)
        for p in plan.items
        if p.action == Action.REFUSED
    ]
    todo = [p for p in plan.items if p.action in (Action.ADD, Action.UPDATE)]
    report.unchanged = plan.count(Action.UNCHANGED)
    started = time.monotonic()
    links = {
        link.engagement_id: link
        for chunk in _chunks(sorted({p.engagement_id for p in todo if p.engagement_id}), 500)
        for link in session.scalars(
            select(CalendarLink).where(CalendarLink.engagement_id.in_(chunk))
        )
    }
    added = [p for p in todo if p.action == Action.ADD]
    for first in range(0, len(added), BATCH):  # new ones in bulk: one statement a batch
        progress(first, len(todo), "Saving the engagements")
        rows, link_rows = [], []
        for p in added[first : first + BATCH]:
            row = _row(p)
            rows.append(row)
            report.added.append(row["id"])
            organiser = p.imported.get("organiser") or ["", ""]
            link_rows.append(
                {
                    "engagement_id": row["id"],
                    "calendar": p.calendar,
                    "uid": p.event.uid,
                    "occurrence": p.event.occurrence,
                    "organiser_name": organiser[0][:120],
                    "organiser_uri": organiser[1][:255],
                    "imported": p.imported,
                }
            )
        stamping.stamp_rows(session, rows)
        # Core, not the ORM's bulk insert: one executemany a batch (the ORM groups rows by
        # which values are None and sends thousands of small statements)
        session.execute(insert(cast(Table, Engagement.__table__)), rows)
        session.execute(insert(cast(Table, CalendarLink.__table__)), link_rows)
    if added:
        stamping.audit_bulk(session, "engagement", len(added), "calendar import")
    for number, p in enumerate(p for p in todo if p.action == Action.UPDATE):
        if number % 1000 == 0:
            progress(len(added) + number, len(todo), "Updating the engagements")
        assert p.engagement_id is not None
        e = session.get_one(Engagement, p.engagement_id)
        changes = dict(p.changes)
        if "kind" in changes:
            changes["method_code"] = KIND_METHOD[changes["kind"]]
        assign_changed(e, changes)
        report.updated.append(e.id)
        link = links.get(e.id)
        organiser = p.imported.get("organiser") or ["", ""]
        if link is not None:
            link.imported = p.imported
            link.organiser_name, link.organiser_uri = organiser[0][:120], organiser[1][:255]
    session.flush()
    progress(len(todo), len(todo), f"Saved in {time.monotonic() - started:.1f} s")
    return report


def import_ics(
    session: Session,
    data: bytes,
    *,
    default_kind: EngagementKind = EngagementKind.PCCG_MEETING,
    kinds: Mapping[str, EngagementKind] | None = None,
    horizon: tuple[dt.date, dt.date] | None = None,
    progress: Progress = _quiet,
) -> ImportReport:
    """Read, plan and write in one go (the caller's transaction): for scripts and tests."""
    parsed = read_calendar(data, horizon=horizon, progress=progress)
    plan = plan_import(session, parsed, default_kind=default_kind, kinds=kinds, progress=progress)
    return apply_import(session, plan, progress=progress)


def describe_plan(plan: ImportPlan, *, every_event: bool = False, limit: int = 500) -> str:
    """The preview in words, as the command line prints it: the headline and the events that
    are refused or need a look; with `every_event`, then each event and what would happen to it
    (at most `limit` of them, in the file's order)."""
    head = plan.events_shown + (f" ({plan.series_shown})" if plan.series else "")
    out = [f"{head}: {plan.summary()}", *(f"  {line}" for line in plan.lines())]
    if every_event and plan.items:
        width = max(len(a.value) for a in Action)
        out.append("Each event:")
        for p in plan.items[:limit]:
            kind = f" ({p.kind.label})" if p.action == Action.ADD else ""
            out.append(
                f"  {p.action.value:<{width}}  {checks.moment(p.event.starts_at)}  "
                f"{p.event.summary}{kind}"
            )
        if len(plan.items) > limit:
            out.append(f"  … and {len(plan.items) - limit:,} more")
    return "\n".join(out)


__all__ = [
    "MAX_ICS_BYTES",
    "MAX_OCCURRENCES",
    "Action",
    "ImportPlan",
    "ImportReport",
    "Occurrence",
    "ParsedCalendar",
    "Person",
    "Planned",
    "apply_import",
    "default_horizon",
    "describe_plan",
    "import_ics",
    "plan_import",
    "read_calendar",
]
