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
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ccodesk.errors import Cancelled, KnownError, NotFound
from ccodesk.failures import stop_if_cancelled, store_problem
from ccodesk.models import (
    AuditEvent,
    ConsentEvent,
    Contact,
    DashboardSnapshot,
    DeletionRecord,
    Draft,
    SubjectAccessRequest,
    SyncConflict,
)
from ccodesk.services.erasure_plan import CATEGORIES, MODELS, plan_erasure
from ccodesk.services.erasure_text import ERASED, Person, replaced
from ccodesk.store import BACKUP_DIR, Store
from ccodesk.store.audit_chain import redaction_event
from ccodesk.store.scrub import ScrubTimes, scrub
from ccodesk.sync.records import PERSONAL
from ccodesk.words import plural

CATEGORY = "erasure"
RULE = "Erasure at the person's request"


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


def erasure_preview(session: Session, contact_id: str) -> ErasurePreview:
    """What erasing contact `contact_id` would remove, per category (nothing is changed)."""
    contact = _erasable(session, contact_id)
    return ErasurePreview(contact.id, contact.name, plan_erasure(session, contact).counts())


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
    plan = plan_erasure(session, contact)
    counts = plan.counts()
    pattern = plan.person.pattern()
    stop_if_cancelled(cancelled, "Erasure cancelled; nothing was erased.")
    for engagement in plan.attendance:
        engagement.attendees.remove(contact)  # a new version: the centre loses the link too
    session.execute(delete(ConsentEvent).where(ConsentEvent.contact_id == contact.id))
    for edit in plan.edits:
        obj = (
            edit.key if not isinstance(edit.key, str) else session.get(MODELS[edit.table], edit.key)
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
