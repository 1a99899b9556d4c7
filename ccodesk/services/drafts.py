"""Unsaved editor work, kept in the encrypted store so a crash or a closed window loses nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ccodesk.models import Draft


def save_draft(session: Session, key: str, content: dict[str, Any], title: str = "") -> None:
    """Keep `content` under `key` (replacing an older draft of the same thing)."""
    draft = session.get(Draft, key)
    if draft is None:
        session.add(Draft(key=key, saved_at=dt.datetime.now(), title=title[:200], content=content))
    else:
        draft.saved_at, draft.title, draft.content = dt.datetime.now(), title[:200], content


def load_draft(session: Session, key: str) -> Draft | None:
    return session.get(Draft, key)


def discard_draft(session: Session, key: str) -> None:
    session.execute(delete(Draft).where(Draft.key == key))


def list_drafts(session: Session) -> list[Draft]:
    return list(session.scalars(select(Draft).order_by(Draft.saved_at.desc())))
