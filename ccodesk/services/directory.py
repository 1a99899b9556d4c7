"""Organisations, their sensitivities, and contacts with consent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session, selectinload

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ConsentMethod,
    Contact,
    Engagement,
    EngagementStatus,
    Organisation,
    OrganisationType,
    PriorityGroup,
    Sensitivity,
    SensitivityLevel,
    Topic,
    engagement_partner,
    organisation_group,
)
from ccodesk.services import consent
from ccodesk.services.engagements import Saved
from ccodesk.services.fields import assign_changed, get_live
from ccodesk.services.reference import check_codes
from ccodesk.services.search import _WORD, _fold, fts_filter

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class OrganisationDraft:
    name: str
    org_type: OrganisationType
    borough_code: str | None = None
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    notes: str = ""
    groups_served: list[str] = field(default_factory=list)
    # (topic code, level, note)
    sensitivities: list[tuple[str, SensitivityLevel, str]] = field(default_factory=list)


def save_organisation(
    session: Session, draft: OrganisationDraft, organisation_id: str | None = None
) -> Saved:
    """Create or update an organisation with the groups it serves and its sensitivities."""
    problems = []
    if not draft.name.strip():
        problems.append("the organisation has no name")
    if draft.email and not _EMAIL.match(draft.email):
        problems.append(f"{draft.email!r} is not an e-mail address")
    problems += check_codes(session, PriorityGroup, draft.groups_served, "priority group")
    problems += check_codes(session, Topic, [t for t, _, _ in draft.sensitivities], "topic")
    if problems:
        raise ValidationError(problems)
    if organisation_id is None:
        org = Organisation(name=draft.name.strip(), org_type=draft.org_type)
        session.add(org)
    else:
        org = get_organisation(session, organisation_id)
    assign_changed(
        org,
        {
            f.name: getattr(draft, f.name)
            for f in fields(draft)
            if f.name not in ("groups_served", "sensitivities")
        },
    )
    wanted = list(dict.fromkeys(draft.groups_served))
    if [g.code for g in org.groups_served] != wanted:
        groups = {
            g.code: g
            for g in session.scalars(select(PriorityGroup).where(PriorityGroup.code.in_(wanted)))
        }
        org.groups_served = [groups[c] for c in wanted]
    current = {s.topic_code: s for s in org.sensitivities if not s.deleted}
    for topic, level, note in draft.sensitivities:
        row = current.pop(topic, None)
        if row is None:
            org.sensitivities.append(Sensitivity(topic_code=topic, level=level, note=note))
        elif (row.level, row.note) != (level, note):
            row.level, row.note = level, note
    for row in current.values():
        row.deleted = True
    session.flush()
    return Saved(org.id, [])


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    org = session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.groups_served), selectinload(Organisation.sensitivities))
        .where(Organisation.id == organisation_id)
    ).one_or_none()
    if org is None or org.deleted:
        raise NotFound(f"No organisation has the id {organisation_id!r}.")
    return org


def organisation_named(session: Session, name: str) -> str:
    """The id of the live organisation with this id, or the one whose name is (or, when only
    one does, contains) `name`; NotFound, in plain words, for none or several."""
    org = session.get(Organisation, name)
    if org is not None and not org.deleted:
        return str(org.id)
    matches = session.scalars(
        select(Organisation)
        .where(Organisation.deleted.is_(False), Organisation.name.ilike(f"%{name}%"))
        .limit(6)
    ).all()
    exact = [m for m in matches if m.name.casefold() == name.casefold()]
    if len(exact) == 1 or len(matches) == 1:
        return str((exact or matches)[0].id)
    if not matches:
        raise NotFound(f"No organisation is called {name!r}.")
    names = "; ".join(m.name for m in matches[:5])
    raise NotFound(f"{name!r} matches several organisations ({names}); be more exact.")


@dataclass
class ContactDraft:
    name: str
    organisation_id: str | None = None
    role: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    preferred_channel: str = ""
    accessibility_needs: str = ""
    consent_given: bool = False
    consent_date: dt.date | None = None
    consent_scope: str = ""
    consent_expires: dt.date | None = None
    shareable: bool = False
    notes: str = ""
    # How a change of consent made here was recorded, for the step `save_contact` adds to the
    # consent history (a tick on the sign-in sheet or a returned form: a signed form).
    consent_method: ConsentMethod = ConsentMethod.WRITTEN
    consent_note: str = ""


# Draft fields that are not contact columns.
_NOT_COLUMNS = ("consent_method", "consent_note")
_CONSENT_COLUMNS = ("consent_given", "consent_date", "consent_scope", "consent_expires")


def validate_contact(draft: ContactDraft) -> list[str]:
    problems = []
    if not draft.name.strip():
        problems.append("the contact has no name")
    if draft.email and not _EMAIL.match(draft.email):
        problems.append(f"{draft.email!r} is not an e-mail address")
    if draft.consent_given and draft.consent_date is None:
        problems.append("record the date consent was given")
    if not draft.consent_given and (draft.consent_date or draft.consent_expires):
        problems.append("consent dates are set but consent is not recorded as given")
    if draft.consent_date and draft.consent_expires and draft.consent_expires < draft.consent_date:
        problems.append("consent expires before it was given")
    if draft.shareable and not draft.consent_given:
        problems.append("a contact can only be shared with the centre with their consent")
    return problems


def get_contact(session: Session, contact_id: str) -> Contact | None:
    """A contact by id, or None when there is none."""
    return session.get(Contact, contact_id)


def save_contact(
    session: Session,
    draft: ContactDraft,
    contact_id: str | None = None,
    *,
    keep_consent: bool = False,
) -> Saved:
    """Create or update a contact; personal details stay local unless `shareable`.

    A change to the consent columns adds the matching step to the consent history (given,
    renewed or withdrawn), so the history stays complete whoever sets them. With
    `keep_consent` an existing contact's consent stays as stored whatever the draft says (the
    contact form records consent through `services.consent.record_consent` instead).
    """
    contact = get_live(session, Contact, contact_id, "contact") if contact_id else None
    if contact is not None and keep_consent:
        stored = {name: getattr(contact, name) for name in _CONSENT_COLUMNS}
        draft = dataclasses.replace(draft, **stored)
    problems = validate_contact(draft)
    if draft.organisation_id and session.get(Organisation, draft.organisation_id) is None:
        problems.append(f"unknown organisation {draft.organisation_id!r}")
    if problems:
        raise ValidationError(problems)
    before = consent.ConsentState.of(contact) if contact is not None else None
    if contact is None:
        contact = Contact(name=draft.name.strip())
        session.add(contact)
    values = {k: v for k, v in vars(draft).items() if k not in _NOT_COLUMNS}
    assign_changed(contact, values)
    session.flush()
    step = consent.step_for_change(
        before,
        consent.ConsentState.of(contact),
        method=draft.consent_method,
        note=draft.consent_note,
        day=dt.date.today(),
    )
    if step is not None:
        consent.write_step(session, contact.id, step)
        session.flush()
    return Saved(contact.id, [])


@dataclass(frozen=True)
class ContactLine:
    """A contact as an organisation's details list them: the role only while their details
    may be used (`consent.may_use`); otherwise why they are withheld, so consent can be renewed."""

    id: str
    name: str
    role: str
    shareable: bool
    withheld: str  # "" when the details may be used, else why not ("consent expired on …")


def contact_lines(session: Session, organisation_id: str, day: dt.date) -> list[ContactLine]:
    """The live contacts of an organisation, by name, as they may be shown on `day`."""
    people = list(
        session.scalars(
            select(Contact)
            .where(Contact.organisation_id == organisation_id, Contact.deleted.is_(False))
            .order_by(Contact.name, Contact.id)
        )
    )
    last = consent.latest_kinds(session, [c.id for c in people])
    lines = []
    for c in people:
        usable = consent.may_use(c, day)
        why = "" if usable else consent.withheld_because(c, day, last.get(c.id))
        lines.append(ContactLine(c.id, c.name, c.role if usable else "", c.shareable, why))
    return lines


class OrganisationRow(NamedTuple):
    """One line of the organisations directory."""

    id: str
    name: str
    org_type: OrganisationType
    groups: list[str]  # names of the priority groups served
    sensitivities: int
    contacts: int
    consulted: int  # engagements it was a partner in, within the fatigue window


class OrganisationOrder(enum.StrEnum):
    """What the organisations directory can be sorted by (its columns)."""

    NAME = "name"
    TYPE = "type"
    SENSITIVITIES = "sensitivities"
    CONTACTS = "contacts"
    CONSULTED = "consulted"


@dataclass
class OrganisationFilter:
    """Which organisations to list, and in what order (then by name and id, A to Z)."""

    text: str = ""
    org_type: OrganisationType | None = None
    order: OrganisationOrder = OrganisationOrder.NAME
    descending: bool = False

    def apply(self, query: Select) -> Select:  # type: ignore[type-arg]
        query = query.where(Organisation.deleted.is_(False))
        if self.org_type is not None:
            query = query.where(Organisation.org_type == self.org_type)
        if self.text.strip():
            query = fts_filter(query, Organisation, self.text)
        return query


def count_organisations(session: Session, criteria: OrganisationFilter) -> int:
    return int(
        session.execute(criteria.apply(select(func.count()).select_from(Organisation))).scalar_one()
    )


def organisation_rows(
    session: Session,
    criteria: OrganisationFilter,
    *,
    since: dt.datetime,
    until: dt.datetime,
    offset: int = 0,
    limit: int = 200,
) -> list[OrganisationRow]:
    """A page of the directory in `criteria`'s order, with how often each was consulted.

    Consulted: a partner in an engagement, not cancelled, starting in [since, until).
    """
    sensitivities = (
        select(func.count())
        .where(Sensitivity.organisation_id == Organisation.id, Sensitivity.deleted.is_(False))
        .correlate(Organisation)
        .scalar_subquery()
    )
    contacts = (
        select(func.count())
        .where(Contact.organisation_id == Organisation.id, Contact.deleted.is_(False))
        .correlate(Organisation)
        .scalar_subquery()
    )
    consulted = (
        select(func.count())
        .select_from(
            engagement_partner.join(Engagement, Engagement.id == engagement_partner.c.engagement_id)
        )
        .where(
            engagement_partner.c.organisation_id == Organisation.id,
            Engagement.deleted.is_(False),
            Engagement.status != EngagementStatus.CANCELLED,
            Engagement.starts_at >= since,
            Engagement.starts_at < until,
        )
        .correlate(Organisation)
        .scalar_subquery()
    )
    counts = {
        OrganisationOrder.SENSITIVITIES: sensitivities.label("sensitivities"),
        OrganisationOrder.CONTACTS: contacts.label("contacts"),
        OrganisationOrder.CONSULTED: consulted.label("consulted"),
    }
    query = criteria.apply(
        select(Organisation.id, Organisation.name, Organisation.org_type, *counts.values())
    )
    first: Any = {OrganisationOrder.TYPE: Organisation.org_type, **counts}.get(criteria.order)
    terms: list[Any] = [Organisation.name, Organisation.id]
    if first is not None:
        terms.insert(0, first)
    if criteria.descending:
        terms[0] = terms[0].desc()
    rows = session.execute(query.order_by(*terms).offset(offset).limit(limit)).all()
    ids = [r[0] for r in rows]
    served: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        for org_id, name in session.execute(
            select(organisation_group.c.organisation_id, PriorityGroup.name)
            .join(PriorityGroup, PriorityGroup.code == organisation_group.c.group_code)
            .where(organisation_group.c.organisation_id.in_(ids))
            .order_by(PriorityGroup.position)
        ):
            served[org_id].append(name)
    return [OrganisationRow(i, n, t, served[i], s, c, k) for i, n, t, s, c, k in rows]


# -- the partner picker's search --------------------------------------------------------------

PARTNER_LIMIT = 50  # results shown at once: enough to scan, few enough to stay fast at any size
# Words too common to say which type or group served was meant ("Children and young people").
_IN_INDEX = "SELECT rowid FROM organisation_fts WHERE organisation_fts MATCH"
# Correlated, so a broad group is tested row by row as the walk goes, never gathered whole.
_SERVING = (
    "EXISTS (SELECT 1 FROM organisation_group AS g "
    "WHERE g.organisation_id = o.id AND g.group_code IN"
)
_FILLER = frozenset({"and", "of", "the", "or", "in", "for"})


@dataclass(frozen=True)
class PartnerMatch:
    """An organisation as the partner picker shows it: its name and what tells it apart."""

    id: str
    name: str
    org_type: OrganisationType
    address: str
    postcode: str
    groups: tuple[str, ...]  # names of the priority groups served

    @property
    def place(self) -> str:
        """The address on one line, with the postcode."""
        lines = [p.strip() for p in self.address.replace("\n", ",").split(",") if p.strip()]
        if self.postcode and self.postcode not in self.address:
            lines.append(self.postcode)
        return ", ".join(lines)

    @property
    def detail(self) -> str:
        """The line under the name: type, address and groups served."""
        served = ", ".join(g if g[:4].isupper() else g[:1].lower() + g[1:] for g in self.groups)
        parts = [self.org_type.label, self.place, f"serves {served}" if served else ""]
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class PartnerResults:
    matches: list[PartnerMatch]
    more: bool  # more organisations match than were returned


def _words(typed: str) -> list[str]:
    return [_fold(w) for w in _WORD.findall(typed)][:8]


def _starts_a_word(word: str, label: str) -> bool:
    return len(word) >= 2 and word not in _FILLER and any(w.startswith(word) for w in _words(label))


def _like_prefix(typed: str) -> str:
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def search_partners(session: Session, typed: str, *, limit: int = PARTNER_LIMIT) -> PartnerResults:
    """Organisations matching every word typed, each word as a prefix, best first.

    A word may match the name, address, postcode or notes (the FTS5 index), the type, or a
    group served. Names starting with what was typed come first, then names holding every
    word, then the rest; by name within each. With nothing typed: the first by name.
    """
    words = _words(typed)
    if not words:
        rows = _walk(session, [], {}, limit + 1)
        return PartnerResults(_matches(session, rows[:limit]), len(rows) > limit)
    phrase = " ".join(typed.split()).casefold()
    every = " ".join(f'"{w}"*' for w in words)
    n = limit + 1
    tiers: list[Callable[[], list[Any]]] = []
    first = phrase[:1].upper()
    if first.isascii() and first.isalnum():
        # The name index is in binary order: a range on the first letter keeps this a seek.
        starts = {"lo": first, "hi": chr(ord(first) + 1), "starts": _like_prefix(phrase)}
        tiers.append(
            lambda: _walk(
                session,
                ["o.name >= :lo", "o.name < :hi", "o.name LIKE :starts ESCAPE '\\'"],
                starts,
                n,
            )
        )
    tiers.append(lambda: _indexed(session, f"name : ({every})", n))
    rest, conditions, params = _anywhere(session, words)
    if rest is not None:
        tiers.append(lambda: _indexed(session, rest, n, conditions, params))
    else:
        tiers.append(lambda: _walk(session, conditions, params, n))
    found: dict[str, Any] = {}
    for tier in tiers:
        for row in tier():
            found.setdefault(row[0], row)
        if len(found) > limit:
            break
    rows = list(found.values())
    return PartnerResults(_matches(session, rows[:limit]), len(rows) > limit)


def _anywhere(session: Session, words: list[str]) -> tuple[str | None, list[str], dict[str, Any]]:
    """Every word matching somewhere: the index, the type or a group.

    Returns one FTS5 query for the words only the index can match (or None), and the
    conditions for the others.
    """
    groups = session.execute(select(PriorityGroup.code, PriorityGroup.name)).all()
    conditions: list[str] = []
    params: dict[str, Any] = {}
    indexed_only = []
    for i, word in enumerate(words):
        types = [t.value for t in OrganisationType if _starts_a_word(word, t.label)]
        codes = [code for code, name in groups if _starts_a_word(word, name)]
        if not types and not codes:
            indexed_only.append(f'"{word}"*')
            continue
        either = [f"+o.rowid IN ({_IN_INDEX} :w{i})"]
        params[f"w{i}"] = f'"{word}"*'
        if types:
            params[f"t{i}"] = types
            either.append(f"o.org_type IN :t{i}")
        if codes:
            params[f"g{i}"] = codes
            either.append(f"{_SERVING} :g{i})")
        conditions.append(f"({' OR '.join(either)})")
    # Words only the index can match: one MATCH of them all is the fastest.
    return (" ".join(indexed_only) or None), conditions, params


_FEW = 200  # an FTS5 match this small is read whole and sorted; a bigger one walked by name
_COLUMNS = "o.id, o.name, o.org_type, o.address, o.postcode"


def _indexed(
    session: Session,
    match: str,
    limit: int,
    conditions: Sequence[str] = (),
    params: dict[str, Any] | None = None,
) -> list[Any]:
    """The first `limit` live organisations by name whose indexed text matches `match` (and
    that meet `conditions`): a few matches are read and sorted, many walked by name."""
    params = dict(params or {})
    rowids = session.execute(text(f"{_IN_INDEX} :q LIMIT {_FEW + 1}"), {"q": match}).scalars()
    few = list(rowids)
    if len(few) > _FEW:
        return _walk(
            session, [f"+o.rowid IN ({_IN_INDEX} :q)", *conditions], {**params, "q": match}, limit
        )
    if not few:
        return []
    where = " AND ".join(["o.rowid IN :few", *conditions, "o.deleted = 0"])
    statement = text(
        f"SELECT {_COLUMNS} FROM organisation AS o WHERE {where} ORDER BY o.name, o.id LIMIT :n"
    ).bindparams(
        bindparam("few", expanding=True),
        *(bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)),
    )
    return list(session.execute(statement, {**params, "few": few, "n": limit}).all())


def _walk(session: Session, conditions: list[str], params: dict[str, Any], limit: int) -> list[Any]:
    """The first `limit` live organisations by name meeting `conditions`.

    Walking the name index and stopping at `limit` costs little however many match; the
    FTS5 sets are tested by rowid (the `+` keeps SQLite from driving the query by them and
    sorting every match).
    """
    where = " AND ".join([*conditions, "o.deleted = 0"])
    statement = text(
        f"SELECT {_COLUMNS} FROM organisation AS o INDEXED BY ix_organisation_name WHERE {where} "
        "ORDER BY o.name, o.id LIMIT :n"
    ).bindparams(*(bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)))
    return list(session.execute(statement, {**params, "n": limit}).all())


def _matches(session: Session, rows: Sequence[Any]) -> list[PartnerMatch]:
    ids = [r[0] for r in rows]
    served: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        for org_id, name in session.execute(
            select(organisation_group.c.organisation_id, PriorityGroup.name)
            .join(PriorityGroup, PriorityGroup.code == organisation_group.c.group_code)
            .where(organisation_group.c.organisation_id.in_(ids))
            .order_by(PriorityGroup.position)
        ):
            served[org_id].append(name)
    return [
        PartnerMatch(i, n, OrganisationType(t), a or "", p or "", tuple(served[i]))
        for i, n, t, a, p in rows
    ]


def partner_matches(session: Session, ids: Sequence[str]) -> list[PartnerMatch]:
    """The organisations with these ids, in that order (unknown ids are left out)."""
    if not ids:
        return []
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.org_type,
            Organisation.address,
            Organisation.postcode,
        ).where(Organisation.id.in_(list(ids)))
    ).all()
    by_id = {m.id: m for m in _matches(session, rows)}
    return [by_id[i] for i in ids if i in by_id]
