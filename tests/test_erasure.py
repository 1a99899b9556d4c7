"""Erasure and objection (issue 15): an erased person's name, e-mail and phone are in no table,
no FTS shadow table, no page of the decrypted database file after the VACUUM, and no later
bundle; other people's data stays; the audit chain holds with its redactions, and a tampered
redacted event is found. An objection withdraws the contact's details from the next bundle."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ccodesk.errors import KnownError
from ccodesk.models import (
    ActionItem,
    AuditEvent,
    CalendarLink,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    ConsulteeRole,
    Contact,
    ContactChannel,
    DashboardSnapshot,
    DeletionRecord,
    Draft,
    Engagement,
    EngagementKind,
    FeedbackChannel,
    FeedbackGiven,
    Finding,
    Organisation,
    OrganisationType,
    QuickTimeConsultation,
    QuickTimeConsultee,
    QuickTimeContact,
    SubjectAccessRequest,
)
from ccodesk.services.audit import REDACTED_CHANGED, UNRECORDED, verify
from ccodesk.services.erasure import erase_and_scrub, erasure_preview, people_named
from ccodesk.services.objection import lift_objection, object_to_processing
from ccodesk.store import Store, create_store
from ccodesk.sync.central import Central
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle

WHEN = dt.datetime(2026, 11, 2, 18, 30)

# -- reading the store as an attacker with the key would ----------------------------------------


def raw(store: Store) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(store.path))
    conn.execute(f"PRAGMA key = \"x'{store.database_key().hex()}'\"")
    return conn


def every_text(store: Store) -> list[tuple[str, str, bytes]]:
    """(table, column, value as bytes) of every value of every table, shadow tables too."""
    conn = raw(store)
    found = []
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            cur = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cur.description]
            for row in cur:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str):
                        found.append((table, column, value.encode()))
                    elif isinstance(value, bytes):
                        found.append((table, column, value))
    finally:
        conn.close()
    return found


def decrypted_pages(store: Store) -> bytes:
    """Every page of the database file decrypted (SQLCipher 4: AES-256-CBC, a raw key, 80
    reserved bytes per page: IV and HMAC), free pages included: what the file holds."""
    data = store.path.read_bytes()
    size, reserve = 4096, 80
    key = store.database_key()
    pages = []
    for start in range(0, len(data), size):
        page = data[start : start + size]
        body = page[16 : size - reserve] if start == 0 else page[: size - reserve]
        iv = page[size - reserve : size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(body) + decryptor.finalize())
    plain = b"".join(pages)
    assert plain[:3] == b"\x10\x00\x02" or b"CREATE TABLE" in plain  # really decrypted
    return plain


def token(word: str) -> bytes:
    """A word as the FTS5 tokenizer (unicode61, diacritics removed) indexes it."""
    folded = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in folded if not unicodedata.combining(c)).encode()


@dataclass(frozen=True)
class Someone:
    first: str
    last: str
    phone: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"{token(self.first).decode()}.{token(self.last).decode()}@example.org"

    def forms(self) -> list[bytes]:
        """What must not be found: name, e-mail, phone (as typed and as digits)."""
        return [
            self.name.encode(),
            self.name.lower().encode(),
            json.dumps(self.name)[1:-1].encode(),  # as JSON columns keep it
            self.email.encode(),
            self.phone.encode(),
            self.phone.replace(" ", "").encode(),
        ]

    def tokens(self) -> list[bytes]:
        return [token(self.first), token(self.last)]


def holds(blob: bytes, person: Someone) -> bool:
    low = blob.lower()
    return any(f.lower() in low for f in person.forms())


# -- building a store that names the person here and there ---------------------------------------


@dataclass(frozen=True)
class Places:
    attended: int
    finding: bool
    action: bool
    feedback: bool
    engagement_notes: bool
    organisation_notes: bool
    consultee: bool
    contact_log: bool
    draft: bool
    audit: int
    calendar: bool
    access_request: bool
    snapshot: bool
    other_notes: bool


def put(
    store: Store, person: Someone, other: Someone, places: Places
) -> tuple[str, str, list[str]]:
    """The person and another, the person named where `places` says; their contact ids and
    the engagements made."""
    with store.transaction() as s:
        org = Organisation(
            name=f"{other.last} Residents",
            org_type=OrganisationType.RESIDENTS_ASSOCIATION,
            notes=f"Chair: {other.name}"
            + (f"; secretary {person.name}, {person.phone}" if places.organisation_notes else ""),
        )
        s.add(org)
        s.flush()
        me = Contact(name=person.name, email=person.email, phone=person.phone,
                     organisation_id=org.id, consent_given=True, consent_date=WHEN.date(),
                     shareable=True, notes="Prefers evenings")  # fmt: skip
        them = Contact(name=other.name, email=other.email, phone=other.phone,
                       organisation_id=org.id, consent_given=True, consent_date=WHEN.date(),
                       shareable=True,
                       notes=f"Works with {person.name}" if places.other_notes else "")  # fmt: skip
        s.add_all([me, them])
        s.flush()
        for on, kind in ((WHEN.date(), ConsentEventKind.GIVEN),):
            s.add(ConsentEvent(contact_id=me.id, kind=kind, on=on, method=ConsentMethod.WRITTEN,
                               recorded_at=WHEN, note=f"{person.name} signed"))  # fmt: skip
        s.add(ConsentEvent(contact_id=them.id, kind=ConsentEventKind.GIVEN, on=WHEN.date(),
                           method=ConsentMethod.EMAIL, recorded_at=WHEN,
                           note="by e-mail"))  # fmt: skip
        engagements = []
        for i in range(max(places.attended, 1)):
            e = Engagement(
                kind=EngagementKind.PCCG_MEETING,
                title=f"PCCG {other.last} {i}",
                starts_at=WHEN + dt.timedelta(days=i),
                notes=f"{person.name} spoke first" if places.engagement_notes else "",
            )
            if i < places.attended:
                e.attendees.append(me)
            e.attendees.append(them)
            s.add(e)
            engagements.append(e)
        s.flush()
        first = engagements[0]
        s.add(Finding(engagement_id=first.id, text=(
            f"{person.name} said the lighting is poor; {other.name} agreed"
            if places.finding else f"{other.name} said the lighting is poor")))  # fmt: skip
        if places.action:
            s.add(ActionItem(engagement_id=first.id, description=f"Call {person.phone}",
                             owner=person.name))  # fmt: skip
        if places.feedback:
            s.add(FeedbackGiven(engagement_id=first.id, given_on=WHEN.date(),
                                channel=FeedbackChannel.EMAIL,
                                text=f"Wrote to {person.email.upper()}"))  # fmt: skip
        qt = QuickTimeConsultation(title="Stop and search operation", event_at=WHEN,
                                   deadline=WHEN + dt.timedelta(days=2))  # fmt: skip
        s.add(qt)
        s.flush()
        theirs = QuickTimeConsultee(consultation_id=qt.id, name=f"{other.last} Trust",
                                    role=ConsulteeRole.COMMUNITY, picked_at=WHEN,
                                    advice="Hold it after school hours")  # fmt: skip
        s.add(theirs)
        if places.consultee:
            mine = QuickTimeConsultee(consultation_id=qt.id, name=person.name,
                                      role=ConsulteeRole.ADVISER, picked_at=WHEN,
                                      advice="Tell the mosque first")  # fmt: skip
            s.add(mine)
            s.flush()
            s.add(QuickTimeContact(consultee_id=mine.id, at=WHEN, channel=ContactChannel.PHONE,
                                   note="Rang back within the hour"))  # fmt: skip
        s.flush()
        if places.contact_log:
            s.add(QuickTimeContact(consultee_id=theirs.id, at=WHEN, channel=ContactChannel.EMAIL,
                                   note=f"Copied in {person.name.upper()}"))  # fmt: skip
        if places.draft:
            s.add(Draft(key=f"contact:{me.id}", saved_at=WHEN, title=f"Contact {person.name}",
                        content={"name": person.name, "phone": person.phone}))  # fmt: skip
        s.add(Draft(key=f"contact:{them.id}", saved_at=WHEN, title=f"Contact {other.name}",
                    content={"name": other.name}))  # fmt: skip
        for i in range(places.audit):
            s.add(AuditEvent(at=WHEN, device_id=store.device_id, officer="Ada Officer",
                             entity="returned_form", entity_id=first.id, action="keyed",
                             changes=[],
                             summary=f"Form {i} handed in by {person.name}"))  # fmt: skip
        s.add(AuditEvent(at=WHEN, device_id=store.device_id, officer="Ada Officer",
                         entity="returned_form", entity_id=first.id, action="keyed", changes=[],
                         summary=f"Form handed in by {other.name}"))  # fmt: skip
        if places.calendar:
            s.add(CalendarLink(engagement_id=engagements[-1].id, calendar="blo.ics",
                               uid=f"uid-{me.id}", organiser_name=person.name,
                               organiser_uri=f"mailto:{person.email}",
                               imported={"title": engagements[-1].title,
                                         "organiser": person.name}))  # fmt: skip
        if places.access_request:
            s.add(SubjectAccessRequest(kind="access", received_on=WHEN.date(),
                                       due_on=WHEN.date() + dt.timedelta(days=30),
                                       requester=person.name, terms=[person.name, person.email],
                                       answered_on=WHEN.date(), officer="Ada Officer"))  # fmt: skip
        if places.snapshot:
            s.merge(DashboardSnapshot(id=1, day=WHEN.date().isoformat(), stamp="x",
                                      body=json.dumps({"lines": [person.name]})))  # fmt: skip
        return me.id, them.id, [e.id for e in engagements]


def word(prefix: str) -> st.SearchStrategy[str]:
    """A capitalised word starting with `prefix` (no other word starts so: found only where
    the person is named), sometimes with an accented letter."""
    return st.text("abcdefghijkmnoprstuvwyéó", min_size=3, max_size=7).map(
        lambda rest: (prefix + rest).capitalize()
    )


PEOPLE = st.builds(
    Someone,
    word("xq"),
    word("zv"),
    st.integers(10_000, 99_999).map(lambda n: f"07700 9{n:05d}"),
)
OTHERS = st.builds(
    Someone,
    word("ot"),
    word("ho"),
    st.integers(10_000, 99_999).map(lambda n: f"020 794{n:05d}"),
)
PLACES = st.builds(
    Places,
    attended=st.integers(0, 3),
    finding=st.booleans(),
    action=st.booleans(),
    feedback=st.booleans(),
    engagement_notes=st.booleans(),
    organisation_notes=st.booleans(),
    consultee=st.booleans(),
    contact_log=st.booleans(),
    draft=st.booleans(),
    audit=st.integers(0, 2),
    calendar=st.booleans(),
    access_request=st.booleans(),
    snapshot=st.booleans(),
    other_notes=st.booleans(),
)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One store the property's examples add to (each with people of its own)."""
    import keyring

    from tests.support.temp_keyring import TempFileKeyring

    base = tmp_path_factory.mktemp("erasure")
    previous = keyring.get_keyring()
    keyring.set_keyring(TempFileKeyring(base / "keyring.json"))
    with create_store(base / "store", borough_code="camden", officer_name="Ada Officer") as s:
        yield s
    keyring.set_keyring(previous)


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(person=PEOPLE, other=OTHERS, places=PLACES)
def test_an_erased_person_is_nowhere(
    shared_store: Store, tmp_path: Path, person: Someone, other: Someone, places: Places
) -> None:
    import keyring

    from tests.support.temp_keyring import TempFileKeyring

    keyring.set_keyring(TempFileKeyring(shared_store.data_dir.parent / "keyring.json"))
    store = shared_store
    me, them, made = put(store, person, other, places)
    # the checks below would see the person: in tables, in the search index, in the file
    assert any(holds(v, person) for _t, _c, v in every_text(store))
    fts = b"".join(v for t, _c, v in every_text(store) if t == "contact_fts_data")
    assert all(t in fts for t in person.tokens())

    with store.session() as s:
        preview = erasure_preview(s, me)
    assert preview.counts["attendance"] == places.attended
    assert preview.counts["audit"] == places.audit
    result = erase_and_scrub(store, me, f"Letter from {person.name}")
    assert result.counts == preview.counts

    for table, column, value in every_text(store):
        assert not holds(value, person), (table, column, value[:200])
        if "_fts_" in table:  # data, idx, docsize, config: not even a word of the name
            assert not any(t in value.lower() for t in person.tokens()), (table, column)
    plain = decrypted_pages(store)
    assert not holds(plain, person)
    assert not any(t in plain.lower() for t in person.tokens())
    assert other.name.encode() in plain  # the other person is still there
    assert store.path.with_name(store.path.name + "-wal").stat().st_size == 0

    with store.session() as s:
        check = verify(s)
        assert check.intact, check.broken
        assert check.redacted >= places.audit
        assert s.get(Contact, me).deleted  # type: ignore[union-attr]
        kept = s.get(Contact, them)
        assert kept is not None and kept.name == other.name and not kept.deleted
        assert s.scalar(select(func.count()).select_from(ConsentEvent).where(
            ConsentEvent.contact_id == them)) == 1  # fmt: skip
        engagements = [s.get(Engagement, e) for e in made]
        assert all([c.id for c in e.attendees] == [them] for e in engagements)
        assert s.scalar(
            select(Finding.text).where(Finding.engagement_id == engagements[0].id)
        ).endswith("said the lighting is poor" if not places.finding else f"{other.name} agreed")
        assert s.get(Draft, f"contact:{them}") is not None
        request = s.get(SubjectAccessRequest, result.request_id)
        assert request is not None and request.kind == "erasure"
        assert request.requester == "[erased]" and request.note == "Letter from [erased]"
        assert s.scalars(select(DeletionRecord).where(DeletionRecord.category == "erasure")).first()
    export_bundle(store, tmp_path / "after.ccbundle", unencrypted=True, full=True)
    with zipfile.ZipFile(io.BytesIO((tmp_path / "after.ccbundle").read_bytes())) as z:
        changes = z.read("changes.jsonl")
    assert not holds(changes, person)
    assert other.name.encode() in changes or json.dumps(other.name)[1:-1].encode() in changes


