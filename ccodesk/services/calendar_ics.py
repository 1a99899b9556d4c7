"""iCalendar (.ics) export of engagements, and import of a BLO's invitations.

Exported files hold one VEVENT per engagement, in Europe/London time with its VTIMEZONE, so
Outlook, Google Calendar and Apple Calendar import them. An engagement's UID is
``<engagement id>@ccodesk``; events from elsewhere keep their own UID in `Engagement.ics_uid`
so importing the same invitation again updates the engagement instead of copying it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ccodesk.errors import ValidationError
from ccodesk.models import Engagement, EngagementKind, EngagementStatus
from ccodesk.services.engagements import EngagementDraft, save_engagement

LONDON = ZoneInfo("Europe/London")
UID_SUFFIX = "@ccodesk"
PRODID = "-//ccodesk//Community consultation//EN"
MAX_ICS_BYTES = 20_000_000
STATUS = {
    EngagementStatus.PLANNED: "TENTATIVE",
    EngagementStatus.CONFIRMED: "CONFIRMED",
    EngagementStatus.HELD: "CONFIRMED",
    EngagementStatus.CANCELLED: "CANCELLED",
}


def london_timezone() -> icalendar.Timezone:
    """Europe/London as the rule-based VTIMEZONE calendar programs expect (as on tzurl.org).

    The RRULE form is understood everywhere; icalendar's generated form lists every change as
    an RDATE, which some readers get wrong.
    """
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/London")
    for kind, name, start, month, offset_from, offset_to in (
        (icalendar.TimezoneDaylight, "BST", dt.datetime(1970, 3, 29, 1), 3, 0, 1),
        (icalendar.TimezoneStandard, "GMT", dt.datetime(1970, 10, 25, 2), 10, 1, 0),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("tzoffsetfrom", dt.timedelta(hours=offset_from))
        part.add("tzoffsetto", dt.timedelta(hours=offset_to))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def _local(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=LONDON)


def _describe(e: Engagement) -> str:
    lines = [f"{e.kind.label}" + (f": {e.theme}" if e.theme else "")]
    organisers = [
        f"{role} {name}"
        for role, name in (("CCO", e.cco_name), ("BLO", e.blo_name), ("CSO", e.cso_name))
        if name
    ]
    if organisers:
        lines.append(
            "Organisers: " + "; ".join(organisers) + (" (joint meeting)" if e.is_joint else "")
        )
    if e.target_groups:
        lines.append("For: " + ", ".join(g.name for g in e.target_groups))
    access = e.access_labels
    if access:
        lines.append("Access: " + ", ".join(access))
    if e.notes:
        lines.append(e.notes)
    return "\n".join(lines)


def export_ics(session: Session, start: dt.datetime, end: dt.datetime) -> bytes:
    """An iCalendar file of the engagements starting in [start, end)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(london_timezone())
    stamp = dt.datetime.now(dt.UTC)
    engagements = session.scalars(
        select(Engagement)
        .where(
            Engagement.deleted.is_(False), Engagement.starts_at >= start, Engagement.starts_at < end
        )
        .options(selectinload(Engagement.target_groups))
        .order_by(Engagement.starts_at)
    )
    for e in engagements:
        event = icalendar.Event()
        event.add("uid", e.ics_uid or f"{e.id}{UID_SUFFIX}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(e.starts_at))
        event.add("dtend", _local(e.ends_at or e.starts_at + dt.timedelta(hours=2)))
        event.add("summary", e.title)
        location = ", ".join(p for p in (e.venue_name, " ".join(e.venue_address.split())) if p)
        if location:
            event.add("location", location)
        event.add("description", _describe(e))
        event.add("categories", [e.kind.label] + (["Joint meeting"] if e.is_joint else []))
        event.add("status", STATUS[e.status])
        calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # engagement ids
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why, per event

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def _naive_london(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LONDON)
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9, 0))
    return None


def _text(component: icalendar.cal.Component, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def import_ics(
    session: Session,
    data: bytes,
    *,
    default_kind: EngagementKind = EngagementKind.PCCG_MEETING,
    blo_name: str = "",
) -> ImportReport:
    """Add (or update) engagements from the events of an iCalendar file."""
    if len(data) > MAX_ICS_BYTES:
        raise ValidationError("the calendar file is larger than 20 MB; is it the right file?")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise ValidationError(f"this is not an iCalendar (.ics) file: {exc}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise ValidationError("this is not an iCalendar (.ics) file")
    report = ImportReport()
    for event in calendar.walk("VEVENT"):
        summary = _text(event, "summary") or "(untitled)"
        uid = _text(event, "uid")
        starts = _naive_london(event.decoded("dtstart") if "dtstart" in event else None)
        if starts is None:
            report.skipped.append(f"{summary}: no start time")
            continue
        ends = _naive_london(event.decoded("dtend")) if "dtend" in event else None
        if ends is not None and ends < starts:
            report.skipped.append(f"{summary}: ends before it starts")
            continue
        existing = None
        if uid.endswith(UID_SUFFIX):
            existing = session.get(Engagement, uid.removesuffix(UID_SUFFIX))
        if existing is None and uid:
            existing = session.scalars(select(Engagement).where(Engagement.ics_uid == uid)).first()
        status = (
            EngagementStatus.CANCELLED
            if _text(event, "status").upper() == "CANCELLED"
            else EngagementStatus.CONFIRMED
        )
        if existing is not None and not existing.deleted:
            existing.title = summary[:200]
            existing.starts_at, existing.ends_at = starts, ends
            existing.venue_name = _text(event, "location")[:200] or existing.venue_name
            if status == EngagementStatus.CANCELLED:
                existing.status = status
            report.updated.append(existing.id)
            continue
        organiser = event.get("organizer")
        name = str(organiser.params.get("CN", "")) if organiser is not None else ""
        saved = save_engagement(
            session,
            EngagementDraft(
                kind=default_kind,
                title=summary[:200],
                starts_at=starts,
                ends_at=ends,
                venue_name=_text(event, "location")[:200],
                notes=_text(event, "description"),
                status=status,
                blo_name=(name or blo_name)[:120],
            ),
        )
        if uid:
            session.get_one(Engagement, saved.id).ics_uid = uid[:255]
        report.added.append(saved.id)
    session.flush()
    return report
