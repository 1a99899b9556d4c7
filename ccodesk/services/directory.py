"""Organisations, their sensitivities, and contacts with consent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
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
from ccodesk.services.engagements import Saved
from ccodesk.services.fields import assign_changed, get_live
from ccodesk.services.reference import check_codes
from ccodesk.services.search import fts_filter

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


def save_contact(session: Session, draft: ContactDraft, contact_id: str | None = None) -> Saved:
    """Create or update a contact; personal details stay local unless `shareable`."""
    problems = validate_contact(draft)
    if draft.organisation_id and session.get(Organisation, draft.organisation_id) is None:
        problems.append(f"unknown organisation {draft.organisation_id!r}")
    if problems:
        raise ValidationError(problems)
    if contact_id is None:
        contact = Contact(name=draft.name.strip())
        session.add(contact)
    else:
        contact = get_live(session, Contact, contact_id, "contact")
    assign_changed(contact, vars(draft))
    session.flush()
    return Saved(contact.id, [])


def list_organisations(
    session: Session,
    *,
    org_types: Sequence[OrganisationType] = (),
    offset: int = 0,
    limit: int = 200,
) -> list[Organisation]:
    query = select(Organisation).where(Organisation.deleted.is_(False))
    if org_types:
        query = query.where(Organisation.org_type.in_(list(org_types)))
    return list(session.scalars(query.order_by(Organisation.name).offset(offset).limit(limit)))


class OrganisationRow(NamedTuple):
    """One line of the organisations directory."""

    id: str
    name: str
    org_type: OrganisationType
    groups: list[str]  # names of the priority groups served
    sensitivities: int
    contacts: int
    consulted: int  # engagements it was a partner in, within the fatigue window


@dataclass
class OrganisationFilter:
    text: str = ""
    org_type: OrganisationType | None = None

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
    """A page of the directory, by name, with how often each was consulted in [since, until)."""
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
    query = criteria.apply(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.org_type,
            sensitivities,
            contacts,
            consulted,
        )
    )
    rows = session.execute(
        query.order_by(Organisation.name, Organisation.id).offset(offset).limit(limit)
    ).all()
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
