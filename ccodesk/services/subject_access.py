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
address, or the phone number's digits with any spacing. Candidates are found with the FTS5
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

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from ccodesk.errors import ValidationError
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

_WORD = re.compile(r"\w+", re.UNICODE)
_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class SearchTerms:
    """What a request names the person by (any of them may be empty, not all)."""

    name: str = ""
    email: str = ""
    phone: str = ""

    def checked(self) -> SearchTerms:
        """The terms trimmed; ValidationError when there is nothing to search for."""
        terms = SearchTerms(
            " ".join(self.name.split()), self.email.strip(), " ".join(self.phone.split())
        )
        problems = []
        if not (terms.name or terms.email or terms.phone):
            problems.append("give a name, an e-mail address or a phone number to search for")
        if terms.name and not _WORD.search(terms.name):
            problems.append(f"the name {terms.name!r} has no letters to search for")
        if terms.email and ("@" not in terms.email or len(terms.email) < 3):
            problems.append(f"{terms.email!r} is not an e-mail address")
        if terms.phone and len(phone_digits(terms.phone)) < 6:
            problems.append(f"{terms.phone!r} is not a phone number (too few digits)")
        if problems:
            raise ValidationError(problems)
        return terms

    def labelled(self) -> tuple[tuple[str, str], ...]:
        return (("Name", self.name), ("E-mail", self.email), ("Phone", self.phone))

    def as_list(self) -> list[str]:
        """As the request log keeps them: [name, e-mail, phone]."""
        return [self.name, self.email, self.phone]


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


# -- matching -------------------------------------------------------------------------------


def fold(value: str) -> str:
    """Lower case without accents, spaces collapsed (how names are compared)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def phone_digits(value: str) -> str:
    """A phone number's digits, a UK +44 prefix written as the 0 dialled at home."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits


class Matcher:
    """Does a text name the person? Whole-word names, e-mail addresses, phone digits."""

    def __init__(self, names: Iterable[str], emails: Iterable[str], phones: Iterable[str]):
        names = [" ".join(n.split()) for n in names if _WORD.search(n)]
        self.names = sorted({fold(n) for n in names})
        # LIKE compares accents as written (and SQLite's ignores ASCII case only): the
        # patterns take each name as written as well as folded
        self._written = sorted(set(names))
        self.emails = sorted({e.strip().casefold() for e in emails if e.strip()})
        phones = [p for p in phones if len(phone_digits(p)) >= 6]
        self.phones = sorted({phone_digits(p) for p in phones})
        # each number's last group of digits as written ("900123" of "07700 900123"): a word
        # the FTS5 index holds wherever the number is written with that spacing
        self._phone_tails = sorted({_WORD.findall(p)[-1] for p in phones})
        self._name_res = [
            re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, n.split())) + r"(?!\w)")
            for n in self.names
        ]
        self._email_res = [
            re.compile(r"(?<![\w.+-])" + re.escape(e) + r"(?![\w-])") for e in self.emails
        ]
        self._phone_res = [
            # the digits with any spacing, a leading 0 also written +44 (0) or +44
            re.compile(
                r"(?<!\d)(?:\+?44\s*(?:\(0\)\s*)?|0)" + r"[\s\-().]*".join(d[1:]) + r"(?!\d)"
                if d.startswith("0")
                else r"(?<!\d)" + r"[\s\-().]*".join(d) + r"(?!\d)"
            )
            for d in self.phones
        ]

    def what(self, *texts: str | None) -> str:
        """ "name", "e-mail" or "phone": what in `texts` names the person; "" when nothing."""
        joined = "\n".join(t for t in texts if t)
        if not joined:
            return ""
        folded = fold(joined)
        if any(r.search(folded) for r in self._name_res):
            return "name"
        lowered = joined.casefold()
        if any(r.search(lowered) for r in self._email_res):
            return "e-mail"
        if any(r.search(joined) for r in self._phone_res):
            return "phone"
        return ""

    def needles(self) -> list[str]:
        """Words a text naming the person must hold, one at least (case aside): the longest
        word of each name, each e-mail address, each phone number's last three digits (any
        spacing keeps them together)."""
        words = []
        for name in [*self.names, *self._written]:  # its longest word: rare, in every mention
            words.append(max(_WORD.findall(name), key=len))
        words += self.emails
        words += [d[-3:] for d in self.phones]
        unique = {w.lower(): w for w in sorted(words, reverse=True)}
        return sorted(unique.values())

    def fts_query(self) -> str | None:
        """An FTS5 query for rows naming the person (each name or e-mail a phrase, each phone
        number's last group of digits a word); None when there is nothing to ask."""
        phrases = []
        for value in [*self.names, *self.emails]:
            words = _WORD.findall(value)
            if words:
                phrases.append('"' + " ".join(words) + '"')
        phrases += [f'"{d}"' for d in self.phones]
        phrases += [f'"{d[1:]}"' for d in self.phones if d.startswith("0")]
        phrases += [f'"{t}"' for t in self._phone_tails]
        return " OR ".join(phrases) or None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _spellings(needle: str) -> set[str]:
    """How `needle` may be written in a text: as given, in lower or upper case, or with a
    capital first letter; a long word without its first letter (one needle for "Okafor"
    and "okafor")."""
    if not any(ch.isalpha() for ch in needle):
        return {needle}
    word = needle[1:] if len(needle) > 3 else needle
    return {word, word.lower(), word.upper()} | (
        set() if len(needle) > 3 else {needle.capitalize()}
    )