def _named_store(store: Store) -> tuple[str, int]:
    person = Someone("Xqmara", "Zvokoye", "07700 900123")
    places = Places(1, True, True, True, True, True, True, True, True, 2, True, True, True, True)
    me, _them, _made = put(store, person, Someone("Otto", "Holm", "020 79460000"), places)
    erase_and_scrub(store, me)
    with store.session() as s:
        redacted = s.scalars(select(AuditEvent.id).where(AuditEvent.redacted_at.is_not(None)))
        return me, next(iter(redacted))


def test_a_tampered_redacted_event_is_found(store: Store) -> None:
    _me, redacted = _named_store(store)
    with store.session() as s:
        assert verify(s).intact_line().endswith("(2 redacted after erasure; head: event "
                                                f"{verify(s).head_id})")  # fmt: skip
    conn = raw(store)
    conn.execute("UPDATE audit_event SET officer = 'Someone Else' WHERE id = ?", (redacted,))
    conn.commit()
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None
    assert (check.broken.event_id, check.broken.what) == (redacted, REDACTED_CHANGED)


def test_a_summary_blanked_to_hide_tampering_is_found(store: Store) -> None:
    _named_store(store)
    conn = raw(store)
    (target,) = conn.execute(
        "SELECT min(id) FROM audit_event WHERE redacted_at IS NULL AND summary != ''"
    ).fetchone()
    conn.execute(
        "UPDATE audit_event SET summary = '', redacted_at = '2026-12-01 10:00:00.000000'"
        " WHERE id = ?",
        (target,),
    )
    conn.commit()
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None
    assert (check.broken.event_id, check.broken.what) == (target, UNRECORDED)


