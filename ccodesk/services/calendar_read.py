"""Reading calendar files as Outlook, Google, Apple and Thunderbird write them (issue 13):
parsed by icalendar, every recurring series expanded over a bounded horizon by
`recurring-ical-events` (RRULE, RDATE, EXDATE, moved or cancelled occurrences), local times
that do not exist or occur twice flagged. What the events mean for the store is
`calendar_import`'s.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import icalendar
import recurring_ical_events

from ccodesk.errors import ValidationError
from ccodesk.services import checks
from ccodesk.services.calendar_ics import LONDON
from ccodesk.services.calendar_zones import system_zones

MAX_ICS_BYTES = 50_000_000
MAX_OCCURRENCES = 100_000  # in the horizon, all series together
# A meeting series repeats daily at most; an hourly or finer rule is not a meeting series
# (and expanding one over years would take hours).
FINEST = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
HORIZON_BEFORE = dt.timedelta(days=366)
HORIZON_AFTER = dt.timedelta(days=2 * 366)
ROLES = ("CCO", "BLO", "CSO")
NO_UID = "(no UID) "  # an event without one is known by its title and start

Progress = Callable[[int, int, str], None]
_FOLD = re.compile(rb"\r?\n[ \t]")


def _quiet(_done: int, _total: int, _what: str) -> None:
    pass


def default_horizon(today: dt.date) -> tuple[dt.date, dt.date]:
    """The occurrences of a series that are imported: a year back, two years ahead."""
    return today - HORIZON_BEFORE, today + HORIZON_AFTER


@dataclass(frozen=True)
class Person:
    name: str
    uri: str  # mailto:… as written
    role: str = ""  # CCO, BLO or CSO when known (X-CCODESK-ROLE, or matched by name)

    @property
    def shown(self) -> str:
        email = self.uri.removeprefix("mailto:").removeprefix("MAILTO:")
        if self.name and email and "@" in email:
            return f"{self.name} <{email}>"
        return self.name or email


@dataclass(frozen=True)
class Occurrence:
    """One event of the file, or one occurrence of a series in the horizon."""

    uid: str
    occurrence: str  # the RECURRENCE-ID (UTC, basic form) of a series' occurrence; "" if single
    summary: str
    starts_at: dt.datetime  # London local time, no zone
    ends_at: dt.datetime | None
    location: str
    description: str
    status: str  # CONFIRMED, TENTATIVE, CANCELLED or ""
    organiser: Person | None
    attendees: tuple[Person, ...]
    categories: tuple[str, ...]
    series: bool
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return self.uid, self.occurrence


@dataclass
class ParsedCalendar:
    name: str  # X-WR-CALNAME, else ""
    calendar: str  # who it is: X-WR-RELCALID or X-WR-CALNAME or the PRODID
    method: str
    events: list[Occurrence]
    refused: list[str]  # events that could not be read at all, with why
    horizon: tuple[dt.date, dt.date]
    series: int  # recurring series expanded

    def __len__(self) -> int:
        return len(self.events)


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):  # a property given twice: the first
        value = value[0]
    return str(value).strip()


def _person(prop: Any) -> Person:
    params = getattr(prop, "params", {})
    role = str(params.get("X-CCODESK-ROLE", "")).upper()
    return Person(
        str(params.get("CN", "")).strip().strip('"'),
        str(prop).strip(),
        role if role in ROLES else "",
    )


def _local(value: Any, what: str) -> tuple[dt.datetime | None, list[str]]:
    """A DTSTART/DTEND as London local time, and a warning when the written local time does
    not exist (the clocks go forward) or occurs twice (they go back)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # floating: London's wall clock
            value = value.replace(tzinfo=LONDON)
        zone = value.tzinfo
        warnings = []
        wall = value.replace(tzinfo=None)
        there = value.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if there != wall:
            warnings.append(
                f"its {what} {wall:%H:%M} on {checks.day(wall.date())} does not exist on the "
                f"clock (it is skipped when the clocks go forward): read as {there:%H:%M}."
            )
        elif value.replace(fold=0).utcoffset() != value.replace(fold=1).utcoffset():
            warnings.append(
                f"its {what} {wall:%H:%M} on {checks.day(wall.date())} occurs twice (the "
                "clocks go back that night): read as the first, in summer time."
            )
            value = value.replace(fold=0)
        # through UTC: astimezone() to the zone a value already has would change nothing
        local = value.astimezone(dt.UTC).astimezone(LONDON)
        local = local.replace(tzinfo=None, second=0, microsecond=0)
        return local, warnings
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9, 0)), []
    return None, []


