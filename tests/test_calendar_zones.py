"""A file's own time zones read as the system's where they agree (issue 13: Outlook's 1601
rules made every event cost milliseconds). The events read the same either way; a zone that
differs from the system's anywhere near the horizon is kept as the file defines it."""

from __future__ import annotations

import datetime as dt

import pytest

from ccodesk.services import calendar_read
from ccodesk.services.calendar_import import read_calendar
from ccodesk.services.calendar_zones import system_zones

HORIZON = (dt.date(2026, 1, 1), dt.date(2028, 12, 31))


def zone(
    tzid: str,
    standard: str,
    daylight: str,
    *,
    std: str = "+0000",
    dst: str = "+0100",
    at: tuple[str, str] = ("020000", "010000"),
) -> str:
    """A VTIMEZONE as Outlook writes one: yearly rules from 1601, changing at `at` (local)."""
    return f"""BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:16011028T{at[0]}
RRULE:FREQ=YEARLY;{standard}
TZOFFSETFROM:{dst}
TZOFFSETTO:{std}
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T{at[1]}
RRULE:FREQ=YEARLY;{daylight}
TZOFFSETFROM:{std}
TZOFFSETTO:{dst}
END:DAYLIGHT
END:VTIMEZONE"""


UK = ("BYDAY=-1SU;BYMONTH=10", "BYDAY=-1SU;BYMONTH=3")
US_DATES = ("BYDAY=1SU;BYMONTH=11", "BYDAY=2SU;BYMONTH=3")  # UK offsets, US change dates


def calendar(vtimezone: str, tzid: str, *starts: str) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{n}@x\r\nDTSTAMP:20261101T100000Z\r\n"
        f'DTSTART;TZID="{tzid}":{start}\r\nDTEND;TZID={tzid}:{start[:9]}235900\r\n'
        f"SUMMARY:Panel {n}\r\nDESCRIPTION:DTSTART;TZID={tzid}:19990101T000000\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;VALUE=DATE-TIME;TZID={tzid}:"
        f"{(dt.datetime.strptime(start, '%Y%m%dT%H%M%S') + dt.timedelta(weeks=1)):%Y%m%dT%H%M%S}"
        "\r\nEND:VEVENT\r\n"
        for n, start in enumerate(starts)
    )
    body = vtimezone.replace("\n", "\r\n")
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
    return f"{head}{body}\r\n{events}END:VCALENDAR\r\n".encode()


def kept_as_defined(data: bytes, monkeypatch: pytest.MonkeyPatch) -> calendar_read.ParsedCalendar:
    with monkeypatch.context() as m:
        m.setattr(calendar_read, "system_zones", lambda d, _h: d)
        return read_calendar(data, horizon=HORIZON)


# a Tuesday evening, the Sunday the clocks go forward, and the night they go back
STARTS = ("20270105T183000", "20270328T003000", "20271031T013000")


def test_outlooks_london_is_read_as_london(monkeypatch: pytest.MonkeyPatch) -> None:
    data = calendar(zone("GMT Standard Time", *UK), "GMT Standard Time", *STARTS)
    plain = system_zones(data, HORIZON)
    assert b"BEGIN:VTIMEZONE" not in plain
    assert plain.count(b"TZID=Europe/London:") == 3 * 3  # DTSTART, DTEND, EXDATE
    assert b'TZID="Europe/London"' not in plain and b"GMT Standard Time" in plain  # the text
    read = read_calendar(data, horizon=HORIZON)
    assert read == kept_as_defined(data, monkeypatch)
    assert [e.starts_at for e in read.events][:2] == [
        dt.datetime(2027, 1, 5, 18, 30),
        dt.datetime(2027, 1, 19, 18, 30),  # the second week was excluded
    ]
    assert "DTSTART;TZID=GMT Standard Time" in read.events[0].description


def test_another_windows_zone_is_read_as_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    berlin = zone("W. Europe Standard Time", *UK, std="+0100", dst="+0200", at=("030000", "020000"))
    data = calendar(berlin, "W. Europe Standard Time", "20270105T193000")
    assert b"TZID=Europe/Berlin:" in system_zones(data, HORIZON)
    read = read_calendar(data, horizon=HORIZON)
    assert read == kept_as_defined(data, monkeypatch)
    assert read.events[0].starts_at == dt.datetime(2027, 1, 5, 18, 30)  # London time


def test_a_zone_that_differs_is_kept_as_the_file_defines_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # named as London, but changing on the American dates: not London, whatever its name
    odd = zone("GMT Standard Time", *US_DATES)
    data = calendar(odd, "GMT Standard Time", "20270315T183000")
    assert system_zones(data, HORIZON) == data
    read = read_calendar(data, horizon=HORIZON)
    assert read == kept_as_defined(data, monkeypatch)
    # 15 March 2027: summer time by the file's rule (from 14 March), winter in London
    assert read.events[0].starts_at == dt.datetime(2027, 3, 15, 17, 30)


@pytest.mark.parametrize(
    "vtimezone",
    [
        "BEGIN:VTIMEZONE\nEND:VTIMEZONE",  # no TZID
        zone("GMT Standard Time", "BYDAY=-1SU;BYMONTH=13", UK[1]),  # a month that is not
        zone("GMT Standard Time", *UK).replace("TZOFFSETTO:+0000", "TZOFFSETTO:ZZ"),
    ],
    ids=["no TZID", "bad rule", "bad offset"],
)
def test_a_broken_zone_is_left_to_icalendar(
    monkeypatch: pytest.MonkeyPatch, vtimezone: str
) -> None:
    data = calendar(vtimezone, "GMT Standard Time", "20270105T183000")
    try:
        expected: object = kept_as_defined(data, monkeypatch)
    except Exception as exc:  # whatever the reading says, both say it
        expected = repr(exc)
    try:
        read: object = read_calendar(data, horizon=HORIZON)
    except Exception as exc:
        read = repr(exc)
    assert read == expected


def test_a_zone_named_like_a_path_opens_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "/../../../../etc/passwd"
    data = calendar(zone(name, *UK), name, "20270105T183000")
    assert b"TZID=Europe/London:" in system_zones(data, HORIZON)  # by its rules alone
    read = read_calendar(data, horizon=HORIZON)
    assert read.events[0].starts_at == dt.datetime(2027, 1, 5, 18, 30)


def test_each_file_is_read_by_its_own_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """icalendar caches zones by name for the whole process: the second file, whose zone of
    the same name changes on other dates, must not be read by the first file's rules."""
    first = calendar(zone("Custom", *UK), "Custom", "20270315T183000")
    second = calendar(zone("Custom", *US_DATES), "Custom", "20270315T183000")
    monkeypatch.setattr(calendar_read, "system_zones", lambda d, _h: d)
    assert read_calendar(first, horizon=HORIZON).events[0].starts_at.hour == 18
    assert read_calendar(second, horizon=HORIZON).events[0].starts_at.hour == 17
