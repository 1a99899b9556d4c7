"""Planning engagements, and listing them page by page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    KIND_METHOD,
    ActionItem,
    ActionStatus,
    Attendance,
    DecisionKind,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    Level,
    Organisation,
    Outcome,
    PriorityGroup,
    Topic,
    engagement_target_group,
)
from ccodesk.services import checks
from ccodesk.services.fields import assign_changed
from ccodesk.services.reference import check_codes
from ccodesk.services.search import fts_filter
from ccodesk.words import plural


@dataclass
class EngagementDraft:
    """What a user enters for an engagement; validated by `save_engagement`."""

    kind: EngagementKind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    theme: str = ""
    informs: DecisionKind | None = None
    informs_detail: str = ""
    level: Level = Level.LOCAL
    status: EngagementStatus = EngagementStatus.PLANNED
    borough_code: str | None = None
    venue_name: str = ""
    venue_address: str = ""
    community_venue: bool | None = None
    step_free: bool = False
    hearing_loop: bool = False
    bsl: bool = False
    interpreters: str = ""
    childcare: bool = False
    daytime: bool = False
    cco_name: str = ""
    blo_name: str = ""
    cso_name: str = ""
    notes: str = ""
    partner_ids: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


# The draft's text, as its problems name it (lengths from the columns, controls refused).
TEXT_FIELDS = {
    "title": "The title",
    "theme": "The theme",
    "informs_detail": "What it informs",
    "venue_name": "The venue",
    "venue_address": "The venue's address",
    "interpreters": "Interpreters",
    "cco_name": "The CCO's name",
    "blo_name": "The BLO's name",
    "cso_name": "The CSO's name",
    "notes": "The notes",
}

# Draft fields that are links to other records, not columns of the engagement.
LINKS = ("partner_ids", "target_groups", "topics")


@dataclass(frozen=True)
class Saved:
    """The id of what was saved, and warnings the user should see (it was saved anyway)."""

    id: str
    warnings: list[str]


def validate_engagement(
    session: Session,
    draft: EngagementDraft,
    engagement_id: str | None = None,
    *,
    with_attendance: bool = False,
    now: dt.datetime | None = None,
) -> list[str]:
    """Every problem that stops `draft` from being saved (empty when it is valid), in words
    an officer can act on.

    `engagement_id` is the engagement being changed (what is recorded for it must still fit
    the new dates); `with_attendance` says the same save records attendance.
    """
    now = now or dt.datetime.now()
    problems = []
    if not draft.title.strip():
        problems.append("The title is empty: give the engagement a title.")
    for name, what in TEXT_FIELDS.items():
        value = getattr(draft, name)
        limit = getattr(Engagement.__table__.c[name].type, "length", None)
        problems += checks.text_problems(what, value, limit)
    if draft.ends_at is not None and draft.ends_at < draft.starts_at:
        problems.append(
            f"The end ({checks.moment(draft.ends_at)}) is before the start "
            f"({checks.moment(draft.starts_at)})."
        )
    problems += check_codes(session, PriorityGroup, draft.target_groups, "priority group")
    problems += check_codes(session, Topic, draft.topics, "topic")
    if draft.partner_ids:
        found = set(
            session.scalars(
                select(Organisation.id).where(
                    Organisation.id.in_(draft.partner_ids), Organisation.deleted.is_(False)
                )
            )
        )
        missing = [i for i in draft.partner_ids if i not in found]
        if missing:
            problems.append(
                f"{plural(len(missing), 'partner organisation')} picked "
                f"{'is' if len(missing) == 1 else 'are'} no longer in the directory "
                f"({', '.join(repr(i) for i in missing)}): pick again."
            )
    recorded = _recorded(session, engagement_id)
    problems += checks.not_happened_yet(
        draft.starts_at,
        now,
        held=draft.status == EngagementStatus.HELD,
        attendance=with_attendance or recorded.attendance,
        outcomes=len(recorded.outcome_days),
        feedback=len(recorded.feedback_days),
        actions_done=len(recorded.done_days),
    )
    for days, singular, many in (
        (recorded.outcome_days, "outcome", "outcomes"),
        (recorded.feedback_days, "piece of feedback", "pieces of feedback"),
        (recorded.done_days, "action", "actions"),
    ):
        early = sorted(d for d in days if d is not None and d < draft.starts_at.date())
        if len(early) == 1:
            what = "The action done" if singular == "action" else f"The {singular}"
            problems += checks.dated_before_engagement(what, early[0], draft.starts_at)
        elif early:
            problems.append(
                f"{plural(len(early), singular, many)} "
                f"{'done ' if singular == 'action' else ''}are dated before the engagement "
                f"would start ({checks.day(draft.starts_at.date())}), the earliest on "
                f"{checks.day(early[0])}."
            )
    return problems


class _Recorded(NamedTuple):
    """What is already recorded for an engagement that only happens once it has taken place."""

    attendance: bool
    outcome_days: list[dt.date | None]
    feedback_days: list[dt.date]
    done_days: list[dt.date | None]


def _recorded(session: Session, engagement_id: str | None) -> _Recorded:
    if engagement_id is None:
        return _Recorded(False, [], [], [])
    attendance = session.scalar(
        select(func.count())
        .select_from(Attendance)
        .where(Attendance.engagement_id == engagement_id, Attendance.deleted.is_(False))
    )
    outcomes = session.scalars(
        select(Outcome.decided_on)
        .join(Finding, Finding.id == Outcome.finding_id)
        .where(
            Finding.engagement_id == engagement_id,
            Finding.deleted.is_(False),
            Outcome.deleted.is_(False),
        )
    )
    feedback = session.scalars(
        select(FeedbackGiven.given_on).where(
            FeedbackGiven.engagement_id == engagement_id, FeedbackGiven.deleted.is_(False)
        )
    )
    done = session.scalars(
        select(ActionItem.completed_on).where(
            ActionItem.engagement_id == engagement_id,
            ActionItem.status == ActionStatus.DONE,
            ActionItem.deleted.is_(False),
        )
    )
    return _Recorded(bool(attendance), list(outcomes), list(feedback), list(done))


def _apply(session: Session, engagement: Engagement, draft: EngagementDraft) -> None:
    assign_changed(
        engagement,
        {f.name: getattr(draft, f.name) for f in fields(draft) if f.name not in LINKS},
    )
    engagement.method_code = KIND_METHOD[draft.kind]
    wanted_groups = list(dict.fromkeys(draft.target_groups))
    if [g.code for g in engagement.target_groups] != wanted_groups:
        groups = {
            g.code: g
            for g in session.scalars(
                select(PriorityGroup).where(PriorityGroup.code.in_(wanted_groups))
            )
        }
        engagement.target_groups = [groups[c] for c in wanted_groups]
    wanted_topics = list(dict.fromkeys(draft.topics))
    if [t.code for t in engagement.topics] != wanted_topics:
        topics = {
            t.code: t for t in session.scalars(select(Topic).where(Topic.code.in_(wanted_topics)))
        }
        engagement.topics = [topics[c] for c in wanted_topics]
    wanted_partners = list(dict.fromkeys(draft.partner_ids))
    if [o.id for o in engagement.partners] != wanted_partners:
        orgs = {
            o.id: o
            for o in session.scalars(
                select(Organisation).where(Organisation.id.in_(wanted_partners))
            )
        }
        engagement.partners = [orgs[i] for i in wanted_partners]


def engagement_warnings(session: Session, engagement: Engagement) -> list[str]:
    """The strategy's warnings for an engagement as it now stands."""
    attendance = engagement.attendance
    counts = {c.group_code: c.count for c in attendance.counts} if attendance else {}
    names = {g.code: g.name for g in engagement.target_groups}
    return (
        checks.focus_group_size(engagement.kind, attendance.total if attendance else None)
        + checks.unreached_targets([g.code for g in engagement.target_groups], counts, names)
        + checks.sensitive_partners(
            session, [o.id for o in engagement.partners], [t.code for t in engagement.topics]
        )
    )


