"""Consent that means something (issue 15): a history of steps rather than one flag, the
contact's columns following the latest step, consents expiring and expired, and one rule
(`consent.may_use`) hiding a person's details from lists, packs and exports once consent
has lapsed, been withdrawn, or they object.

Time is fixed by passing `day` to the services (a fixed clock); the one export that reads the
calendar (`sync.consent.today`) is moved with monkeypatch.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyrage
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Contact,
    Engagement,
    EngagementKind,
    OrganisationType,
)
from ccodesk.services import consent
from ccodesk.services.consent import ConsentStep, record_consent
from ccodesk.services.directory import (
    ContactDraft,
    OrganisationDraft,
    contact_lines,
    save_contact,
    save_organisation,
)
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.pack_content import pack_content
from ccodesk.services.search import search
from ccodesk.store import Store, create_store
from ccodesk.sync import consent as sync_consent
from ccodesk.sync.central import Central, init_central, reference_bundle, trust_add
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from ccodesk.sync.receive import import_bundle

DAY = dt.date(2026, 11, 16)  # the fixed "today" of these tests
G, R, W = ConsentEventKind.GIVEN, ConsentEventKind.RENEWED, ConsentEventKind.WITHDRAWN
OBJ, LIFT = ConsentEventKind.OBJECTED, ConsentEventKind.OBJECTION_LIFTED


def _contact(store: Store, name: str = "Miriam Cohen", **fields: Any) -> str:
    with store.transaction() as s:
        return save_contact(
            s, ContactDraft(name=name, email="m.cohen@example.org", role="Chair", **fields)
        ).id


def _record(store: Store, cid: str, step: ConsentStep, day: dt.date = DAY) -> int:
    with store.transaction() as s:
        return record_consent(s, cid, step, day=day)


def _columns(store: Store, cid: str) -> tuple[Any, ...]:
    with store.session() as s:
        c = s.get(Contact, cid)
        assert c is not None
        return (c.consent_given, c.consent_date, c.consent_scope, c.consent_expires, c.objected_on)


def _version(store: Store, cid: str) -> tuple[dict[str, int], int]:
    with store.session() as s:
        c = s.get(Contact, cid)
        assert c is not None
        return dict(c.version_vector), c.change_seq


def _kinds(store: Store, cid: str) -> list[ConsentEventKind]:
    with store.session() as s:
        return [h.kind for h in consent.history(s, cid)]


def test_each_step_is_kept_and_the_contact_follows_the_latest(store: Store) -> None:
    cid = _contact(store)
    assert _kinds(store, cid) == []
    steps = [
        (
            ConsentStep(G, dt.date(2025, 1, 6), ConsentMethod.EMAIL, "Contact about consultation",
                        dt.date(2026, 1, 5), note="replied to the invitation"),
            (True, dt.date(2025, 1, 6), "Contact about consultation", dt.date(2026, 1, 5), None),
        ),
        (
            ConsentStep(R, dt.date(2026, 1, 4), ConsentMethod.WRITTEN, "", dt.date(2027, 1, 3)),
            (True, dt.date(2026, 1, 4), "Contact about consultation", dt.date(2027, 1, 3), None),
        ),
        (
            ConsentStep(W, dt.date(2026, 6, 1), ConsentMethod.VERBAL, note="rang to say stop"),
            (False, None, "", None, None),
        ),
        (
            ConsentStep(G, dt.date(2026, 9, 1), ConsentMethod.ONLINE, "Named in records"),
            (True, dt.date(2026, 9, 1), "Named in records", None, None),
        ),
        (
            ConsentStep(OBJ, dt.date(2026, 10, 1), ConsentMethod.WRITTEN),
            (True, dt.date(2026, 9, 1), "Named in records", None, dt.date(2026, 10, 1)),
        ),
        (
            ConsentStep(LIFT, dt.date(2026, 11, 1), ConsentMethod.WRITTEN),
            (True, dt.date(2026, 9, 1), "Named in records", None, None),
        ),
    ]  # fmt: skip
    for step, state in steps:
        before = _version(store, cid)
        _record(store, cid, step)
        assert _columns(store, cid) == state, step.kind
        after = _version(store, cid)
        # through the ORM: a new synced version of the contact each time
        assert after[1] > before[1] and after[0] != before[0], step.kind
    with store.session() as s:
        lines = consent.history(s, cid)
        contact = s.get(Contact, cid)
        assert contact is not None
        assert consent.may_use(contact, DAY)
    assert [h.kind for h in lines] == [G, R, W, G, OBJ, LIFT]
    assert lines[0].method == ConsentMethod.EMAIL and lines[0].note == "replied to the invitation"
    assert lines[1].scope == "Contact about consultation"  # a renewal keeps the scope
    assert {h.officer for h in lines} == {"Ada Officer"}  # this device's officer


def test_an_objection_and_a_withdrawal_each_end_use_and_sharing(store: Store) -> None:
    cid = _contact(
        store,
        consent_given=True,
        consent_date=dt.date(2026, 1, 5),
        consent_scope="Contact about consultation",
        shareable=True,
    )
    _record(store, cid, ConsentStep(OBJ, DAY, ConsentMethod.EMAIL))
    with store.session() as s:
        c = s.get(Contact, cid)
        assert c is not None and not c.shareable and not consent.may_use(c, DAY)
        assert consent.withheld_because(c, DAY) == "objects to processing since 16 Nov 2026"
    _record(store, cid, ConsentStep(LIFT, DAY, ConsentMethod.EMAIL))
    with store.transaction() as s:  # lifted: the officer shares them again
        save_contact(s, ContactDraft(name="Miriam Cohen", shareable=True), cid, keep_consent=True)
    _record(store, cid, ConsentStep(W, DAY, ConsentMethod.EMAIL))
    with store.session() as s:
        c = s.get(Contact, cid)
        assert c is not None and not c.shareable and not consent.may_use(c, DAY)
        assert consent.withheld_because(c, DAY, W) == "consent withdrawn"


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (ConsentStep(G, DAY + dt.timedelta(days=1), ConsentMethod.WRITTEN, "x"), "in the future"),
        (
            ConsentStep(G, DAY, ConsentMethod.WRITTEN, "x", DAY - dt.timedelta(days=1)),
            "cannot expire (15 Nov 2026) before it was given (16 Nov 2026)",
        ),
        (ConsentStep(G, DAY, ConsentMethod.WRITTEN, " "), "say what the consent covers"),
        (ConsentStep(G, DAY, ConsentMethod.BEFORE_HISTORY, "x"), "say how this was recorded"),
        (ConsentStep(R, DAY, ConsentMethod.WRITTEN), "consent was withdrawn on 1 Jun 2026"),
        (ConsentStep(W, DAY, ConsentMethod.WRITTEN), "there is no consent to withdraw"),
        (ConsentStep(LIFT, DAY, ConsentMethod.WRITTEN), "no objection to lift"),
        (ConsentStep(G, dt.date(2026, 5, 1), ConsentMethod.WRITTEN, "x"), "cannot be dated before"),
        (ConsentStep(OBJ, DAY, ConsentMethod.WRITTEN, expires_on=DAY), "has no expiry date"),
    ],
)
def test_a_bad_step_is_refused_in_plain_words_and_nothing_is_written(
    store: Store, step: ConsentStep, words: str
) -> None:
    cid = _contact(store)
    _record(store, cid, ConsentStep(G, dt.date(2026, 1, 5), ConsentMethod.WRITTEN, "Contact"))
    _record(store, cid, ConsentStep(W, dt.date(2026, 6, 1), ConsentMethod.WRITTEN))
    before = (_columns(store, cid), _version(store, cid), _kinds(store, cid))
    with pytest.raises(ValidationError) as raised:
        _record(store, cid, step)
    assert any(words in p for p in raised.value.problems), raised.value.problems
    assert (_columns(store, cid), _version(store, cid), _kinds(store, cid)) == before


def test_renewing_what_was_never_given_says_so(store: Store) -> None:
    cid = _contact(store)
    with pytest.raises(ValidationError, match="there is no consent to renew"):
        _record(store, cid, ConsentStep(R, DAY, ConsentMethod.WRITTEN))
    _record(store, cid, ConsentStep(OBJ, DAY, ConsentMethod.WRITTEN))
    with pytest.raises(ValidationError, match="record the objection lifted first"):
        _record(store, cid, ConsentStep(G, DAY, ConsentMethod.WRITTEN, "x"))


def test_save_contact_writes_the_matching_step(store: Store) -> None:
    """Code that sets the consent columns (the form of old, imports, tests) keeps working, and
    the history stays complete."""
    today = dt.date.today()
    cid = _contact(
        store,
        consent_given=True,
        consent_date=dt.date(2025, 3, 1),
        consent_scope="Contact about consultation",
        consent_expires=dt.date(2026, 3, 1),
        consent_method=ConsentMethod.EMAIL,
    )
    base = ContactDraft(name="Miriam Cohen", email="m.cohen@example.org", role="Chair")
    with store.transaction() as s:
        save_contact(s, base, cid, keep_consent=True)  # the form: consent stays as stored
    assert _kinds(store, cid) == [G]
    assert _columns(store, cid)[0] is True
    later = ContactDraft(
        **{**vars(base), "consent_given": True, "consent_date": dt.date(2026, 2, 20)},
    )
    with store.transaction() as s:
        save_contact(s, later, cid)
    with store.transaction() as s:
        save_contact(s, base, cid)  # consent no longer given: withdrawn today
    with store.session() as s:
        lines = consent.history(s, cid)
    assert [(h.kind, h.on) for h in lines] == [
        (G, dt.date(2025, 3, 1)),
        (R, dt.date(2026, 2, 20)),
        (W, today),
    ]
    assert lines[0].method == ConsentMethod.EMAIL and lines[0].expires_on == dt.date(2026, 3, 1)
    with store.transaction() as s:
        save_contact(s, base, cid)  # nothing changed: no step
    assert len(_kinds(store, cid)) == 3


def test_consents_expiring_and_expired(store: Store) -> None:
    with store.transaction() as s:
        org = save_organisation(
            s, OrganisationDraft("Hackney Somali Forum", OrganisationType.COMMUNITY_GROUP)
        ).id
    cases = {
        "Yesterday Ali": DAY - dt.timedelta(days=1),
        "Today Bea": DAY,
        "Thirty Cal": DAY + dt.timedelta(days=30),
        "Thirty-one Dee": DAY + dt.timedelta(days=31),
        "Long ago Eve": dt.date(2024, 1, 1),
    }
    ids = {}
    for name, expires in cases.items():
        ids[name] = _contact(
            store,
            name,
            organisation_id=org,
            consent_given=True,
            consent_date=dt.date(2023, 1, 1),
            consent_scope="Contact",
            consent_expires=expires,
        )
    objecting = _contact(
        store, "Objecting Fay", consent_given=True, consent_date=dt.date(2023, 1, 1),
        consent_expires=DAY + dt.timedelta(days=3),
    )  # fmt: skip
    _record(store, objecting, ConsentStep(OBJ, DAY, ConsentMethod.WRITTEN))
    gone = _contact(
        store, "Deleted Gus", consent_given=True, consent_date=dt.date(2023, 1, 1),
        consent_expires=DAY - dt.timedelta(days=3),
    )  # fmt: skip
    with store.transaction() as s:
        row = s.get(Contact, gone)
        assert row is not None
        row.deleted = True
    _contact(store, "Never Hal")
    with store.session() as s:
        soon = consent.expiring(s, DAY)
        over = consent.expired(s, DAY)
        assert [d.name for d in soon] == ["Today Bea", "Thirty Cal"]
        assert soon[0].organisation == "Hackney Somali Forum" and soon[0].expires_on == DAY
        assert [d.name for d in over] == ["Yesterday Ali", "Long ago Eve"]  # latest first
        assert consent.count_expiring(s, DAY) == 2 and consent.count_expired(s, DAY) == 2
        assert [d.name for d in consent.expiring(s, DAY, within=31)][-1] == "Thirty-one Dee"
        # the Dashboard's one pass agrees with the four queries
        assert consent.running_out(s, DAY) == consent.RunningOut(soon, 2, over, 2)
        assert consent.running_out(s, DAY, limit=1) == consent.RunningOut(soon[:1], 2, over[:1], 2)


def test_an_objected_shared_contact_leaves_as_a_tombstone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shared, with valid consent: its details reach the centre; once the person objects, the
    next bundle carries a tombstone and the centre keeps nothing of them."""
    central: Central = init_central(tmp_path / "central", None, "MPA Central Unit")
    camden = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada Officer")
    try:
        trust_add(central, "camden", "Ada Officer", camden.public_key_openssh())
        ref = tmp_path / "reference.ccref"
        ref.write_bytes(reference_bundle(central))
        import_bundle(camden, ref, confirm_centre=lambda _fp: True)
        monkeypatch.setattr(sync_consent, "today", lambda: DAY)
        cid = _contact(
            camden, "Objecting Olu", consent_given=True, consent_date=dt.date(2026, 1, 5),
            consent_scope="Contact", shareable=True, phone="0207 946 0011",
        )  # fmt: skip
        first = tmp_path / "b1.ccbundle"
        export_bundle(camden, first)
        assert _sent(central, first)[1][cid]["data"]["phone"] == "0207 946 0011"
        outcome = merge_bundle(central, first, tmp_path / "receipts")
        assert outcome.ok and outcome.receipt is not None
        import_bundle(camden, outcome.receipt)
        with central.session() as s:
            assert s.get(Contact, cid) is not None

        _record(camden, cid, ConsentStep(OBJ, DAY, ConsentMethod.WRITTEN, note="letter"))
        second = tmp_path / "b2.ccbundle"
        export_bundle(camden, second)
        raw, contacts = _sent(central, second)
        assert contacts[cid]["deleted"] is True and contacts[cid]["data"] == {}
        for secret in (b"Objecting Olu", b"0207 946 0011", b"m.cohen@example.org"):
            assert secret not in raw
        assert merge_bundle(central, second).ok
        with central.session() as s:
            row = s.get(Contact, cid)
            assert row is None or (row.deleted and row.phone in ("", None))
        with camden.session() as s:  # kept on the device for the legal minimum
            local = s.get(Contact, cid)
            assert local is not None and local.phone == "0207 946 0011"
    finally:
        camden.close()
        central.close()


