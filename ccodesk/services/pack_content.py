"""What the documents printed for an engagement (its meeting pack, its forms) say, read from
the store into the plain objects of `ccodesk.printing.pack_data` that `ccodesk.printing`
draws after the session has closed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ccodesk.models import (
    ActionItem,
    Engagement,
    EngagementKind,
    EngagementStatus,
    Finding,
    Outcome,
    OutcomeResult,
    engagement_partner,
)
from ccodesk.printing.pack_data import (
    ActionLine,
    AttendeeLine,
    EngagementSummary,
    PackContent,
    YouSaidLine,
)
from ccodesk.resource_files import borough_name
from ccodesk.services.consent import may_use
from ccodesk.services.engagements import get_engagement

PREVIOUS_MEETINGS = 12  # how far back a pack's action log and "you said, we did" reach


def summarise(engagement: Engagement) -> EngagementSummary:
    """The plain summary of a loaded engagement (see `get_engagement`)."""
    e = engagement
    return EngagementSummary(
        id=e.id,
        title=e.title,
        kind=e.kind.label,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        status=e.status.label,
        borough=borough_name(e.borough_code),
        venue_name=e.venue_name,
        venue_address=" ".join(e.venue_address.split()),
        access=e.access_labels,
        cco_name=e.cco_name,
        blo_name=e.blo_name,
        cso_name=e.cso_name,
        partners=sorted(o.name for o in e.partners if not o.deleted),
        theme=e.theme,
        topics=[(t.code, t.name) for t in e.topics],
        informs=e.informs.label if e.informs else "",
        informs_detail=e.informs_detail,
        target_groups=[g.name for g in e.target_groups],
        notes=e.notes,
    )


def engagement_summary(session: Session, engagement_id: str) -> EngagementSummary:
    """The summary of one engagement (an id or a unique start of one); NotFound otherwise."""
    return summarise(get_engagement(session, engagement_id))


def previous_meetings(session: Session, engagement: Engagement) -> list[tuple[str, dt.datetime]]:
    """Earlier meetings of the same group, newest first (at most PREVIOUS_MEETINGS).

    A PCCG meeting follows the borough's earlier PCCG meetings. Other kinds follow earlier
    engagements of the same kind with the same title or theme, or with a partner in common.
    """
    query = select(Engagement.id, Engagement.starts_at).where(
        Engagement.deleted.is_(False),
        Engagement.kind == engagement.kind,
        Engagement.starts_at < engagement.starts_at,
        Engagement.status != EngagementStatus.CANCELLED,
        Engagement.id != engagement.id,
    )
    if engagement.borough_code:
        query = query.where(Engagement.borough_code == engagement.borough_code)
    if engagement.kind != EngagementKind.PCCG_MEETING:
        same = [Engagement.title == engagement.title]
        if engagement.theme:
            same.append(Engagement.theme == engagement.theme)
        partners = [o.id for o in engagement.partners]
        if partners:
            same.append(
                Engagement.id.in_(
                    select(engagement_partner.c.engagement_id).where(
                        engagement_partner.c.organisation_id.in_(partners)
                    )
                )
            )
        query = query.where(or_(*same))
    query = query.order_by(Engagement.starts_at.desc()).limit(PREVIOUS_MEETINGS)
    return [(i, when) for i, when in session.execute(query)]


def _we_did(result: OutcomeResult, decision: str, explanation: str) -> str:
    if result == OutcomeResult.NOT_USED:
        return f"We did not act on this, because: {explanation}"
    return f"{result.label}: {decision}"


def named_attendees(engagement: Engagement, day: dt.date) -> tuple[list[AttendeeLine], int]:
    """The engagement's named attendees a document may name on `day` (`consent.may_use`), by
    name, and how many others it must leave out."""
    people = [c for c in engagement.attendees if not c.deleted]
    named = sorted(
        (
            AttendeeLine(c.name, c.role, c.organisation.name if c.organisation else "")
            for c in people
            if may_use(c, day)
        ),
        key=lambda a: (a.name.casefold(), a.organisation),
    )
    return named, len(people) - len(named)


def pack_content(session: Session, engagement_id: str, day: dt.date | None = None) -> PackContent:
    """What the meeting pack of one engagement prints on `day` (today by default)."""
    engagement = get_engagement(session, engagement_id)
    attendees, withheld = named_attendees(engagement, day or dt.date.today())
    previous = previous_meetings(session, engagement)
    ids = [i for i, _ in previous]
    when = dict(previous)
    titles: dict[str, str] = {
        i: t
        for i, t in session.execute(
            select(Engagement.id, Engagement.title).where(Engagement.id.in_(ids))
        )
    }
    actions = [
        ActionLine(when[eid].date(), description, owner, due_on, status.label, done_on, note or "")
        for eid, description, owner, due_on, status, done_on, note in session.execute(
            select(
                ActionItem.engagement_id,
                ActionItem.description,
                ActionItem.owner,
                ActionItem.due_on,
                ActionItem.status,
                ActionItem.completed_on,
                ActionItem.status_note,
            ).where(ActionItem.engagement_id.in_(ids), ActionItem.deleted.is_(False))
        )
        if eid is not None
    ]
    actions.sort(key=lambda a: (a.meeting, a.due_on or dt.date.max, a.description))
    you_said = [
        YouSaidLine(when[eid].date(), text, _we_did(result, decision, explanation))
        for eid, text, result, decision, explanation in session.execute(
            select(
                Finding.engagement_id,
                Finding.text,
                Outcome.result,
                Outcome.decision,
                Outcome.explanation,
            )
            .join(Outcome, Outcome.finding_id == Finding.id)
            .where(
                Finding.engagement_id.in_(ids),
                Finding.deleted.is_(False),
                Outcome.deleted.is_(False),
            )
        )
    ]
    you_said.sort(key=lambda y: (y.meeting, y.you_said))
    return PackContent(
        engagement=summarise(engagement),
        previous=[(when[i].date(), titles[i]) for i in ids],
        actions=actions,
        you_said=you_said,
        attendees=attendees,
        attendees_withheld=withheld,
    )
