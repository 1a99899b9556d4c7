"""The retention schedule (issue 15): which personal data is kept how long, what is due for
deletion on a day, and the purge that deletes it.

Each rule is a category with a documented default (`RULES`); a borough changes a rule with a
`RetentionRule` row (`set_rule`), and `schedule` gives the rules in force. `due` counts what
the rules make due on a day; `purge` deletes it in one transaction and leaves one
`DeletionRecord` per category (category, count, rule, when, who: never personal data).

Synced records are never removed outright: a purged contact becomes a tombstone with its
personal details blanked, an engagement that loses its named attendees or a row whose notes
are blanked gets a new version, all through the store's stamping, so the next bundle carries
the change and the centre's copy loses the same data. Drafts (local only) are deleted; audit
events older than the rule are deleted and `AuditAnchor` records where the chain now starts
(`services.audit.verify` starts there).

What a rule measures from:
  * contacts: the last edit of the contact (its clock stamp) and the engagements naming it;
  * consent: `Contact.consent_expires`;
  * named attendance and engagement notes: the engagement's start;
  * contact notes: the contact's last edit; attendance notes: the engagement's start;
    quick-time contact log notes: the log entry's time;
  * drafts: when last saved; audit events: when written.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ccodesk.errors import Cancelled, ValidationError
from ccodesk.models import (
    Attendance,
    AuditAnchor,
    AuditEvent,
    Contact,
    DeletionRecord,
    Draft,
    Engagement,
    EngagementKind,
    QuickTimeContact,
    RetentionRule,
    engagement_attendee,
)
from ccodesk.store import audit_chain, search_index, stamping
from ccodesk.words import plural

Progress = Callable[[int, int, str], None]
CHUNK = 2_000  # rows stamped per statement batch (and how often Cancel is checked)

CONTACTS = "contacts"
EXPIRED_CONSENT = "expired_consent"
NAMED_ATTENDANCE = "named_attendance"
NOTES = "notes"
DRAFTS = "drafts"
AUDIT = "audit"


@dataclass(frozen=True)
class Rule:
    """One rule of the schedule: what it deletes, after how long, and why that default."""

    category: str
    label: str  # the category in the users' words
    unit: str  # "years", "months" or "days"
    default: int
    low: int  # the shortest and longest a borough may set
    high: int
    words: str  # the rule as a sentence, "{n}" the period ("3 years")
    action: str  # what the purge does with it
    reason: str  # why the default (docs/data-protection.md)


RULES: tuple[Rule, ...] = (
    Rule(
        CONTACTS,
        "Contacts",
        "years",
        3,
        1,
        50,
        "Contacts not edited for {n}, and either without consent or not named at any "
        "engagement in that time",
        "removed: personal details blanked, the record deleted here and at the centre",
        "about one planning cycle of the policing plan and crime and disorder strategy "
        "(three years): a person not heard from in that time is no longer a working contact",
    ),
    Rule(
        EXPIRED_CONSENT,
        "Expired consent",
        "days",
        30,
        0,
        365,
        "Contacts whose consent expired more than {n} ago and was not renewed",
        "removed: personal details blanked, the record deleted here and at the centre",
        "a month's grace to renew a consent that has lapsed (the Dashboard lists those "
        "expiring); after that there is no lawful basis to hold the details",
    ),
    Rule(
        NAMED_ATTENDANCE,
        "Named attendance",
        "months",
        12,
        1,
        120,
        "Names of people recorded as attending engagements that took place more than {n} ago",
        "the names are taken off each engagement (a new version, so the centre's copy loses "
        "them too); attendance totals and equality counts stay",
        "a year covers follow-up and feedback to those who came, and the annual report; "
        "after that the aggregate counts serve every indicator",
    ),
    Rule(
        NOTES,
        "Free-text notes",
        "years",
        6,
        1,
        50,
        "Free-text notes that may name people (on engagements, attendance, contacts and "
        "quick-time contact logs) last written more than {n} ago",
        "the notes are blanked (a new version of each record)",
        "six years: the limitation period for claims (Limitation Act 1980), after which a "
        "note naming a person serves no purpose",
    ),
    Rule(
        DRAFTS,
        "Drafts",
        "days",
        30,
        1,
        3650,
        "Unsaved drafts of editors last touched more than {n} ago",
        "deleted from this device (drafts never leave it)",
        "a draft is work in progress; one untouched for a month has been abandoned",
    ),
    Rule(
        AUDIT,
        "Audit trail",
        "years",
        7,
        1,
        100,
        "Audit events written more than {n} ago",
        "deleted; the chain is then checked from the first event kept (the audit anchor)",
        "six years of limitation and the year in progress: the trail answers "
        "who-changed-what for as long as a claim could be brought",
    ),
)
BY_CATEGORY = {rule.category: rule for rule in RULES}
PURGE_ORDER = (CONTACTS, EXPIRED_CONSENT, NOTES, NAMED_ATTENDANCE, DRAFTS, AUDIT)


@dataclass(frozen=True)
class ScheduledRule:
    """A rule as it is in force on this device: the default or the borough's change."""

    rule: Rule
    keep_for: int
    enabled: bool
    changed: bool  # a borough's change to the default

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def period(self) -> str:
        """The period in words: "3 years", "1 month"."""
        return plural(self.keep_for, self.rule.unit.removesuffix("s"))

    @property
    def why(self) -> str:
        """The rule in words, with the period in force."""
        return self.rule.words.format(n=self.period)


