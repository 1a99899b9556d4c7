"""Following up: actions and their lifecycle, findings with no outcome, "you said, we did".

An action is open, in progress, done or dropped. `set_action_status` is the one way the
desktop moves actions on (the Actions page, the editor and the dashboard all call it): one
unit of work for any number of actions, validated first, returning what each action was so
the change can be undone. Every change is an ordinary edit: audited by the store layer and
carried in the next sync bundle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload
from sqlalchemy.sql import ColumnElement

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionItem,
    ActionStatus,
    Engagement,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    Outcome,
)

ACTIVE = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)


class OpenAction(NamedTuple):
    id: str
    description: str
    owner: str
    due_on: dt.date | None
    status: ActionStatus
    engagement_title: str | None
    engagement_id: str | None = None


def _open_actions_query(overdue_on: dt.date | None) -> Select:  # type: ignore[type-arg]
    query = select(ActionItem.id).where(
        ActionItem.deleted.is_(False),
        ActionItem.status.in_(ACTIVE),
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
            ActionItem.engagement_id,
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
    engagement_id: str = ""


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
            Engagement.id,
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
    for text, result, decision, explanation, title, when, eid in session.execute(query):
        we_did = decision if decision else f"We did not act on this: {explanation}"
        lines.append(YouSaidWeDid(text, f"{result.label}: {we_did}", title, when, eid))
    return lines


# -- the actions list and the lifecycle ---------------------------------------------------------


class ActionRow(NamedTuple):
    """One line of the Actions list."""

    id: str
    description: str
    owner: str
    due_on: dt.date | None
    status: ActionStatus
    completed_on: dt.date | None
    note: str
    engagement_id: str | None
    engagement_title: str
    held_on: dt.date | None  # when the engagement that agreed it took place


# The Actions list's sort keys (a header each), in SQL: the list shows the first rows only.
ACTION_ORDER: dict[str, ColumnElement[Any] | InstrumentedAttribute[Any]] = {
    "description": ActionItem.description,
    "owner": ActionItem.owner,
    "due_on": ActionItem.due_on,
    "status": case({s: n for n, s in enumerate(ActionStatus)}, value=ActionItem.status),
    "completed_on": ActionItem.completed_on,
    "engagement": Engagement.title,
}


def _chosen(statuses: Sequence[ActionStatus] | None) -> Select:  # type: ignore[type-arg]
    query = select(ActionItem.id).where(ActionItem.deleted.is_(False))
    if statuses is not None:
        query = query.where(ActionItem.status.in_(list(statuses)))
    return query


def count_actions(session: Session, statuses: Sequence[ActionStatus] | None = None) -> int:
    """How many live actions have one of these statuses (None: any)."""
    query = select(func.count()).select_from(_chosen(statuses).subquery())
    return int(session.execute(query).scalar_one())


def list_actions(
    session: Session,
    statuses: Sequence[ActionStatus] | None = ACTIVE,
    *,
    order: str = "due_on",
    descending: bool = False,
    limit: int | None = None,
) -> list[ActionRow]:
    """Live actions with one of these statuses, sorted by `order` (a key of ACTION_ORDER).

    Undated actions and those of no engagement come last whichever way a column is sorted.
    """
    if order not in ACTION_ORDER:
        raise ValueError(f"cannot sort actions by {order!r}")
    column = ACTION_ORDER[order]
    query = (
        select(
            ActionItem.id,
            ActionItem.description,
            ActionItem.owner,
            ActionItem.due_on,
            ActionItem.status,
            ActionItem.completed_on,
            ActionItem.status_note,
            ActionItem.engagement_id,
            Engagement.title,
            Engagement.starts_at,
        )
        .outerjoin(Engagement, Engagement.id == ActionItem.engagement_id)
        .where(ActionItem.deleted.is_(False))
    )
    if statuses is not None:
        query = query.where(ActionItem.status.in_(list(statuses)))
    query = query.order_by(
        column.is_(None), column.desc() if descending else column, ActionItem.due_on.is_(None)
    )
    query = query.order_by(ActionItem.due_on, ActionItem.description, ActionItem.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        ActionRow(
            row.id,
            row.description,
            row.owner,
            row.due_on,
            row.status,
            row.completed_on,
            row.status_note or "",
            row.engagement_id,
            row.title or "",
            row.starts_at.date() if row.starts_at else None,
        )
        for row in session.execute(query)
    ]


class ActionState(NamedTuple):
    """An action's place in its lifecycle: what an undo puts back."""

    id: str
    status: ActionStatus
    completed_on: dt.date | None
    note: str | None


