"""What the CCO should see first: this week, overdue actions, feedback owed, groups unreached."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.models import (
    DashboardSnapshot,
    EngagementStatus,
    PriorityGroup,
)
from ccodesk.services import consent
from ccodesk.services.engagements import EngagementFilter, EngagementRow, list_engagements
from ccodesk.services.followup import (
    OpenAction,
    count_open_actions,
    held_without_feedback,
    open_actions,
)
from ccodesk.services.indicators import group_counts
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.quicktime import countdown, list_open
from ccodesk.services.subject_access_log import RequestRow, requests_due
from ccodesk.store.snapshot import STAMP_SQL, BoardLines, Line

if TYPE_CHECKING:
    from ccodesk.store import Store

log = logging.getLogger("ccodesk.services")


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter holding `day`, as [start, end)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, end


@dataclass(frozen=True)
class GroupReach:
    code: str
    name: str
    attendees: int  # monitoring count summed over engagements held this quarter


@dataclass(frozen=True)
class QuickTimeDue:
    """A quick-time consultation in progress, for its countdown."""

    id: str
    title: str
    deadline: dt.datetime


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    coming: list[EngagementRow]  # planned or confirmed, today and the next six days
    overdue: list[OpenAction]  # the 100 longest overdue
    overdue_total: int
    feedback_owed: list[tuple[str, str, dt.datetime]]  # id, title, when held
    reach: list[GroupReach]
    quick_time: list[QuickTimeDue] = field(default_factory=list)  # nearest deadline first
    # consents running out (issue 15): the officer renews them from the dashboard
    expiring: list[consent.ConsentDue] = field(default_factory=list)  # soonest first
    expiring_total: int = 0
    expired: list[consent.ConsentDue] = field(default_factory=list)  # latest first
    expired_total: int = 0
    # subject access requests unanswered, due within the month or overdue; soonest due first
    sar_due: list[RequestRow] = field(default_factory=list)

    @property
    def unreached(self) -> list[GroupReach]:
        """Priority groups nobody from whom came to a consultation this quarter."""
        return [g for g in self.reach if g.attendees == 0]


def group_reach(session: Session, period: Period) -> list[GroupReach]:
    """Per priority group, the attendees counted at engagements held in `period` (the
    indicators' own figure, `indicators.group_counts`), in the strategy's order."""
    people: dict[str, int] = {}
    for _device, code, _reached, n in group_counts(session, period):
        people[code] = people.get(code, 0) + n
    rows = session.execute(
        select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
    )
    return [GroupReach(code, name, people.get(code, 0)) for code, name in rows]


def build_dashboard(session: Session, today: dt.date) -> Dashboard:
    """Everything the dashboard shows, for `today`."""
    coming = list_engagements(
        session,
        EngagementFilter(
            start=dt.datetime.combine(today, dt.time()),
            end=dt.datetime.combine(today + dt.timedelta(days=7), dt.time()),
            statuses=[EngagementStatus.PLANNED, EngagementStatus.CONFIRMED],
        ),
        limit=100,
    )
    owed = [(e.id, e.title, e.starts_at) for e in held_without_feedback(session, limit=50)]
    return Dashboard(
        today=today,
        coming=coming,
        overdue=open_actions(session, overdue_on=today, limit=100),
        overdue_total=count_open_actions(session, overdue_on=today),
        feedback_owed=owed,
        reach=group_reach(session, Period.containing(PeriodKind.QUARTER, today)),
        quick_time=[QuickTimeDue(c.id, c.title, c.deadline) for c in list_open(session)],
        **consents_due(session, today),
        sar_due=requests_due(session, today),
    )


# -- consents running out (issue 15) -----------------------------------------------------------


def consents_due(session: Session, today: dt.date) -> dict[str, Any]:
    """The dashboard's consent fields: expiring in the next 30 days, and expired."""
    due = consent.running_out(session, today)  # one pass over the contacts, not four
    return {
        "expiring": due.expiring,
        "expiring_total": due.expiring_total,
        "expired": due.expired,
        "expired_total": due.expired_total,
    }


def _person(due: consent.ConsentDue) -> str:
    return due.name + (f" ({due.organisation})" if due.organisation else "")


def consent_lines(board: Dashboard) -> dict[str, Any]:
    """The dashboard's consent boxes in words: each line opens the Renew dialog."""
    within = consent.EXPIRING_WITHIN
    expiring = [
        Line(f"{_person(d)} — expires {d.expires_on:%d %b %Y}", ("consent", d.contact_id))
        for d in board.expiring
    ] or [Line(f"No consent expires in the next {within} days.")]
    expired = [
        Line(f"{_person(d)} — expired {d.expires_on:%d %b %Y}", ("consent", d.contact_id))
        for d in board.expired
    ] or [Line("No consent has expired.")]
    return {
        "expiring": expiring,
        "expired": expired,
        "expiring_title": f"Consents expiring in the next {within} days ({board.expiring_total:,})",
        "expired_title": f"Consents expired ({board.expired_total:,})",
    }


def sar_lines(board: Dashboard) -> list[Line]:
    """The subject access requests due, a line each (none: the box is not shown)."""
    return [
        Line(
            f"Due {r.due_on:%d %b %Y}: {r.requester} (received {r.received_on:%d %b}) — "
            f"{r.state(board.today)}",
            ("sar", str(r.id)),
        )
        for r in board.sar_due
    ]


def board_lines(board: Dashboard) -> BoardLines:
    """The dashboard in words: each box's lines (with what each opens) and titles."""
    week = [
        Line(f"Quick-time: {c.title} — {countdown(c.deadline)}", ("quicktime", c.id))
        for c in board.quick_time
    ]
    for row in board.coming:
        joint = " · joint" if row.joint else ""
        week.append(
            Line(
                f"{row.starts_at:%a %d %b %H:%M}  {row.title}  ({row.status.label.lower()}{joint})",
                ("engagement", row.id),
            )
        )
    if not week:
        week = [Line("Nothing planned for the next 7 days.")]
    overdue = [
        Line(
            f"Due {f'{a.due_on:%d %b %Y}' if a.due_on else 'no date'}: {a.description} — "
            f"{a.owner or 'no owner'}",
            ("action", a.id, a.engagement_id or ""),
        )
        for a in board.overdue
    ] or [Line("No overdue actions.")]
    owed = [
        Line(f"{when:%d %b %Y}  {title}", ("engagement", eid))
        for eid, title, when in board.feedback_owed
    ] or [Line("Feedback has been given for every engagement held.")]
    start, end = quarter_of(board.today)
    last = end - dt.timedelta(days=1)
    unreached = [Line(g.name, ("group", g.code)) for g in board.unreached] or [
        Line("Every priority group was reached this quarter.")
    ]
    return BoardLines(
        week=week,
        overdue=overdue,
        owed=owed,
        unreached=unreached,
        overdue_title=f"Overdue actions ({board.overdue_total:,})",
        reach_title=f"Priority groups not reached, {start:%d %b} – {last:%d %b %Y}",
        **consent_lines(board),
        sar=sar_lines(board),
    )


def store_stamp(session: Session) -> str:
    """What `snapshot.STAMP_SQL` says now: read before the dashboard's queries, in the same
    transaction, so a snapshot never claims a newer store than its figures saw."""
    return str(session.execute(text(STAMP_SQL)).scalar_one())


def save_snapshot(session: Session, board: Dashboard, stamp: str) -> None:
    """Keep `board` as the next start's first paint (a local cache: not synced, not audited)."""
    session.merge(
        DashboardSnapshot(
            id=1, day=board.today.isoformat(), stamp=stamp, body=board_lines(board).to_json()
        )
    )


def read_board(store: Store, today: dt.date) -> Dashboard:
    """The dashboard's figures, kept in the store as the next start's first paint."""
    with store.session() as session:
        stamp = store_stamp(session)
        board = build_dashboard(session, today)
    try:
        with store.transaction() as session:
            save_snapshot(session, board, stamp)
    except (KnownError, SQLAlchemyError) as exc:  # a cache: the dashboard is shown all the same
        log.info("the dashboard snapshot was not kept: %s", exc)
    return board
