"""Subject access: find a person and everything held about them (issue 15).

`find_person` finds the person's contact records (by name, e-mail or phone: case and spacing
do not matter, a phone number is compared by its digits), then everything linked to them:
their consent history, the consultations they are named as attending, quick-time consultee
rows and contact-log entries naming them, findings, actions, feedback and engagement notes
whose text names them, organisation records naming them, drafts naming them, audit events
about their contact record or naming them, and the subject access requests they made.

What is given, and what is not (the choice the issue asks to document):
- A record *about* the person (their contact record, consent history, requests) is given whole.
- A record that only *names* the person is given as far as it is about them: for a consultation
  they attended, its title, date and venue, never the other attendees; for an organisation whose
  details name them, its name and the fields that name them, not its other contacts.
- Free text that names them (a finding, an action, feedback, a note, a quick-time contact log
  entry) is given as written, because the text is about them. Such text may name someone else
  too: the officer reads the answer before sending it, and blacks out a third person's details
  (UK GDPR article 15(4); DPA 2018 schedule 2 paragraph 16). The covering summary says so.

A match in free text is a whole-word match of the name (case and accents aside), the e-mail
address, or the phone number's digits with any spacing (`services.person_match`, which also
finds the candidate rows). Candidates are found with the FTS5
index of any table that has one (`store/search_index.py`: engagements, findings,
organisations, contacts, on a borough's SQLite store), else by scanning the table for the
rarest word of each term (`instr` on SQLite, ILIKE on PostgreSQL at the centre), then checked
in Python, so a candidate that over-matches never reaches the answer. A scan finds a name
written in lower, title or upper case (not "mIxEd"); the FTS5 index finds any case.

Speed: the scans of actions, feedback, attendance notes and the audit trail dominate a search
of a large store (benchmarks/sar_bench.py). FTS5 indexes over those columns (a migration;
`sar_bench.py --proposed-indexes` measures them) would be used here as they are, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import (
    ActionItem,
    Attendance,
    AuditEvent,
    ConsentEvent,
    Contact,
    Draft,
    Engagement,
    FeedbackGiven,
    Finding,
    Organisation,
    QuickTimeConsultation,
    QuickTimeConsultee,
    QuickTimeContact,
    SubjectAccessRequest,
    engagement_attendee,
)
from ccodesk.printing.subject_access_data import CategoryHeld, HeldItem, day_text
from ccodesk.services.person_match import (
    Matcher,
    SearchTerms,
    fold,
    phone_digits,
    rows_named,
    texts_naming,
)

# key -> (label, why items of this kind are held), in the order the answer lists them.
CATEGORIES: dict[str, tuple[str, str]] = {
    "contact": (
        "Contact details",
        "Your contact details, kept so the consultation officer can invite you to consultations "
        "and tell you what came of them, under the consent you gave.",
    ),
    "consent": (
        "Consent history",
        "How and when your consent was given, renewed, withdrawn or objected to: kept to show "
        "your details are used only as you agreed.",
    ),
    "attendance": (
        "Named attendance",
        "The consultations you are recorded as taking part in: kept to show who was consulted "
        "and to send you feedback on what came of it.",
    ),
    "quicktime": (
        "Quick-time consultations",
        "Short-notice consultations you were asked to advise on: who was asked, their advice, "
        "and the feedback given.",
    ),
    "quicktime_log": (
        "Quick-time contact log",
        "Calls, e-mails and meetings during a short-notice consultation that name you: the "
        "record of who was consulted and when.",
    ),
    "finding": (
        "Findings naming you",
        "Views raised at consultations whose text names you: the record of what was said.",
    ),
    "action": (
        "Actions naming you",
        "Things promised after a consultation whose description or owner names you.",
    ),
    "feedback": (
        "Feedback naming you",
        "Feedback given to those consulted (\u201cyou said, we did\u201d) whose text names you.",
    ),
    "engagement_note": (
        "Consultation notes naming you",
        "Notes on a consultation or its attendance that name you.",
    ),
    "organisation": (
        "Organisation records naming you",
        "An organisation's details (e-mail, phone or notes) that name you.",
    ),
    "draft": (
        "Unsaved drafts naming you",
        "Work an officer had not finished saving: kept until it is saved or discarded.",
    ),
    "audit": (
        "Audit trail",
        "Who changed your records and when: kept so changes to the records can be checked.",
    ),
    "request": (
        "Your requests",
        "Requests you made to see, erase or object to the use of your data: kept to show they "
        "were answered in time.",
    ),
}

THIRD_PARTY_NOTE = (
    "Free text that names you (findings, actions, feedback, notes, contact logs) is given as "
    "written. Where it also names someone else, the officer removes that person's details "
    "before sending this answer. For consultations you attended, only the consultation is "
    "given (title, date, venue), never the other people who came."
)


@dataclass(frozen=True)
class PersonFound:
    """Everything held about one person, item by item."""

    terms: SearchTerms
    contact_ids: tuple[str, ...]
    items: tuple[HeldItem, ...]

    @property
    def categories(self) -> tuple[CategoryHeld, ...]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.category] = counts.get(item.category, 0) + 1
        return tuple(
            CategoryHeld(key, label, why, counts[key])
            for key, (label, why) in CATEGORIES.items()
            if key in counts
        )


# -- the search -----------------------------------------------------------------------------


def _contacts(session: Session, terms: SearchTerms) -> list[Contact]:
    """The live contacts whose name, e-mail or phone is the one asked for."""
    found: dict[str, Contact] = {}
    name, email, digits = fold(terms.name), terms.email.casefold(), phone_digits(terms.phone)
    live = Contact.deleted.is_(False)
    if terms.name or terms.email:
        probe = Matcher([terms.name] if terms.name else [], [terms.email] if email else [], [])
        named = texts_naming(session, Contact, [Contact.name, Contact.email], probe)
        for contact in session.scalars(select(Contact).where(Contact.id.in_(list(named)))):
            if (name and fold(contact.name) == name) or (
                email and contact.email.strip().casefold() == email
            ):
                found[contact.id] = contact
    if digits:
        ids = [
            cid
            for cid, phone in session.execute(
                select(Contact.id, Contact.phone).where(live, Contact.phone != "")
            )
            if phone_digits(phone) == digits
        ]
        for contact in session.scalars(select(Contact).where(Contact.id.in_(ids))):
            found[contact.id] = contact
    return sorted(found.values(), key=lambda c: (fold(c.name), c.id))


def consent_words(contact: Contact) -> str:
    """The contact's consent as the answer states it."""
    if contact.objected_on is not None:
        return f"objects to processing since {day_text(contact.objected_on)}"
    if not contact.consent_given:
        return "no consent recorded"
    words = "given"
    if contact.consent_date:
        words += f" on {day_text(contact.consent_date)}"
    if contact.consent_scope:
        words += f" for \u201c{contact.consent_scope}\u201d"
    if contact.consent_expires:
        words += f", expires {day_text(contact.consent_expires)}"
    return words