@dataclass(frozen=True)
class Due:
    """What one rule makes due on a day."""

    category: str
    label: str
    why: str
    count: int
    unit: str  # what is counted: "contact", "name", "note", "draft", "event"


@dataclass(frozen=True)
class Purged:
    """What a purge did for one category, and the deletion record it left (its id)."""

    category: str
    label: str
    why: str
    count: int
    record_id: str | None


COUNTED = {
    CONTACTS: "contact",
    EXPIRED_CONSENT: "contact",
    NAMED_ATTENDANCE: "name",
    NOTES: "note",
    DRAFTS: "draft",
    AUDIT: "event",
}


def label_of(category: str) -> str:
    """A category in the users' words (its own name when unknown: a record from elsewhere)."""
    rule = BY_CATEGORY.get(category)
    return rule.label if rule is not None else category.replace("_", " ").capitalize()


# -- the schedule ------------------------------------------------------------------------------


def schedule(session: Session) -> list[ScheduledRule]:
    """The rules in force: each default, with this borough's changes."""
    changes = {r.category: r for r in session.scalars(select(RetentionRule))}
    found = []
    for rule in RULES:
        change = changes.get(rule.category)
        if change is None:
            found.append(ScheduledRule(rule, rule.default, True, False))
        else:
            found.append(ScheduledRule(rule, change.keep_for, bool(change.enabled), True))
    return found


