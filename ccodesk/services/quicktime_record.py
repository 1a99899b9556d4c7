"""A quick-time consultation's one-page record: read from the store as plain data, for
`ccodesk.printing.quicktime` to lay out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ccodesk.models import Topic
from ccodesk.printing.quicktime import ConsulteeLine, QuickTimeRecord, record_pdf
from ccodesk.resource_files import borough_name
from ccodesk.services import quicktime as qt


def record_of(
    session: Session, consultation_id: str, now: dt.datetime | None = None
) -> QuickTimeRecord:
    """The record of one consultation (by id or a unique start of it), read from the store."""
    now = now or dt.datetime.now()
    c = qt.get(session, consultation_id)
    topic = session.get(Topic, c.topic_code) if c.topic_code else None
    consultees = [
        ConsulteeLine(
            name=x.name,
            role=x.role.label,
            reason=x.reason,
            advice=x.advice,
            advice_used=x.advice_used,
            impact=x.impact,
            feedback_given_on=x.feedback_given_on,
            contacts=[
                f"{k.at:%a %d %b %H:%M} {k.channel.label}: {k.note}"
                for k in x.contacts
                if not k.deleted
            ],
        )
        for x in c.consultees
        if not x.deleted
    ]
    return QuickTimeRecord(
        id=c.id,
        title=c.title,
        event_at=c.event_at,
        deadline=c.deadline,
        countdown=qt.countdown(c.deadline, now),
        status=c.status.label,
        stage=c.stage,
        location=c.location,
        scale=c.scale,
        topic=topic.name if topic else "",
        affected=[g.name for g in c.affected_groups],
        borough=borough_name(c.borough_code),
        event_profile=c.event_profile,
        level=c.level.label,
        communities=c.communities,
        police=c.police,
        other_agencies=c.other_agencies,
        impact_assessment=c.impact_assessment,
        media_strategy=c.media_strategy,
        cost_benefit=c.cost_benefit,
        officer_hours=c.officer_hours,
        adviser_compensation_pence=c.adviser_compensation_pence,
        technology=c.technology,
        departmental_assessment=c.departmental_assessment,
        scope=qt.scope(c),
        delivery=c.delivery.label if c.delivery else "",
        terms_of_reference=c.terms_of_reference,
        consultees=consultees,
        review=c.review,
        lessons=c.lessons,
        reviewed_on=c.reviewed_on,
        printed_at=now,
    )


def quicktime_pdf(session: Session, consultation_id: str) -> bytes:
    """The one-page record of a consultation (by id or a unique start of it) as PDF bytes."""
    return record_pdf(record_of(session, consultation_id))
