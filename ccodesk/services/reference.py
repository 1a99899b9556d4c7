"""Looking up reference data by what a user types."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import Borough, PriorityGroup, Topic
from ccodesk.resource_files import borough_name as borough_name  # re-exported
from ccodesk.resource_files import resolve_borough as resolve_borough  # re-exported


def priority_groups(session: Session) -> list[PriorityGroup]:
    """The eight GLA priority groups, in the strategy's order."""
    return list(session.scalars(select(PriorityGroup).order_by(PriorityGroup.position)))


def all_topics(session: Session) -> list[tuple[str, str]]:
    """Every topic as (code, name), by name: what the topic pickers offer."""
    return [(c, n) for c, n in session.execute(select(Topic.code, Topic.name).order_by(Topic.name))]


def check_codes(
    session: Session,
    model: type[PriorityGroup] | type[Topic] | type[Borough],
    codes: Iterable[str],
    what: str,
) -> list[str]:
    """Problems for every code that is not a known `what` (e.g. an unknown priority group)."""
    codes = list(codes)
    if not codes:
        return []
    known = set(session.scalars(select(model.code).where(model.code.in_(codes))))
    return [f"unknown {what} {code!r}" for code in codes if code not in known]
