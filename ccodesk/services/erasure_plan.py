"""What an erasure would change (services/erasure.py): every row that names the person, found
with LIKE and checked with services/erasure_text.py, grouped in the categories the
confirmation lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Enum, String, Table, Text, cast, or_, select
from sqlalchemy.orm import Session

from ccodesk.models import (
    AuditEvent,
    Base,
    CalendarLink,
    ConsentEvent,
    Contact,
    DashboardSnapshot,
    Draft,
    Engagement,
    QuickTimeContact,
    SubjectAccessRequest,
    SyncConflict,
    engagement_attendee,
)
from ccodesk.services.erasure_text import ERASED, Person, names, replaced
from ccodesk.sync.records import ENTITIES

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
MODELS: dict[str, type[Any]] = {
    m.class_.__tablename__: m.class_ for m in Base.registry.mappers if hasattr(m.class_, "id")
}


@dataclass
class Edit:
    """One row to change: its table, key, category and the new values of its columns."""

    table: str
    key: Any
    category: str
    values: dict[str, Any]


@dataclass
class Plan:
    contact: Contact
    person: Person
    edits: list[Edit] = field(default_factory=list)
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


def plan_erasure(session: Session, contact: Contact) -> Plan:
    person = Person(contact.name, contact.email, contact.phone)
    pattern, likes = person.pattern(), person.likes()
    plan = Plan(contact, person)
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
                plan.edits.append(Edit(name, key, _TABLE_CATEGORY.get(name, "other"), new))
    if blanked_consultees:  # their whole contact log: what was said to or by them
        done = {e.key for e in plan.edits if e.table == "quick_time_contact"}
        plan.edits = [e for e in plan.edits if e.table != "quick_time_contact"]
        for log_id in session.scalars(
            select(QuickTimeContact.id).where(QuickTimeContact.consultee_id.in_(blanked_consultees))
        ):
            done.discard(log_id)
            plan.edits.append(Edit("quick_time_contact", log_id, "quicktime", {"note": ""}))
        for log_id in done:  # other consultees' notes naming them
            note = session.get(QuickTimeContact, log_id)
            assert note is not None
            plan.edits.append(
                Edit(
                    "quick_time_contact",
                    log_id,
                    "quicktime",
                    {"note": replaced(pattern, note.note)},
                )
            )
    _plan_local(session, plan, pattern, likes)
    return plan


def _plan_local(session: Session, plan: Plan, pattern: Any, likes: list[str]) -> None:
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
                plan.edits.append(Edit(table.name, obj, category, new))
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