def parse_category(text: str) -> str:
    """A category from its name or label ("named_attendance", "named attendance")."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    for rule in RULES:
        if key in (rule.category, rule.label.lower().replace(" ", "_")):
            return rule.category
    choices = ", ".join(r.category for r in RULES)
    raise ValidationError(f"there is no retention category {text!r}; choose one of: {choices}")


def set_rule(
    session: Session,
    category: str,
    *,
    keep_for: int | None = None,
    enabled: bool | None = None,
    officer: str = "",
) -> ScheduledRule:
    """Change one rule (its period, or whether it applies); a period out of range is refused."""
    rule = BY_CATEGORY.get(category)
    if rule is None:
        parse_category(category)  # raises the plain message
        raise AssertionError("unreachable")  # pragma: no cover
    if keep_for is not None and not rule.low <= keep_for <= rule.high:
        raise ValidationError(
            f"{rule.label} may be kept for {rule.low} to {rule.high} {rule.unit}, not {keep_for}"
        )
    row = session.get(RetentionRule, category)
    if row is None:
        row = RetentionRule(category=category, keep_for=rule.default, enabled=True)
        session.add(row)
    if keep_for is not None:
        row.keep_for = keep_for
    if enabled is not None:
        row.enabled = enabled
    row.changed_at = dt.datetime.now()
    row.officer = officer or session.info.get("officer", "")
    session.flush()
    return ScheduledRule(rule, row.keep_for, bool(row.enabled), True)


# -- cut-off days ------------------------------------------------------------------------------


def _minus_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cutoff(rule: ScheduledRule, day: dt.date) -> dt.date:
    """The first day kept: what is dated before it is due."""
    unit = rule.rule.unit
    if unit == "years":
        return _minus_months(day, 12 * rule.keep_for)
    if unit == "months":
        return _minus_months(day, rule.keep_for)
    return day - dt.timedelta(days=rule.keep_for)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _hlc_before(day: dt.date) -> str:
    """A clock-stamp prefix: stamps that sort before it were written before `day` began
    (this device's calendar, as `sync.consent` reads stamps)."""
    return f"{int(_midnight(day).timestamp() * 1000):013d}"


# -- what each rule selects ----------------------------------------------------------------------

_contact = cast(Table, Contact.__table__)
_engagement = cast(Table, Engagement.__table__)
_attendance = cast(Table, Attendance.__table__)
_qt_contact = cast(Table, QuickTimeContact.__table__)


def _contacts_query(since: dt.date) -> Select[Any]:
    named = (
        select(engagement_attendee.c.contact_id)
        .join(_engagement, _engagement.c.id == engagement_attendee.c.engagement_id)
        .where(_engagement.c.starts_at >= _midnight(since))
    )
    return select(_contact.c.id).where(
        _contact.c.name != "",  # a tombstone already blanked holds nothing more
        _contact.c.hlc < _hlc_before(since),
        (_contact.c.consent_given.is_(False)) | _contact.c.id.not_in(named),
    )


def _expired_query(since: dt.date) -> Select[Any]:
    return select(_contact.c.id).where(
        _contact.c.name != "",
        _contact.c.consent_given.is_(True),
        _contact.c.consent_expires.is_not(None),
        _contact.c.consent_expires < since,
    )


def _engagement_ids(since: dt.date, *, before: bool) -> Select[Any]:
    """The ids of the engagements held before `since` (or on and after it), read from an index
    alone: every (deleted, kind) pair is named, so SQLite walks `ix_engagement_list_kind`
    (deleted, kind, starts_at, id, …) by ranges and never reads an engagement's row (at
    100,000 engagements, reading their rows was most of the time of `due`)."""
    when = _midnight(since)
    return select(_engagement.c.id).where(
        _engagement.c.deleted.in_([False, True]),
        _engagement.c.kind.in_([kind.value for kind in EngagementKind]),
        _engagement.c.starts_at < when if before else _engagement.c.starts_at >= when,
    )


def _old_engagements(since: dt.date) -> Select[Any]:
    return _engagement_ids(since, before=True)


def _names_due(session: Session, since: dt.date) -> int:
    """The names on engagements held before `since`.

    Counting names probes the names' index once per engagement, so the smaller side is
    counted: the old engagements' names, or every name less those of the later engagements
    (how many engagements lie on each side is read from the date index alone)."""
    old = int(
        session.scalar(
            select(func.count())
            .select_from(_engagement)
            .where(_engagement.c.starts_at < _midnight(since))
        )
        or 0
    )
    total = int(session.scalar(select(func.count()).select_from(_engagement)) or 0)

    def names_on(ids: Select[Any]) -> int:
        query = select(func.count()).where(engagement_attendee.c.engagement_id.in_(ids))
        return int(session.scalar(query.select_from(engagement_attendee)) or 0)

    if old <= total - old:
        return names_on(_engagement_ids(since, before=True))
    every = int(session.scalar(select(func.count()).select_from(engagement_attendee)) or 0)
    return every - names_on(_engagement_ids(since, before=False))


_EMPTY: ColumnElement[str] = literal_column("''")


def _notes_queries(since: dt.date) -> list[tuple[Table, str, Select[Any]]]:
    """(table, notes column, ids of the rows whose notes are due) for each kind of note."""
    before = _midnight(since)
    return [
        (
            _engagement,
            "notes",
            # `!= ''` as a literal: SQLite uses a partial index only for the very text of its
            # WHERE (ix_engagement_noted), which a bound parameter is not
            select(_engagement.c.id).where(
                _engagement.c.notes != _EMPTY, _engagement.c.starts_at < before
            ),
        ),
        (
            _attendance,
            "notes",
            # `|| ''` keeps SQLite from probing attendance's index once per old engagement:
            # one pass over attendance (small rows) against the set of old ids is quicker
            select(_attendance.c.id).where(
                _attendance.c.notes != _EMPTY,  # ix_attendance_noted
                _attendance.c.engagement_id.concat("").in_(_old_engagements(since)),
            ),
        ),
        (
            _contact,
            "notes",
            select(_contact.c.id).where(
                _contact.c.notes != "", _contact.c.hlc < _hlc_before(since)
            ),
        ),
        (
            _qt_contact,
            "note",
            select(_qt_contact.c.id).where(_qt_contact.c.note != "", _qt_contact.c.at < before),
        ),
    ]


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _audit_first_kept(session: Session, since: dt.date) -> int | None:
    """The id of the first audit event written on or after `since` (None: every event is older).

    The trail is cut at one id: events before it go, even one whose clock read later."""
    found = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.at >= _midnight(since))
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(1)
    )
    return None if found is None else int(found)


