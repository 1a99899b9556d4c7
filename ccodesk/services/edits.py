"""Correcting what was recorded: edits and deletions (tombstones) of an engagement's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    ActionItem,
    CostCategory,
    CostItem,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Outcome,
    PriorityGroup,
    Sensitivity,
    Synced,
    TimetableEntry,
    Topic,
)
from ccodesk.services.fields import assign_changed, get_live
from ccodesk.services.reference import check_codes

# What a user may delete by name (engagements, organisations and contacts have their own).
DELETABLE: dict[str, type[Synced]] = {
    "finding": Finding,
    "outcome": Outcome,
    "action": ActionItem,
    "feedback": FeedbackGiven,
    "cost": CostItem,
    "officer_time": OfficerTime,
    "timetable": TimetableEntry,
    "sensitivity": Sensitivity,
}


def delete_record(session: Session, kind: str, record_id: str) -> None:
    """Mark a record deleted (a tombstone, so the deletion reaches the centre)."""
    if kind not in DELETABLE:
        raise ValidationError(f"cannot delete a {kind!r}; choose one of {', '.join(DELETABLE)}")
    get_live(session, DELETABLE[kind], record_id).deleted = True


def restore_record(session: Session, kind: str, record_id: str) -> None:
    """Bring back a record deleted by mistake (undo); the restoration syncs like an edit."""
    if kind not in DELETABLE:
        raise ValidationError(f"cannot restore a {kind!r}; choose one of {', '.join(DELETABLE)}")
    found = session.get(DELETABLE[kind], record_id)
    if found is None:
        raise ValidationError(f"there is no {kind} with the id {record_id!r} to restore")
    found.deleted = False


def update_finding(
    session: Session,
    finding_id: str,
    *,
    text: str | None = None,
    theme: str | None = None,
    topic_code: str | None = None,
    raised_by: Sequence[str] | None = None,
) -> None:
    finding = get_live(session, Finding, finding_id)
    problems = []
    if text is not None and not text.strip():
        problems.append("the finding is empty")
    if topic_code:
        problems += check_codes(session, Topic, [topic_code], "topic")
    if raised_by is not None:
        problems += check_codes(session, PriorityGroup, raised_by, "priority group")
    if problems:
        raise ValidationError(problems)
    assign_changed(
        finding, {"text": text, "theme": theme, "topic_code": topic_code}, skip_none=True
    )
    if raised_by is not None and [g.code for g in finding.raised_by] != list(raised_by):
        groups = {
            g.code: g
            for g in session.scalars(select(PriorityGroup).where(PriorityGroup.code.in_(raised_by)))
        }
        finding.raised_by = [groups[c] for c in raised_by]


def update_action(
    session: Session,
    action_id: str,
    *,
    description: str | None = None,
    owner: str | None = None,
    due_on: dt.date | None = None,
) -> None:
    if description is not None and not description.strip():
        raise ValidationError("the action has no description")
    assign_changed(
        get_live(session, ActionItem, action_id),
        {"description": description, "owner": owner, "due_on": due_on},
        skip_none=True,
    )


def update_cost(
    session: Session,
    cost_id: str,
    *,
    category: CostCategory | None = None,
    amount_pence: int | None = None,
    description: str | None = None,
) -> None:
    if amount_pence is not None and amount_pence < 0:
        raise ValidationError("a cost cannot be negative")
    assign_changed(
        get_live(session, CostItem, cost_id),
        {"category": category, "amount_pence": amount_pence, "description": description},
        skip_none=True,
    )


def update_officer_time(
    session: Session,
    row_id: str,
    *,
    minutes: int | None = None,
    hourly_rate_pence: int | None = None,
    officer_name: str | None = None,
) -> None:
    problems = []
    if minutes is not None and minutes <= 0:
        problems.append("officer time must be more than zero minutes")
    if hourly_rate_pence is not None and hourly_rate_pence < 0:
        problems.append("an hourly rate cannot be negative")
    if problems:
        raise ValidationError(problems)
    assign_changed(
        get_live(session, OfficerTime, row_id),
        {"minutes": minutes, "hourly_rate_pence": hourly_rate_pence, "officer_name": officer_name},
        skip_none=True,
    )
