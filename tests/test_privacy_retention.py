"""The retention schedule (issue 15): what is due, the purge, deletion records, and the
deletions reaching the centre (services/retention.py, cli/privacy_retention.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from ccodesk.cli.borough import main as cli
from ccodesk.errors import Cancelled, ValidationError
from ccodesk.models import (
    Attendance,
    AuditEvent,
    Contact,
    DeletionRecord,
    Draft,
    Engagement,
    EngagementKind,
    engagement_attendee,
)
from ccodesk.services import deletion_records, retention
from ccodesk.services.audit import verify
from ccodesk.store import Store, open_store, stamping
from ccodesk.store.audit_chain import GENESIS, event_hash
from ccodesk.sync.central import Central, init_central, open_central
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from ccodesk.sync.records import PERSONAL
from tests.test_sync import make_borough

DAY = dt.date.today()  # the export judges consent on the device's calendar: today
NOON = dt.time(12)


def years_ago(n: int) -> dt.date:
    return retention._minus_months(DAY, 12 * n)


CUT_CONTACTS = years_ago(3)
CUT_EXPIRED = DAY - dt.timedelta(days=30)
CUT_NAMES = retention._minus_months(DAY, 12)
CUT_NOTES = years_ago(6)
CUT_DRAFTS = DAY - dt.timedelta(days=30)
CUT_AUDIT = years_ago(7)


def ages() -> st.SearchStrategy[int]:
    """Days before DAY, often right at a cut-off."""
    edges = sorted(
        {
            (DAY - cut).days + d
            for cut in (CUT_CONTACTS, CUT_EXPIRED, CUT_NAMES, CUT_NOTES, CUT_DRAFTS, CUT_AUDIT)
            for d in (-1, 0, 1)
        }
    )
    return st.one_of(st.sampled_from(edges), st.integers(0, 3000))


@dataclass
class PersonSpec:
    consent: bool
    expires_in: int | None  # days after DAY (negative: expired)
    edited: int  # days before DAY
    notes: bool
    shareable: bool


@dataclass
class MeetingSpec:
    held: int  # days before DAY
    notes: bool
    attendance_notes: bool
    attendees: list[int]  # indexes into the people


@dataclass
class World:
    people: list[PersonSpec]
    meetings: list[MeetingSpec]
    drafts: list[int]  # days before DAY each was saved
    audit: list[int]  # days before DAY of the oldest events
    contact_ids: list[str] = field(default_factory=list)
    meeting_ids: list[str] = field(default_factory=list)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    people = draw(
        st.lists(
            st.builds(
                PersonSpec,
                st.booleans(),
                st.one_of(st.none(), st.sampled_from([-400, -31, -30, -29, 0, 5, 300])),
                ages(),
                st.booleans(),
                st.booleans(),
            ),
            max_size=6,
        )
    )
    meetings = draw(
        st.lists(
            st.builds(
                MeetingSpec,
                ages(),
                st.booleans(),
                st.booleans(),
                st.lists(st.integers(0, max(len(people) - 1, 0)), max_size=3, unique=True)
                if people
                else st.just([]),
            ),
            max_size=5,
        )
    )
    drafts = draw(st.lists(ages(), max_size=4))
    audit = draw(st.lists(ages(), max_size=5))
    return World(people, meetings, drafts, audit)


def _stamp_at(day: dt.date, device: str) -> str:
    ms = int(dt.datetime.combine(day, NOON).timestamp() * 1000)
    return f"{ms:013d}.000000.{device}"


def build(store: Store, world: World) -> None:
    """Put `world` into the store (bulk, stamped as the store stamps)."""
    with store.transaction() as s:
        contacts: list[dict[str, Any]] = []
        for i, p in enumerate(world.people):
            expires = None if p.expires_in is None else DAY + dt.timedelta(days=p.expires_in)
            contacts.append(
                {
                    "id": f"00000000-0000-4000-8000-{i:012d}",
                    "name": f"Person {i}",
                    "email": f"p{i}@example.org",
                    "phone": "020 7946 0000",
                    "consent_given": p.consent,
                    "consent_date": DAY - dt.timedelta(days=3000) if p.consent else None,
                    "consent_expires": expires if p.consent else None,
                    "consent_scope": "meetings" if p.consent else "",
                    "shareable": p.shareable and p.consent,
                    "notes": f"Met {i} at the library" if p.notes else "",
                }
            )
        stamping.stamp_rows(s, contacts)
        if contacts:
            s.execute(insert(Contact.__table__), contacts)
        world.contact_ids = [c["id"] for c in contacts]
        meetings: list[dict[str, Any]] = []
        for i, m in enumerate(world.meetings):
            meetings.append(
                {
                    "id": f"10000000-0000-4000-8000-{i:012d}",
                    "kind": EngagementKind.FOCUS_GROUP,
                    "title": f"Focus group {i}",
                    "starts_at": dt.datetime.combine(DAY - dt.timedelta(days=m.held), NOON),
                    "notes": f"Asked by person {i}" if m.notes else "",
                }
            )
        stamping.stamp_rows(s, meetings)
        if meetings:
            s.execute(insert(Engagement.__table__), meetings)
        attendance = [
            {
                "id": f"20000000-0000-4000-8000-{i:012d}",
                "engagement_id": row["id"],
                "total": 12,
                "notes": "Two came with their carers" if m.attendance_notes else "",
            }
            for i, (row, m) in enumerate(zip(meetings, world.meetings, strict=True))
        ]
        stamping.stamp_rows(s, attendance)
        if attendance:
            s.execute(insert(Attendance.__table__), attendance)
        links = [
            {"engagement_id": row["id"], "contact_id": world.contact_ids[k]}
            for row, m in zip(meetings, world.meetings, strict=True)
            for k in m.attendees
        ]
        if links:
            s.execute(insert(engagement_attendee), links)
        world.meeting_ids = [m["id"] for m in meetings]
        for i, age in enumerate(world.drafts):
            s.add(
                Draft(
                    key=f"draft-{i}",
                    saved_at=dt.datetime.combine(DAY - dt.timedelta(days=age), NOON),
                    title="A draft",
                    content={"title": "x"},
                )
            )
        for i in range(len(world.audit) + 2):  # events to date (the rest stay today's)
            stamping.audit_bulk(s, "contact", i, "test rows")
        s.flush()
        rechain(s, world.audit)


def date_edits(store: Store, world: World) -> None:
    """Give each contact the clock stamp of its last edit (after the first export: its
    consent refresh stamps contacts whose consent ended, an edit of today)."""
    with store.transaction() as s:
        for cid, p in zip(world.contact_ids, world.people, strict=True):
            s.execute(
                text("UPDATE contact SET hlc = :h WHERE id = :i"),
                {"h": _stamp_at(DAY - dt.timedelta(days=p.edited), store.device_id), "i": cid},
            )


def rechain(s: Any, ages: list[int]) -> None:
    """Date the first events `ages` days back (oldest first) and chain the trail anew."""
    events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    old = sorted(DAY - dt.timedelta(days=a) for a in ages)[: len(events)]
    prev = GENESIS
    for event, day in itertools.zip_longest(events, old):
        if day is not None:
            event.at = dt.datetime.combine(day, NOON)
        event.prev_hash = prev
        event.hash = event_hash(
            prev,
            event.id,
            event.at,
            event.device_id,
            event.officer,
            event.entity,
            event.entity_id,
            event.action,
            event.changes,
            event.summary,
        )
        prev = event.hash
    s.flush()


# -- the oracle: the rules as the documentation words them --------------------------------


def expected(world: World, audit_ats: list[tuple[int, dt.datetime]]) -> dict[str, Any]:
    named_recently: set[int] = set()
    for m in world.meetings:
        if DAY - dt.timedelta(days=m.held) >= CUT_CONTACTS:
            named_recently.update(m.attendees)
    gone_contacts, expired = set(), set()
    for i, p in enumerate(world.people):
        edited = DAY - dt.timedelta(days=p.edited)
        if edited < CUT_CONTACTS and (not p.consent or i not in named_recently):
            gone_contacts.add(i)
        if p.consent and p.expires_in is not None and p.expires_in < -30:
            expired.add(i)
    old_meetings = {
        i for i, m in enumerate(world.meetings) if DAY - dt.timedelta(days=m.held) < CUT_NAMES
    }
    names = sum(len(world.meetings[i].attendees) for i in old_meetings)
    meeting_notes = {
        i
        for i, m in enumerate(world.meetings)
        if m.notes and DAY - dt.timedelta(days=m.held) < CUT_NOTES
    }
    attendance_notes = {
        i
        for i, m in enumerate(world.meetings)
        if m.attendance_notes and DAY - dt.timedelta(days=m.held) < CUT_NOTES
    }
    contact_notes = {
        i
        for i, p in enumerate(world.people)
        if p.notes and DAY - dt.timedelta(days=p.edited) < CUT_NOTES
    }
    drafts = {f"draft-{i}" for i, a in enumerate(world.drafts) if a > (DAY - CUT_DRAFTS).days}
    cut = dt.datetime.combine(CUT_AUDIT, dt.time())
    kept = [i for i, at in sorted(audit_ats, key=lambda e: (e[1], e[0])) if at >= cut]
    first_kept = kept[0] if kept else None
    audit_gone = [i for i, _at in audit_ats if first_kept is None or i < first_kept]
    return {
        "removed": {  # what the purge itself deletes: a contact removed takes its notes along
            "contacts": len(gone_contacts),
            "expired_consent": len(expired - gone_contacts),
            "named_attendance": names,
            "notes": len(meeting_notes)
            + len(attendance_notes)
            + len(contact_notes - gone_contacts - expired),
            "drafts": len(drafts),
            "audit": len(audit_gone),
        },
        "counts": {
            "contacts": len(gone_contacts),
            "expired_consent": len(expired),
            "named_attendance": names,
            "notes": len(meeting_notes) + len(attendance_notes) + len(contact_notes),
            "drafts": len(drafts),
            "audit": len(audit_gone),
        },
        "gone_contacts": gone_contacts | expired,
        "old_meetings": old_meetings,
        "meeting_notes": meeting_notes,
        "attendance_notes": attendance_notes,
        "contact_notes": contact_notes,
        "drafts": drafts,
        "audit_gone": set(audit_gone),
    }


def state(store: Store, world: World) -> dict[str, Any]:
    """What the store holds of `world` (and the rest, to see nothing else changed)."""
    with store.session() as s:
        contacts = {
            c.id: c for c in s.scalars(select(Contact).where(Contact.id.in_(world.contact_ids)))
        }
        meetings = {e.id: e for e in s.scalars(select(Engagement))}
        attendance = {a.engagement_id: (a.total, a.notes) for a in s.scalars(select(Attendance))}
        links = {tuple(r) for r in s.execute(select(engagement_attendee))}
        return {
            "contacts": [
                (
                    contacts[cid].deleted,
                    {col: getattr(contacts[cid], col) for col in PERSONAL["contact"]},
                    contacts[cid].consent_given,
                )
                for cid in world.contact_ids
            ],
            "meetings": {
                k: (e.title, e.starts_at, e.deleted, e.notes) for k, e in meetings.items()
            },
            "attendance": attendance,
            "links": links,
            "drafts": set(s.scalars(select(Draft.key))),
            "audit": [(e.id, e.at) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))],
        }


def blank(person: dict[str, Any]) -> bool:
    return all(value in ("", None) for value in person.values())


def check_purged(world: World, before: dict[str, Any], after: dict[str, Any]) -> None:
    want = expected(world, before["audit"])
    for i, cid in enumerate(world.contact_ids):
        deleted, personal, _consent = after["contacts"][i]
        old = before["contacts"][i][1]
        if i in want["gone_contacts"]:
            assert deleted and blank(personal), (i, personal)
        else:
            assert not deleted
            notes = "" if i in want["contact_notes"] else old["notes"]
            assert personal == {**old, "notes": notes}, cid
    gone_links = {
        (world.meeting_ids[i], world.contact_ids[k])
        for i in want["old_meetings"]
        for k in world.meetings[i].attendees
    }
    assert after["links"] == before["links"] - gone_links
    for i, mid in enumerate(world.meeting_ids):
        title, starts, deleted, notes = before["meetings"][mid]
        assert after["meetings"][mid] == (
            title,
            starts,
            deleted,
            "" if i in want["meeting_notes"] else notes,
        )
        total, a_notes = before["attendance"][mid]
        assert after["attendance"][mid] == (total, "" if i in want["attendance_notes"] else a_notes)
    others = set(before["meetings"]) - set(world.meeting_ids)
    assert {k: after["meetings"][k] for k in others} == {k: before["meetings"][k] for k in others}
    assert after["drafts"] == before["drafts"] - want["drafts"]
    kept_before = [e for e in before["audit"] if e[0] not in want["audit_gone"]]
    assert after["audit"][: len(kept_before)] == kept_before


# -- the property ---------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A centre and a Camden device that trusts it, closed (each example copies them)."""
    central = init_central(tmp_path / "centre", None, "MPA Central Unit")
    store = make_borough(tmp_path / "camden", "camden", "Ada", central)
    store.close()
    central.close()
    yield tmp_path / "camden", tmp_path / "centre"