def _audit_due(session: Session, since: dt.date) -> int:
    first = _audit_first_kept(session, since)
    query = select(func.count()).select_from(AuditEvent)
    if first is not None:
        query = query.where(AuditEvent.id < first)
    return int(session.scalar(query) or 0)


def _count_due(session: Session, rule: ScheduledRule, day: dt.date) -> int:
    since = cutoff(rule, day)
    category = rule.category
    if category == CONTACTS:
        return _count(session, _contacts_query(since))
    if category == EXPIRED_CONSENT:
        return _count(session, _expired_query(since))
    if category == NAMED_ATTENDANCE:
        return _names_due(session, since)
    if category == NOTES:
        return sum(_count(session, q) for _t, _c, q in _notes_queries(since))
    if category == DRAFTS:
        return int(
            session.scalar(
                select(func.count()).select_from(Draft).where(Draft.saved_at < _midnight(since))
            )
            or 0
        )
    if category == AUDIT:
        return _audit_due(session, since)
    raise AssertionError(category)  # pragma: no cover


def due(session: Session, day: dt.date) -> list[Due]:
    """What each rule in force makes due on `day`, with why and how many (disabled rules are
    left out)."""
    return [
        Due(
            rule.category,
            rule.rule.label,
            rule.why,
            _count_due(session, rule, day),
            COUNTED[rule.category],
        )
        for rule in schedule(session)
        if rule.enabled
    ]


# -- the purge -------------------------------------------------------------------------------


def _check(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise Cancelled("The purge was cancelled; nothing was deleted.")


def _stamp_updates(
    session: Session,
    table: Table,
    ids: Sequence[str],
    values: dict[str, Any],
    cancelled: Callable[[], bool],
) -> None:
    """Give the rows `ids` of a synced table the `values` and a new version each (the store's
    stamping in bulk: one block of change numbers, one executemany per chunk)."""
    if not ids:
        return
    conn = session.connection()
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(
            change_seq=bindparam("_seq"),
            version_vector=bindparam("_vv"),
            hlc=bindparam("_hlc"),
            **{name: bindparam(f"_v_{name}") for name in values},
        )
    )
    block = stamping.Allocation(session, len(ids))
    fixed = {f"_v_{name}": value for name, value in values.items()}
    done = 0
    for start in range(0, len(ids), CHUNK):
        _check(cancelled)
        batch = list(ids[start : start + CHUNK])
        vectors = dict(
            session.execute(
                select(table.c.id, table.c.version_vector).where(table.c.id.in_(batch))
            ).all()
        )
        rows = []
        for rid in batch:
            meta = block.stamp(done, vectors.get(rid))
            done += 1
            rows.append(
                {
                    "_id": rid,
                    "_seq": meta["change_seq"],
                    "_vv": meta["version_vector"],
                    "_hlc": meta["hlc"],
                    **fixed,
                }
            )
        conn.execute(statement, rows)