def _yes(flag: bool | None) -> str:
    return "yes" if flag else "no"


def _contact_item(contact: Contact) -> HeldItem:
    org = contact.organisation.name if contact.organisation is not None else ""
    fields = (
        ("Name", contact.name),
        ("Role", contact.role),
        ("Organisation", org),
        ("E-mail", contact.email),
        ("Phone", contact.phone),
        ("Address", contact.address),
        ("Preferred way to be contacted", contact.preferred_channel),
        ("Access needs", contact.accessibility_needs),
        ("Consent", consent_words(contact)),
        ("Shared with the central unit", _yes(contact.shareable)),
        ("Objected to processing on", day_text(contact.objected_on) if contact.objected_on else ""),
        ("Notes", contact.notes),
    )
    return HeldItem(
        "contact",
        "contact",
        contact.id,
        f"Contact record: {contact.name}" + (f", {org}" if org else ""),
        f"Contact details: to invite you to consultations and report back (consent: "
        f"{consent_words(contact)}).",
        fields,
        "contact record",
    )


def _consent_items(session: Session, contacts: dict[str, Contact]) -> list[HeldItem]:
    items = []
    events = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id.in_(list(contacts)))
        .order_by(ConsentEvent.on, ConsentEvent.id)
    )
    for e in events:
        items.append(
            HeldItem(
                "consent",
                "consent_event",
                str(e.id),
                f"{e.kind.label} on {day_text(e.on)}",
                "Consent history: to show how and when you agreed to your details being kept "
                "and used, and any change since.",
                (
                    ("What", e.kind.label),
                    ("On", day_text(e.on)),
                    ("For", e.scope),
                    ("Expires", day_text(e.expires_on) if e.expires_on else ""),
                    ("How it was recorded", e.method.label),
                    ("Recorded", f"{e.recorded_at:%d %b %Y %H:%M}"),
                    ("Officer", e.officer),
                    ("Note", e.note),
                ),
                "contact record",
            )
        )
    return items