def _occurrence_key(event: Any) -> str:
    if "RECURRENCE-ID" not in event:
        return ""
    value = event.decoded("RECURRENCE-ID")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=LONDON)
        return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(value.strftime("%Y%m%d"))


def _read_event(event: Any, series: bool) -> Occurrence | str:
    summary = _text(event, "SUMMARY") or "(untitled)"
    uid = _text(event, "UID")
    try:
        raw_start = event.decoded("DTSTART") if "DTSTART" in event else None
        raw_end = event.decoded("DTEND") if "DTEND" in event else None
        if raw_end is None and "DURATION" in event and raw_start is not None:
            raw_end = raw_start + event.decoded("DURATION")
    except (ValueError, TypeError, KeyError) as exc:
        return f"{summary!r}: its dates cannot be read ({exc})"
    starts, warnings = _local(raw_start, "start")
    if starts is None:
        return f"{summary!r}: it has no start time"
    ends, more = _local(raw_end, "end") if raw_end is not None else (None, [])
    if isinstance(raw_start, dt.date) and not isinstance(raw_start, dt.datetime):
        ends = None  # an all-day event: from 09:00, no end
        warnings.append("it is an all-day event: read as starting at 09:00.")
    if not uid:
        uid = f"{NO_UID}{summary[:100]} {starts:%Y%m%dT%H%M}"
    categories: list[str] = []
    for prop in (
        event.get("CATEGORIES", [])
        if isinstance(event.get("CATEGORIES"), list)
        else [event.get("CATEGORIES")]
    ):
        if prop is not None:
            categories += [str(c) for c in getattr(prop, "cats", [])]
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    organiser = event.get("ORGANIZER")
    return Occurrence(
        uid=uid,
        occurrence=_occurrence_key(event) if series or "RECURRENCE-ID" in event else "",
        summary=summary,
        starts_at=starts,
        ends_at=ends,
        location=_text(event, "LOCATION"),
        description=_text(event, "DESCRIPTION"),
        status=_text(event, "STATUS").upper(),
        organiser=_person(organiser) if organiser is not None else None,
        attendees=tuple(_person(a) for a in attendees),
        categories=tuple(categories),
        series=series,
        warnings=tuple(warnings + more),
    )


def _rule_problem(event: Any) -> str | None:
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules]:
        if rule is None:
            continue
        freq = [str(f).upper() for f in rule.get("FREQ", [])]
        if not freq or freq[0] not in FINEST:
            shown = freq[0].lower() if freq else "no frequency"
            return f"it repeats {shown}, more often than daily: not a meeting series"
    return None


PARSE_CHUNK = 2000  # events parsed at a time, between two progress reports
PARALLEL_FROM = 4  # chunks: a file of 8,000 events or more is read by worker processes
MAX_WORKERS = 4
_LINE = re.compile(rb"\r?\n")


def _split(data: bytes) -> tuple[list[bytes], list[bytes], list[bytes]] | None:
    """An unfolded file as (the calendar's own lines, its VTIMEZONE blocks, its VEVENT
    blocks), or None when it is not one plainly nested VCALENDAR (then it is parsed whole,
    and icalendar says what is wrong)."""
    own: list[bytes] = []
    zones: list[bytes] = []
    events: list[bytes] = []
    stack: list[bytes] = []
    block: list[bytes] = []
    closed = False
    for line in _LINE.split(data):
        if not line.strip():
            continue
        if closed or (not stack and line[:6].upper() != b"BEGIN:"):
            return None  # a second calendar, or a line outside the calendar
        if line[:6].upper() == b"BEGIN:":
            stack.append(line[6:].strip().upper())
            if stack[0] != b"VCALENDAR":
                return None
        if len(stack) == 1:
            own.append(line)
        else:
            block.append(line)
        if line[:4].upper() == b"END:":
            if line[4:].strip().upper() != stack[-1]:
                return None
            stack.pop()
            if len(stack) == 1:
                kind = block[0][6:].strip().upper()
                if kind == b"VTIMEZONE":
                    zones.append(b"\r\n".join(block))
                elif kind == b"VEVENT":
                    events.append(b"\r\n".join(block))
                block = []
            closed = not stack
    if not closed:
        return None  # unclosed: parsed whole, and icalendar says so
    return own, zones, events


