"""Consultee fatigue: how often each organisation has been consulted lately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.models import Engagement, EngagementStatus, Organisation, engagement_partner
from ccodesk.words import plural


def consultation_counts(
    session: Session,
    organisation_ids: Sequence[str],
    *,
    before: dt.datetime,
    days: int,
    excluding: str | None = None,
) -> dict[str, int]:
    """For each organisation, the engagements it was a partner in during `days` before `before`."""
    if not organisation_ids:
        return {}
    query = (
        select(engagement_partner.c.organisation_id, func.count())
        .join(Engagement, Engagement.id == engagement_partner.c.engagement_id)
        .where(
            engagement_partner.c.organisation_id.in_(list(organisation_ids)),
            Engagement.deleted.is_(False),
            Engagement.status != EngagementStatus.CANCELLED,
            Engagement.starts_at >= before - dt.timedelta(days=days),
            Engagement.starts_at < before,
        )
        .group_by(engagement_partner.c.organisation_id)
    )
    if excluding:
        query = query.where(Engagement.id != excluding)
    return {org: int(n) for org, n in session.execute(query)}


def fatigue_warnings(
    session: Session,
    organisation_ids: Sequence[str],
    *,
    starts_at: dt.datetime,
    threshold: int,
    days: int,
    excluding: str | None = None,
) -> list[str]:
    """Warnings for partners consulted `threshold` times or more in the window before."""
    counts = consultation_counts(
        session, organisation_ids, before=starts_at, days=days, excluding=excluding
    )
    tired = {org: n for org, n in counts.items() if n >= threshold}
    if not tired:
        return []
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(tired)))
        ).all()
    )
    return [
        f"{names[org]} was consulted {plural(n, 'time')} in the {plural(days, 'day')} "
        "before this: "
        "beware of consultee fatigue."
        for org, n in sorted(tired.items(), key=lambda kv: names[kv[0]])
    ]