def test_an_altered_event_is_still_found_among_redactions(store: Store) -> None:
    _named_store(store)
    conn = raw(store)
    (target,) = conn.execute(
        "SELECT max(id) FROM audit_event WHERE redacted_at IS NULL AND action = 'update'"
    ).fetchone()
    conn.execute("UPDATE audit_event SET officer = 'Someone Else' WHERE id = ?", (target,))
    conn.commit()
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None and check.broken.event_id == target
    assert "contents were changed" in check.broken.what


def test_erasing_twice_or_an_unknown_contact_is_refused(store: Store) -> None:
    me, _ = _named_store(store)
    with pytest.raises(KnownError, match="already been erased"), store.session() as s:
        erasure_preview(s, me)
    with pytest.raises(KnownError, match="no contact"), store.session() as s:
        erasure_preview(s, "00000000-0000-0000-0000-000000000000")


def test_people_named_prefers_the_exact_name(store: Store) -> None:
    with store.transaction() as s:
        s.add_all([Contact(name="Ann Lee"), Contact(name="Ann Leeson"), Contact(name="ann  lee")])
    with store.session() as s:
        assert sorted(m.name for m in people_named(s, "Ann Lee")) == ["Ann Lee", "ann  lee"]
        assert len(people_named(s, "Ann Le")) == 3
        assert people_named(s, "Nobody") == []


