"""The audit trail read back: its hash chain checked (`ccodesk-cli audit verify`), and the
events listed a page at a time for the desktop's audit viewer and its CSV export (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ccodesk.auditchain import GENESIS, event_hash

PAGE = 20_000  # events read per query while verifying (bounded memory at millions of events)

_CHAIN = text(
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
    """
    count, last_id, last_hash = 0, 0, GENESIS
    conn = session.connection()
    while True:
        rows = conn.execute(_CHAIN, {"after": last_id, "n": PAGE}).all()
        if not rows:
            break
        for (
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
        ) in rows:
            if prev != last_hash:
                what = _unlinked(last_id, ev_id)
                return ChainCheck(count, last_id, last_hash, BrokenLink(ev_id, _when(at), what))
            digest = event_hash(
                prev, ev_id, at, device, officer, entity, entity_id, action, changes, summary
            )
            if digest != own:
                what = f"its contents were changed after it was written ({action} {entity})"
                return ChainCheck(count, last_id, last_hash, BrokenLink(ev_id, _when(at), what))
            count, last_id, last_hash = count + 1, ev_id, own
        if progress is not None:
            progress(count)
    return ChainCheck(count, last_id, last_hash, None)


def head_hash_at(session: Session, event_id: int) -> str | None:
    """The hash the trail holds now for event `event_id` (None: no such event)."""
    value = session.execute(
        text("SELECT hash FROM audit_event WHERE id = :id"), {"id": event_id}
    ).scalar()
    return None if value is None else str(value)
