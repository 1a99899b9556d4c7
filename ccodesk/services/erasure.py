"""Erasing a person (UK GDPR article 17): their personal details gone from everywhere on this
device, and through sync from the centre, leaving aggregate counts and a deletion record.

`erasure_preview` says what would go, per category; `erase_person` does it in the caller's
transaction; `erase_and_scrub` (the desktop and `ccodesk-cli privacy erase`) does both, then
makes the old text unrecoverable from the store's file (store/scrub.py).

What goes:
- the contact becomes a tombstone (`deleted`), every personal column blanked; its consent
  history is deleted; sync sends the tombstone and the centre blanks its copy (sync/merge.py);
- named attendance: the links go and each engagement gets a new version, so the centre's copy
  loses them too (the aggregate attendance counts stay);
- free text that names them (name, e-mail or phone: services/erasure_text.py) in every synced
  record, each changed record a new version that sync sends; a quick-time consultee that *is*
  the person is blanked whole, with its contact-log notes (another contact of the same name is
  another person: their name stays, though their notes are searched like any text);
- drafts naming them are deleted, the dashboard's snapshot is cleared, calendar links' organiser
  fields naming them are blanked, conflicts kept for review about them are deleted;
- audit events whose summary names them: the summary blanked, `redacted_at` set and each
  redaction recorded as an event of its own (store/audit_chain.py), so `audit verify` still
  holds and tells how many were redacted;
- earlier entries of the subject access log: the requester shown as "[erased]".

What stays: a `DeletionRecord` (category "erasure", count 1, no personal data) and an entry
in the subject access log, kind "erasure", answered today, with the requester "[erased]" and
no search terms: the log shows that an erasure was asked for and done, not of whom (the
officer keeps the request itself, and any reference number can go in the note).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Enum, String, Table, Text, cast, delete, or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import Cancelled, KnownError, NotFound
from ccodesk.failures import stop_if_cancelled, store_problem
from ccodesk.models import (
    AuditEvent,
    Base,
    CalendarLink,
    ConsentEvent,
    Contact,
    DashboardSnapshot,
    DeletionRecord,
    Draft,
    Engagement,
    QuickTimeContact,
    SubjectAccessRequest,
    SyncConflict,
    engagement_attendee,
)
from ccodesk.services.erasure_text import ERASED, Person, names, replaced
from ccodesk.store import BACKUP_DIR, Store
from ccodesk.store.audit_chain import redaction_event
from ccodesk.store.scrub import ScrubTimes, scrub
from ccodesk.sync.records import ENTITIES, PERSONAL
from ccodesk.words import plural

CATEGORY = "erasure"
RULE = "Erasure at the person's request"

# What the confirmation lists, in this order: key -> words.
CATEGORIES: dict[str, str] = {
    "contact": "Contact details",
    "consent": "Consent history entries",
    "attendance": "Named attendance at engagements",
    "engagements": "Engagements naming them",
    "findings": "Findings and outcomes naming them",
    "actions": "Actions naming them",
    "feedback": "Feedback naming them",
    "organisations": "Organisations naming them",
    "contacts": "Other contacts' details naming them",
    "quicktime": "Quick-time consultees and contact-log notes",
    "other": "Other records naming them",
    "drafts": "Unsaved drafts",
    "calendar": "Calendar links",
    "conflicts": "Sync conflicts kept for review",
    "audit": "Audit trail summaries",
    "requests": "Earlier subject access log entries",
    "dashboard": "The dashboard's saved snapshot",
}
_TABLE_CATEGORY = {
    "engagement": "engagements",
    "attendance": "engagements",
    "finding": "findings",
    "outcome": "findings",
    "action_item": "actions",
    "feedback_given": "feedback",
    "organisation": "organisations",
    "sensitivity": "organisations",
    "contact": "contacts",
    "quick_time_consultation": "quicktime",
    "quick_time_consultee": "quicktime",
    "quick_time_contact": "quicktime",
}
_MODELS: dict[str, type[Any]] = {
    m.class_.__tablename__: m.class_ for m in Base.registry.mappers if hasattr(m.class_, "id")
}


@dataclass
class _Edit:
    """One row to change: its table, key, category and the new values of its columns."""

    table: str
    key: Any
    category: str
    values: dict[str, Any]


@dataclass
class _Plan:
    contact: Contact
    person: Person
    edits: list[_Edit] = field(default_factory=list)
    consent_events: int = 0
    attendance: list[Engagement] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    audit: list[int] = field(default_factory=list)
    snapshot: bool = False

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(CATEGORIES, 0)
        found["contact"] = 1
        found["consent"] = self.consent_events
        found["attendance"] = len(self.attendance)
        found["drafts"] = len(self.drafts)
        found["audit"] = len(self.audit)
        found["dashboard"] = int(self.snapshot)
        for edit in self.edits:
            found[edit.category] += 1
        found["conflicts"] += len(self.conflicts)
        return found


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure of one contact would remove: category words -> how many."""

    contact_id: str
    name: str
    counts: dict[str, int]

    def lines(self) -> list[tuple[str, int]]:
        """(words, count) of each category with something in it."""
        return [(CATEGORIES[k], n) for k, n in self.counts.items() if n]