# -- objection -----------------------------------------------------------------------------------


def test_an_objection_withdraws_the_details_until_lifted(store: Store, tmp_path: Path) -> None:
    with store.transaction() as s:
        c = Contact(name="Xqobject Zvperson", email="xq@example.org", consent_given=True,
                    consent_date=dt.date(2026, 1, 5), shareable=True)  # fmt: skip
        s.add(c)
        s.flush()
        cid = c.id

    def bundle(name: str) -> bytes:
        export_bundle(store, tmp_path / name, unencrypted=True)
        with zipfile.ZipFile(io.BytesIO((tmp_path / name).read_bytes())) as z:
            return z.read("changes.jsonl")

    assert b"Xqobject" in bundle("1.ccbundle")
    today = dt.date.today()
    with store.transaction() as s:
        object_to_processing(s, cid, today, "Letter of 3 December", officer="Ada Officer")
    with store.transaction() as s, pytest.raises(KnownError, match="already objects"):
        object_to_processing(s, cid, today)
    sent = [json.loads(line) for line in bundle("2.ccbundle").splitlines()]
    mine = [r for r in sent if r["id"] == cid]
    assert mine and all(r["deleted"] and not r["data"] for r in mine)  # a tombstone
    with store.session() as s:
        contact = s.get(Contact, cid)
        assert contact is not None and not contact.consent_valid_on(today)
        kinds = s.scalars(select(ConsentEvent.kind).where(ConsentEvent.contact_id == cid)).all()
        assert kinds == [ConsentEventKind.OBJECTED]
    with store.transaction() as s:
        lift_objection(s, cid, today, officer="Ada Officer")
    assert b"Xqobject" not in bundle("3.ccbundle")  # the objection unshared them
    with store.transaction() as s:
        contact = s.get(Contact, cid)
        assert contact is not None and contact.consent_valid_on(today)
        contact.shareable = True  # the officer shares them again, with their agreement
    assert b"Xqobject" in bundle("4.ccbundle")


