"""What the printed documents say, read from the store into plain objects (no reportlab here).

The documents in `ccodesk.printing.documents` draw only these objects, so they can be built
after the session has closed, and tested without a store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
from ccodesk.resource_files import borough_name
from ccodesk.services.engagements import get_engagement

PREVIOUS_MEETINGS = 12  # how far back a pack's action log and "you said, we did" reach


def long_date(day: dt.date) -> str:
    """'Thursday 4 February 2027' (no leading zero, on every platform)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class EngagementSummary:
    """An engagement as a pack's cover and the forms' headings show it."""

    id: str
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    status: str
    borough: str
    venue_name: str
    venue_address: str
    access: list[str]
    cco_name: str
    blo_name: str
    cso_name: str
    partners: list[str]
    theme: str
    topics: list[tuple[str, str]]  # (code, name)
    informs: str
    informs_detail: str
    target_groups: list[str]
    notes: str

    @property
    def when(self) -> str:
        text = f"{long_date(self.starts_at)}, {self.starts_at:%H:%M}"
        if self.ends_at and self.ends_at.date() == self.starts_at.date():
            text += f" to {self.ends_at:%H:%M}"
        elif self.ends_at:
            text += f" to {long_date(self.ends_at)}, {self.ends_at:%H:%M}"
        return text

    @property
    def venue(self) -> str:
        return ", ".join(p for p in (self.venue_name, self.venue_address) if p)


@dataclass(frozen=True)
class ActionLine:
    meeting: dt.date
    description: str
    owner: str
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None = None  # when it was done or dropped
    note: str = ""  # what was done, or why it was dropped

    @property
    def where_it_stands(self) -> str:
        """The status as the log prints it: "Done", and the date on a line of its own."""
        return self.status + (f"\n{self.completed_on:%d %b %Y}" if self.completed_on else "")

    @property
    def what(self) -> str:
        """The action as the log prints it, with the note on what became of it below."""
        return self.description + (f"\nNote: {self.note}" if self.note else "")


@dataclass(frozen=True)
class YouSaidLine:
    meeting: dt.date
    you_said: str
    we_did: str


@dataclass
class PackContent:
    """Everything a meeting pack prints."""

    engagement: EngagementSummary
    previous: list[tuple[dt.date, str]] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    you_said: list[YouSaidLine] = field(default_factory=list)


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


def pack_content(session: Session, engagement_id: str) -> PackContent:
    """What the meeting pack of one engagement prints."""
    engagement = get_engagement(session, engagement_id)
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
    )