def save_engagement(
    session: Session, draft: EngagementDraft, engagement_id: str | None = None
) -> Saved:
    """Create an engagement, or update the one with `engagement_id`; raise on invalid input."""
    problems = validate_engagement(session, draft, engagement_id)
    if problems:
        raise ValidationError(problems)
    if engagement_id is None:
        engagement = Engagement(kind=draft.kind, title=draft.title, starts_at=draft.starts_at)
        session.add(engagement)
    else:
        engagement = get_engagement(session, engagement_id)
    _apply(session, engagement, draft)
    session.flush()
    return Saved(engagement.id, engagement_warnings(session, engagement))


def get_engagement(session: Session, engagement_id: str) -> Engagement:
    """The engagement with this id (or unique id prefix), with everything it links to."""
    query = select(Engagement).options(
        selectinload(Engagement.target_groups),
        selectinload(Engagement.topics),
        selectinload(Engagement.partners),
        selectinload(Engagement.attendance).selectinload(Attendance.counts),
        selectinload(Engagement.findings),
        selectinload(Engagement.actions),
        selectinload(Engagement.feedback),
        selectinload(Engagement.costs),
        selectinload(Engagement.officer_time),
    )
    found = session.scalars(query.where(Engagement.id == engagement_id)).one_or_none()
    if found is None and 4 <= len(engagement_id) < 36:
        matches = session.scalars(
            query.where(Engagement.id.startswith(engagement_id, autoescape=True)).limit(2)
        ).all()
        if len(matches) > 1:
            raise NotFound(f"The id {engagement_id!r} matches several engagements; type more.")
        found = matches[0] if matches else None
    if found is None or found.deleted:
        raise NotFound(f"No engagement has the id {engagement_id!r}.")
    return found