def test_an_objection_written_outside_the_orm_is_caught_before_export(store: Store) -> None:
    """`refresh_consent` unshares a shareable contact who objects (an objection written with
    no ORM event, so no version of its own): that version's tombstone goes."""
    cid = _contact(
        store, consent_given=True, consent_date=dt.date(2026, 1, 5), consent_scope="x",
        shareable=True,
    )  # fmt: skip
    before = _version(store, cid)
    with store.transaction() as s:
        s.execute(Contact.__table__.update().where(Contact.id == cid).values(objected_on=DAY))
    with store.transaction() as s:
        assert sync_consent.refresh_consent(s, dt.date.today()) == 1
        assert cid not in sync_consent.sendable_contacts(s, dt.date.today())
    assert _version(store, cid)[1] > before[1]


def _sent(central: Central, path: Path) -> tuple[bytes, dict[str, dict[str, Any]]]:
    plain = pyrage.decrypt(path.read_bytes(), [central.identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        raw = z.read("changes.jsonl")
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    return raw, {r["id"]: r for r in lines if r["entity"] == "contact"}


# -- the property: shown on the day consent expires, hidden the day after ----------------------


@pytest.fixture
def meeting(store: Store) -> tuple[str, str]:
    with store.transaction() as s:
        org = save_organisation(
            s, OrganisationDraft("Stamford Hill Forum", OrganisationType.FAITH_GROUP)
        ).id
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Residents' forum",
                starts_at=dt.datetime(2026, 1, 20, 18),
            ),
        ).id
    return org, eid


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    expires=st.dates(dt.date(2026, 2, 1), dt.date(2030, 12, 31)),
    given_days_before=st.integers(0, 1500),
    shareable=st.booleans(),
)
def test_consent_expiring_on_a_day_shows_the_person_that_day_and_hides_them_the_next(
    store: Store,
    meeting: tuple[str, str],
    expires: dt.date,
    given_days_before: int,
    shareable: bool,
) -> None:
    org, eid = meeting
    start = max(dt.date(2025, 1, 1), expires - dt.timedelta(days=given_days_before))
    name = f"Person {expires:%Y%m%d} {given_days_before} {shareable}"
    with store.transaction() as s:
        for old in s.scalars(select(Contact).where(Contact.organisation_id == org)):
            old.deleted = True  # one person at a time in the meeting and the organisation
        cid = save_contact(
            s,
            ContactDraft(
                name=name,
                organisation_id=org,
                role="Trustee",
                email="person@example.org",
                phone="0207 946 0000",
                consent_given=True,
                consent_date=start,
                consent_scope="Named in meeting records",
                consent_expires=expires,
                shareable=shareable,
            ),
        ).id
        engagement = s.get(Engagement, eid)
        contact = s.get(Contact, cid)
        assert engagement is not None and contact is not None
        engagement.attendees = [contact]
    after = expires + dt.timedelta(days=1)
    with store.session() as s:
        # the day it expires: still shown, named, sendable, and on the dashboard's "expiring"
        (line,) = contact_lines(s, org, expires)
        assert (line.role, line.withheld) == ("Trustee", "")
        pack = pack_content(s, eid, expires)
        assert [a.name for a in pack.attendees] == [name] and pack.attendees_withheld == 0
        assert (cid in sync_consent.sendable_contacts(s, expires)) is shareable
        assert cid in {d.contact_id for d in consent.expiring(s, expires)}
        assert cid not in {d.contact_id for d in consent.expired(s, expires)}
        assert [d.contact_id for d in consent.running_out(s, expires).expiring] == [cid]
        hit = next(h for h in search(s, "example", day=expires) if h.id == cid)
        assert hit.snippet == "[person@example.org]"

        # the day after: the name alone, greyed with the reason; out of the pack and the export
        (line,) = contact_lines(s, org, after)
        assert (line.role, line.withheld) == (
            "",
            f"consent expired on {expires.day} {expires:%b %Y}",
        )
        pack = pack_content(s, eid, after)
        assert pack.attendees == [] and pack.attendees_withheld == 1
        assert cid not in sync_consent.sendable_contacts(s, after)
        assert cid in {d.contact_id for d in consent.expired(s, after)}
        assert cid not in {d.contact_id for d in consent.expiring(s, after)}
        assert [d.contact_id for d in consent.running_out(s, after).expired] == [cid]
        hit = next(h for h in search(s, "example", day=after) if h.id == cid)
        assert "example.org" not in hit.snippet and "consent expired" in hit.snippet


