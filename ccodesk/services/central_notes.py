"""The central unit's own notes on a borough's engagement, finding or action (issue 16), and
the record they are on, read-only, for the Follow-up page.

A note (`CentralNote`) is the centre's: it never enters the borough's record nor any bundle.
An edit names the version the officer saw; a change made meanwhile in another session refuses
it in plain words — one `UPDATE … WHERE version = seen`, so on PostgreSQL the second of two
officers saving at once waits for the first, then finds the version moved on: no lost update.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import ActionItem, CentralNote, Engagement, Finding, new_id
from ccodesk.services.central_followup import KINDS, UNTRUSTED, as_date, borough_names, short
from ccodesk.sync.ownership import device_owners

MAX_NOTE = 4000  # characters
MAX_OFFICER = 120


@dataclass(frozen=True)
class Note:
    """A central officer's note on a borough's record, with the version it was read at."""

    id: str
    text: str
    officer: str
    written_at: dt.datetime
    changed_at: dt.datetime | None
    changed_by: str
    version: int

    def byline(self) -> str:
        said = f"{self.officer}, {self.written_at:%d %b %Y %H:%M}"
        if self.changed_at is not None:
            said += f"; changed by {self.changed_by} on {self.changed_at:%d %b %Y %H:%M}"
        return said


@dataclass(frozen=True)
class RecordView:
    """A borough's record as the centre sees it (read-only), with the centre's notes."""

    kind: str
    id: str
    borough: str
    title: str
    fields: list[tuple[str, str]]
    notes: list[Note]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _day(value: object) -> str:
    day = as_date(value)
    return f"{day.day} {day:%b %Y}" if day else ""


def _engagement_fields(e: Engagement) -> list[tuple[str, str]]:
    return [
        ("Engagement", e.title),
        ("Kind", e.kind.label),
        ("Date", _day(e.starts_at)),
        ("Status", e.status.label),
        ("Venue", e.venue_name),
        ("Theme", e.theme),
        ("Notes", e.notes),
    ]


def _fields(session: Session, kind: str, record_id: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The record's origin device, title and fields (label, text)."""
    if kind == "engagement":
        e = session.get(Engagement, record_id)
        if e is None or e.deleted:
            raise NotFound("That engagement is no longer in the central store.")
        return e.origin_device, e.title, _engagement_fields(e)
    if kind == "finding":
        f = session.get(Finding, record_id)
        if f is None or f.deleted:
            raise NotFound("That finding is no longer in the central store.")
        outcomes = [o for o in f.outcomes if not o.deleted]
        used = "; ".join(
            f"{o.result.label}: {o.decision or o.explanation}".rstrip(": ") for o in outcomes
        )
        fields = [("Finding", f.text), ("Theme", f.theme), ("Outcome", used or "None yet")]
        return f.origin_device, short(f.text), fields + _engagement_fields(f.engagement)[:3]
    if kind == "action_item":
        a = session.get(ActionItem, record_id)
        if a is None or a.deleted:
            raise NotFound("That action is no longer in the central store.")
        fields = [
            ("Action", a.description),
            ("Owner", a.owner),
            ("Due", _day(a.due_on)),
            ("Status", a.status.label),
            ("Status note", a.status_note or ""),
        ]
        if a.engagement is not None:
            fields += _engagement_fields(a.engagement)[:3]
        return a.origin_device, short(a.description), fields
    raise NotFound(f"There is no kind of record called {kind!r}.")


def notes_on(session: Session, kind: str, record_id: str) -> list[Note]:
    """The centre's notes on a record, oldest first."""
    rows = session.scalars(
        select(CentralNote)
        .where(CentralNote.record_kind == kind, CentralNote.record_id == record_id)
        .order_by(CentralNote.written_at, CentralNote.id)
    )
    return [_note(n) for n in rows]


def _note(n: CentralNote) -> Note:
    return Note(n.id, n.text, n.officer, n.written_at, n.changed_at, n.changed_by, n.version)


def record_view(session: Session, kind: str, record_id: str) -> RecordView:
    """The record, read-only, with its borough and the centre's notes on it."""
    device, title, fields = _fields(session, kind, record_id)
    code = device_owners(session).get(device, "")
    borough = borough_names().get(code, code or UNTRUSTED)
    shown = [(label, value) for label, value in fields if value]
    return RecordView(kind, record_id, borough, title, shown, notes_on(session, kind, record_id))


def _checked(note_text: str, officer: str) -> tuple[str, str]:
    problems = []
    note_text, officer = note_text.strip(), " ".join(officer.split())
    if not note_text:
        problems.append("the note is empty")
    elif len(note_text) > MAX_NOTE:
        problems.append(f"the note is longer than {MAX_NOTE:,} characters")
    if not officer:
        problems.append("say who wrote the note (your name)")
    elif len(officer) > MAX_OFFICER:
        problems.append(f"the officer's name is longer than {MAX_OFFICER} characters")
    if problems:
        raise ValidationError(problems)
    return note_text, officer


def add_note(
    session: Session,
    kind: str,
    record_id: str,
    note_text: str,
    officer: str,
    *,
    now: dt.datetime | None = None,
) -> Note:
    """A new central note on a borough's record (kept centrally, never sent)."""
    note_text, officer = _checked(note_text, officer)
    device = _fields(session, kind, record_id)[0]
    note = CentralNote(
        id=new_id(),
        record_kind=kind,
        record_id=record_id,
        borough_code=device_owners(session).get(device) or None,
        text=note_text,
        officer=officer,
        written_at=now or dt.datetime.now().replace(microsecond=0),
        changed_at=None,
        changed_by="",
        version=1,
    )
    session.add(note)
    session.flush()
    return _note(note)


def edit_note(
    session: Session,
    note_id: str,
    note_text: str,
    officer: str,
    *,
    seen: int,
    now: dt.datetime | None = None,
) -> Note:
    """Change a note's text. `seen`: the version the officer opened; if another session
    changed the note since, nothing is written and a ValidationError says so."""
    note_text, officer = _checked(note_text, officer)
    changed = session.execute(
        update(CentralNote)
        .where(CentralNote.id == note_id, CentralNote.version == seen)
        .values(
            text=note_text,
            changed_at=now or dt.datetime.now().replace(microsecond=0),
            changed_by=officer,
            version=CentralNote.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    current = session.get(CentralNote, note_id, populate_existing=True)
    if current is None:
        raise NotFound("That note is no longer in the central store; nothing was changed.")
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        who = current.changed_by or current.officer
        raise ValidationError(
            f"This note was changed by {who} in another session since you opened it; your "
            "change was not saved: close this, then open the note again to see what it says now"
        )
    return _note(current)
