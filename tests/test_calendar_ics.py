"""iCalendar export (checked with an independent parser, vobject) and import of invitations."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject

from ccodesk.errors import ValidationError
from ccodesk.models import Engagement, EngagementKind, EngagementStatus
from ccodesk.services.calendar_ics import export_ics
from ccodesk.services.calendar_import import import_ics
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store

JUNE = dt.datetime(2026, 6, 10, 18, 30)  # British Summer Time
DECEMBER = dt.datetime(2026, 12, 3, 19, 0)  # Greenwich Mean Time


@pytest.fixture
def planned(store: Store) -> tuple[Store, str]:
    with store.transaction() as s:
        joint = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG: summer priorities",
                starts_at=JUNE,
                ends_at=JUNE + dt.timedelta(hours=2),
                venue_name="Camden Town Hall",
                venue_address="Judd Street\nLondon WC1H 9JE",
                blo_name="PS Dean",
                cco_name="Ada",
                target_groups=["older"],
                step_free=True,
                hearing_loop=True,
            ),
        ).id
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.FOCUS_GROUP,
                title="Focus group: winter safety",
                starts_at=DECEMBER,
                status=EngagementStatus.CONFIRMED,
            ),
        )
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.OUTREACH,
                title="Outside the range",
                starts_at=JUNE.replace(year=2027, month=2),
            ),
        )
    return store, joint


def test_export_parses_with_an_independent_parser(planned: tuple[Store, str]) -> None:
    store, joint = planned
    with store.session() as s:
        data = export_ics(s, dt.datetime(2026, 6, 1), dt.datetime(2027, 1, 1))
    calendar = vobject.readOne(data.decode())
    events = sorted(calendar.vevent_list, key=lambda e: e.dtstart.value)
    assert [e.summary.value for e in events] == [
        "Camden PCCG: summer priorities",
        "Focus group: winter safety",
    ]
    june = events[0]
    assert june.uid.value == f"{joint}@ccodesk"
    assert june.dtstart.value.utcoffset() == dt.timedelta(hours=1)  # BST
    assert june.dtstart.value.astimezone(dt.UTC).hour == 17
    assert june.dtend.value - june.dtstart.value == dt.timedelta(hours=2)
    assert june.location.value == "Camden Town Hall, Judd Street London WC1H 9JE"
    assert "BLO PS Dean" in june.description.value
    assert "(joint meeting)" in june.description.value
    assert "step-free, hearing loop" in june.description.value
    assert "Joint meeting" in june.categories.value
    december = events[1]
    assert december.dtstart.value.utcoffset() == dt.timedelta(0)  # GMT
    assert december.status.value == "CONFIRMED"
    assert calendar.vtimezone.tzid.value == "Europe/London"


def test_re_importing_our_own_export_changes_nothing(planned: tuple[Store, str]) -> None:
    store, _joint = planned
    with store.session() as s:
        data = export_ics(s, dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1))
    with store.transaction() as s:
        report = import_ics(s, data)
        assert report.added == [] and report.updated == [] and report.unchanged == 3
        assert s.query(Engagement).count() == 3


INVITATION = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E0080000000070F1A2B3@met.police.uk
DTSTAMP:20261101T090000Z
DTSTART:20261118T180000Z
DTEND:20261118T193000Z
SUMMARY:Joint ward panel: Gospel Oak
LOCATION:Gospel Oak Community Centre
ORGANIZER;CN=PS Dean Carter:mailto:dean.carter@example.org
DESCRIPTION:Ward panel priorities for the next quarter
END:VEVENT
BEGIN:VEVENT
UID:no-start@example.org
SUMMARY:Broken event
END:VEVENT
END:VCALENDAR
"""


def test_import_a_blos_invitation_once(store: Store) -> None:
    with store.transaction() as s:
        first = import_ics(s, INVITATION)
    assert len(first.added) == 1
    assert first.skipped == ["'Broken event': it has no start time"]
    with store.session() as s:
        e = s.get(Engagement, first.added[0])
        assert e.title == "Joint ward panel: Gospel Oak"
        assert e.starts_at == dt.datetime(2026, 11, 18, 18, 0)  # GMT: same wall-clock time
        assert e.blo_name == "PS Dean Carter" and e.is_joint
        assert e.venue_name == "Gospel Oak Community Centre"
    with store.transaction() as s:
        again = import_ics(s, INVITATION.replace(b"T180000Z", b"T183000Z"))
    assert again.added == [] and again.updated == first.added
    with store.session() as s:
        assert s.get(Engagement, first.added[0]).starts_at == dt.datetime(2026, 11, 18, 18, 30)


@pytest.mark.parametrize("data", [b"", b"not a calendar", b"BEGIN:VCARD\r\nEND:VCARD\r\n"])
def test_bad_files_are_refused_cleanly(store: Store, data: bytes) -> None:
    with pytest.raises(ValidationError, match="iCalendar"), store.transaction() as s:
        import_ics(s, data)
    with store.session() as s:
        assert s.query(Engagement).count() == 0