def test_refresh_consent_sends_an_objection_it_had_not_sent(store: Store) -> None:
    """An objection written without a new version (an older ccodesk, a repair) still goes."""
    from ccodesk.sync.consent import refresh_consent

    with store.transaction() as s:
        c = Contact(name="Xqold Zvobjection", consent_given=True,
                    consent_date=dt.date(2026, 1, 5), shareable=True)  # fmt: skip
        s.add(c)
    conn = raw(store)
    conn.execute("UPDATE contact SET objected_on = date('now'), hlc = '0000000000001' || "
                 "substr(hlc, 14) WHERE name = 'Xqold Zvobjection'")  # fmt: skip
    conn.commit()
    with store.transaction() as s:
        assert refresh_consent(s, dt.date.today()) == 1


# -- the centre ----------------------------------------------------------------------------------


def _centre_text(central: Central) -> list[tuple[str, str, bytes]]:
    """Every text value of every table at the centre (its FTS shadow tables too, on SQLite)."""
    from sqlalchemy import inspect, text

    found = []
    with central.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        if conn.dialect.name == "sqlite":
            tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]  # fmt: skip
        for table in tables:
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, dict | list):
                        value = json.dumps(value)
                    if isinstance(value, str):
                        found.append((table, column, value.encode()))
                    elif isinstance(value, bytes | memoryview):
                        found.append((table, column, bytes(value)))
    return found