def _live_actions(session: Session, action_ids: Sequence[str]) -> list[ActionItem]:
    ids = list(dict.fromkeys(action_ids))
    found = {
        a.id: a
        for a in session.scalars(
            select(ActionItem)
            .where(ActionItem.id.in_(ids), ActionItem.deleted.is_(False))
            .options(selectinload(ActionItem.engagement))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        few = ", ".join(repr(i) for i in missing[:3])
        raise NotFound(
            f"{len(missing)} of the chosen actions no longer exist ({few}); refresh the list."
            if len(missing) > 1
            else f"The chosen action no longer exists ({few}); refresh the list."
        )
    return [found[i] for i in ids]


def set_action_status(
    session: Session,
    action_ids: Sequence[str],
    status: ActionStatus,
    *,
    note: str = "",
    done_on: dt.date | None = None,
    today: dt.date | None = None,
) -> list[ActionState]:
    """Move actions on (one unit of work); returns what they were, for an undo.

    Done needs a date (today if none is given) and dropped may have one; neither may be in
    the future or before the engagement that agreed the action. Open and in progress clear
    the date. The note replaces the action's status note (empty: none). Every problem is
    reported at once and nothing is changed.
    """
    today = today or dt.date.today()
    if not action_ids:
        raise ValidationError("choose at least one action")
    actions = _live_actions(session, action_ids)
    if status == ActionStatus.DONE and done_on is None:
        done_on = today
    if status in ACTIVE:
        done_on = None
    problems: list[str] = []
    if done_on is not None:
        what = "done" if status == ActionStatus.DONE else "dropped"
        if done_on > today:
            problems.append(f"the date {what} ({done_on:%d %b %Y}) is in the future")
        for action in actions:
            e = action.engagement
            if e is not None and done_on < e.starts_at.date():
                problems.append(
                    f"“{_short(action.description)}” was agreed on {e.starts_at:%d %b %Y}: it "
                    f"cannot have been {what} before then ({done_on:%d %b %Y})"
                )
    if problems:
        raise ValidationError(problems)
    before = [ActionState(a.id, a.status, a.completed_on, a.status_note) for a in actions]
    clean_note = note.strip() or None
    for action in actions:
        _assign(action, status, done_on, clean_note)
    session.flush()
    return before


def restore_action_states(session: Session, states: Sequence[ActionState]) -> None:
    """Put actions back as they were (an undo); it is an ordinary, audited, synced edit."""
    actions = _live_actions(session, [s.id for s in states])
    for action, state in zip(actions, states, strict=True):
        _assign(action, state.status, state.completed_on, state.note)
    session.flush()


def action_states(session: Session, action_ids: Sequence[str]) -> list[ActionState]:
    """Where these actions are in their lifecycle now."""
    return [
        ActionState(a.id, a.status, a.completed_on, a.status_note)
        for a in _live_actions(session, action_ids)
    ]


def _assign(
    action: ActionItem, status: ActionStatus, done_on: dt.date | None, note: str | None
) -> None:
    # Only real changes make the row dirty: an unchanged action keeps its sync version.
    for name, value in (("status", status), ("completed_on", done_on), ("status_note", note)):
        if getattr(action, name) != value:
            setattr(action, name, value)


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