def _engagement_fields(e: Engagement) -> tuple[tuple[str, str], ...]:
    return (
        ("Consultation", e.title),
        ("Kind", e.kind.label),
        ("Date", f"{day_text(e.starts_at.date())} {e.starts_at:%H:%M}"),
        ("Venue", e.venue_name),
    )


def _attendance_items(session: Session, contacts: dict[str, Contact]) -> list[HeldItem]:
    # the link table first, alone (it has no index by contact: a scan of two columns), then
    # the few engagements it names
    links = session.execute(
        select(engagement_attendee.c.engagement_id, engagement_attendee.c.contact_id).where(
            engagement_attendee.c.contact_id.in_(list(contacts))
        )
    ).all()
    engagements = {
        e.id: e
        for e in session.scalars(
            select(Engagement).where(
                Engagement.id.in_({eid for eid, _ in links})
            )  # not "deleted = 0" in SQL: see naming
        )
        if not e.deleted
    }
    rows = sorted(
        ((cid, engagements[eid]) for eid, cid in links if eid in engagements),
        key=lambda pair: (pair[1].starts_at, pair[1].id),
    )
    items = []
    for contact_id, e in rows:
        when = day_text(e.starts_at.date())
        items.append(
            HeldItem(
                "attendance",
                "engagement_attendee",
                f"{e.id}/{contact_id}",
                f"{e.title}, {when}",
                f"Named attendance: to show who took part in the {e.title} of {when} "
                f"(consent: {consent_words(contacts[contact_id])}).",
                (*_engagement_fields(e), ("Status", e.status.label)),
                "contact record",
            )
        )
    return items


