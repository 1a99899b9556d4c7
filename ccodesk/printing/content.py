"""What the printed documents say, read from the store into plain objects (no reportlab here).

The documents in `ccodesk.printing.documents` draw only these objects, so they can be built
after the session has closed, and tested without a store.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ActionItem,
    Attendance,
    ConsultationMethod,
    CostItem,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Outcome,
    OutcomeResult,
    PriorityGroup,
    Topic,
    engagement_partner,
)
from ccodesk.resource_files import borough_name
from ccodesk.services.dashboard import group_reach
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
        ActionLine(when[eid].date(), description, owner, due_on, status.label)
        for eid, description, owner, due_on, status in session.execute(
            select(
                ActionItem.engagement_id,
                ActionItem.description,
                ActionItem.owner,
                ActionItem.due_on,
                ActionItem.status,
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


def all_topics(session: Session) -> list[tuple[str, str]]:
    """Every topic, by name (for keying feedback about a blank form)."""
    return [(c, n) for c, n in session.execute(select(Topic.code, Topic.name).order_by(Topic.name))]


# -- the quarterly return -------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def long_label(self) -> str:
        last = self.end - dt.timedelta(days=1)
        first = self.start
        return f"Q{self.number} {self.year} ({first.day} {first:%B} to {last.day} {last:%B %Y})"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2026Q3', '2026-q3' or 'Q3 2026'; ValidationError for anything else."""
        cleaned = text.strip().upper().replace(" ", "").replace("-", "")
        year = number = 0
        if match := re.fullmatch(r"(\d{4})Q(\d)", cleaned):
            year, number = int(match[1]), int(match[2])
        elif match := re.fullmatch(r"Q(\d)(\d{4})", cleaned):
            number, year = int(match[1]), int(match[2])
        if not 1 <= number <= 4 or not 1990 <= year <= 2200:
            raise ValidationError(
                f"{text!r} is not a quarter: write it like 2026Q3 "
                "(Q1 is January to March, Q4 October to December)"
            )
        return cls(year, number)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class MethodLine:
    method: str
    held: int
    attendees: int


@dataclass(frozen=True)
class GroupLine:
    group: str
    this_quarter: int
    quarter_before: int


@dataclass(frozen=True)
class ChangedDecision:
    held_on: dt.date
    engagement: str
    finding: str
    decision: str


@dataclass(frozen=True)
class FeedbackLine:
    given_on: dt.date
    channel: str
    engagement: str
    text: str


@dataclass
class ReturnContent:
    """Everything the quarterly consultation return prints."""

    borough: str
    quarter: Quarter
    methods: list[MethodLine]
    held_before: int
    attendees_before: int
    prefer_not_to_say: int
    not_asked: int
    groups: list[GroupLine]
    changed: list[ChangedDecision]
    outcomes: dict[str, int]  # outcome label -> findings of the quarter's engagements
    findings: int
    feedback: list[FeedbackLine]
    costs: list[tuple[str, int]]  # category label, pence
    officer_time: list[tuple[str, int, int]]  # role label, minutes, pence

    @property
    def held(self) -> int:
        return sum(m.held for m in self.methods)

    @property
    def attendees(self) -> int:
        return sum(m.attendees for m in self.methods)

    @property
    def cash_pence(self) -> int:
        return sum(p for _, p in self.costs)

    @property
    def officer_pence(self) -> int:
        return sum(p for _, _, p in self.officer_time)


