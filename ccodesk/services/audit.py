"""The audit trail read back: its hash chain checked (`ccodesk-cli audit verify`), and the
events listed a page at a time for the desktop's audit viewer and its CSV export (issue 15)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ccodesk.auditchain import GENESIS, at_text, canonical, changes_text

PAGE = 20_000  # events read per query while verifying (bounded memory at millions of events)

_CHAIN = (
    "SELECT id, at, device_id, officer, entity, entity_id, action, changes, summary,"
    " prev_hash, hash FROM audit_event WHERE id > :after ORDER BY id LIMIT :n"
)


@dataclass(frozen=True)
class BrokenLink:
    """The first event where the chain does not hold: its id, its time as stored, and what."""

    event_id: int
    at: str
    what: str


@dataclass(frozen=True)
class ChainCheck:
    events: int  # events read
    head_id: int  # the last event's id (0: none)
    head_hash: str
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _when(value: object) -> str:
    return str(value)[:19]


def _unlinked(last_id: int, ev_id: int) -> str:
    """Why an event does not point at the hash of the one read before it."""
    first = last_id + 1
    if ev_id > first:
        gone = f"event {first} is" if ev_id == first + 1 else f"events {first} to {ev_id - 1} are"
        return f"{gone} missing before it (deleted)"
    if not last_id:
        return "it is the first event, but links to an earlier one"
    return f"it does not follow event {last_id}: that event, or this one's link to it, was changed"


def verify(session: Session, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Walk the audit trail in id order and recompute every hash; stop at the first break.

    An altered event no longer matches its own hash; a deleted one leaves the next event
    pointing at a hash that is not the one before it. (Events removed from the very end leave
    no trace here: the centre notices those, from the head each bundle carried.)

    Rows are read with the driver's own cursor and hashed in this loop: at a million events
    the ORM's rows and a function call an event would be most of the time (docs/benchmarks.md).
    """
    count, last_id, last_hash = 0, 0, GENESIS
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = _CHAIN.replace(":after", mark).replace(":n", mark)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    sha256, encode = hashlib.sha256, canonical
    try:
        while True:
            cursor.execute(sql, (last_id, PAGE))
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                (
                    ev_id,
                    at,
                    device,
                    officer,
                    entity,
                    entity_id,
                    action,
                    changes,
                    summary,
                    prev,
                    own,
                ) = row
                if type(at) is not str:
                    at = at_text(at)
                if type(changes) is not str:
                    changes = changes_text(changes)
                if prev != last_hash:
                    broken = BrokenLink(ev_id, _when(at), _unlinked(last_id, ev_id))
                    return ChainCheck(count, last_id, last_hash, broken)
                body = encode(
                    [ev_id, at, device, officer, entity, entity_id, action, changes, summary]
                )
                if sha256((prev + body).encode()).hexdigest() != own:
                    what = f"its contents were changed after it was written ({action} {entity})"
                    return ChainCheck(count, last_id, last_hash, BrokenLink(ev_id, _when(at), what))
                count, last_id, last_hash = count + 1, ev_id, own
            if progress is not None:
                progress(count)
    finally:
        cursor.close()
    return ChainCheck(count, last_id, last_hash, None)


def head_hash_at(session: Session, event_id: int) -> str | None:
    """The hash the trail holds now for event `event_id` (None: no such event)."""
    value = session.execute(
        text("SELECT hash FROM audit_event WHERE id = :id"), {"id": event_id}
    ).scalar()
    return None if value is None else str(value)