def _quicktime_items(session: Session, matcher: Matcher) -> list[HeldItem]:
    items = []
    columns = [
        QuickTimeConsultee.name,
        QuickTimeConsultee.reason,
        QuickTimeConsultee.advice,
        QuickTimeConsultee.impact,
    ]
    named = texts_naming(session, QuickTimeConsultee, columns, matcher)
    consultees = rows_named(
        session,
        named,
        select(QuickTimeConsultee, QuickTimeConsultation)
        .join(QuickTimeConsultation)
        .where(QuickTimeConsultee.id.in_(list(named)))
        .order_by(QuickTimeConsultation.event_at),
    )
    # the dates and ways of the contacts logged with them, not the notes (a note may be about
    # someone else; one that names them is an item of its own below)
    when: dict[str, list[str]] = {}
    if named:
        for consultee_id, at, channel in session.execute(
            select(QuickTimeContact.consultee_id, QuickTimeContact.at, QuickTimeContact.channel)
            .where(
                QuickTimeContact.consultee_id.in_(list(named)),
                QuickTimeContact.deleted.is_(False),
            )
            .order_by(QuickTimeContact.at)
        ):
            when.setdefault(consultee_id, []).append(f"{at:%d %b %Y %H:%M} {channel.label}")
    for x, c in consultees:
        if c.deleted:
            continue
        items.append(
            HeldItem(
                "quicktime",
                "quick_time_consultee",
                x.id,
                f"Consultee in \u201c{c.title}\u201d ({day_text(c.event_at.date())})",
                f"Quick-time consultation: to record whom the borough asked about "
                f"\u201c{c.title}\u201d, their advice, and the feedback given.",
                (
                    ("Consultation", c.title),
                    ("Event date", day_text(c.event_at.date())),
                    ("Consultee", x.name),
                    ("Role", x.role.label),
                    ("Why asked", x.reason),
                    ("Advice", x.advice),
                    ("What it changed", x.impact),
                    (
                        "Feedback given on",
                        day_text(x.feedback_given_on) if x.feedback_given_on else "",
                    ),
                    ("Contacts logged", "; ".join(when.get(x.id, []))),
                ),
                named[x.id],
            )
        )
    logged = texts_naming(session, QuickTimeContact, [QuickTimeContact.note], matcher)
    logs = rows_named(
        session,
        logged,
        select(QuickTimeContact, QuickTimeConsultation.title, QuickTimeConsultation.deleted)
        .join(QuickTimeConsultee, QuickTimeConsultee.id == QuickTimeContact.consultee_id)
        .join(QuickTimeConsultation)
        .where(QuickTimeContact.id.in_(list(logged)))
        .order_by(QuickTimeContact.at),
    )
    for entry, title, gone in logs:
        if gone:
            continue
        items.append(
            HeldItem(
                "quicktime_log",
                "quick_time_contact",
                entry.id,
                f"{entry.channel.label}, {entry.at:%d %b %Y %H:%M}: \u201c{title}\u201d",
                # not the consultee's name: it may be someone else's
                "Quick-time contact log: the record of a call, e-mail or meeting during "
                f"\u201c{title}\u201d that concerns you.",
                (
                    ("Consultation", title),
                    ("When", f"{entry.at:%d %b %Y %H:%M}"),
                    ("How", entry.channel.label),
                    ("Note", entry.note),
                ),
                logged[entry.id],
            )
        )
    return items


def _text_items(session: Session, matcher: Matcher) -> list[HeldItem]:
    """Findings, actions, feedback and engagement notes whose text names the person."""
    items: list[HeldItem] = []
    named = texts_naming(session, Finding, [Finding.text, Finding.theme], matcher)
    findings = rows_named(
        session,
        named,
        select(Finding, Engagement)
        .join(Engagement)
        .where(Finding.id.in_(list(named)))
        .order_by(Engagement.starts_at),
    )
    for f, e in findings:
        if e.deleted:
            continue
        when = day_text(e.starts_at.date())
        items.append(
            HeldItem(
                "finding",
                "finding",
                f.id,
                f"Finding at \u201c{e.title}\u201d, {when}",
                f"Finding: the record of a view raised at the {e.title} of {when}, "
                "whose text names you.",
                (*_engagement_fields(e), ("Finding", f.text), ("Theme", f.theme)),
                named[f.id],
            )
        )
    named = texts_naming(
        session, ActionItem, [ActionItem.description, ActionItem.owner, ActionItem.status_note],
        matcher,
    )  # fmt: skip
    actions = rows_named(
        session,
        named,
        select(ActionItem, Engagement)
        .outerjoin(Engagement, Engagement.id == ActionItem.engagement_id)
        .where(ActionItem.id.in_(list(named)))
        .order_by(ActionItem.due_on),
    )
    for a, e in actions:
        if e is not None and e.deleted:
            continue
        items.append(
            HeldItem(
                "action",
                "action_item",
                a.id,
                f"Action: {a.description[:80]}",
                "Action: something promised after a consultation, kept until it is done "
                "and reported back; its description or owner names you.",
                (
                    *(_engagement_fields(e) if e is not None else ()),
                    ("Action", a.description),
                    ("Owner", a.owner),
                    ("Due", day_text(a.due_on) if a.due_on else ""),
                    ("Status", a.status.label),
                    ("Status note", a.status_note or ""),
                ),
                named[a.id],
            )
        )
    named = texts_naming(session, FeedbackGiven, [FeedbackGiven.text], matcher)
    feedback = rows_named(
        session,
        named,
        select(FeedbackGiven, Engagement)
        .outerjoin(Engagement, Engagement.id == FeedbackGiven.engagement_id)
        .where(FeedbackGiven.id.in_(list(named)))
        .order_by(FeedbackGiven.given_on),
    )
    for fb, e in feedback:
        if e is not None and e.deleted:
            continue
        items.append(
            HeldItem(
                "feedback",
                "feedback_given",
                fb.id,
                f"Feedback given on {day_text(fb.given_on)}",
                "Feedback: what the borough told those consulted about what came of it; "
                "its text names you.",
                (
                    *(_engagement_fields(e) if e is not None else ()),
                    ("Given on", day_text(fb.given_on)),
                    ("How", fb.channel.label),
                    ("Feedback", fb.text),
                ),
                named[fb.id],
            )
        )
    items += _note_items(session, matcher)
    return items