def _blanked_contact() -> dict[str, Any]:
    from ccodesk.sync.records import PERSONAL

    values: dict[str, Any] = {"deleted": True}
    for column in PERSONAL["contact"]:
        values[column] = None if _contact.c[column].nullable else ""
    return values


def _ids(session: Session, query: Select[Any]) -> list[str]:
    return [str(i) for i in session.scalars(query)]


def _purge_contacts(session: Session, query: Select[Any], cancelled: Callable[[], bool]) -> int:
    ids = _ids(session, query)
    _stamp_updates(session, _contact, ids, _blanked_contact(), cancelled)
    return len(ids)


def _purge_attendance(
    session: Session,
    since: dt.date,
    contacts_since: dt.date | None,
    cancelled: Callable[[], bool],
) -> int:
    """Take the names off engagements held before `since`; each engagement gets a new version.

    A name on an engagement held on or after `contacts_since` is the contact's last sign of
    activity that the contacts rule reads: with the name gone, the contact is stamped as edited
    today (a new version, no change of content), so the contacts rule keeps it at least as long
    as it would have (at most the named-attendance period longer; a "last named on" column on
    the contact would make it exact)."""
    old = _old_engagements(since).subquery()
    if contacts_since is not None:
        witnesses = _ids(
            session,
            select(engagement_attendee.c.contact_id)
            .join(_engagement, _engagement.c.id == engagement_attendee.c.engagement_id)
            .join(_contact, _contact.c.id == engagement_attendee.c.contact_id)
            .where(
                _engagement.c.starts_at < _midnight(since),
                _engagement.c.starts_at >= _midnight(contacts_since),
                _contact.c.deleted.is_(False),
                _contact.c.name != "",
            )
            .distinct(),
        )
        _stamp_updates(session, _contact, witnesses, {}, cancelled)
    linked = _ids(
        session,
        select(engagement_attendee.c.engagement_id)
        .where(engagement_attendee.c.engagement_id.in_(select(old.c.id)))
        .distinct(),
    )
    _check(cancelled)
    count = _rowcount(
        session.execute(
            delete(engagement_attendee).where(
                engagement_attendee.c.engagement_id.in_(select(old.c.id))
            )
        )
    )
    _stamp_updates(session, _engagement, linked, {}, cancelled)
    return count


def _purge_notes(session: Session, since: dt.date, cancelled: Callable[[], bool]) -> int:
    count = 0
    for table, column, query in _notes_queries(since):
        ids = _ids(session, query)
        _stamp_updates(session, table, ids, {column: ""}, cancelled)
        count += len(ids)
    return count


def _rowcount(result: Any) -> int:
    """Rows a DELETE removed (a CursorResult's count; typed loosely by SQLAlchemy)."""
    return int(result.rowcount or 0)


def _purge_drafts(session: Session, since: dt.date) -> int:
    return _rowcount(session.execute(delete(Draft).where(Draft.saved_at < _midnight(since))))


def _purge_audit(session: Session, since: dt.date) -> int:
    """Delete the events before the first one kept and move the chain's anchor to it."""
    first = _audit_first_kept(session, since)
    if first is None:  # every event is older: the chain goes on after the last one
        last_id, last_hash = audit_chain.head(session)
        first, prev_hash = last_id + 1, last_hash
    else:
        prev_hash = str(
            session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.id == first)) or ""
        )
    result = session.execute(delete(AuditEvent).where(AuditEvent.id < first))
    count = _rowcount(result)
    if not count:
        return 0
    anchor = session.get(AuditAnchor, 1)
    if anchor is None:
        anchor = AuditAnchor(id=1, first_id=first, prev_hash=prev_hash, purged=0)
        session.add(anchor)
    anchor.first_id, anchor.prev_hash = first, prev_hash
    anchor.purged = int(anchor.purged or 0) + count
    anchor.purged_at = dt.datetime.now()
    session.flush()  # the anchor in place before the purge's own events are chained after it
    return count