_runs = itertools.count()


@settings(
    max_examples=15,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_purge_removes_exactly_what_is_due_here_and_at_the_centre(
    pair: tuple[Path, Path], tmp_path: Path, world: World
) -> None:
    run = next(_runs)
    store_dir, centre_dir = tmp_path / f"camden-{run}", tmp_path / f"centre-{run}"
    shutil.copytree(pair[0], store_dir)
    shutil.copytree(pair[1], centre_dir)
    with open_store(store_dir) as store, open_central(centre_dir, None) as central:
        build(store, world)
        sync(store, central, tmp_path / f"first-{run}.ccbundle")
        date_edits(store, world)
        before = state(store, world)
        want = expected(world, before["audit"])
        with store.session() as s:
            counts = {d.category: d.count for d in retention.due(s, DAY)}
        assert counts == want["counts"]

        done = retention.purge_store(store, DAY)

        after = state(store, world)
        check_purged(world, before, after)
        with store.session() as s:
            assert all(d.count == 0 for d in retention.due(s, DAY))
            check = verify(s)
            records = {r.category: r.count for r in deletion_records.deletion_records(s)}
        assert check.intact, check.broken
        assert check.purged == want["counts"]["audit"]
        assert records == {p.category: p.count for p in done if p.count}
        assert records == {k: n for k, n in want["removed"].items() if n}
        sync(store, central, tmp_path / f"second-{run}.ccbundle")
        check_centre(central, world, want, records)


def sync(store: Store, central: Central, path: Path) -> None:
    export_bundle(store, path)
    outcome = merge_bundle(central, path)
    assert outcome.ok, outcome.message


def check_centre(
    central: Central, world: World, want: dict[str, Any], records: dict[str, int]
) -> None:
    """The centre's copy lost what the purge deleted, and holds its deletion records."""
    with central.session() as s:
        for i, cid in enumerate(world.contact_ids):
            row = s.get(Contact, cid)
            if i in want["gone_contacts"]:
                assert row is None or (row.deleted and row.name == "" and row.email == "")
            if i in want["contact_notes"] and row is not None:
                assert row.notes == ""
        for i in want["old_meetings"]:
            links = s.execute(
                select(engagement_attendee).where(
                    engagement_attendee.c.engagement_id == world.meeting_ids[i]
                )
            ).all()
            assert links == []
        for i in want["meeting_notes"]:
            assert s.get(Engagement, world.meeting_ids[i]).notes == ""  # type: ignore[union-attr]
        kept = {r.category: r.count for r in s.scalars(select(DeletionRecord))}
        assert kept == records


# -- the schedule, Cancel, the audit anchor, the command line -------------------------------

FIXED = World(
    people=[
        PersonSpec(False, None, 2000, True, False),  # no consent, untouched 5 years: due
        PersonSpec(True, -100, 20, False, True),  # consent expired 100 days ago: due
        PersonSpec(True, 300, 20, True, True),  # kept
    ],
    meetings=[MeetingSpec(500, True, True, [2]), MeetingSpec(2500, True, False, [])],
    drafts=[40, 2],
    audit=[3000, 2900, 10],
)


def test_set_rule_checks_the_range_and_schedule_shows_the_change(store: Store) -> None:
    with store.transaction() as s:
        with pytest.raises(ValidationError, match="Contacts may be kept for 1 to 50 years"):
            retention.set_rule(s, "contacts", keep_for=0)
        with pytest.raises(ValidationError, match="no retention category 'letters'"):
            retention.set_rule(s, "letters", keep_for=2)
        retention.set_rule(s, retention.parse_category("Named attendance"), keep_for=6)
        retention.set_rule(s, "drafts", enabled=False)
    with store.session() as s:
        rules = {r.category: r for r in retention.schedule(s)}
        found = {d.category for d in retention.due(s, DAY)}
    assert rules["named_attendance"].keep_for == 6 and rules["named_attendance"].changed
    assert rules["named_attendance"].why.endswith("more than 6 months ago")
    assert rules["contacts"].keep_for == 3 and not rules["contacts"].changed
    assert not rules["drafts"].enabled and "drafts" not in found
    with store.transaction() as s, pytest.raises(ValidationError, match="switched off"):
        retention.purge(s, DAY, ["drafts"])
    # a deletion record keeps the rule in words (200 characters), whatever its period
    longest = max(len(retention.ScheduledRule(r, r.high, True, True).why) for r in retention.RULES)
    assert longest <= 200


def test_a_cancelled_purge_deletes_nothing(store: Store) -> None:
    from tests.support.sync_attacks import content_digest

    build(store, FIXED)
    date_edits(store, FIXED)
    with store.session() as s:
        before = content_digest(s)
    asked = iter([False, False, True])  # Cancel pressed during the third category
    with pytest.raises(Cancelled, match="nothing was deleted"):
        retention.purge_store(store, DAY, cancelled=lambda: next(asked, True))
    with store.session() as s:
        assert content_digest(s) == before
        assert sum(d.count for d in retention.due(s, DAY)) > 0


def _tamper(store: Store, event_id: int) -> None:
    raw = store.engine.raw_connection()
    try:
        raw.execute("UPDATE audit_event SET officer = 'Mallory' WHERE id = ?", (event_id,))
        raw.commit()
    finally:
        raw.close()


def test_the_audit_chain_starts_at_the_anchor_and_tampering_is_still_found(store: Store) -> None:
    build(store, FIXED)
    with store.session() as s:
        assert verify(s).intact
        total = s.scalar(select(text("count(*)")).select_from(AuditEvent))
    done = retention.purge_store(store, DAY, ["audit"])
    assert [p.count for p in done] == [2]
    with store.session() as s:
        check = verify(s)
        first = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id).limit(1))
    assert check.intact and check.purged == 2 and check.first_id == first == 3
    assert check.events == total - 2 + 2  # the record of the purge is chained on
    _tamper(store, first)
    with store.session() as s:
        broken = verify(s).broken
    assert broken is not None and broken.event_id == first
    assert "changed after it was written" in broken.what


