"""Small pieces every editing service shares: find a live record, copy changed fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound
from ccodesk.models import Synced

T = TypeVar("T", bound=Synced)


def get_live(session: Session, model: type[T], record_id: str, what: str = "") -> T:
    """The record with this id, unless missing or deleted (then NotFound, in plain words)."""
    found = session.get(model, record_id)
    if found is None or found.deleted:
        raise NotFound(f"No {what or model.__name__} has the id {record_id!r}.")
    return found


def live_by_id_start(session: Session, model: type[T], id_start: str) -> T | None:
    """The one live record whose id starts with `id_start` (4 characters or more), None when
    there is none; NotFound when there are several."""
    if len(id_start) < 4:
        return None
    matches = session.scalars(
        select(model)
        .where(model.id.startswith(id_start, autoescape=True), model.deleted.is_(False))
        .limit(2)
    ).all()
    if len(matches) > 1:
        raise NotFound(f"The id {id_start!r} matches several records; type more of it.")
    return matches[0] if matches else None


def assign_changed(obj: object, values: Mapping[str, Any], *, skip_none: bool = False) -> None:
    """Set each attribute whose value differs (text stripped), so unchanged rows stay clean.

    Only real changes make the row dirty, so only they bump its sync version and audit trail.
    """
    for name, value in values.items():
        if value is None and skip_none:
            continue
        value = value.strip() if isinstance(value, str) else value
        if getattr(obj, name) != value:
            setattr(obj, name, value)