def purge(
    session: Session,
    day: dt.date,
    categories: Iterable[str] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Purged]:
    """Delete what the rules in force make due on `day` (all enabled categories, or those
    named), inside the caller's transaction; one deletion record for each category that
    deleted something.

    `cancelled()` turning true raises `Cancelled` (the caller's transaction then rolls back,
    so nothing is deleted). A disabled or unknown category named is refused before anything
    is done.
    """
    rules = {r.category: r for r in schedule(session)}
    # the order matters where rules meet: names come off engagements after the contacts and
    # notes rules have read them (a contact losing its last name is stamped as edited today)
    ordered = [rules[c] for c in PURGE_ORDER]
    if categories is None:
        chosen = [r for r in ordered if r.enabled]
    else:
        names = [parse_category(c) for c in categories]
        off = [BY_CATEGORY[n].label for n in names if not rules[n].enabled]
        if off:
            raise ValidationError(
                f"{', '.join(off)}: the rule is switched off; switch it on to purge"
            )
        chosen = [r for r in ordered if r.category in names]
    officer = session.info.get("officer", "")
    done: list[Purged] = []
    for index, rule in enumerate(chosen):
        _check(cancelled)
        if progress is not None:
            progress(index, len(chosen), f"{rule.rule.label}…")
        since = cutoff(rule, day)
        category = rule.category
        if category == CONTACTS:
            count = _purge_contacts(session, _contacts_query(since), cancelled)
        elif category == EXPIRED_CONSENT:
            count = _purge_contacts(session, _expired_query(since), cancelled)
        elif category == NAMED_ATTENDANCE:
            contacts_rule = rules[CONTACTS]
            contacts_since = cutoff(contacts_rule, day) if contacts_rule.enabled else None
            count = _purge_attendance(session, since, contacts_since, cancelled)
        elif category == NOTES:
            count = _purge_notes(session, since, cancelled)
        elif category == DRAFTS:
            count = _purge_drafts(session, since)
        else:
            count = _purge_audit(session, since)
        record_id = None
        if count:
            record = DeletionRecord(
                category=category,
                rule=rule.why[:200],  # the rule in force, its period in words
                count=count,
                done_at=dt.datetime.now(),
                officer=officer,
            )
            session.add(record)
            stamping.audit_bulk(session, _audit_entity(category), count, "retention purge")
            session.flush()
            record_id = record.id
        done.append(Purged(category, rule.rule.label, rule.why, count, record_id))
    _check(cancelled)
    blanked = {c for p in done if p.count for c in _SEARCHED.get(p.category, ())}
    if blanked and session.get_bind().dialect.name == "sqlite":
        if progress is not None:
            progress(len(chosen), len(chosen) + 1, "Clearing the search index…")
        for table in sorted(blanked):
            session.execute(text(search_index.optimize_sql(table)))
    if progress is not None:
        progress(len(chosen), len(chosen), "Done")
    return done


# the search indexes holding text a category blanks: merged after a purge, so the words are
# gone from the index's segments too
_SEARCHED: dict[str, tuple[str, ...]] = {
    CONTACTS: ("contact",),
    EXPIRED_CONSENT: ("contact",),
    NOTES: ("contact", "engagement", "attendance", "quick_time_contact"),
    AUDIT: ("audit_event",),
}


def _audit_entity(category: str) -> str:
    return {
        CONTACTS: "contact",
        EXPIRED_CONSENT: "contact",
        NAMED_ATTENDANCE: "engagement_attendee",
        NOTES: "notes",
        DRAFTS: "draft",
        AUDIT: "audit_event",
    }[category]


def purge_store(
    store: Any,
    day: dt.date,
    categories: Iterable[str] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Purged]:
    """`purge` in a transaction of its own on an open store (all or nothing)."""
    with store.transaction() as session:
        return purge(session, day, categories, progress, cancelled)
