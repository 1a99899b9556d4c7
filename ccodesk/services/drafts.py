"""Unsaved editor work, kept in the encrypted store so a crash or a closed window loses nothing.

A draft keeps the editor's state and what it started from: the saved record's version (its
version vectors) and its values then. Opening the record again compares the draft with what is
saved now, so a draft is never put back over a newer saved version without the officer seeing
both (`check_draft`). The version and starting values live inside the draft's JSON content
(`{"format": 2, "state": …, "base_version": …, "base_state": …}`); drafts written by an older
ccodesk hold the state alone and are read as having an unknown start.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ccodesk.models import Attendance, Draft, Engagement

FORMAT = 2


@dataclass(frozen=True)
class EditorDraft:
    """One draft as the editor reads it."""

    key: str
    saved_at: dt.datetime
    title: str
    state: dict[str, Any]
    # The saved record's version when the draft began; None for a new record, or for a draft
    # from an older ccodesk (then `base_state` is None too).
    base_version: dict[str, Any] | None
    base_state: dict[str, Any] | None


def save_draft(
    session: Session,
    key: str,
    state: dict[str, Any],
    title: str = "",
    *,
    base_version: dict[str, Any] | None = None,
    base_state: dict[str, Any] | None = None,
) -> None:
    """Keep `state` under `key` with what it started from (replacing an older draft of it)."""
    content = {
        "format": FORMAT,
        "state": state,
        "base_version": base_version,
        "base_state": base_state,
    }
    draft = session.get(Draft, key)
    now = dt.datetime.now().replace(microsecond=0)
    if draft is None:
        session.add(Draft(key=key, saved_at=now, title=title[:200], content=content))
    else:
        draft.saved_at, draft.title, draft.content = now, title[:200], content


def load_draft(session: Session, key: str) -> Draft | None:
    """The stored draft row (its content as written; see `read_draft` for its parts)."""
    return session.get(Draft, key)


def read_draft(session: Session, key: str) -> EditorDraft | None:
    """The draft under `key`, whichever ccodesk wrote it, or None."""
    draft = session.get(Draft, key)
    if draft is None:
        return None
    content = dict(draft.content)
    if content.get("format") == FORMAT:
        return EditorDraft(
            key=key,
            saved_at=draft.saved_at,
            title=draft.title,
            state=dict(content["state"]),
            base_version=content.get("base_version"),
            base_state=content.get("base_state"),
        )
    return EditorDraft(key, draft.saved_at, draft.title, content, None, None)


def discard_draft(session: Session, key: str) -> None:
    session.execute(delete(Draft).where(Draft.key == key))


def engagement_version(session: Session, engagement_id: str) -> dict[str, Any] | None:
    """The saved engagement's version (its and its attendance's version vectors).

    Any change to it (an edit here, an .ics import, a colleague's bundle) changes the vectors.
    None when there is no such engagement or it was deleted.
    """
    row = session.execute(
        select(Engagement.version_vector, Engagement.deleted).where(Engagement.id == engagement_id)
    ).one_or_none()
    if row is None or row.deleted:
        return None
    attendance = session.scalar(
        select(Attendance.version_vector).where(Attendance.engagement_id == engagement_id)
    )
    return {"engagement": dict(row.version_vector), "attendance": attendance}


def rebase(
    mine: dict[str, Any], started_from: dict[str, Any], saved_now: dict[str, Any]
) -> dict[str, Any]:
    """The saved values now, with the fields changed in `mine` (since `started_from`) put over."""
    return {
        **saved_now,
        **{k: v for k, v in mine.items() if k not in started_from or started_from[k] != v},
    }


class Standing(enum.Enum):
    """Where a draft stands against what is saved now."""

    NOTHING_NEW = "nothing new"  # the draft holds what is saved: nothing to offer
    CURRENT = "current"  # the record has not changed since the draft began
    OUTDATED = "outdated"  # the record changed since: show both before restoring
    RECORD_DELETED = "record deleted"  # the record was deleted since the draft began


@dataclass(frozen=True)
class FieldDifference:
    """One field where the draft and the saved record differ."""

    field: str
    draft: Any
    saved: Any  # None for a deleted record
    edited: bool  # the officer changed it in the draft (so restoring takes the draft's value)
    changed_since: bool  # the saved value changed after the draft began (or that is unknown)


@dataclass(frozen=True)
class DraftCheck:
    standing: Standing
    differences: list[FieldDifference] = field(default_factory=list)
    restored: dict[str, Any] = field(default_factory=dict)  # what "restore" puts in the editor


def check_draft(
    draft: EditorDraft,
    saved_state: dict[str, Any] | None,
    version: dict[str, Any] | None,
    *,
    new_record: bool = False,
) -> DraftCheck:
    """Compare a draft with the record as saved now (`saved_state`, `version`).

    `saved_state` is what the editor shows for the saved record (None if it was deleted). A
    draft of a record that changed since it began is OUTDATED: restoring it puts only the
    fields the officer changed over the saved values, so nothing saved meanwhile is reverted.
    """
    if new_record:
        saved = saved_state or {}
        found = [
            FieldDifference(k, v, saved.get(k), edited=True, changed_since=False)
            for k, v in draft.state.items()
            if saved.get(k) != v
        ]
        return DraftCheck(Standing.CURRENT if found else Standing.NOTHING_NEW, found, draft.state)
    base = draft.base_state
    if saved_state is None or version is None:
        gone = [
            FieldDifference(k, v, None, edited=True, changed_since=True)
            for k, v in draft.state.items()
            if base is None or base.get(k) != v
        ]
        return DraftCheck(Standing.RECORD_DELETED, gone, dict(draft.state))
    if draft.state == saved_state:
        return DraftCheck(Standing.NOTHING_NEW, [], dict(saved_state))
    differences = [
        FieldDifference(
            k,
            v,
            saved_state.get(k),
            edited=base is None or base.get(k) != v,
            changed_since=base is None or base.get(k) != saved_state.get(k),
        )
        for k, v in draft.state.items()
        if saved_state.get(k) != v
    ]
    if base is not None and (version == draft.base_version or base == saved_state):
        return DraftCheck(Standing.CURRENT, differences, dict(draft.state))
    restored = dict(draft.state) if base is None else rebase(draft.state, base, saved_state)
    if restored == saved_state:
        return DraftCheck(Standing.NOTHING_NEW, [], restored)
    return DraftCheck(Standing.OUTDATED, differences, restored)
