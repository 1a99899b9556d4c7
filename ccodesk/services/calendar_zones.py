"""A calendar file's own time zones (VTIMEZONE) read as the system's zones where they agree.

Outlook and Exchange name their zones in Windows' words ("GMT Standard Time") and define each
by yearly rules starting in 1601. icalendar turns such a definition into a dateutil zone that
walks every year from 1601 on each lookup: about 3 ms per event, so a year of a busy shared
calendar took minutes. Where the file's zone gives the same UTC offset as a zone of the IANA
database (its Windows name's zone, its X-LIC-LOCATION, the Olson name at the end of a
"globally unique" TZID, or London's) at every moment from a year before the horizon to a year
after it, the definition is dropped and its events name the IANA zone, which zoneinfo reads in
microseconds. A zone that differs anywhere in that span is kept as the file defines it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

YEAR = dt.timedelta(days=366)
STEP = dt.timedelta(hours=3)  # every zone's offset changes last for months, not hours
SECOND = dt.timedelta(seconds=1)
_BLOCK = re.compile(
    rb"^BEGIN:VTIMEZONE\r?\n.*?^END:VTIMEZONE[ \t]*(?:\r?\n|\Z)", re.M | re.S | re.I
)
_VALUE = rb'(?:"[^"\r\n]*"|[^;:,"\r\n]*)'
_PARAM = rb"(?:;[A-Za-z0-9-]+=" + _VALUE + rb"(?:," + _VALUE + rb")*)"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _candidates(tzid: str, component: icalendar.Timezone) -> Iterator[str]:
    cleaned = tzid.strip("/")
    if cleaned in WINDOWS_TO_OLSON:
        yield WINDOWS_TO_OLSON[cleaned]
    location = component.get("X-LIC-LOCATION")
    if location:
        yield str(location)
    parts = cleaned.split("/")
    for start in range(1, len(parts)):
        yield "/".join(parts[start:])
    yield "Europe/London"


def _agrees(component: icalendar.Timezone, zone: ZoneInfo, span: tuple[dt.datetime, ...]) -> bool:
    """Whether the file's zone and `zone` give the same offset throughout `span` (UTC)."""
    times, info = component.get_transitions()  # naive UTC, with the offset after each
    if not times or times[0] > span[0]:
        return False
    pairs = sorted(zip(times, (i[0] for i in info), strict=True))
    times = [t for t, _ in pairs]
    offsets = [o for _, o in pairs]

    def own(at: dt.datetime) -> dt.timedelta:
        return offsets[bisect.bisect_right(times, at) - 1]

    def system(at: dt.datetime) -> dt.timedelta | None:
        return at.replace(tzinfo=dt.UTC).astimezone(zone).utcoffset()

    moments = [t + d for t in times if span[0] <= t <= span[1] for d in (-SECOND, dt.timedelta())]
    at = span[0]
    while at <= span[1]:
        moments.append(at)
        at += STEP
    return all(own(m) == system(m) for m in moments)


def _system_zone(block: bytes, span: tuple[dt.datetime, dt.datetime]) -> tuple[str, str] | None:
    """(the file's TZID, the IANA zone that agrees with it), or None to keep the block."""
    try:
        component = icalendar.Timezone.from_ical(block)
        tzid = str(component["TZID"]) if isinstance(component, icalendar.Timezone) else ""
    except Exception:  # a definition icalendar cannot read is left for it to report
        return None
    if not tzid or not isinstance(component, icalendar.Timezone):
        return None
    if _zone(tzid.strip("/")) is not None:
        return None  # already an IANA name: icalendar reads it with zoneinfo
    for name in _candidates(tzid, component):
        zone = _zone(name)
        try:
            if zone is not None and _agrees(component, zone, span):
                return tzid, name
        except Exception:  # rules icalendar cannot expand: keep the file's definition
            return None
    return None


def system_zones(data: bytes, horizon: tuple[dt.date, dt.date]) -> bytes:
    """`data` (unfolded) with each time zone the system knows the same over the horizon
    dropped, and the events that name it naming the system's zone instead."""
    span = (
        dt.datetime.combine(horizon[0], dt.time()) - YEAR,
        dt.datetime.combine(horizon[1], dt.time()) + YEAR,
    )
    found = [(m, _system_zone(m[0], span)) for m in _BLOCK.finditer(data)]
    same = [(m, pair) for m, pair in found if pair is not None]
    if not same:
        return data
    pieces, at = [], 0
    for m, _pair in same:
        pieces += [data[at : m.start()]]
        at = m.end()
    data = b"".join([*pieces, data[at:]])
    for _m, (tzid, name) in same:
        # the TZID parameter of any property (DTSTART, DTEND, EXDATE, RDATE, RECURRENCE-ID)
        quoted = re.escape(tzid.encode())
        line = re.compile(
            rb"(?m)^([A-Za-z0-9-]+"
            + _PARAM
            + rb"*;(?i:TZID)=)(?:\""
            + quoted
            + rb"\"|"
            + quoted
            + rb")(?=[;:,])"
        )
        data = line.sub(rb"\g<1>" + name.encode(), data)  # an IANA name: no backslashes
    return data