@dataclass(frozen=True)
class ErasureResult:
    counts: dict[str, int]
    request_id: int
    redacted_events: int
    scrub: ScrubTimes | None = None
    seconds: float = 0.0
    # copies of the store kept before schema upgrades: they still hold the person until
    # deleted (ccodesk cannot change a copy; the officer decides when it is no longer needed)
    backups: tuple[str, ...] = ()

    def backups_note(self) -> str:
        """A sentence about the backup copies that still hold the person ("" when none)."""
        if not self.backups:
            return ""
        return (
            f"{plural(len(self.backups), 'backup copy', 'backup copies')} of the store, made "
            "before schema upgrades, still hold the person: delete them when no longer needed "
            f"({Path(self.backups[0]).parent})."
        )


def already_erased(session: Session, contact_id: str) -> bool:
    """Whether contact `contact_id` was erased (a tombstone with nothing personal left)."""
    contact = session.get(Contact, contact_id)
    return bool(
        contact is not None
        and contact.deleted
        and not Person(contact.name, contact.email, contact.phone).terms()
    )


def _erasable(session: Session, contact_id: str) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"There is no contact {contact_id!r}.")
    if contact.deleted and not Person(contact.name, contact.email, contact.phone).terms():
        raise KnownError("This contact has already been erased: nothing of them is left to erase.")
    return contact


def _text_columns(table: Table, skip: set[str]) -> list[Any]:
    return [
        c
        for c in table.columns
        if isinstance(c.type, String | Text | JSON)
        and not isinstance(c.type, Enum)
        and not c.foreign_keys
        and not c.primary_key
        and c.name not in skip
    ]


def _candidates(session: Session, table: Table, columns: list[Any], likes: list[str]) -> list[Any]:
    """Rows of `table` whose `columns` may name the person (LIKE narrows; Python decides)."""
    if not columns or not likes:
        return []
    key = [c for c in table.primary_key.columns]
    tests = [
        (cast(c, Text) if isinstance(c.type, JSON) else c).like(p, escape="\\")
        for c in columns
        for p in likes
    ]
    query = select(*key, *columns).where(or_(*tests))
    return list(session.execute(query))


def _plan(session: Session, contact: Contact) -> _Plan:
    person = Person(contact.name, contact.email, contact.phone)
    pattern, likes = person.pattern(), person.likes()
    plan = _Plan(contact, person)
    plan.consent_events = len(
        session.scalars(select(ConsentEvent.id).where(ConsentEvent.contact_id == contact.id)).all()
    )
    plan.attendance = list(
        session.scalars(
            select(Engagement)
            .join(engagement_attendee, engagement_attendee.c.engagement_id == Engagement.id)
            .where(engagement_attendee.c.contact_id == contact.id)
        )
    )
    meta = {"origin_device", "hlc", "version_vector"}
    blanked_consultees: set[str] = set()
    for name, table in ENTITIES.items():
        columns = _text_columns(table, meta)
        for row in _candidates(session, table, columns, likes):
            key, values = row[0], dict(zip([c.name for c in columns], row[1:], strict=True))
            if name == "contact" and key == contact.id:
                continue  # the person's own row: blanked whole below
            if name == "contact":  # a namesake is another person: their name is theirs
                values.pop("name")
            if name == "quick_time_consultee" and pattern.fullmatch(values["name"].strip()):
                blanked_consultees.add(key)
                new = {"name": ERASED, "reason": "", "advice": "", "impact": ""}
            else:
                new = {k: replaced(pattern, v) for k, v in values.items() if names(pattern, v)}
            if new:
                plan.edits.append(_Edit(name, key, _TABLE_CATEGORY.get(name, "other"), new))
    if blanked_consultees:  # their whole contact log: what was said to or by them
        done = {e.key for e in plan.edits if e.table == "quick_time_contact"}
        plan.edits = [e for e in plan.edits if e.table != "quick_time_contact"]
        for log_id in session.scalars(
            select(QuickTimeContact.id).where(QuickTimeContact.consultee_id.in_(blanked_consultees))
        ):
            done.discard(log_id)
            plan.edits.append(_Edit("quick_time_contact", log_id, "quicktime", {"note": ""}))
        for log_id in done:  # other consultees' notes naming them
            note = session.get(QuickTimeContact, log_id)
            assert note is not None
            plan.edits.append(
                _Edit(
                    "quick_time_contact",
                    log_id,
                    "quicktime",
                    {"note": replaced(pattern, note.note)},
                )
            )
    _plan_local(session, plan, pattern, likes)
    return plan