def _calendar(data: bytes) -> Any:
    # icalendar keeps every VTIMEZONE it has read in one cache for the process, and a later
    # file's zone of the same name would be read by the earlier file's rules: start afresh
    icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"This is not an iCalendar (.ics) file: {exc}.") from exc
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise ValidationError("This is not an iCalendar (.ics) file: it holds no VCALENDAR.")
    return calendar


@dataclass
class _Part:
    """What one chunk of the file held: its events read, and those refused."""

    events: list[Occurrence]
    refused: list[str]
    series: int
    error: str = ""  # the file cannot be read (or holds too many events): the whole import stops


def _read_events(
    parsed: list[Any], zones: list[Any], horizon: tuple[dt.date, dt.date], limit: int
) -> _Part:
    """Read parsed VEVENTs: single events as they are, each series (all the parts that share
    its UID) expanded over `horizon`, on its own, so one broken series refuses only itself."""
    refused: list[str] = []
    masters: dict[str, list[Any]] = defaultdict(list)
    for event in parsed:
        masters[_text(event, "UID")].append(event)
    recurring = {
        uid for uid, evs in masters.items() if any("RRULE" in e or "RDATE" in e for e in evs)
    }
    events: list[Occurrence] = []
    for uid, parts in masters.items():
        if uid in recurring:
            continue
        for event in parts:
            read = _read_event(event, series=False)
            (refused.append(read) if isinstance(read, str) else events.append(read))
    start = dt.datetime.combine(horizon[0], dt.time(), LONDON)
    end = dt.datetime.combine(horizon[1], dt.time(), LONDON)
    for uid in sorted(recurring):
        parts = masters[uid]
        master = next((e for e in parts if "RRULE" in e or "RDATE" in e), parts[0])
        summary = _text(master, "SUMMARY") or "(untitled)"
        problem = _rule_problem(master)
        if problem:
            refused.append(f"the series {summary!r}: {problem}")
            continue
        one = icalendar.Calendar()
        for zone in zones:
            one.add_component(zone)
        for part in parts:
            one.add_component(part)
        found: list[Occurrence] = []
        try:
            for occurrence in recurring_ical_events.of(one).between(start, end):
                read = _read_event(occurrence, series=True)
                if isinstance(read, str):
                    refused.append(read)
                    continue
                found.append(read)
                if len(events) + len(found) > limit:
                    return _Part([], [], 0, _too_many(horizon, limit))
        except Exception as exc:  # the library's errors are many and undocumented
            refused.append(f"the series {summary!r} cannot be expanded ({exc})")
            continue
        events += found
    if len(events) > limit:
        return _Part([], [], 0, _too_many(horizon, limit))
    return _Part(events, refused, len(recurring))


def _too_many(horizon: tuple[dt.date, dt.date], limit: int) -> str:
    return (
        f"The calendar holds more than {limit:,} events between "
        f"{checks.day(horizon[0])} and {checks.day(horizon[1])}: import a shorter span. "
        "Nothing was imported."
    )


_UID = re.compile(rb'^UID(?:;(?:[^:"\r\n]|"[^"\r\n]*")*)?:(.*)$', re.MULTILINE | re.IGNORECASE)


def _uid_of(block: bytes) -> bytes:
    found = _UID.search(block)
    return found[1].strip() if found else b""


def _jobs(blocks: list[bytes]) -> list[list[bytes]]:
    """The VEVENT blocks in chunks of about PARSE_CHUNK, every part of a series (the blocks
    that share a UID) in the same chunk."""
    by_uid: dict[bytes, list[bytes]] = defaultdict(list)
    for block in blocks:
        by_uid[_uid_of(block)].append(block)
    jobs: list[list[bytes]] = [[]]
    for group in by_uid.values():
        if len(jobs[-1]) >= PARSE_CHUNK:
            jobs.append([])
        jobs[-1] += group
    return jobs


def _read_job(
    head: bytes, tail: bytes, blocks: list[bytes], horizon: tuple[dt.date, dt.date], limit: int
) -> _Part:
    """Parse and read one chunk: the calendar's own lines and time zones around `blocks`.
    Runs in a worker process for a large file, so it returns an error rather than raising."""
    try:
        chunk = _calendar(b"\r\n".join([head, *blocks, tail]))
    except ValidationError as exc:
        return _Part([], [], 0, str(exc))
    zones = [c for c in chunk.subcomponents if c.name == "VTIMEZONE"]
    return _read_events(list(chunk.walk("VEVENT")), zones, horizon, limit)