def _contains_any(session: Session, columns: Sequence[Any], needles: list[str]) -> Any:
    """SQL: any of `columns` holds any of `needles` (case aside; see `_spellings`).

    On SQLite `instr` for each way a needle may be written: it is several times quicker than
    LIKE (which ignores case but matches a pattern character by character), and this scans
    whole tables; on PostgreSQL ILIKE."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    tests = []
    for column in columns:
        for needle in needles:
            if sqlite:
                tests += [func.instr(column, word) > 0 for word in sorted(_spellings(needle))]
            else:
                tests.append(column.ilike(f"%{_escape_like(needle)}%", escape=_LIKE_ESCAPE))
    return or_(*tests) if tests else text("0 = 1")


def _has_fts(session: Session, table: str) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return False
    cache: dict[str, bool] = session.info.setdefault("ccodesk_fts_tables", {})
    if table not in cache:
        cache[table] = (
            session.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": f"{table}_fts"},
            ).first()
            is not None
        )
    return cache[table]


def _naming(
    session: Session,
    model: Any,
    columns: Sequence[InstrumentedAttribute[Any]],
    matcher: Matcher,
    *,
    fts: bool = True,
) -> dict[Any, str]:
    """The live rows of `model` whose `columns` name the person: {id: how they are named}.

    One narrow statement on the one table (the FTS5 index where it covers the table, else a
    LIKE scan), checked in Python; the caller then loads the few rows found with what it
    joins them to. (A join in the same statement lets SQLite walk the joined table first,
    which costs seconds at 100,000 engagements.)"""
    table = model.__tablename__
    match = matcher.fts_query()
    # deleted rows are left out here, not in SQL: "deleted = 0" would tempt SQLite to walk an
    # index led by `deleted` (every live row) instead of the few rows the index lookup found
    gone = model.deleted if hasattr(model, "deleted") else literal(False)
    query = select(model.id, gone, *columns)
    if fts and match is not None and _has_fts(session, table):
        query = query.where(
            text(
                f"{table}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :match)"
            ).bindparams(match=match)
        )
    else:
        query = query.where(_contains_any(session, columns, matcher.needles()))
    found = {}
    for row_id, deleted, *texts in session.execute(query):
        how = "" if deleted else matcher.what(*texts)
        if how:
            found[row_id] = how
    return found


def _rows(session: Session, ids: dict[Any, str], query: Any) -> list[Any]:
    """The rows of `query` (which loads the rows `ids` names), none when `ids` is empty:
    SQLite plans a join restricted to an empty list by walking the whole joined table."""
    return list(session.execute(query)) if ids else []


# -- the search -----------------------------------------------------------------------------


def _contacts(session: Session, terms: SearchTerms) -> list[Contact]:
    """The live contacts whose name, e-mail or phone is the one asked for."""
    found: dict[str, Contact] = {}
    name, email, digits = fold(terms.name), terms.email.casefold(), phone_digits(terms.phone)
    live = Contact.deleted.is_(False)
    if terms.name or terms.email:
        probe = Matcher([terms.name] if terms.name else [], [terms.email] if email else [], [])
        named = _naming(session, Contact, [Contact.name, Contact.email], probe)
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
            )  # not "deleted = 0" in SQL: see _naming
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
    named = _naming(session, QuickTimeConsultee, columns, matcher)
    consultees = _rows(
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
    logged = _naming(session, QuickTimeContact, [QuickTimeContact.note], matcher)
    logs = _rows(
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
    named = _naming(session, Finding, [Finding.text, Finding.theme], matcher)
    findings = _rows(
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
    named = _naming(
        session, ActionItem, [ActionItem.description, ActionItem.owner, ActionItem.status_note],
        matcher,
    )  # fmt: skip
    actions = _rows(
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
    named = _naming(session, FeedbackGiven, [FeedbackGiven.text], matcher)
    feedback = _rows(
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
    named = _naming(session, Engagement, [Engagement.title, Engagement.notes], matcher)
    for (e,) in _rows(
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
    named = _naming(session, Attendance, [Attendance.notes], matcher)
    attendance = _rows(
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
    named = _naming(session, Organisation, [Organisation.notes], matcher)
    if matcher.emails or matcher.phones:
        contact = [Organisation.email, Organisation.phone]
        named.update(_naming(session, Organisation, contact, matcher, fts=False))
    for (org,) in _rows(
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
    naming = _naming(session, AuditEvent, [AuditEvent.summary], matcher)
    found = {**naming, **about}
    items = []
    for (ev,) in _rows(
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