def check_erasure_reaches(central: Central, tmp_path: Path) -> None:
    """A shared contact, their attendance and a finding naming them reach the centre; after
    the erasure the next bundle holds none of it and the centre's copy loses it all."""
    from tests.test_sync import decrypt, export, make_borough

    person = Someone("Xqcentre", "Zvperson", "07700 900456")
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        with camden.transaction() as s:
            me = Contact(name=person.name, email=person.email, phone=person.phone,
                         consent_given=True, consent_date=WHEN.date(), shareable=True)  # fmt: skip
            them = Contact(name="Otto Holm", consent_given=True, consent_date=WHEN.date(),
                           shareable=True)  # fmt: skip
            e = Engagement(kind=EngagementKind.PCCG_MEETING, title="Camden PCCG", starts_at=WHEN,
                           notes=f"{person.name} chaired; Otto Holm took notes")  # fmt: skip
            e.attendees.extend([me, them])
            s.add(e)
            s.flush()
            s.add(Finding(engagement_id=e.id, text=f"{person.name} ({person.email}) asked why"))
            s.flush()
            ids = me.id, them.id, e.id
        first = export(camden, tmp_path / "1.ccbundle")
        assert merge_bundle(central, first).ok
        assert any(holds(v, person) for _t, _c, v in _centre_text(central))
        erase_and_scrub(camden, ids[0])
        second = export(camden, tmp_path / "2.ccbundle")
        assert not holds(decrypt(second.read_bytes(), central.identity)["changes.jsonl"], person)
        outcome = merge_bundle(central, second)
        assert outcome.ok, outcome.message
    finally:
        camden.close()
    for table, column, value in _centre_text(central):
        assert not holds(value, person), (table, column, value[:200])
        if "_fts_" in table:
            assert not any(t in value.lower() for t in person.tokens()), (table, column)
    with central.session() as s:
        contact = s.get(Contact, ids[0])
        assert contact is not None and contact.deleted and contact.name == ""
        kept = s.get(Contact, ids[1])
        assert kept is not None and kept.name == "Otto Holm"
        engagement = s.get(Engagement, ids[2])
        assert engagement is not None
        assert [c.id for c in engagement.attendees] == [ids[1]]
        assert engagement.notes == "[erased] chaired; Otto Holm took notes"
        assert s.scalar(select(DeletionRecord.category)) == "erasure"


