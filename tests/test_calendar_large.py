"""A large calendar (issue 13: 60,000 events with progress) is parsed a chunk at a time, in
worker processes when the machine has cores to spare. Whatever way it is read, it reads the
same as the whole file parsed at once, reports progress after every chunk, and a hostile file
still ends in one plain message with nothing imported.

The chunk size is made small here so that a file of a few hundred events takes every path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ccodesk.errors import ValidationError
from ccodesk.models import Engagement
from ccodesk.services import calendar_read
from ccodesk.services.calendar_import import import_ics, read_calendar

HORIZON = (dt.date(2026, 1, 1), dt.date(2028, 12, 31))
ZONE = """BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def busy_calendar(events: int, *, daily: bool = False) -> bytes:
    """An Outlook-style file: single events and weekly series in Outlook's own time zone,
    folded long lines, an unreadable sub-daily series, and each series' moved occurrence
    written at the far end of the file, away from its series."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "VERSION:2.0",
        "X-WR-CALNAME:Camden SNT shared calendar",
        *ZONE.splitlines(),
    ]
    moved = []
    start = dt.datetime(2026, 3, 2, 9, 0)
    for n in range(events):
        when = start + dt.timedelta(hours=5 * n)
        uid = f"040000008200E00074C5B7101A82E008{n:016X}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261120T101500Z",
            f"DTSTART;TZID=GMT Standard Time:{when:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=GMT Standard Time:{when + dt.timedelta(minutes=90):%Y%m%dT%H%M%S}",
            f"SUMMARY:Ward panel {n} – Kentish Town",
            # folded inside a character, as Google does
            "DESCRIPTION:Ward panel priorities for the next quarter — " + "é" * 20 + "\r\n é",
            'ORGANIZER;CN="Sgt Tom Hill":mailto:tom.hill@met.police.example',
        ]
        if daily:
            lines.append("RRULE:FREQ=DAILY")
        elif n % 7 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=6")
            second = when + dt.timedelta(weeks=1)
            moved += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                "DTSTAMP:20261120T101500Z",
                f"RECURRENCE-ID;TZID=GMT Standard Time:{second:%Y%m%dT%H%M%S}",
                f"DTSTART;TZID=GMT Standard Time:{second + dt.timedelta(hours=2):%Y%m%dT%H%M%S}",
                f"SUMMARY:Ward panel {n} (moved)",
                "END:VEVENT",
            ]
        elif n % 50 == 3:
            lines.append("RRULE:FREQ=MINUTELY")
        lines.append("END:VEVENT")
    lines += [*moved, "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def whole(data: bytes, monkeypatch: pytest.MonkeyPatch) -> calendar_read.ParsedCalendar:
    with monkeypatch.context() as m:
        m.setattr(calendar_read, "PARSE_CHUNK", 10**9)
        return read_calendar(data, horizon=HORIZON)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "worker processes"])
def test_a_large_file_reads_the_same_in_chunks(
    monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    data = busy_calendar(300)
    expected = whole(data, monkeypatch)
    # 43 weekly series of six (one moved), 5 sub-daily series refused, 252 single events
    assert len(expected.events) == 252 + 43 * 6
    assert sum(e.summary.endswith("(moved)") for e in expected.events) == 43
    assert len(expected.refused) == 5 and expected.series == 48
    assert "é" * 21 in expected.events[0].description

    monkeypatch.setattr(calendar_read, "PARSE_CHUNK", 40)
    monkeypatch.setattr(calendar_read, "PARALLEL_FROM", 2 if parallel else 10**9)
    monkeypatch.setattr(calendar_read, "MAX_WORKERS", 2)
    reports: list[tuple[int, int, str]] = []
    read = read_calendar(data, horizon=HORIZON, progress=lambda *a: reports.append(a))

    assert read == expected
    chunks = [r for r in reports if r[2] == "Reading the events"]
    blocks = 300 + 43  # the VEVENTs of the file
    parts = calendar_read._split(calendar_read._FOLD.sub(b"", data))
    assert parts is not None and len(parts[2]) == blocks
    assert len(chunks) == 1 + len(calendar_read._jobs(parts[2])) == 1 + 9  # at 0, each chunk
    assert [r[1] for r in chunks] == [blocks] * len(chunks)
    assert [r[0] for r in chunks] == sorted(r[0] for r in chunks)
    assert chunks[0][0] == 0 and chunks[-1][0] == blocks


def test_a_series_is_never_split_between_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    data = calendar_read._FOLD.sub(b"", busy_calendar(120))
    parts = calendar_read._split(data)
    assert parts is not None
    monkeypatch.setattr(calendar_read, "PARSE_CHUNK", 10)
    jobs = calendar_read._jobs(parts[2])
    assert sum(len(job) for job in jobs) == len(parts[2])
    owner = {}
    for number, job in enumerate(jobs):
        for block in job:
            assert owner.setdefault(calendar_read._uid_of(block), number) == number


def test_the_event_limit_holds_across_chunks_and_nothing_is_imported(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 daily series of about 1,000 days each, each chunk's within the limit, all over it
    data = busy_calendar(40, daily=True)
    monkeypatch.setattr(calendar_read, "PARSE_CHUNK", 8)
    monkeypatch.setattr(calendar_read, "PARALLEL_FROM", 2)
    monkeypatch.setattr(calendar_read, "MAX_WORKERS", 2)
    monkeypatch.setattr(calendar_read, "MAX_OCCURRENCES", 20_000)
    too_many = r"more than 20,000 events.*Nothing was imported"
    with pytest.raises(ValidationError, match=too_many), store.transaction() as s:
        import_ics(s, data, horizon=HORIZON)
    # one chunk alone over the limit: the worker's own check
    monkeypatch.setattr(calendar_read, "MAX_OCCURRENCES", 3_000)
    with pytest.raises(ValidationError, match=r"more than 3,000 events"):
        read_calendar(data, horizon=HORIZON)
    with store.session() as s:
        assert s.query(Engagement).count() == 0


def test_without_worker_processes_the_file_is_read_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine that cannot start processes (a limit, a sandbox) still reads the file."""

    class NoProcesses:
        def __init__(self, *_a: Any, **_k: Any) -> None:
            raise OSError("Resource temporarily unavailable")

    data = busy_calendar(200)
    expected = whole(data, monkeypatch)
    monkeypatch.setattr(calendar_read, "PARSE_CHUNK", 30)
    monkeypatch.setattr(calendar_read, "PARALLEL_FROM", 2)
    monkeypatch.setattr(calendar_read, "ProcessPoolExecutor", NoProcesses)
    assert read_calendar(data, horizon=HORIZON) == expected


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d + d,  # two calendars in one file
        lambda d: d.replace(b"END:VCALENDAR", b""),  # cut short
        lambda d: d.replace(b"END:VEVENT", b"END:VTODO", 1),  # an event closed wrongly
        lambda d: b"X-JUNK:1\r\n" + d,  # a line before the calendar
    ],
    ids=["two calendars", "cut short", "mismatched END", "line outside"],
)
def test_a_badly_nested_large_file_is_read_whole(
    monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    """Not split: parsed whole, icalendar decides, and the result is what a small file's
    would be (the same events, or one plain message)."""
    data = change(busy_calendar(200))
    assert calendar_read._split(calendar_read._FOLD.sub(b"", data)) is None
    try:
        expected: Any = whole(data, monkeypatch)
    except ValidationError as exc:
        expected = str(exc)
        assert "iCalendar" in expected
    monkeypatch.setattr(calendar_read, "PARSE_CHUNK", 30)
    monkeypatch.setattr(calendar_read, "PARALLEL_FROM", 2)
    try:
        read: Any = read_calendar(data, horizon=HORIZON)
    except ValidationError as exc:
        read = str(exc)
    assert read == expected
