"""iCalendar (.ics) export of engagements (the import: `calendar_import`).

Exported files hold one VEVENT per engagement, in Europe/London time with its VTIMEZONE, so
Outlook, Google Calendar and Apple Calendar import them (METHOD:PUBLISH, a calendar name).
An engagement's UID is ``<engagement id>@ccodesk``; one imported from an invitation keeps
the invitation's UID (`Engagement.ics_uid`) and organiser, so the calendar program that sent
it recognises it. An occurrence of an imported series is written as an event of its own.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ccodesk.models import CalendarLink, DeviceState, Engagement, EngagementStatus
from ccodesk.resource_files import borough_name

LONDON = ZoneInfo("Europe/London")
UID_SUFFIX = "@ccodesk"
PRODID = "-//ccodesk//Community consultation//EN"
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


def calendar_id(device_id: str) -> str:
    """The X-WR-RELCALID of this device's exports: a re-import of one is matched by
    engagement id (ccodesk/services/calendar_import.py)."""
    return f"ccodesk:{device_id}"


def describe_head(e: Engagement) -> str:
    """The lines the export puts before the notes in an event's DESCRIPTION."""
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
    return "\n".join(lines)


def describe(e: Engagement) -> str:
    """An event's DESCRIPTION: the kind, organisers, groups and access, then the notes."""
    head = describe_head(e)
    return f"{head}\n{e.notes}" if e.notes else head


def location_of(e: Engagement) -> str:
    """An event's LOCATION: the venue and its address on one line."""
    return ", ".join(p for p in (e.venue_name, " ".join(e.venue_address.split())) if p)


def _people(e: Engagement, link: CalendarLink | None, event: icalendar.Event) -> None:
    """ORGANIZER and ATTENDEE lines: the invitation's own organiser when the engagement came
    from one, and the engagement's CCO, BLO and CSO (with X-CCODESK-ROLE, so a re-import
    puts them back in their roles). ccodesk keeps no e-mail address for an officer, so those
    are written as urn:x-ccodesk: addresses, which calendar programs show by name."""
    people = [
        (role, name)
        for role, name in (("CCO", e.cco_name), ("BLO", e.blo_name), ("CSO", e.cso_name))
        if name
    ]
    organiser_done = False
    if link is not None and link.organiser_uri:
        address = icalendar.vCalAddress(link.organiser_uri)
        if link.organiser_name:
            address.params["CN"] = icalendar.vText(link.organiser_name)
        role = next((r for r, n in people if n == link.organiser_name), "")
        if role:
            address.params["X-CCODESK-ROLE"] = icalendar.vText(role)
            people = [(r, n) for r, n in people if r != role]
        event.add("organizer", address, encode=False)
        organiser_done = True
    for role, name in people:
        address = icalendar.vCalAddress(f"urn:x-ccodesk:{role.lower()}")
        address.params["CN"] = icalendar.vText(name)
        address.params["X-CCODESK-ROLE"] = icalendar.vText(role)
        if not organiser_done:
            event.add("organizer", address, encode=False)
            organiser_done = True
        else:
            address.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
            event.add("attendee", address, encode=False)


def export_ics(session: Session, start: dt.datetime, end: dt.datetime, *, name: str = "") -> bytes:
    """An iCalendar file of the engagements starting in [start, end): METHOD:PUBLISH, a
    calendar name (X-WR-CALNAME), this device's calendar id (X-WR-RELCALID), organisers."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    state = session.scalars(select(DeviceState)).first()
    borough = borough_name(state.borough_code) if state else None
    calendar.add("x-wr-calname", name or f"ccodesk: {borough or 'central unit'} engagements")
    calendar.add("x-wr-timezone", "Europe/London")
    if state is not None:
        calendar.add("x-wr-relcalid", calendar_id(state.device_id))
    calendar.add_component(london_timezone())
    stamp = dt.datetime.now(dt.UTC)
    engagements = list(
        session.scalars(
            select(Engagement)
            .where(
                Engagement.deleted.is_(False),
                Engagement.starts_at >= start,
                Engagement.starts_at < end,
            )
            .options(selectinload(Engagement.target_groups))
            .order_by(Engagement.starts_at)
        )
    )
    links = {
        link.engagement_id: link
        for i in range(0, len(engagements), 500)
        for link in session.scalars(
            select(CalendarLink).where(
                CalendarLink.engagement_id.in_([e.id for e in engagements[i : i + 500]])
            )
        )
    }
    for e in engagements:
        link = links.get(e.id)
        event = icalendar.Event()
        single = link is None or not link.occurrence
        event.add("uid", (e.ics_uid if single and e.ics_uid else None) or f"{e.id}{UID_SUFFIX}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(e.starts_at))
        event.add("dtend", _local(e.ends_at or e.starts_at + dt.timedelta(hours=2)))
        event.add("summary", e.title)
        location = location_of(e)
        if location:
            event.add("location", location)
        event.add("description", describe(e))
        event.add("categories", [e.kind.label] + (["Joint meeting"] if e.is_joint else []))
        event.add("status", STATUS[e.status])
        _people(e, link, event)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