def test_erasure_reaches_a_centre_on_sqlite(tmp_path: Path) -> None:
    from tests.test_sync import make_central

    central = make_central(tmp_path / "centre")
    try:
        check_erasure_reaches(central, tmp_path)
    finally:
        central.close()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip("needs PostgreSQL's server binaries (Debian: postgresql)")
    with postgres_cluster() as url:
        yield url


def test_erasure_reaches_a_centre_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from ccodesk.sync.central import init_central
    from tests.support.postgres import new_database

    central = init_central(tmp_path / "centre", new_database(pg_url, "erasure"), "Centre")
    try:
        check_erasure_reaches(central, tmp_path)
    finally:
        central.close()


# -- the command line ----------------------------------------------------------------------------


def store_at(store: Store) -> Store:
    from ccodesk.store import open_store

    return open_store(store.data_dir)


def test_cli_refuses_an_ambiguous_name_then_erases_and_verifies(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.borough import main

    with store.transaction() as s:
        first = Contact(name="Xqsam Zvlee", email="sam1@example.org")
        second = Contact(name="xqsam  zvlee", email="sam2@example.org")
        s.add_all([first, second])
        s.flush()
        s.add(Contact(name="Otto Holm", notes="Knows Xqsam Zvlee"))
        ids = first.id, second.id
    base = ["--data-dir", str(store.data_dir), "privacy"]
    store.close()
    assert main([*base, "erase", "Xqsam Zvlee", "--yes"]) == 1
    said = capsys.readouterr()
    assert "2 contacts match 'Xqsam Zvlee'; nothing was changed" in said.err + said.out
    assert ids[0] in said.err + said.out and "sam2@example.org" in said.err + said.out
    assert main([*base, "erase", "--contact", ids[0], "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Erasing Xqsam Zvlee removes" in out and "Contact details: 1" in out
    assert "Other contacts' details naming them: 1" in out  # Otto's notes
    assert "Erased: " in out
    with store_at(store) as again, again.session() as s:
        namesake = s.get(Contact, ids[1])  # another person of the same name: theirs to keep
        assert namesake is not None and namesake.name == "xqsam  zvlee"
    assert main(["--data-dir", str(store.data_dir), "audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    assert main([*base, "object", "--contact", ids[0]]) == 1  # erased: no one to object
    assert main([*base, "erase", "--contact", ids[0]]) == 0  # again: only the rewrite
    assert "already erased; the store is now rewritten" in capsys.readouterr().out
    assert main([*base, "erase", "Nobody Known", "--yes"]) == 1
    assert "No contact is called 'Nobody Known'" in capsys.readouterr().err


def test_cli_records_and_lifts_an_objection(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.borough import main

    with store.transaction() as s:
        s.add(Contact(name="Xqobi Zvjones", consent_given=True, consent_date=WHEN.date()))
    base = ["--data-dir", str(store.data_dir), "privacy", "object", "Xqobi Zvjones"]
    store.close()
    assert main([*base, "--note", "letter"]) == 0
    assert "objects to processing from" in capsys.readouterr().out
    assert main(base) == 1
    assert "already objects" in capsys.readouterr().err
    assert main([*base, "--lift"]) == 0
    assert "no longer objects" in capsys.readouterr().out


def test_a_rewrite_that_fails_is_one_plain_message_and_can_be_finished(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ccodesk.services.erasure as erasure

    with store.transaction() as s:
        contact = Contact(name="Xqdisk Zvfull")
        s.add(contact)
        s.flush()
        cid = contact.id

    def full(*_a: object, **_k: object) -> None:
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(erasure, "scrub", full)
    with pytest.raises(KnownError, match=r"The person is erased, but .* disk .* is full"):
        erase_and_scrub(store, cid)
    monkeypatch.undo()
    assert erase_and_scrub(store, cid).scrub is not None  # finished: the rewrite alone
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(DeletionRecord)) == 1