def test_the_pack_names_only_those_whose_consent_is_valid(
    store: Store, meeting: tuple[str, str]
) -> None:
    """The printed pack, read with pdftotext: a lapsed attendee is counted, not named."""
    import subprocess

    from ccodesk.printing.documents import pack_pdf

    org, eid = meeting
    names = {"Valid Vera": DAY + dt.timedelta(days=10), "Lapsed Len": DAY - dt.timedelta(days=1)}
    with store.transaction() as s:
        people = []
        for name, expires in names.items():
            cid = save_contact(
                s,
                ContactDraft(
                    name=name, organisation_id=org, role="Chair", consent_given=True,
                    consent_date=dt.date(2025, 1, 1), consent_scope="x", consent_expires=expires,
                ),
            ).id  # fmt: skip
            people.append(s.get(Contact, cid))
        engagement = s.get(Engagement, eid)
        assert engagement is not None
        engagement.attendees = people  # type: ignore[assignment]
    with store.session() as s:
        pdf = pack_pdf(pack_content(s, eid, DAY))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Named attendees" in text and "Valid Vera" in text
    assert "Lapsed Len" not in text
    assert "1 more named attendee not listed" in text


def test_history_survives_in_order_of_recording(store: Store) -> None:
    cid = _contact(store)
    _record(store, cid, ConsentStep(G, DAY, ConsentMethod.WRITTEN, "x"))
    _record(store, cid, ConsentStep(R, DAY, ConsentMethod.WRITTEN))  # same day: allowed
    with store.session() as s:
        ids = [e.id for e in s.scalars(select(ConsentEvent).order_by(ConsentEvent.id))]
        assert [h.id for h in consent.history(s, cid)] == ids


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offsets=st.lists(st.integers(-6, 36), max_size=10),
    limit=st.integers(1, 5),
)
def test_the_dashboards_one_pass_agrees_with_the_four_queries(
    store: Store, offsets: list[int], limit: int
) -> None:
    """`running_out` (the Dashboard's two passes) picks the same people, in the same order,
    with the same totals, as `expiring`, `expired` and their counts — ties on a day included."""
    with store.transaction() as s:
        for old in s.scalars(select(Contact).where(Contact.deleted.is_(False))):
            old.deleted = True
        for n, offset in enumerate(offsets):
            save_contact(
                s,
                ContactDraft(
                    name=f"Person {n % 3}",  # the same name on the same day, sometimes
                    consent_given=True,
                    consent_date=dt.date(2024, 1, 1),
                    consent_scope="x",
                    consent_expires=DAY + dt.timedelta(days=offset),
                ),
            )
    with store.session() as s:
        both = consent.running_out(s, DAY, limit=limit)
        assert both == consent.RunningOut(
            consent.expiring(s, DAY, limit=limit),
            consent.count_expiring(s, DAY),
            consent.expired(s, DAY, limit=limit),
            consent.count_expired(s, DAY),
        )