def _note_items(session: Session, matcher: Matcher) -> list[HeldItem]:
    items = []
    named = texts_naming(session, Engagement, [Engagement.title, Engagement.notes], matcher)
    for (e,) in rows_named(
        session,
        named,
        select(Engagement).where(Engagement.id.in_(list(named))).order_by(Engagement.starts_at),
    ):
        when = day_text(e.starts_at.date())
        items.append(
            HeldItem(
                "engagement_note",
                "engagement",
                e.id,
                f"Notes of \u201c{e.title}\u201d, {when}",
                f"Consultation notes: the officer's record of the {e.title} of {when}, "
                "which names you.",
                (*_engagement_fields(e), ("Notes", e.notes)),
                named[e.id],
            )
        )
    named = texts_naming(session, Attendance, [Attendance.notes], matcher)
    attendance = rows_named(
        session,
        named,
        select(Attendance, Engagement)
        .join(Engagement)
        .where(Attendance.id.in_(list(named)))
        .order_by(Engagement.starts_at),
    )
    for att, e in attendance:
        if e.deleted:
            continue
        items.append(
            HeldItem(
                "engagement_note",
                "attendance",
                att.id,
                f"Attendance notes of \u201c{e.title}\u201d, {day_text(e.starts_at.date())}",
                "Attendance notes: the officer's note on who came, which names you.",
                (*_engagement_fields(e), ("Attendance notes", att.notes)),
                named[att.id],
            )
        )
    return items


def _organisation_items(session: Session, matcher: Matcher) -> list[HeldItem]:
    items = []
    # the FTS5 index holds the notes, not the e-mail or phone: one lookup each way
    named = texts_naming(session, Organisation, [Organisation.notes], matcher)
    if matcher.emails or matcher.phones:
        contact = [Organisation.email, Organisation.phone]
        named.update(texts_naming(session, Organisation, contact, matcher, fts=False))
    for (org,) in rows_named(
        session,
        named,
        select(Organisation).where(Organisation.id.in_(list(named))).order_by(Organisation.name),
    ):
        naming = [
            (label, value)
            for label, value in (("E-mail", org.email), ("Phone", org.phone), ("Notes", org.notes))
            if matcher.what(value)
        ]
        items.append(
            HeldItem(
                "organisation",
                "organisation",
                org.id,
                f"Organisation: {org.name}",
                f"Organisation record: how the borough reaches {org.name}; the details "
                "below name you.",
                (("Organisation", org.name), *naming),
                named[org.id],
            )
        )
    return items