def _plan_local(session: Session, plan: _Plan, pattern: Any, likes: list[str]) -> None:
    """The tables that stay on this device: consent notes, drafts, calendar links, conflicts,
    the audit trail, the subject access log, the dashboard's snapshot."""
    local: list[tuple[type[Any], str]] = [
        (ConsentEvent, "other"),
        (CalendarLink, "calendar"),
        (SubjectAccessRequest, "requests"),
    ]
    for model, category in local:
        table: Any = model.__table__
        for row in _candidates(session, table, _text_columns(table, set()), likes):
            obj = session.get(model, tuple(row[: len(table.primary_key.columns)]))
            if obj is None or (model is ConsentEvent and obj.contact_id == plan.contact.id):
                continue
            new = _local_values(model, obj, pattern)
            if new:
                plan.edits.append(_Edit(table.name, obj, category, new))
    for draft in session.scalars(select(Draft)):
        if names(pattern, draft.title) or names(pattern, draft.content):
            plan.drafts.append(draft.key)
    for conflict in session.scalars(select(SyncConflict)):
        about = conflict.entity == "contact" and conflict.record_id == plan.contact.id
        if about or names(pattern, conflict.local) or names(pattern, conflict.incoming):
            plan.conflicts.append(conflict.id)
    audit: Any = AuditEvent.__table__
    for row in _candidates(session, audit, [audit.c.summary], likes):
        if names(pattern, row[1]):
            plan.audit.append(int(row[0]))
    plan.snapshot = session.get(DashboardSnapshot, 1) is not None


def _local_values(model: type[Any], obj: Any, pattern: Any) -> dict[str, Any]:
    if model is CalendarLink:
        new: dict[str, Any] = {
            k: "" for k in ("organiser_name", "organiser_uri") if names(pattern, getattr(obj, k))
        }
        if names(pattern, obj.imported):
            new["imported"] = replaced(pattern, obj.imported)
        return new
    if model is SubjectAccessRequest:
        new = {}
        if names(pattern, obj.requester):
            new["requester"] = ERASED
        if names(pattern, obj.terms):
            new["terms"] = [t for t in obj.terms if not names(pattern, t)]
        for column in ("note", "extra"):
            if names(pattern, getattr(obj, column)):
                new[column] = replaced(pattern, getattr(obj, column))
        return new
    return {"note": replaced(pattern, obj.note)} if names(pattern, obj.note) else {}


def erasure_preview(session: Session, contact_id: str) -> ErasurePreview:
    """What erasing contact `contact_id` would remove, per category (nothing is changed)."""
    contact = _erasable(session, contact_id)
    return ErasurePreview(contact.id, contact.name, _plan(session, contact).counts())