def _held_in(start: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    return (
        Engagement.deleted.is_(False),
        Engagement.status == EngagementStatus.HELD,
        Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
        Engagement.starts_at < dt.datetime.combine(end, dt.time()),
    )


def _held_and_attendees(session: Session, quarter: Quarter) -> tuple[int, int]:
    row = session.execute(
        select(func.count(Engagement.id), func.coalesce(func.sum(Attendance.total), 0))
        .outerjoin(
            Attendance,
            (Attendance.engagement_id == Engagement.id) & Attendance.deleted.is_(False),
        )
        .where(*_held_in(quarter.start, quarter.end))
    ).one()
    return int(row[0]), int(row[1])


def return_content(session: Session, borough_code: str | None, quarter: Quarter) -> ReturnContent:
    """What the quarterly consultation return for `quarter` prints."""
    held = _held_in(quarter.start, quarter.end)
    live_attendance = (Attendance.engagement_id == Engagement.id) & Attendance.deleted.is_(False)
    methods = [
        MethodLine(name or "Other", int(n), int(people))
        for name, n, people in session.execute(
            select(
                ConsultationMethod.name,
                func.count(Engagement.id),
                func.coalesce(func.sum(Attendance.total), 0),
            )
            .select_from(Engagement)
            .outerjoin(ConsultationMethod, ConsultationMethod.code == Engagement.method_code)
            .outerjoin(Attendance, live_attendance)
            .where(*held)
            .group_by(ConsultationMethod.name, ConsultationMethod.position)
            .order_by(ConsultationMethod.position)
        )
    ]
    held_before, attendees_before = _held_and_attendees(session, quarter.previous())
    unsaid, unasked = session.execute(
        select(
            func.coalesce(func.sum(Attendance.prefer_not_to_say), 0),
            func.coalesce(func.sum(Attendance.not_asked), 0),
        )
        .join(Engagement, live_attendance)
        .where(*held)
    ).one()
    now = group_reach(session, quarter.start, quarter.end)
    before = {g.code: g.attendees for g in group_reach(session, *_bounds(quarter.previous()))}
    groups = [GroupLine(g.name, g.attendees, before.get(g.code, 0)) for g in now]
    start = dt.datetime.combine(quarter.start, dt.time())
    end = dt.datetime.combine(quarter.end, dt.time())
    changed = [
        ChangedDecision(when.date(), title, text, decision)
        for when, title, text, decision in session.execute(
            select(Engagement.starts_at, Engagement.title, Finding.text, Outcome.decision)
            .join(Finding, Finding.engagement_id == Engagement.id)
            .join(Outcome, Outcome.finding_id == Finding.id)
            .where(
                Engagement.deleted.is_(False),
                Finding.deleted.is_(False),
                Outcome.deleted.is_(False),
                Outcome.result == OutcomeResult.CHANGED_DECISION,
                or_(
                    Outcome.decided_on.between(quarter.start, quarter.end - dt.timedelta(days=1)),
                    Outcome.decided_on.is_(None)
                    & (Engagement.starts_at >= start)
                    & (Engagement.starts_at < end),
                ),
            )
            .order_by(Engagement.starts_at, Finding.text)
        )
    ]
    findings = int(
        session.execute(
            select(func.count(Finding.id))
            .join(Engagement, Engagement.id == Finding.engagement_id)
            .where(*held, Finding.deleted.is_(False))
        ).scalar_one()
    )
    used = session.execute(
        select(Outcome.result, func.count(func.distinct(Outcome.finding_id)))
        .join(Finding, Finding.id == Outcome.finding_id)
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(*held, Finding.deleted.is_(False), Outcome.deleted.is_(False))
        .group_by(Outcome.result)
    )
    outcomes = {result.label: int(n) for result, n in used}
    feedback = [
        FeedbackLine(given_on, channel.label, title or "", text)
        for given_on, channel, title, text in session.execute(
            select(
                FeedbackGiven.given_on, FeedbackGiven.channel, Engagement.title, FeedbackGiven.text
            )
            .outerjoin(Engagement, Engagement.id == FeedbackGiven.engagement_id)
            .where(
                FeedbackGiven.deleted.is_(False),
                FeedbackGiven.given_on >= quarter.start,
                FeedbackGiven.given_on < quarter.end,
            )
            .order_by(FeedbackGiven.given_on)
        )
    ]
    costs = [
        (category.label, int(pence))
        for category, pence in session.execute(
            select(CostItem.category, func.sum(CostItem.amount_pence))
            .join(Engagement, Engagement.id == CostItem.engagement_id)
            .where(*held, CostItem.deleted.is_(False))
            .group_by(CostItem.category)
            .order_by(func.sum(CostItem.amount_pence).desc())
        )
    ]
    officer_time = [
        (role.label, int(minutes), round(pence or 0))
        for role, minutes, pence in session.execute(
            select(
                OfficerTime.role,
                func.sum(OfficerTime.minutes),
                func.sum(OfficerTime.minutes * OfficerTime.hourly_rate_pence / 60.0),
            )
            .join(Engagement, Engagement.id == OfficerTime.engagement_id)
            .where(*held, OfficerTime.deleted.is_(False))
            .group_by(OfficerTime.role)
            .order_by(func.sum(OfficerTime.minutes).desc())
        )
    ]
    return ReturnContent(
        borough=borough_name(borough_code) or "Central unit",
        quarter=quarter,
        methods=methods,
        held_before=held_before,
        attendees_before=attendees_before,
        prefer_not_to_say=int(unsaid),
        not_asked=int(unasked),
        groups=groups,
        changed=changed,
        outcomes=outcomes,
        findings=findings,
        feedback=feedback,
        costs=costs,
        officer_time=officer_time,
    )


def _bounds(quarter: Quarter) -> tuple[dt.date, dt.date]:
    return quarter.start, quarter.end


def priority_group_names(session: Session) -> dict[str, str]:
    """Priority group code -> name, in the strategy's order."""
    query = select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
    return {code: name for code, name in session.execute(query)}
