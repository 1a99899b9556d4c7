"""What the quarterly return says (the strategy's report of a quarter's consultation), read
from the store into plain objects for `ccodesk.printing.quarterly` to draw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    Attendance,
    CostItem,
    Engagement,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Outcome,
    PriorityGroup,
)
from ccodesk.resource_files import borough_name
from ccodesk.services.indicator_results import IndicatorReport
from ccodesk.services.indicator_suppression import ATTENDEES, BY_METHOD, NO_METHOD
from ccodesk.services.indicators import (
    ChangedDecision,
    build_report,
    decisions_changed,
    held_in,
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
class FeedbackLine:
    given_on: dt.date
    channel: str
    engagement: str
    text: str


@dataclass
class ReturnContent:
    """Everything the quarterly consultation return prints.

    The figures the indicator report also gives (engagements held, attendees, methods, the
    groups, findings, findings that changed a decision, costs) are the report's own, taken
    from `indicators.build_report` for the quarter: one definition per figure."""

    borough: str
    quarter: Quarter
    methods: list[MethodLine]
    held: int
    attendees: int
    held_before: int
    attendees_before: int
    prefer_not_to_say: int
    not_asked: int
    groups: list[GroupLine]
    findings: int
    changed: list[ChangedDecision]  # as many lines as InformationUse.changed
    outcomes: dict[str, int]  # outcome label -> findings of the quarter's engagements
    feedback: list[FeedbackLine]
    cash_pence: int
    costs: list[tuple[str, int]]  # category label, pence
    officer_pence: int
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


def _methods(report: IndicatorReport) -> list[MethodLine]:
    """The quarter's methods used, in the toolkit's order; "Other" for engagements with none."""
    p = report.current.participation
    lines = [MethodLine(m.name, m.engagements, m.attendees) for m in p.by_method if m.engagements]
    other = (p.held - sum(m.held for m in lines), p.attendees - sum(m.attendees for m in lines))
    if other[0]:
        lines.append(MethodLine("Other", *other))
    return lines


def return_content(session: Session, borough_code: str | None, quarter: Quarter) -> ReturnContent:
    """What the quarterly consultation return for `quarter` prints."""
    this = Period(quarter.year, PeriodKind.QUARTER, quarter.number)
    area = borough_name(borough_code) or "Central unit"
    report = build_report(session, this, area=area, borough_code=borough_code)
    now, before = report.current, report.previous
    held = held_in(this)
    live_attendance = (Attendance.engagement_id == Engagement.id) & Attendance.deleted.is_(False)
    unsaid, unasked = session.execute(
        select(
            func.coalesce(func.sum(Attendance.prefer_not_to_say), 0),
            func.coalesce(func.sum(Attendance.not_asked), 0),
        )
        .join(Engagement, live_attendance)
        .where(*held)
    ).one()
    earlier = {g.code: g.attendees for g in before.representation.groups}
    groups = [GroupLine(g.name, g.attendees, earlier[g.code]) for g in now.representation.groups]
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
        withheld=report.withheld or frozenset(),
        borough=area,
        quarter=quarter,
        methods=_methods(report),
        held=now.participation.held,
        attendees=now.participation.attendees,
        held_before=before.participation.held,
        attendees_before=before.participation.attendees,
        prefer_not_to_say=int(unsaid),
        not_asked=int(unasked),
        groups=groups,
        findings=now.information.findings,
        changed=decisions_changed(session, this),
        outcomes=outcomes,
        feedback=feedback,
        cash_pence=now.cost.direct_pence,
        costs=costs,
        officer_pence=now.cost.officer_pence,
        officer_time=officer_time,
    )


def priority_group_names(session: Session) -> dict[str, str]:
    """Priority group code -> name, in the strategy's order."""
    query = select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
    return {code: name for code, name in session.execute(query)}