def test_removing_the_first_kept_event_breaks_the_chain_at_the_anchor(store: Store) -> None:
    build(store, FIXED)
    retention.purge_store(store, DAY, ["audit"])
    raw = store.engine.raw_connection()
    try:
        raw.execute("DELETE FROM audit_event WHERE id = 3")
        raw.commit()
    finally:
        raw.close()
    with store.session() as s:
        broken = verify(s).broken
    assert broken is not None and broken.event_id == 4
    assert "event 3 is missing" in broken.what


def test_privacy_due_purge_and_schedule_on_the_command_line(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    build(store, FIXED)
    date_edits(store, FIXED)
    where = ["--data-dir", str(store.data_dir)]
    assert cli([*where, "privacy", "due", "--on", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Contacts          1 " in out and "Drafts            1 " in out
    assert "Audit trail       2 " in out and "privacy purge" in out

    assert cli([*where, "privacy", "schedule", "--set", "drafts=60", "--disable", "notes"]) == 0
    out = capsys.readouterr().out
    assert "60 days" in out and "switched off" in out
    assert cli([*where, "privacy", "schedule", "--set", "drafts=0"]) == 1
    assert "Drafts may be kept for 1 to 3650 days, not 0" in capsys.readouterr().err

    assert cli([*where, "privacy", "purge", "--on", DAY.isoformat()]) == 1  # no terminal
    assert "Nothing was deleted" in capsys.readouterr().err
    assert cli([*where, "privacy", "purge", "--category", "contacts", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Contacts: 1 contact deleted" in out and "1 deletion record kept" in out
    assert cli([*where, "privacy", "purge", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Expired consent: 1 contact deleted" in out and "Audit trail: 2 events" in out
    assert "Drafts" not in out  # 40 days old, kept for 60 now
    assert cli([*where, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "2 older events purged under the retention schedule" in out and "intact" in out


# -- deletion records at the centre and in the quarterly return ----------------------------


def test_the_centre_lists_each_boroughs_deletions(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.central import main as central_cli

    with open_store(pair[0]) as store, open_central(pair[1], None) as central:
        build(store, FIXED)
        date_edits(store, FIXED)
        retention.purge_store(store, DAY, ["contacts", "drafts"])
        sync(store, central, tmp_path / "b1.ccbundle")
    capsys.readouterr()
    assert central_cli(["--home", str(pair[1]), "status"]) == 0
    out = capsys.readouterr().out
    assert "(deletion records from the boroughs):" in out
    assert f"  Camden: Contacts, 1 (1 record, last {DAY:%Y-%m-%d})" in out
    assert f"  Camden: Drafts, 1 (1 record, last {DAY:%Y-%m-%d})" in out
    assert central_cli(["--home", str(pair[1]), "status", "--period", "2020Q1"]) == 0
    assert "Deletions 2020Q1: none reported" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_quarterly_return_prints_the_quarters_deletions(store: Store, tmp_path: Path) -> None:
    import subprocess

    from ccodesk.printing.quarterly import return_pdf
    from ccodesk.services.periods import Period, PeriodKind
    from ccodesk.services.quarterly_return import return_content

    build(store, FIXED)
    date_edits(store, FIXED)
    quarter = Period.containing(PeriodKind.QUARTER, dt.date.today())
    with store.session() as s:
        empty = return_content(s, store.borough_code, quarter)
    assert empty.deletions == []
    retention.purge_store(store, DAY, ["named_attendance", "audit"])
    with store.session() as s:
        data = return_content(s, store.borough_code, quarter)
        earlier = return_content(s, store.borough_code, quarter.previous())
    assert [(d.category, d.count) for d in data.deletions] == [
        ("Audit trail", 2),
        ("Named attendance", 1),
    ] or [(d.category, d.count) for d in data.deletions] == [
        ("Named attendance", 1),
        ("Audit trail", 2),
    ]
    assert earlier.deletions == []
    path = tmp_path / "return.pdf"
    path.write_bytes(return_pdf(data))
    words = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Data protection: deletions this quarter" in words
    assert f"{DAY:%d %b %Y} Named attendance 1 Names of people recorded" in words
    assert f"{DAY:%d %b %Y} Audit trail 2 Audit events written more than 7 years ago" in words
    path.write_bytes(return_pdf(earlier))
    text_before = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Nothing was deleted under the retention schedule this quarter." in " ".join(
        text_before.split()
    )


# -- the centre on PostgreSQL --------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def test_the_purges_tombstones_remove_the_records_at_a_postgresql_centre(
    pg_url: str, tmp_path: Path
) -> None:
    from tests.support.postgres import new_database

    world = World(
        people=[
            PersonSpec(True, 300, 2000, True, True),  # shared; named 2 years ago only
            PersonSpec(True, -60, 10, True, True),  # consent expired: removed
            PersonSpec(False, None, 1500, False, False),  # no consent, 4 years: removed
            PersonSpec(True, 300, 10, False, True),  # kept
        ],
        meetings=[
            MeetingSpec(700, True, True, [0, 3]),  # names go, notes stay
            MeetingSpec(2300, True, True, [3]),  # names and notes go
            MeetingSpec(30, True, False, [3]),  # all stays
        ],
        drafts=[100],
        audit=[3000],
    )
    central = init_central(tmp_path / "centre", new_database(pg_url, "retention"), "Centre")
    store = make_borough(tmp_path / "camden", "camden", "Ada", central)
    build(store, world)
    sync(store, central, tmp_path / "b1.ccbundle")
    date_edits(store, world)
    with central.session() as s:  # the shared contacts and the names reached the centre
        assert s.get(Contact, world.contact_ids[0]).name == "Person 0"  # type: ignore[union-attr]
        assert len(s.execute(select(engagement_attendee)).all()) == 4
    before = state(store, world)
    want = expected(world, before["audit"])
    done = retention.purge_store(store, DAY)
    check_purged(world, before, state(store, world))
    records = {p.category: p.count for p in done if p.count}
    assert records == {k: n for k, n in want["removed"].items() if n}
    sync(store, central, tmp_path / "b2.ccbundle")
    check_centre(central, world, want, records)
    with central.session() as s:
        assert s.get(Contact, world.contact_ids[0]).name == "Person 0"  # type: ignore[union-attr]
        assert {tuple(r) for r in s.execute(select(engagement_attendee))} == {
            (world.meeting_ids[2], world.contact_ids[3])
        }
        assert s.get(Engagement, world.meeting_ids[0]).notes != ""  # type: ignore[union-attr]
        assert s.get(Attendance, f"20000000-0000-4000-8000-{1:012d}").notes == ""  # type: ignore[union-attr]
    store.close()
    central.close()


def test_data_protection_md_states_every_rules_default() -> None:
    """docs/data-protection.md's schedule is the code's: each rule, its default and range."""
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "data-protection.md").read_text()
    for rule in retention.RULES:
        n = f"{rule.default} {rule.unit if rule.default != 1 else rule.unit[:-1]}"
        row = f"| {rule.label} (`{rule.category}`) | {n} ({rule.low}–{rule.high} {rule.unit}) |"
        assert row in doc, row
