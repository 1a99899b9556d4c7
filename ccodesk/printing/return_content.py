"""What the quarterly return says (the strategy's report of a quarter's consultation), read
from the store into plain objects for `ccodesk.printing.quarterly` to draw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    Attendance,
    ConsultationMethod,
    CostItem,
    Engagement,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Outcome,
    OutcomeResult,
    PriorityGroup,
)
from ccodesk.resource_files import borough_name
from ccodesk.services.dashboard import group_reach
from ccodesk.services.indicator_suppression import (
    ATTENDEES,
    BY_METHOD,
    NO_METHOD,
    withheld_cells,
)
from ccodesk.services.periods import Period, PeriodKind


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
    # counts of people withheld, as (measure, group, quarter label): a printed return leaves
    # the device (docs/indicators.md, "Small numbers"; services/indicator_suppression.py)
    withheld: frozenset[tuple[str, str, str]] = frozenset()

    def people(self, value: int, measure: str, group: str = "", *, before: bool = False) -> str:
        """A count of people as printed: the number, or "<10" / "suppressed" when withheld."""
        if not self.is_withheld(measure, group, before=before):
            return f"{value:,}"
        return "<10" if 0 < value < 10 else "suppressed"

    def unmonitored(self) -> tuple[str, str]:
        """Those who preferred not to say and those not asked, as printed. Their sum is
        attendees less monitored, both published; so when either is a small count (1-9) or
        either total is withheld, both are withheld, and neither can be worked out from the
        other (docs/indicators.md, "Small numbers")."""
        counts = (self.prefer_not_to_say, self.not_asked)
        if any(0 < n < 10 for n in counts) or self.is_withheld(ATTENDEES):
            shown = ["<10" if 0 < n < 10 else "suppressed" for n in counts]
        else:
            shown = [f"{n:,}" for n in counts]
        return shown[0], shown[1]

    def is_withheld(self, measure: str, group: str = "", *, before: bool = False) -> bool:
        label = (self.quarter.previous() if before else self.quarter).label
        return (measure, group, label) in self.withheld

    def method_measure(self, method: str) -> tuple[str, str]:
        """The cell of a method's attendees ("Other": engagements with no method)."""
        return (NO_METHOD, "") if method == "Other" else (BY_METHOD, method)

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
    this = Period(quarter.year, PeriodKind.QUARTER, quarter.number)
    now = group_reach(session, this)
    before = {g.code: g.attendees for g in group_reach(session, this.previous())}
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
    area = borough_name(borough_code) or "Central unit"
    withheld = withheld_cells(session, (this, this.previous()), {area: None})
    return ReturnContent(
        withheld=withheld.of(area),
        borough=area,
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