def delete_engagement(session: Session, engagement_id: str) -> None:
    """Mark an engagement deleted (a tombstone, so the deletion reaches the centre)."""
    get_engagement(session, engagement_id).deleted = True


class EngagementRow(NamedTuple):
    """One line of the engagement list."""

    id: str
    starts_at: dt.datetime
    kind: EngagementKind
    title: str
    status: EngagementStatus
    venue_name: str
    attendance: int | None
    joint: bool


class EngagementOrder(enum.StrEnum):
    """What the engagement list can be sorted by (its columns)."""

    DATE = "date"
    KIND = "kind"
    TITLE = "title"
    STATUS = "status"
    VENUE = "venue"
    ATTENDED = "attended"


@dataclass
class EngagementFilter:
    """Which engagements to list, and in what order; every criterion is applied in SQL.

    `order` sorts by one column, then by date and id in the same direction (a stable order
    for paging); `descending` reverses it. `newest_first` is the date order reversed.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    kinds: Sequence[EngagementKind] = ()
    statuses: Sequence[EngagementStatus] = ()
    priority_group: str | None = None
    text: str = ""
    newest_first: bool = False
    order: EngagementOrder = EngagementOrder.DATE
    descending: bool = False

    def apply(self, query: Select) -> Select:  # type: ignore[type-arg]
        query = query.where(Engagement.deleted.is_(False))
        if self.start is not None:
            query = query.where(Engagement.starts_at >= self.start)
        if self.end is not None:
            query = query.where(Engagement.starts_at < self.end)
        if self.kinds:
            query = query.where(Engagement.kind.in_(list(self.kinds)))
        if self.statuses:
            query = query.where(Engagement.status.in_(list(self.statuses)))
        if self.priority_group:
            query = query.where(
                Engagement.id.in_(
                    select(engagement_target_group.c.engagement_id).where(
                        engagement_target_group.c.group_code == self.priority_group
                    )
                )
            )
        if self.text.strip():
            query = fts_filter(query, Engagement, self.text)
        return query

    def narrows(self) -> bool:
        """Whether any criterion leaves engagements out (beyond deleted ones)."""
        return bool(
            self.start is not None
            or self.end is not None
            or self.kinds
            or self.statuses
            or self.priority_group
            or self.text.strip()
        )


def count_engagements(
    session: Session, criteria: EngagementFilter, *, cap: int | None = None
) -> int:
    """How many engagements match (for paging); at most `cap` when one is given.

    Counting every match of a broad search costs as much as fetching them all; a list only
    needs to know whether there are more than it will ever show.
    """
    if cap is None:
        query = criteria.apply(select(func.count()).select_from(Engagement))
    else:
        matching = criteria.apply(select(Engagement.id)).limit(cap).subquery()
        query = select(func.count()).select_from(matching)
    return int(session.execute(query).scalar_one())


def list_engagements(
    session: Session, criteria: EngagementFilter, *, offset: int = 0, limit: int = 200
) -> list[EngagementRow]:
    """One page of engagements matching `criteria`, in its order (by start time unless told)."""
    if criteria.order is EngagementOrder.ATTENDED:
        if not criteria.narrows():
            return _by_attendance(session, criteria, offset, limit)
        # no index holds this order: sort the matching ids alone (from indexes, not rows),
        # then read one page of rows
        ids = list(
            session.scalars(
                criteria.apply(
                    select(Engagement.id).outerjoin(
                        Attendance, Attendance.engagement_id == Engagement.id
                    )
                )
                .order_by(*_order_by(criteria))
                .offset(offset)
                .limit(limit)
            )
        )
        found = {
            row.id: EngagementRow(*row)
            for row in session.execute(
                _row_query()
                .outerjoin(Attendance, Attendance.engagement_id == Engagement.id)
                .where(Engagement.id.in_(ids))
            )
        }
        return [found[i] for i in ids]
    query = _row_query().outerjoin(Attendance, Attendance.engagement_id == Engagement.id)
    query = criteria.apply(query).order_by(*_order_by(criteria)).offset(offset).limit(limit)
    return [EngagementRow(*row) for row in session.execute(query)]


def _row_query() -> Select:  # type: ignore[type-arg]
    joint = (Engagement.blo_name != "") | (Engagement.cso_name != "")
    return select(
        Engagement.id,
        Engagement.starts_at,
        Engagement.kind,
        Engagement.title,
        Engagement.status,
        Engagement.venue_name,
        Attendance.total,
        joint,
    )


SortTerm = ColumnElement[Any] | InstrumentedAttribute[Any]
_ORDER_COLUMNS: dict[EngagementOrder, SortTerm] = {
    EngagementOrder.KIND: Engagement.kind,
    EngagementOrder.TITLE: Engagement.title,
    EngagementOrder.STATUS: Engagement.status,
    EngagementOrder.VENUE: Engagement.venue_name,
}


def _order_by(criteria: EngagementFilter) -> list[Any]:
    """ORDER BY terms: the chosen column, then date and id, all in one direction.

    One direction throughout lets SQLite walk an index (ix_engagement_list_*) and stop after
    the first page instead of sorting every match; kinds and statuses sort by their stored
    codes, which are in the same order as their labels. Attendance not recorded comes last
    either way, as blanks do in a spreadsheet.
    """
    descending = criteria.descending
    terms: list[Any] = [Engagement.starts_at, Engagement.id]
    if criteria.order is EngagementOrder.DATE:
        descending = descending or criteria.newest_first
    elif criteria.order is not EngagementOrder.ATTENDED:
        terms.insert(0, _ORDER_COLUMNS[criteria.order])
    terms = [t.desc() for t in terms] if descending else terms
    if criteria.order is EngagementOrder.ATTENDED:
        total = Attendance.total.desc() if descending else Attendance.total.asc()
        terms.insert(0, total.nulls_last())
    return terms


def _by_attendance(
    session: Session, criteria: EngagementFilter, offset: int, limit: int
) -> list[EngagementRow]:
    """A page of every live engagement by attendance, read in the order of the attendance
    index (ix_attendance_total): those with a total first, then those without, by date.

    Starting from the engagements would sort all of them for every page (~1 s at 100,000);
    with the attendance table on the left of the join SQLite walks its index instead.
    """
    descending = criteria.descending
    terms = [Attendance.total, Engagement.starts_at, Engagement.id]
    recorded = (
        _row_query()
        .select_from(Attendance)
        .outerjoin(Engagement, Engagement.id == Attendance.engagement_id)
        .where(Engagement.deleted.is_(False))
    )
    page = [
        EngagementRow(*row)
        for row in session.execute(
            recorded.order_by(*[t.desc() for t in terms] if descending else terms)
            .offset(offset)
            .limit(limit)
        )
    ]
    if len(page) == limit:
        return page
    if page:
        skip = 0
    else:  # past the last recorded total: how many there were
        counted = select(func.count()).select_from(recorded.subquery())
        skip = offset - int(session.execute(counted).scalar_one())
    unrecorded = (
        criteria.apply(
            _row_query().outerjoin(Attendance, Attendance.engagement_id == Engagement.id)
        )
        .where(Attendance.id.is_(None))
        .order_by(*_order_by(dataclasses.replace(criteria, order=EngagementOrder.DATE)))
        .offset(skip)
        .limit(limit - len(page))
    )
    return page + [EngagementRow(*row) for row in session.execute(unrecorded)]
