"""Calendars as Outlook, Google, Apple and Thunderbird write them (issue 13), read back by
ccodesk and checked against independent readers (vobject's own recurrence expansion, and
icalendar for what ccodesk writes)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from sqlalchemy import select

from ccodesk.cli.borough import main
from ccodesk.errors import ValidationError
from ccodesk.models import CalendarLink, Engagement, EngagementKind, EngagementStatus
from ccodesk.services.calendar_ics import export_ics
from ccodesk.services.calendar_import import (
    Action,
    apply_import,
    import_ics,
    plan_import,
    read_calendar,
)
from ccodesk.services.engagements import EngagementDraft, save_engagement

CALENDARS = Path(__file__).parent / "fixtures" / "calendars"
HORIZON = (dt.date(2026, 1, 1), dt.date(2028, 12, 31))


def fixture(name: str) -> bytes:
    return (CALENDARS / name).read_bytes()


def engagements(store: Any) -> list[Engagement]:
    with store.session() as s:
        found = list(
            s.query(Engagement).filter(Engagement.deleted.is_(False)).order_by(Engagement.starts_at)
        )
        s.expunge_all()
    return found


def run(store: Any, data: bytes, **kw: Any) -> Any:
    with store.transaction() as s:
        return import_ics(s, data, horizon=HORIZON, **kw)


def vobject_starts(data: bytes) -> list[dt.datetime]:
    """Every occurrence by vobject's own expansion (RRULE, RDATE, EXDATE; a RECURRENCE-ID
    override replaces its occurrence), as London wall-clock times."""
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    calendar = vobject.readOne(data.decode())
    masters = [e for e in calendar.vevent_list if not hasattr(e, "recurrence_id")]
    overrides = {
        (e.uid.value, e.recurrence_id.value.astimezone(dt.UTC)): e
        for e in calendar.vevent_list
        if hasattr(e, "recurrence_id")
    }
    out = []
    for master in masters:
        starts = list(master.getrruleset(addRDate=True) or [master.dtstart.value])
        for start in starts:
            key = (master.uid.value, start.astimezone(dt.UTC))
            moved = overrides.get(key)
            value = moved.dtstart.value if moved is not None else start
            out.append(value.astimezone(london).replace(tzinfo=None))
    return sorted(out)


# -- real-world files ------------------------------------------------------------------------


def test_an_outlook_series_becomes_every_occurrence(store: Any) -> None:
    data = fixture("outlook-series.ics")
    report = run(store, data)
    assert report.summary() == "5 added, 0 updated, 0 unchanged"
    found = engagements(store)
    starts = [e.starts_at for e in found]
    assert starts == vobject_starts(data)  # the independent reader agrees
    assert starts == [
        dt.datetime(2027, 1, 5, 18, 30),  # GMT
        dt.datetime(2027, 3, 4, 19, 0),  # the moved one (RECURRENCE-ID), not 2 March
        dt.datetime(2027, 4, 6, 18, 30),  # BST: the same wall-clock time
        dt.datetime(2027, 5, 4, 18, 30),
        dt.datetime(2027, 6, 1, 18, 30),
    ]  # February's (EXDATE) is not there
    moved = found[1]
    assert moved.title == "Kentish Town ward panel (moved)"
    assert moved.venue_name == "Kentish Town Library"
    assert moved.notes == "Moved to Thursday this month."  # its own notes, not the series'
    first = found[0]
    assert first.notes.startswith("Monthly ward panel. Agenda to follow.")
    assert first.blo_name == "Sgt Tom Hill"  # the invitation's organiser
    # attendees that match no role are kept in the notes, with their addresses
    assert "Invited: Ann Patel <ann.patel@camden.example>; Kentish Town Forum" in first.notes
    assert {e.kind for e in found} == {EngagementKind.PCCG_MEETING}
    with store.session() as s:
        links = s.query(CalendarLink).all()
        assert len({(x.uid, x.occurrence) for x in links}) == 5


def test_a_google_invitation_with_folded_utf8(store: Any) -> None:
    report = run(
        store, fixture("google-invitation.ics"), default_kind=EngagementKind.THEMED_SESSION
    )
    assert len(report.added) == 1
    (e,) = engagements(store)
    assert e.title == "Themed session: stop and search — Queen’s Crescent"
    assert e.starts_at == dt.datetime(2027, 2, 10, 18, 30)  # UTC in February: GMT
    assert "Café Ñandú hosts; تعال وشارك; 欢迎参加." in e.notes  # folded inside characters
    assert e.venue_name.startswith("Queen’s Crescent Community Centre, 45 Queen’s Crescent")
    assert e.kind == EngagementKind.THEMED_SESSION
    assert e.blo_name == "Priya Shah"
    assert "Queen's Crescent Tenants' Association <qcta@example.org>" in e.notes
    assert e.notes.count("Priya Shah") == 0  # the organiser is not invited twice


def test_an_apple_series_with_an_extra_date(store: Any) -> None:
    data = fixture("apple-weekly.ics")
    run(store, data, default_kind=EngagementKind.OUTREACH)
    starts = [e.starts_at for e in engagements(store)]
    assert starts == vobject_starts(data)
    assert starts[-1] == dt.datetime(2027, 4, 8, 10, 0)  # the RDATE, in summer time
    assert len(starts) == 5


def test_a_cancelled_occurrence_is_kept_as_cancelled(store: Any) -> None:
    run(store, fixture("thunderbird-cancelled.ics"))
    found = engagements(store)
    assert [e.status for e in found] == [
        EngagementStatus.PLANNED,
        EngagementStatus.CANCELLED,
        EngagementStatus.PLANNED,
        EngagementStatus.PLANNED,
    ]
    assert found[1].starts_at == dt.datetime(2027, 2, 15, 17, 0)


def test_times_the_clocks_skip_or_repeat_are_flagged(store: Any) -> None:
    parsed = read_calendar(fixture("clock-changes.ics"), horizon=HORIZON)
    with store.session() as s:
        plan = plan_import(s, parsed)
    lines = "\n".join(plan.lines())
    assert "01:30 on 28 Mar 2027 does not exist on the clock" in lines
    assert "read as 02:30" in lines
    assert "01:30 on 31 Oct 2027 occurs twice" in lines
    run(store, fixture("clock-changes.ics"))
    assert [e.starts_at for e in engagements(store)] == [
        dt.datetime(2027, 3, 28, 2, 30),  # the time that exists, as said
        dt.datetime(2027, 10, 31, 1, 30),
    ]


# -- re-import: nothing that did not change ---------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "outlook-series.ics",
        "google-invitation.ics",
        "apple-weekly.ics",
        "thunderbird-cancelled.ics",
    ],
)
def test_a_second_import_changes_nothing(store: Any, name: str) -> None:
    first = run(store, fixture(name))
    with store.session() as s:
        before = s.query(Engagement).count(), store_seq(s)
    again = run(store, fixture(name))
    assert again.added == [] and again.updated == []
    assert again.unchanged == len(first.added)
    with store.session() as s:
        assert (s.query(Engagement).count(), store_seq(s)) == before  # nothing to send either


def store_seq(session: Any) -> int:
    from ccodesk.models import DeviceState

    return int(session.query(DeviceState).one().change_seq)


def test_the_officers_own_edits_survive_a_re_import(store: Any) -> None:
    run(store, fixture("outlook-series.ics"))
    first = engagements(store)[0]
    with store.transaction() as s:
        e = s.get(Engagement, first.id)
        e.notes = "Ask about the new CCTV."
        e.venue_address = "Busby Place, London NW5 2SE"
    again = run(store, fixture("outlook-series.ics"))
    assert again.updated == []
    with store.session() as s:
        e = s.get(Engagement, first.id)
        assert e.notes == "Ask about the new CCTV."
        assert e.venue_address == "Busby Place, London NW5 2SE"
    # the BLO ends the series in May: June is cancelled, nothing else changes
    shorter = fixture("outlook-series.ics").replace(b"COUNT=6", b"COUNT=5")
    report = run(store, shorter)
    assert report.unchanged == 4 and len(report.updated) == 1
    with store.session() as s:
        june = s.get_one(Engagement, report.updated[0])
        assert (june.starts_at.month, june.status) == (6, EngagementStatus.CANCELLED)
        assert s.get_one(Engagement, first.id).notes == "Ask about the new CCTV."


def test_a_changed_event_updates_only_what_changed(store: Any) -> None:
    run(store, fixture("google-invitation.ics"))
    (before,) = engagements(store)
    with store.transaction() as s:
        s.get(Engagement, before.id).notes = "My own notes"
    later = fixture("google-invitation.ics").replace(b"T183000Z", b"T190000Z")
    report = run(store, later)
    assert report.updated == [before.id]
    (after,) = engagements(store)
    assert after.starts_at == dt.datetime(2027, 2, 10, 19, 0)
    assert after.notes == "My own notes"  # the description did not change


def test_re_importing_ccodesks_own_export_changes_nothing(store: Any) -> None:
    with store.transaction() as s:
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.FOCUS_GROUP,
                title="Focus group: young people and stop and search",
                starts_at=dt.datetime(2027, 3, 3, 17, 0),
                venue_name="Kentish Town Library",
                venue_address="262-266 Kentish Town Road\nLondon NW5 2AA",
                cco_name="Ada Officer",
                blo_name="PS Dean",
                notes="Bring the leaflets.",
                status=EngagementStatus.CONFIRMED,
            ),
        )
    run(store, fixture("outlook-series.ics"))
    with store.session() as s:
        data = export_ics(s, dt.datetime(2026, 1, 1), dt.datetime(2029, 1, 1))
    for _ in range(2):
        report = run(store, data)
        assert report.summary() == "0 added, 0 updated, 6 unchanged"
    found = engagements(store)
    focus = next(e for e in found if e.kind == EngagementKind.FOCUS_GROUP)
    assert focus.venue_name == "Kentish Town Library"  # not "name, address"
    assert focus.notes == "Bring the leaflets."
    # a BLO changes the time in their copy and sends it back: that is all that changes
    calendar = icalendar.Calendar.from_ical(data)
    for event in calendar.walk("VEVENT"):
        if str(event["SUMMARY"]).startswith("Focus group"):
            event["DTSTART"].dt = event.decoded("DTSTART") + dt.timedelta(hours=1)
            event["DTEND"].dt = event.decoded("DTEND") + dt.timedelta(hours=1)
    report = run(store, calendar.to_ical())
    assert report.summary() == "0 added, 1 updated, 5 unchanged"
    again = next(e for e in engagements(store) if e.kind == EngagementKind.FOCUS_GROUP)
    assert again.starts_at == dt.datetime(2027, 3, 3, 18, 0)
    assert (again.venue_name, again.venue_address, again.notes) == (
        focus.venue_name,
        focus.venue_address,
        focus.notes,
    )


def test_the_export_is_a_published_calendar_with_organisers(store: Any) -> None:
    run(store, fixture("google-invitation.ics"))
    with store.session() as s:
        data = export_ics(s, dt.datetime(2026, 1, 1), dt.datetime(2029, 1, 1))
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "ccodesk: Camden engagements"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "7kukuqrfedlm2f9t4vd0fhr8vv@google.com"  # the invitation's
    organiser = event["ORGANIZER"]
    assert str(organiser) == "mailto:priya.shah.snt@gmail.example"
    assert organiser.params["CN"] == "Priya Shah"
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.organizer.value == "mailto:priya.shah.snt@gmail.example"
    # lines are folded at 75 octets, between characters: each line is UTF-8 on its own
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


# -- the officer's choices and the preview ----------------------------------------------------


def test_the_preview_writes_nothing_and_kinds_can_be_mapped(store: Any) -> None:
    parsed = read_calendar(fixture("outlook-series.ics"), horizon=HORIZON)
    assert parsed.series == 1 and len(parsed) == 5
    with store.transaction() as s:
        plan = plan_import(s, parsed)
        assert plan.summary() == "5 to add, 0 to update, 0 unchanged"
        assert s.query(Engagement).count() == 0
    uid = parsed.events[0].uid
    with store.transaction() as s:
        plan = plan_import(s, parsed, kinds={uid: EngagementKind.ACTION_PLANNING})
        apply_import(s, plan)
    assert {e.kind for e in engagements(store)} == {EngagementKind.ACTION_PLANNING}
    # an own export carries the kind in its categories
    with store.session() as s:
        data = export_ics(s, dt.datetime(2026, 1, 1), dt.datetime(2029, 1, 1))
    assert b"CATEGORIES:Action planning" in data or b"CATEGORIES:Action" in data


def test_a_series_without_end_stops_at_the_horizon(store: Any) -> None:
    data = fixture("thunderbird-cancelled.ics").replace(b"COUNT=4;", b"")
    parsed = read_calendar(data, horizon=(dt.date(2027, 1, 1), dt.date(2027, 12, 31)))
    assert len(parsed) == 12  # every month of 2027, none after


# -- hostile files ---------------------------------------------------------------------------


def event_file(*lines: str, calendar: tuple[str, ...] = ()) -> bytes:
    return (
        "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//hostile//EN",
                *calendar,
                "BEGIN:VEVENT",
                "DTSTAMP:20261101T100000Z",
                "DTSTART:20270301T180000Z",
                *lines,
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        )
    ).encode()


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("UID:long@x", "SUMMARY:Long", "DESCRIPTION:" + "a" * 200_000), "200,000 characters"),
        (("UID:nul@x", "SUMMARY:A\x00B"), "control character (U+0000)"),
        (("UID:esc@x", "SUMMARY:Bell\x07"), "control character (U+0007)"),
        (("UID:title@x", "SUMMARY:" + "t" * 201), "keep it to 200 or fewer"),
        (("UID:" + "u" * 300, "SUMMARY:Long UID"), "UID is 300 characters"),
        (("UID:backwards@x", "SUMMARY:Backwards", "DTEND:20270301T170000Z"), "before the start"),
    ],
)
def test_what_sync_would_refuse_never_gets_in(
    store: Any, lines: tuple[str, ...], reason: str
) -> None:
    report = run(store, event_file(*lines))
    assert report.added == [] and len(report.refused) == 1
    assert reason in report.refused[0]
    assert engagements(store) == []


def test_a_ccodesk_uid_in_someone_elses_file_does_not_overwrite(store: Any) -> None:
    with store.transaction() as s:
        mine = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG",
                starts_at=dt.datetime(2027, 3, 1, 18),
            ),
        ).id
    report = run(store, event_file(f"UID:{mine}@ccodesk", "SUMMARY:Hijacked"))
    assert report.updated == [] and len(report.added) == 1
    titles = {e.id: e.title for e in engagements(store)}
    assert titles[mine] == "Camden PCCG"


def test_a_uid_is_matched_only_within_its_calendar(store: Any) -> None:
    first = run(
        store, event_file("UID:shared@x", "SUMMARY:From Tom", "ORGANIZER;CN=Tom:mailto:tom@x")
    )
    other = event_file(
        "UID:shared@x", "SUMMARY:From someone else", calendar=("X-WR-CALNAME:Another calendar",)
    )
    second = run(store, other)
    assert second.updated == [] and len(second.added) == 1
    titles = sorted(e.title for e in engagements(store))
    assert titles == ["From Tom", "From someone else"]
    assert first.added


def test_sub_daily_series_and_huge_files_are_refused_fast(store: Any) -> None:
    started = time.monotonic()
    report = run(store, event_file("UID:s@x", "SUMMARY:Every second", "RRULE:FREQ=SECONDLY"))
    assert "more often than daily" in report.refused[0]
    assert time.monotonic() - started < 5
    many = "".join(
        f"BEGIN:VEVENT\r\nUID:{i}@x\r\nDTSTAMP:20261101T100000Z\r\nDTSTART:20270301T180000Z\r\n"
        "SUMMARY:x\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        for i in range(150)
    )
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n{many}END:VCALENDAR\r\n".encode()
    with pytest.raises(ValidationError, match="more than 100,000 events"):
        read_calendar(data, horizon=(dt.date(2027, 1, 1), dt.date(2029, 12, 31)))


@pytest.mark.parametrize(
    "data", [b"", b"not a calendar", b"BEGIN:VCARD\r\nEND:VCARD\r\n", b"BEGIN:VCALENDAR\r\n"]
)
def test_broken_files_end_in_one_message(store: Any, data: bytes) -> None:
    with pytest.raises(ValidationError, match="iCalendar"):
        read_calendar(data)


# -- the command line ------------------------------------------------------------------------


def test_calendar_export_and_import_from_the_command_line(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = ["--data-dir", str(store.data_dir), "calendar"]
    span = ["--from", "2026-01-01", "--until", "2028-12-31"]
    source = str(CALENDARS / "outlook-series.ics")
    assert main([*cli, "import", source, *span, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 events (1 recurring series expanded from 1 Jan 2026 to 31 Dec 2028)" in out
    assert "5 to add, 0 to update, 0 unchanged" in out and "Nothing was imported" in out
    # each event and what would happen to it, in the file's order
    listed = out.split("Each event:\n", 1)[1].splitlines()[:5]
    assert (
        listed[0] == "  add        Tue 5 Jan 2027 at 18:30  Kentish Town ward panel (PCCG meeting)"
    )
    assert listed[1].startswith(
        "  add        Thu 4 Mar 2027 at 19:00  Kentish Town ward panel (moved)"
    )
    assert engagements(store) == []
    # the events to check, one a line (the preview's line breaks are not escaped)
    clocks = str(CALENDARS / "clock-changes.ics")
    assert main([*cli, "import", clocks, *span, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "\\x0a" not in out and len([ln for ln in out.splitlines() if "check:" in ln]) >= 2
    assert main([*cli, "import", source, *span, "--kind", "themed_session"]) == 0
    assert "Imported outlook-series.ics: 5 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert {e.kind for e in engagements(store)} == {EngagementKind.THEMED_SESSION}
    assert main([*cli, "import", source, *span]) == 0
    assert "Nothing to import." in capsys.readouterr().out
    out_file = tmp_path / "camden.ics"
    assert (
        main([*cli, "export", "--from", "2027-01-01", "--until", "2027-07-01", "-o", str(out_file)])
        == 0
    )
    assert "Wrote 5 engagements" in capsys.readouterr().out
    assert b"METHOD:PUBLISH" in out_file.read_bytes()
    assert main([*cli, "import", str(out_file), *span]) == 0
    assert "0 to add, 0 to update, 5 unchanged" in capsys.readouterr().out
    assert main([*cli, "import", str(tmp_path / "missing.ics")]) == 1
    assert "Could not read" in capsys.readouterr().err
    assert main([*cli, "export", "-o", str(tmp_path / "no" / "such.ics")]) == 1
    assert "does not exist" in capsys.readouterr().err


def weekly(*lines: str) -> bytes:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "X-WR-CALNAME:Ward panels",
            "BEGIN:VEVENT",
            "UID:panel@google.example",
            "DTSTAMP:20261101T100000Z",
            "DTSTART:20261102T180000Z",
            "DTEND:20261102T193000Z",
            "SUMMARY:Ward panel",
            *lines,
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()


def test_occurrences_dropped_from_a_series_are_cancelled(store: Any) -> None:
    """The organiser removes two dates (EXDATE) and ends the series early (COUNT): the
    occurrences imported before are cancelled, a held one is left; putting them back in the
    calendar puts them back as planned."""
    six = weekly("RRULE:FREQ=WEEKLY;COUNT=6")  # 2 Nov to 7 Dec 2026
    assert len(run(store, six).added) == 6
    with store.transaction() as s:
        held = s.scalars(
            select(Engagement).where(Engagement.starts_at == dt.datetime(2026, 11, 9, 18))
        ).one()
        held.status = EngagementStatus.HELD
    shorter = weekly(
        "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20261109T180000Z", "EXDATE:20261116T180000Z"
    )
    with store.session() as s:
        plan = plan_import(s, read_calendar(shorter, horizon=HORIZON))
    cancelled = [p for p in plan.items if p.action == Action.UPDATE]
    assert [p.event.starts_at.day for p in cancelled] == [16, 30, 7]
    assert all(p.changes == {"status": EngagementStatus.CANCELLED} for p in cancelled)
    assert any("marked cancelled" in line for line in plan.lines())
    assert any("it was held: left as it is" in line for line in plan.lines())
    assert plan.summary() == "0 to add, 3 to update, 3 unchanged"

    report = run(store, shorter)
    assert len(report.updated) == 3
    status = {e.starts_at.date(): e.status for e in engagements(store)}
    assert status == {
        dt.date(2026, 11, 2): EngagementStatus.PLANNED,
        dt.date(2026, 11, 9): EngagementStatus.HELD,
        dt.date(2026, 11, 16): EngagementStatus.CANCELLED,
        dt.date(2026, 11, 23): EngagementStatus.PLANNED,
        dt.date(2026, 11, 30): EngagementStatus.CANCELLED,
        dt.date(2026, 12, 7): EngagementStatus.CANCELLED,
    }
    again = run(store, shorter)
    assert (again.added, again.updated) == ([], [])
    # a series outside this import's horizon is not touched
    with store.transaction() as s:
        later = import_ics(s, shorter, horizon=(dt.date(2026, 11, 20), dt.date(2027, 1, 1)))
    assert later.updated == []

    back = run(store, six)
    assert len(back.updated) == 3
    status = {e.starts_at.date(): e.status for e in engagements(store)}
    assert list(status.values()).count(EngagementStatus.PLANNED) == 5
    assert run(store, six).updated == []