def _draft_items(session: Session, matcher: Matcher) -> list[HeldItem]:
    items = []
    for d in session.scalars(select(Draft).order_by(Draft.saved_at)):  # a few at most
        texts = list(_strings(d.content))
        how = matcher.what(d.title, *texts)
        if how:
            naming = [t for t in texts if matcher.what(t)]
            items.append(
                HeldItem(
                    "draft",
                    "draft",
                    d.key,
                    f"Unsaved draft: {d.title or d.key}",
                    "Unsaved draft: an officer's unfinished edit, kept until it is saved or "
                    "discarded; it names you.",
                    (
                        ("Draft", d.title),
                        ("Last kept", f"{d.saved_at:%d %b %Y %H:%M}"),
                        *(("Text naming you", t) for t in naming),
                    ),
                    how,
                )
            )
    return items


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _audit_items(session: Session, contact_ids: list[str], matcher: Matcher) -> list[HeldItem]:
    about = {
        event_id: "contact record"
        for event_id in session.scalars(
            select(AuditEvent.id).where(
                AuditEvent.entity == "contact", AuditEvent.entity_id.in_(contact_ids)
            )
        )
    }
    naming = texts_naming(session, AuditEvent, [AuditEvent.summary], matcher)
    found = {**naming, **about}
    items = []
    for (ev,) in rows_named(
        session,
        found,
        select(AuditEvent).where(AuditEvent.id.in_(list(found))).order_by(AuditEvent.id),
    ):
        changes = ", ".join(ev.changes) if ev.changes else ""
        items.append(
            HeldItem(
                "audit",
                "audit_event",
                str(ev.id),
                f"{ev.action.capitalize()} of {ev.entity.replace('_', ' ')}, "
                f"{ev.at:%d %b %Y %H:%M}",
                "Audit trail: the record of who changed what and when, kept so changes to the "
                "records can be checked.",
                (
                    ("When", f"{ev.at:%d %b %Y %H:%M}"),
                    ("Officer", ev.officer),
                    ("What was done", ev.action),
                    ("Record", f"{ev.entity} {ev.entity_id}"),
                    ("Fields changed", changes),
                    ("Summary", ev.summary),
                ),
                found[ev.id],
            )
        )
    return items


def _request_items(session: Session, terms: SearchTerms, matcher: Matcher) -> list[HeldItem]:
    items = []
    name = fold(terms.name)
    for r in session.scalars(select(SubjectAccessRequest).order_by(SubjectAccessRequest.id)):
        said = [t for t in (r.terms or []) if isinstance(t, str)]
        mine = (name and fold(r.requester) == name) or any(
            matcher.what(t) and t.strip() for t in said[1:]
        )
        if not mine:
            continue
        items.append(
            HeldItem(
                "request",
                "subject_access_request",
                str(r.id),
                f"Your {r.kind} request received {day_text(r.received_on)}",
                "Your request: kept to show it was answered within the month the law allows.",
                (
                    ("Kind", r.kind),
                    ("Received", day_text(r.received_on)),
                    ("Due", day_text(r.due_on)),
                    ("Answered", day_text(r.answered_on) if r.answered_on else "not yet"),
                    ("Asked by", r.requester),
                    ("Searched for", "; ".join(t for t in said if t)),
                    ("Items found", "" if r.items_found is None else str(r.items_found)),
                    ("Officer", r.officer),
                ),
                "name" if name and fold(r.requester) == name else "e-mail or phone",
            )
        )
    return items


def find_person(
    session: Session, name: str | None = None, email: str | None = None, phone: str | None = None
) -> PersonFound:
    """Everything held about the person named by `name`, `email` or `phone`.

    ValidationError when none is given (or one is not what it says). See the module's
    docstring for what is given and what is left out."""
    terms = SearchTerms(name or "", email or "", phone or "").checked()
    contacts = _contacts(session, terms)
    by_id = {c.id: c for c in contacts}
    matcher = Matcher(
        [terms.name, *(c.name for c in contacts)],
        [terms.email, *(c.email for c in contacts)],
        [terms.phone, *(c.phone for c in contacts)],
    )
    items: list[HeldItem] = [_contact_item(c) for c in contacts]
    if by_id:
        items += _consent_items(session, by_id)
        items += _attendance_items(session, by_id)
    items += _quicktime_items(session, matcher)
    items += _text_items(session, matcher)
    items += _organisation_items(session, matcher)
    items += _draft_items(session, matcher)
    items += _audit_items(session, list(by_id), matcher)
    items += _request_items(session, terms, matcher)
    order = {key: i for i, key in enumerate(CATEGORIES)}
    items.sort(key=lambda i: order[i.category])  # stable: each kind keeps its own order
    return PersonFound(terms, tuple(by_id), tuple(items))