def erase_person(
    session: Session,
    contact_id: str,
    officer: str,
    request_note: str = "",
    *,
    today: dt.date | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ErasureResult:
    """Erase contact `contact_id` everywhere on this device, in the caller's transaction.

    Leaves a deletion record and a subject access log entry (kind "erasure"); see the
    module's note. `audit verify` holds afterwards. A cancel before the end raises
    `Cancelled` (the caller's transaction rolls back: nothing is erased)."""
    day = today or dt.date.today()
    now = dt.datetime.now()
    contact = _erasable(session, contact_id)
    plan = _plan(session, contact)
    counts = plan.counts()
    pattern = plan.person.pattern()
    stop_if_cancelled(cancelled, "Erasure cancelled; nothing was erased.")
    for engagement in plan.attendance:
        engagement.attendees.remove(contact)  # a new version: the centre loses the link too
    session.execute(delete(ConsentEvent).where(ConsentEvent.contact_id == contact.id))
    for edit in plan.edits:
        obj = (
            edit.key
            if not isinstance(edit.key, str)
            else session.get(_MODELS[edit.table], edit.key)
        )
        assert obj is not None
        for column, value in edit.values.items():
            setattr(obj, column, value)
    for column in (*PERSONAL["contact"], "preferred_channel"):
        setattr(contact, column, "")
    contact.consent_given = contact.shareable = False
    contact.organisation_id = None
    contact.deleted = True
    if plan.drafts:
        session.execute(delete(Draft).where(Draft.key.in_(plan.drafts)))
    if plan.conflicts:
        session.execute(delete(SyncConflict).where(SyncConflict.id.in_(plan.conflicts)))
    session.execute(delete(DashboardSnapshot))
    device = session.info.get("device_id", "")
    for event_id in plan.audit:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        event.summary, event.redacted_at = "", now
        session.add(redaction_event(event, now, device, officer))
    stop_if_cancelled(cancelled, "Erasure cancelled; nothing was erased.")
    session.add(DeletionRecord(category=CATEGORY, rule=RULE, count=1, done_at=now, officer=officer))
    request = SubjectAccessRequest(
        kind="erasure",
        received_on=day,
        due_on=_month_after(day),
        requester=ERASED,
        terms=[],
        answered_on=day,
        items_found=sum(counts.values()),
        officer=officer,
        note=replaced(pattern, request_note),
        extra={"counts": {k: n for k, n in counts.items() if n}},
    )
    session.add(request)
    session.flush()
    return ErasureResult(counts, request.id, len(plan.audit))


def _month_after(day: dt.date) -> dt.date:
    """The same day a calendar month later (the last day of a shorter month)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


Progress = Callable[[int, int, str], None]


def erase_and_scrub(
    store: Store,
    contact_id: str,
    request_note: str = "",
    *,
    progress: Progress = lambda _d, _t, _w: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ErasureResult:
    """Erase the contact (one transaction; Cancel before it commits erases nothing), then
    tidy the search indexes and VACUUM so the old text is not left in the file.

    For a contact already erased, only the rewrite is done (it failed the first time: a full
    disk, say); the KnownError of a failed rewrite says so."""
    import time

    start = time.perf_counter()
    progress(0, 0, "Finding everything that names the person…")
    with store.transaction() as session:
        if already_erased(session, contact_id):
            result = ErasureResult(dict.fromkeys(CATEGORIES, 0), 0, 0)
        else:
            result = erase_person(
                session, contact_id, store.officer_name, request_note, cancelled=cancelled
            )
        if cancelled():
            raise Cancelled("Erasure cancelled; nothing was erased.")
    try:
        times = scrub(store.engine, progress)
    except Exception as exc:
        known = store_problem(exc, store.path, None)
        if known is None:
            raise
        raise KnownError(
            "The person is erased, but the store could not be rewritten without the old text: "
            f"{known} Until it is, that text stays in unused parts of the encrypted file; "
            "erase the same contact again to finish."
        ) from exc
    backups = store.data_dir / BACKUP_DIR
    return ErasureResult(
        result.counts,
        result.request_id,
        result.redacted_events,
        times,
        time.perf_counter() - start,
        tuple(sorted(str(f) for f in backups.glob("*.db"))) if backups.is_dir() else (),
    )


@dataclass(frozen=True)
class PersonMatch:
    """A contact a name given on the command line may mean."""

    id: str
    name: str
    email: str
    organisation: str
    deleted: bool


def people_named(session: Session, name: str) -> list[PersonMatch]:
    """Contacts (live or deleted but not yet erased) whose name is `name`, any case and
    spacing; when none is, those whose name holds each of its words."""
    from ccodesk.models import Organisation

    typed = " ".join(name.split())
    if not typed:
        return []
    query = (
        select(Contact, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Contact.organisation_id)
        .where(Contact.name != "")
        .order_by(Contact.name, Contact.id)
    )
    for word in typed.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Contact.name.like(f"%{escaped}%", escape="\\"))
    found = [
        PersonMatch(c.id, c.name, c.email, org or "", c.deleted)
        for c, org in session.execute(query)
    ]
    exact = [m for m in found if " ".join(m.name.split()).casefold() == typed.casefold()]
    return exact or found
