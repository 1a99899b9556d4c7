"""Following up: open actions, findings with no outcome, and "you said, we did"."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ccodesk.models import (
    ActionItem,
    ActionStatus,
    Engagement,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    Outcome,
)


class OpenAction(NamedTuple):
    id: str
    description: str
    owner: str
    due_on: dt.date | None
    status: ActionStatus
    engagement_title: str | None


def _open_actions_query(overdue_on: dt.date | None) -> Select:  # type: ignore[type-arg]
    query = select(ActionItem.id).where(
        ActionItem.deleted.is_(False),
        ActionItem.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
    )
    if overdue_on is not None:
        query = query.where(ActionItem.due_on < overdue_on)
    return query


def count_open_actions(session: Session, *, overdue_on: dt.date | None = None) -> int:
    """How many actions are open (or overdue on a day)."""
    query = select(func.count()).select_from(_open_actions_query(overdue_on).subquery())
    return int(session.execute(query).scalar_one())


def open_actions(
    session: Session, *, overdue_on: dt.date | None = None, limit: int | None = None
) -> list[OpenAction]:
    """Every open or in-progress action, soonest due first (only overdue ones if asked)."""
    # Choose the actions first, then fetch their engagements' titles: joining before the
    # limit would look up the engagement of every open action in the store.
    due_last = ActionItem.due_on.is_(None)
    chosen = _open_actions_query(overdue_on).add_columns(
        due_last.label("due_last"), ActionItem.due_on, ActionItem.description
    )
    chosen = chosen.order_by(due_last, ActionItem.due_on, ActionItem.description)
    if limit is not None:
        chosen = chosen.limit(limit)
    picked = chosen.subquery()
    query = (
        select(
            ActionItem.id,
            ActionItem.description,
            ActionItem.owner,
            ActionItem.due_on,
            ActionItem.status,
            Engagement.title,
        )
        .join(picked, picked.c.id == ActionItem.id)
        .outerjoin(Engagement, Engagement.id == ActionItem.engagement_id)
        .order_by(picked.c.due_last, picked.c.due_on, picked.c.description)
    )
    return [OpenAction(*row) for row in session.execute(query)]


def findings_without_outcome(session: Session, *, limit: int = 500) -> list[Finding]:
    """Findings nobody has yet said how they were used, oldest engagement first."""
    no_outcome = ~exists().where(Outcome.finding_id == Finding.id, Outcome.deleted.is_(False))
    return list(
        session.scalars(
            select(Finding)
            .join(Engagement)
            .where(Finding.deleted.is_(False), Engagement.deleted.is_(False), no_outcome)
            .options(selectinload(Finding.engagement))
            .order_by(Engagement.starts_at)
            .limit(limit)
        )
    )


def held_without_feedback(session: Session, *, limit: int = 500) -> list[Engagement]:
    """Engagements held but with no feedback given to those consulted yet."""
    fed_back = exists().where(
        FeedbackGiven.engagement_id == Engagement.id, FeedbackGiven.deleted.is_(False)
    )
    return list(
        session.scalars(
            select(Engagement)
            .where(
                Engagement.deleted.is_(False), Engagement.status == EngagementStatus.HELD, ~fed_back
            )
            .order_by(Engagement.starts_at.desc())
            .limit(limit)
        )
    )


class YouSaidWeDid(NamedTuple):
    """One finding and what was done about it, in the words given back to people."""

    you_said: str
    we_did: str
    engagement_title: str
    when: dt.datetime


def you_said_we_did(
    session: Session,
    engagement_id: str | None = None,
    *,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[YouSaidWeDid]:
    """'You said, we did' lines composed from findings and their outcomes."""
    query = (
        select(
            Finding.text,
            Outcome.result,
            Outcome.decision,
            Outcome.explanation,
            Engagement.title,
            Engagement.starts_at,
        )
        .join(Outcome, Outcome.finding_id == Finding.id)
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(
            Finding.deleted.is_(False), Outcome.deleted.is_(False), Engagement.deleted.is_(False)
        )
    )
    start = Engagement.starts_at.desc() if newest_first else Engagement.starts_at
    query = query.order_by(start, Finding.text, Outcome.decided_on)
    if engagement_id is not None:
        query = query.where(Engagement.id == engagement_id)
    if limit is not None:
        query = query.limit(limit)
    lines = []
    for text, result, decision, explanation, title, when in session.execute(query):
        we_did = decision if decision else f"We did not act on this: {explanation}"
        lines.append(YouSaidWeDid(text, f"{result.label}: {we_did}", title, when))
    return lines
