"""The store layer's upkeep of sync metadata and the audit trail.

Every flush of a store session passes through `before_flush`: new and changed synced rows get
the next local `change_seq`, this device's counter in their version vector and a hybrid logical
clock stamp, and an `AuditEvent` records who changed what (each event chained to the one before
it by its hash, ccodesk/store/audit_chain.py). Bulk loads use `stamp_rows`, which
allocates the same metadata for plain row dictionaries in one statement.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, inspect, text
from sqlalchemy.orm import Session, UOWTransaction

from ccodesk.models import AuditEvent, Synced, SyncedChild, new_id
from ccodesk.store import audit_chain


class HardDeleteError(RuntimeError):
    """A synced row was deleted outright; it must become a tombstone so the deletion syncs."""


_ALLOCATE = text(
    """
    UPDATE device_state SET
        change_seq = change_seq + :n,
        hlc_counter = CASE WHEN :now > hlc_wall THEN :n ELSE hlc_counter + :n END,
        hlc_wall = CASE WHEN :now > hlc_wall THEN :now ELSE hlc_wall END
    WHERE id = 1
    RETURNING change_seq, hlc_wall, hlc_counter
    """
).bindparams(bindparam("n"), bindparam("now"))


def format_hlc(wall_ms: int, counter: int, device_id: str) -> str:
    """A hybrid logical clock stamp that sorts as text: wall time, counter, then device."""
    return f"{wall_ms:013d}.{counter:06d}.{device_id}"


class Allocation:
    """A block of `n` consecutive change_seq values and HLC stamps for this device."""

    def __init__(self, session: Session, n: int) -> None:
        now = int(time.time() * 1000)
        row = session.execute(_ALLOCATE, {"n": n, "now": now}).one()
        last_seq, wall, last_counter = int(row[0]), int(row[1]), int(row[2])
        self.device_id: str = session.info["device_id"]
        self.first_seq = last_seq - n + 1
        self.wall = wall
        self.first_counter = last_counter - n + 1

    def stamp(self, index: int, previous: dict[str, int] | None) -> dict[str, Any]:
        """The sync metadata for the `index`-th row of the block."""
        seq = self.first_seq + index
        vector = dict(previous or {})
        vector[self.device_id] = seq
        return {
            "change_seq": seq,
            "version_vector": vector,
            "hlc": format_hlc(self.wall, self.first_counter + index, self.device_id),
        }


def _changed_synced(session: Session) -> tuple[list[Synced], list[Synced]]:
    new = [obj for obj in session.new if isinstance(obj, Synced)]
    dirty: dict[int, Synced] = {}
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj):
            dirty[id(obj)] = obj
        elif isinstance(obj, SyncedChild):
            parent = getattr(obj, obj.__sync_parent__)
            if isinstance(parent, Synced) and parent not in session.new:
                dirty[id(parent)] = parent
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, SyncedChild):
            parent = getattr(obj, obj.__sync_parent__, None)
            if isinstance(parent, Synced) and parent not in session.new:
                dirty[id(parent)] = parent
    return new, [o for o in dirty.values() if o not in session.new]


def _changed_fields(obj: Synced) -> list[str]:
    state = inspect(obj)
    return sorted(a.key for a in state.attrs if a.history.has_changes())


def before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Stamp sync metadata on every new or changed synced row and write the audit trail.

    Every audit event in the flush, whoever added it, is then numbered and chained
    (ccodesk/store/audit_chain.py)."""
    _stamp(session)
    audit_chain.link_new(session)


def _stamp(session: Session) -> None:
    if "device_id" not in session.info:
        raise RuntimeError("a store session must carry the device id in session.info")
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise HardDeleteError(
                f"{type(obj).__name__} {obj.id} was deleted outright; mark it deleted instead"
            )
    new, dirty = _changed_synced(session)
    rows = new + dirty
    if not rows:
        return
    block = Allocation(session, len(rows))
    now = dt.datetime.now()
    officer = session.info.get("officer", "")
    for index, obj in enumerate(rows):
        is_new = index < len(new)
        changes = [] if is_new else _changed_fields(obj)
        previous = None if is_new else obj.version_vector
        for key, value in block.stamp(index, previous).items():
            setattr(obj, key, value)
        if is_new:
            if obj.id is None:
                obj.id = new_id()
            obj.origin_device = block.device_id
            obj.deleted = bool(obj.deleted)
        action = "create" if is_new else ("delete" if "deleted" in changes else "update")
        session.add(
            AuditEvent(
                at=now,
                device_id=block.device_id,
                officer=officer,
                entity=obj.__tablename__,  # type: ignore[attr-defined]
                entity_id=obj.id,
                action=action,
                changes=changes,
            )
        )


def stamp_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Fill in the sync metadata of new rows about to be bulk-inserted (one statement)."""
    if not rows:
        return
    block = Allocation(session, len(rows))
    device = block.device_id
    seq, counter, wall = block.first_seq, block.first_counter, block.wall
    for index, row in enumerate(rows):
        row["change_seq"] = seq + index
        row["version_vector"] = {device: seq + index}
        row["hlc"] = format_hlc(wall, counter + index, device)
        row["origin_device"] = device
        row.setdefault("deleted", False)


def audit_bulk(session: Session, entity: str, count: int, summary: str) -> None:
    """Record a bulk load (demo data, an import) as one audit event for the table."""
    session.add(
        AuditEvent(
            at=dt.datetime.now(),
            device_id=session.info["device_id"],
            officer=session.info.get("officer", ""),
            entity=entity,
            entity_id="",
            action="bulk-create",
            changes=[],
            summary=f"{summary}: {count} rows",
        )
    )
