"""Subject access (issue 15): find a person, answer with a PDF and a JSON, log the request.

The property test builds random stores of several people (contacts with consent history,
named attendance at shared consultations, quick-time consultees and contact logs, findings,
actions, feedback, notes, organisation details and drafts naming them) and checks that one
person's answer holds every record linked to them and nothing of anyone else's name, e-mail
or phone, in the JSON and in the PDF's text.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ActionItem,
    Attendance,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    ConsulteeRole,
    Contact,
    ContactChannel,
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
)
from ccodesk.services.person_match import SearchTerms, phone_digits
from ccodesk.services.subject_access import find_person
from ccodesk.services.subject_access_answer import AnswerNotWritten, answer_request
from ccodesk.services.subject_access_log import due_date, list_requests, log_request, requests_due
from ccodesk.store import Store

DAY = dt.datetime(2026, 9, 14, 18, 30)
FIRST = ["Amara", "Bogdan", "Chioma", "Dariusz", "Efua", "Farhan", "Zoë", "Hamza"]
LAST = ["Okafor", "Nowak", "Haddad", "Kowalczyk", "Mensah", "Rahman", "Lefèvre", "Petrović"]


@dataclass
class Person:
    name: str
    email: str
    phone: str
    contact: Contact | None = None
    linked: set[tuple[str, str]] = field(default_factory=set)  # (table, record) held about them


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _mention(person: Person, how: int) -> str:
    """A way free text names `person`: the name as written, in lower case, e-mail or phone."""
    return [person.name, person.name.lower(), person.email, person.phone.replace(" ", "")][how % 4]


def people_strategy() -> st.SearchStrategy[list[tuple[int, int, list[int]]]]:
    """Two to four people: (first-name index, surname index, what is held about them)."""
    person = st.tuples(
        st.integers(0, len(FIRST) - 1),
        st.integers(0, len(LAST) - 1),
        st.lists(st.integers(0, 11), min_size=0, max_size=12),
    )
    return st.lists(person, min_size=2, max_size=4, unique_by=lambda p: (p[0], p[1]))


def populate(session: Session, spec: list[tuple[int, int, list[int]]]) -> list[Person]:
    """A store's worth of people and of what names them (see the module's docstring)."""
    org = Organisation(
        name="Kentish Town Residents' Association", org_type=OrganisationType.RESIDENTS_ASSOCIATION
    )
    session.add(org)
    shared = [
        Engagement(kind=EngagementKind.PCCG_MEETING, title=f"Camden PCCG meeting {i}",
                   starts_at=DAY + dt.timedelta(days=7 * i), venue_name="Camden Town Hall")
        for i in range(3)
    ]  # fmt: skip
    session.add_all(shared)
    qt = QuickTimeConsultation(
        title="Dispersal order, Queen's Crescent", event_at=DAY, deadline=DAY, location="NW5"
    )
    session.add(qt)
    people: list[Person] = []
    for n, (first, last, held) in enumerate(spec):
        name = f"{FIRST[first]} {LAST[last]}"
        local = f"{FIRST[first]}.{LAST[last]}".lower().encode("ascii", "ignore").decode()
        person = Person(name, f"{local}{n}@example.org", f"07700 9{n:02d}{first}{last}{n}1")
        person.contact = Contact(
            name=name, email=person.email, phone=person.phone, organisation=org,
            consent_given=True, consent_date=DAY.date(), consent_scope="Consultation",
        )  # fmt: skip
        session.add(person.contact)
        session.flush()
        cid = person.contact.id
        person.linked.add(("contact", cid))
        event = ConsentEvent(
            contact_id=cid, kind=ConsentEventKind.GIVEN, on=DAY.date(), scope="Consultation",
            method=ConsentMethod.WRITTEN, recorded_at=DAY, officer="Ada Officer",
        )  # fmt: skip
        session.add(event)
        session.flush()
        person.linked.add(("consent_event", str(event.id)))
        for i, how in enumerate(held):
            mention = _mention(person, how)
            kind = how % 12
            if kind in (0, 1, 2):  # named attendance at a shared consultation
                e = shared[kind]
                if person.contact not in e.attendees:
                    e.attendees.append(person.contact)
                    person.linked.add(("engagement_attendee", f"{e.id}/{cid}"))
                continue
            if kind == 3:
                row: object = Finding(engagement=shared[0], text=f"{mention} said the lights fail")
            elif kind == 4:
                row = ActionItem(description=f"Call {mention} back about the bins", owner="CCO")
            elif kind == 5:
                row = FeedbackGiven(
                    engagement=shared[1], given_on=DAY.date(), channel=FeedbackChannel.EMAIL,
                    text=f"Wrote to {mention}: the patrols changed.",
                )  # fmt: skip
            elif kind == 6:
                row = Engagement(
                    kind=EngagementKind.OUTREACH, title="Outreach at the market",
                    starts_at=DAY, notes=f"Met {mention} by the stalls.",
                )  # fmt: skip
            elif kind == 7:
                row = QuickTimeConsultee(
                    consultation=qt, name=person.name, role=ConsulteeRole.ADVISER,
                    picked_at=DAY, advice="Talk to the youth club first.",
                )  # fmt: skip
            elif kind == 8:
                consultee = QuickTimeConsultee(
                    consultation=qt, name="Camden Council", role=ConsulteeRole.AGENCY,
                    picked_at=DAY,
                )  # fmt: skip
                if people:  # another person's consultee row, whose log names this person
                    consultee.name = people[0].name  # (the row is theirs, the entry this one's)
                    consultee.role = ConsulteeRole.COMMUNITY
                    session.add(consultee)
                    session.flush()
                    people[0].linked.add(("quick_time_consultee", consultee.id))
                session.add(consultee)
                row = QuickTimeContact(
                    consultee=consultee, at=DAY, channel=ContactChannel.PHONE,
                    note=f"Council put us in touch with {mention}.",
                )  # fmt: skip
            elif kind == 9:
                row = Draft(
                    key=f"engagement:{cid}:{i}", saved_at=DAY, title="Unsaved engagement",
                    content={"notes": f"Ask {mention} about the hall", "title": "Hall"},
                )  # fmt: skip
            elif kind == 10:
                e = Engagement(kind=EngagementKind.FOCUS_GROUP, title="Focus group", starts_at=DAY)
                session.add(e)
                row = Attendance(engagement=e, total=9, notes=f"{mention} brought two friends")
            else:
                row = Organisation(
                    name=f"Friends of the Heath {n}", org_type=OrganisationType.COMMUNITY_GROUP,
                    notes=f"Secretary: {mention}",
                )  # fmt: skip
            session.add(row)
            session.flush()
            table = row.__tablename__  # type: ignore[attr-defined]
            record = getattr(row, "key", None) or row.id  # type: ignore[attr-defined]
            person.linked.add((table, str(record)))
        people.append(person)
    session.flush()
    return people


def _items(body: dict[str, object]) -> set[tuple[str, str]]:
    return {(i["table"], i["record"]) for i in body["items"]}  # type: ignore[attr-defined,index]


def _no_one_else(text: str, subject: Person, people: list[Person]) -> None:
    for other in people:
        if other is subject:
            continue
        for value in (other.name, other.email, other.phone, phone_digits(other.phone)):
            assert value.casefold() not in text.casefold(), (value, subject.name)


@settings(
    max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    spec=people_strategy(), who=st.integers(0, 3), by=st.sampled_from(["name", "email", "phone"])
)
def test_an_answer_holds_every_record_of_the_person_and_nobody_elses_details(
    store: Store, spec: list[tuple[int, int, list[int]]], who: int, by: str
) -> None:
    with store.session() as session:
        session.begin()
        try:
            people = populate(session, spec)
            subject = people[who % len(people)]
            terms = SearchTerms(
                name=subject.name if by == "name" else "",
                email=subject.email.upper() if by == "email" else "",
                phone=f"+44 {subject.phone[1:]}" if by == "phone" else "",
            )
            folder = Path(tempfile.mkdtemp())
            answer = answer_request(
                session, terms, folder, received_on=DAY.date(), held_by="Camden", officer="Ada"
            )
            body = json.loads(answer.json.read_text())
            got = _items(body)
            # every record linked to them, the audit trail of their contact record, this request
            assert subject.linked <= got, subject.linked - got
            extra = {t for t, _ in got - subject.linked}
            assert extra <= {"audit_event", "subject_access_request"}, got - subject.linked
            assert ("subject_access_request", str(answer.request.id)) in got
            assert body["format"] == "ccodesk-subject-access" and body["format_version"] == 1
            _no_one_else(answer.json.read_text(), subject, people)
            _no_one_else(pdf_text(answer.pdf), subject, people)
            assert subject.name.split()[-1] in pdf_text(answer.pdf)
        finally:
            session.rollback()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        (dt.date(2026, 2, 28), dt.date(2026, 3, 28)),
        (dt.date(2026, 8, 31), dt.date(2026, 9, 30)),
    ],
)
def test_an_answer_is_due_a_calendar_month_later(received: dt.date, due: dt.date) -> None:
    assert due_date(received) == due


def test_the_log_keeps_requests_open_until_answered(store: Store, tmp_path: Path) -> None:
    today = dt.date.today()
    with store.transaction() as s:
        s.add(Contact(name="Amara Okafor", email="amara@example.org", phone="07700 900111"))
    with store.transaction() as s:
        old = log_request(s, SearchTerms("Amara Okafor"), today - dt.timedelta(days=40))
        new = log_request(s, SearchTerms("Farhan Rahman"), today)
    with store.session() as s:
        due = requests_due(s, today)
    assert [r.id for r in due] == [old.id, new.id]
    assert due[0].state(today).startswith("OVERDUE")
    with store.transaction() as s:  # answering finds the person's open request
        answer = answer_request(s, SearchTerms("amara  OKAFOR"), tmp_path, held_by="Camden")
    assert answer.request.id == old.id and answer.request.answered_on == today
    assert answer.request.items_found == len(answer.report.items) >= 2
    assert answer.pdf.name == "amara-okafor-sar.pdf" and answer.json.exists()
    with store.session() as s:
        assert [r.id for r in requests_due(s, today)] == [new.id]
        assert {r.id: r.answered_on for r in list_requests(s)} == {old.id: today, new.id: None}


def test_an_answer_never_overwrites_unless_asked(store: Store, tmp_path: Path) -> None:
    with store.transaction() as s:
        answer_request(s, SearchTerms("Efua Mensah"), tmp_path, held_by="Camden")
    before = (tmp_path / "efua-mensah-sar.json").read_bytes()
    with pytest.raises(AnswerNotWritten, match="already"), store.transaction() as s:
        answer_request(s, SearchTerms("Efua Mensah"), tmp_path, held_by="Camden")
    assert (tmp_path / "efua-mensah-sar.json").read_bytes() == before
    with store.session() as s:  # the second request was not logged: nothing half-done
        assert len(list_requests(s)) == 1
    with store.transaction() as s:
        answer_request(s, SearchTerms("Efua Mensah"), tmp_path, held_by="Camden", overwrite=True)
    with store.session() as s:
        assert len(list_requests(s)) == 2


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (SearchTerms(), "give a name"),
        (SearchTerms(email="not-an-address"), "not an e-mail"),
        (SearchTerms(phone="12"), "not a phone number"),
        (SearchTerms(name="!!"), "no letters"),
    ],
)
def test_a_search_with_nothing_to_look_for_is_refused(
    store: Store, terms: SearchTerms, message: str
) -> None:
    with store.session() as s, pytest.raises(ValidationError, match=message):
        find_person(s, terms.name, terms.email, terms.phone)


# -- the command lines ------------------------------------------------------------------------

BIN = Path(sys.executable).parent


def run(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / program), *args],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_the_command_line_logs_answers_and_lists_requests(data_dir: Path, tmp_path: Path) -> None:
    from ccodesk.store import create_store

    with (
        create_store(data_dir, borough_code="camden", officer_name="Ada Officer") as store,
        store.transaction() as s,
    ):
        people = populate(s, [(0, 0, [0, 3, 4, 7]), (1, 1, [0, 3, 5])])
    amara, bogdan = people
    cli = ("ccodesk-cli", "--data-dir", str(data_dir), "privacy")
    logged = run(*cli, "sar", amara.name, "--received", "2024-01-31")
    assert logged.returncode == 0, logged.stderr
    assert "received 31 Jan 2024, due 29 Feb 2024 (OVERDUE by" in logged.stdout
    assert "Named attendance" in logged.stdout and "Not answered yet" in logged.stdout
    listed = run(*cli, "requests", "--open")
    assert "due 29 Feb 2024" in listed.stdout and amara.name in listed.stdout
    out = tmp_path / "answers"
    out.mkdir()
    done = run(*cli, "sar", amara.name.upper(), "--phone", amara.phone, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Subject access request 1 " in done.stdout  # the open request, answered
    assert "Wrote amara-okafor-sar.pdf and amara-okafor-sar.json" in done.stdout
    body = json.loads((out / "amara-okafor-sar.json").read_text())
    assert amara.linked <= _items(body)
    _no_one_else(pdf_text(out / "amara-okafor-sar.pdf"), amara, people)
    again = run(*cli, "sar", amara.name, "-o", str(out))
    assert again.returncode == 1 and "already" in again.stderr and "Traceback" not in again.stderr
    listed = run(*cli, "requests")
    assert f"answered {dt.date.today():%d %b %Y}" in listed.stdout
    assert bogdan.name not in listed.stdout
    refused = run(*cli, "sar", "!!")
    assert refused.returncode == 1 and "no letters" in refused.stderr


def centre_answers(home: Path, url: str | None, tmp_path: Path) -> None:
    """A borough shares one consenting contact and keeps another; the centre's answer for the
    shared one holds their contact and attendance and nothing of the other person."""
    from ccodesk.sync.central import init_central
    from ccodesk.sync.central_merge import merge_bundle
    from tests.test_sync import export, make_borough

    central = init_central(home, url, "MPA Central Unit")
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    today = dt.date.today()
    with camden.transaction() as s:
        consent = {"consent_given": True, "consent_date": today - dt.timedelta(days=9)}
        shared = Contact(name="Amara Okafor", email="amara@example.org", phone="07700 900111",
                         shareable=True, **consent)  # fmt: skip
        private = Contact(name="Bogdan Nowak", email="bogdan@example.org", phone="07700 900222",
                          **consent)  # fmt: skip
        meeting = Engagement(kind=EngagementKind.PCCG_MEETING, title="Camden PCCG meeting",
                             starts_at=DAY, venue_name="Camden Town Hall",
                             attendees=[shared, private])  # fmt: skip
        s.add_all([shared, private, meeting])
        s.add(Finding(engagement=meeting, text="Bogdan Nowak asked about the lighting"))
        s.add(Finding(engagement=meeting, text="Amara Okafor asked for more patrols"))
    result = merge_bundle(central, export(camden, tmp_path / "camden.ccbundle"))
    assert result.ok, result.message
    camden.close()
    central.close()
    out = tmp_path / "centre-answers"
    out.mkdir()
    db = ["--db", url] if url else []
    centre = ("ccodesk-central", "--home", str(home), *db, "privacy")
    done = run(*centre, "sar", "Amara Okafor", "--email", "AMARA@example.org", "-o", str(out))
    assert done.returncode == 0, done.stderr
    body = json.loads((out / "amara-okafor-sar.json").read_text())
    tables = sorted(i["table"] for i in body["items"])
    assert {"contact", "engagement_attendee", "finding", "subject_access_request"} <= set(tables)
    assert body["held_by"] == "the central consultation unit (MPA Central Unit)"
    for text_ in (json.dumps(body), pdf_text(out / "amara-okafor-sar.pdf")):
        for other in ("Bogdan", "bogdan@example.org", "900222"):
            assert other not in text_
    # the unshared contact never reached the centre: only the text naming him did
    kept = run(*centre, "sar", "Bogdan Nowak", "-o", str(out))
    body = json.loads((out / "bogdan-nowak-sar.json").read_text())
    assert kept.returncode == 0 and {i["table"] for i in body["items"]} == {
        "finding",
        "subject_access_request",
    }
    listed = run(*centre, "requests")
    assert "Amara Okafor" in listed.stdout and "Bogdan Nowak" in listed.stdout


def test_the_centre_answers_for_the_contacts_it_holds_on_sqlite(tmp_path: Path) -> None:
    centre_answers(tmp_path / "centre", None, tmp_path)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def test_the_centre_answers_for_the_contacts_it_holds_on_postgres(
    pg_url: str, tmp_path: Path
) -> None:
    from tests.support.postgres import new_database

    centre_answers(tmp_path / "centre", new_database(pg_url, "subject_access"), tmp_path)