def _workers(jobs: int) -> int:
    """Processes to read a file of `jobs` chunks with: one (this one) for a small file."""
    if jobs < PARALLEL_FROM:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, jobs))


def _read_parts(
    data: bytes, horizon: tuple[dt.date, dt.date], progress: Progress
) -> tuple[Any, _Part]:
    """The calendar (its own properties) and every event read from it. A large file is
    parsed and read a chunk at a time, reporting progress after each chunk, and in parallel
    worker processes when the machine has more than one core."""
    parts = _split(data)
    if parts is None or len(parts[2]) <= PARSE_CHUNK:
        calendar = _calendar(data)
        zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        part = _read_events(list(calendar.walk("VEVENT")), zones, horizon, MAX_OCCURRENCES)
        if part.error:
            raise ValidationError(part.error)
        return calendar, part
    own, zone_blocks, blocks = parts
    head, tail = b"\r\n".join([*own[:-1], *zone_blocks]), own[-1]
    calendar = _calendar(b"\r\n".join([head, tail]))
    jobs = _jobs(blocks)
    done: list[_Part | None] = [None] * len(jobs)
    read = 0

    def record(index: int, part: _Part) -> None:
        nonlocal read
        if part.error:
            raise ValidationError(part.error)
        done[index] = part
        read += len(jobs[index])
        if sum(len(p.events) for p in done if p) > MAX_OCCURRENCES:
            raise ValidationError(_too_many(horizon, MAX_OCCURRENCES))
        progress(read, len(blocks), "Reading the events")

    progress(0, len(blocks), "Reading the events")
    workers = _workers(len(jobs))
    if workers > 1:
        # spawned, not forked: the desktop reads on a thread of a Qt process
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {
                    pool.submit(_read_job, head, tail, job, horizon, MAX_OCCURRENCES): index
                    for index, job in enumerate(jobs)
                }
                try:
                    for future in as_completed(futures):
                        record(futures[future], future.result())
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
        except (BrokenProcessPool, OSError):
            # the workers could not start or died (a program that starts work on import, a
            # process limit, memory): what is left is read here, one chunk at a time
            pass
    for index, job in enumerate(jobs):
        if done[index] is None:
            record(index, _read_job(head, tail, job, horizon, MAX_OCCURRENCES))
    whole = _Part([], [], 0)
    for piece in done:
        assert piece is not None
        whole.events += piece.events
        whole.refused += piece.refused
        whole.series += piece.series
    return calendar, whole


def read_calendar(
    data: bytes,
    *,
    horizon: tuple[dt.date, dt.date] | None = None,
    progress: Progress = _quiet,
) -> ParsedCalendar:
    """Parse an .ics file and expand its series over `horizon` (default: a year back, two
    ahead). Raises ValidationError, in plain words, for a file that is not a calendar."""
    if len(data) > MAX_ICS_BYTES:
        raise ValidationError(
            f"The calendar file is {len(data) / 1e6:,.0f} MB, larger than "
            f"{MAX_ICS_BYTES // 1_000_000} MB: is it the right file? Nothing was imported."
        )
    horizon = horizon or default_horizon(dt.date.today())
    progress(0, 1, "Reading the calendar")
    # unfolded as bytes (RFC 5545 3.1): Google folds at 75 octets, inside a character, and
    # icalendar would decode each piece on its own, turning the character into U+FFFD
    data = system_zones(_FOLD.sub(b"", data), horizon)
    calendar, part = _read_parts(data, horizon, progress)
    name = _text(calendar, "X-WR-CALNAME")
    who = (
        _text(calendar, "X-WR-RELCALID")
        or (f"name:{name}" if name else "")
        or f"prodid:{_text(calendar, 'PRODID')}"
    )[:255]
    events = part.events
    events.sort(key=lambda o: (o.starts_at, o.uid, o.occurrence))
    progress(1, 1, "Read")
    return ParsedCalendar(
        name=name,
        calendar=who,
        method=_text(calendar, "METHOD").upper(),
        events=events,
        refused=part.refused,
        horizon=horizon,
        series=part.series,
    )
