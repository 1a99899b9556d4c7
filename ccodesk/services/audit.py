"""The audit trail read back: its hash chain checked (`ccodesk-cli audit verify`), and the
events listed a page at a time for the desktop's audit viewer and its CSV export (issue 15)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import AuditEvent
from ccodesk.services.spreadsheet_safety import CellValue, csv_text
from ccodesk.store.audit_chain import (
    REDACT_ACTION,
    REDACT_ENTITY,
    anchor,
    at_text,
    canonical,
    changes_text,
    event_hash,
    kept_fields_hash,
    redaction_says,
)
from ccodesk.words import plural

PAGE = 20_000  # events read per query while verifying (bounded memory at millions of events)

# `mark`: 1 for an event whose summary was blanked after an erasure, 2 for an event that
# records such a redaction, 0 for the rest (the fast path reads no more columns for them).
_MARK = (
    "CASE WHEN redacted_at IS NOT NULL THEN 1"
    f" WHEN action = '{REDACT_ACTION}' AND entity = '{REDACT_ENTITY}' THEN 2 ELSE 0 END"
)
_CHAIN_SQLITE = (
    "SELECT id, json_array(id, at, device_id, officer, entity, entity_id, action, changes,"
    f" summary), prev_hash, hash, {_MARK} FROM audit_event WHERE id > ? ORDER BY id LIMIT ?"
)
_CHAIN = (
    "SELECT id, at, device_id, officer, entity, entity_id, action, changes, summary,"
    f" prev_hash, hash, {_MARK} FROM audit_event WHERE id > :after ORDER BY id LIMIT :n"
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
    purged: int = 0  # events removed under the retention schedule (before the anchor)
    first_id: int = 1  # the first event the chain is checked from
    redacted: int = 0  # events whose summary was blanked after an erasure (checked by links)

    @property
    def intact(self) -> bool:
        return self.broken is None

    def intact_line(self) -> str:
        """ "N events, chain intact (M redacted after erasure; head: event X)"."""
        redacted = f"{self.redacted} redacted after erasure; " if self.redacted else ""
        return (
            f"{plural(self.events, 'event')}, chain intact ({redacted}head: event {self.head_id})"
        )


def _when(value: object) -> str:
    return str(value)[:19]


def _unlinked(last_id: int, ev_id: int, start_id: int = 0) -> str:
    """Why an event does not point at the hash of the one read before it."""
    first = last_id + 1
    if ev_id > first:
        gone = f"event {first} is" if ev_id == first + 1 else f"events {first} to {ev_id - 1} are"
        return f"{gone} missing before it (deleted)"
    if last_id == start_id:
        if start_id:
            return (
                "it is the first event kept after the retention purge, but does not link to "
                "the hash the audit anchor recorded"
            )
        return "it is the first event, but links to an earlier one"
    return f"it does not follow event {last_id}: that event, or this one's link to it, was changed"


UNRECORDED = (
    "its summary was blanked as if after an erasure, but no later 'redact' event records it"
)
REDACTED_CHANGED = "its fields were changed after its summary was blanked by an erasure"


def verify(session: Session, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Walk the audit trail in id order and recompute every hash; stop at the first break.

    An altered event no longer matches its own hash; a deleted one leaves the next event
    pointing at a hash that is not the one before it. After a retention purge the walk starts
    at the anchor (`AuditAnchor`): the first event kept must link to the hash it recorded.
    (Events removed from the very end leave no trace here: the centre notices those, from the
    head each bundle carried.) An event whose summary an erasure blanked is checked by its
    links, and by the later 'redact' event that must record it with the hash of its other
    fields (store/audit_chain.py).

    At a million events the rows' Python objects are most of the time, so on SQLite the
    database writes each event's canonical JSON itself (`json_array` gives the very text
    `audit_chain.canonical` does) and only five columns are read, with the driver's own
    cursor; a mismatch is confirmed from the row's fields before it is reported
    (docs/benchmarks.md).
    """
    start_id, start_hash = anchor(session)
    purged = int(session.scalar(text("SELECT purged FROM audit_anchor WHERE id = 1")) or 0)
    count, last_id, last_hash = 0, start_id, start_hash
    # redacted events not yet matched by a 'redact' event: id -> (kept-fields hash, count)
    pending: dict[int, tuple[str, int]] = {}
    redacted = 0

    def check(count: int, last_id: int, last_hash: str, broken: BrokenLink | None) -> ChainCheck:
        return ChainCheck(count, last_id, last_hash, broken, purged, start_id + 1, redacted)

    conn = session.connection()
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    pages = _sqlite_pages if conn.dialect.name == "sqlite" else _python_pages
    sha256 = hashlib.sha256
    try:
        for rows in pages(cursor, conn.dialect.paramstyle, start_id):
            for ev_id, body, prev, own, mark in rows:
                if prev != last_hash:
                    at, _action, _entity = _described(session, ev_id)
                    broken = BrokenLink(ev_id, at, _unlinked(last_id, ev_id, start_id))
                    return check(count, last_id, last_hash, broken)
                if mark == 1:  # checked by its links, and by the 'redact' event to come
                    pending[ev_id] = (kept_fields_hash(json.loads(body)[:8]), count)
                    redacted += 1
                elif sha256((prev + body).encode()).hexdigest() != own and not _holds(
                    session, ev_id, prev, own
                ):
                    at, action, entity = _described(session, ev_id)
                    what = f"its contents were changed after it was written ({action} {entity})"
                    return check(count, last_id, last_hash, BrokenLink(ev_id, at, what))
                elif mark == 2:
                    fields = json.loads(body)
                    target = int(fields[5]) if str(fields[5]).isdigit() else -1
                    if target in pending:
                        kept, before = pending.pop(target)
                        if redaction_says(fields[8]) != kept:
                            at, _action, _entity = _described(session, target)
                            broken = BrokenLink(target, at, REDACTED_CHANGED)
                            return check(before, target - 1, "", broken)
                count, last_id, last_hash = count + 1, ev_id, own
            if progress is not None:
                progress(count)
    finally:
        cursor.close()
    if pending:
        target = min(pending)
        at, _action, _entity = _described(session, target)
        broken = BrokenLink(target, at, UNRECORDED)
        return check(pending[target][1], target - 1, "", broken)
    return check(count, last_id, last_hash, None)


Page = list[tuple[int, str, str, str, int]]  # id, canonical JSON, prev_hash, hash, mark


def _sqlite_pages(cursor: Any, _paramstyle: str, last: int = 0) -> Iterator[Page]:
    while rows := cursor.execute(_CHAIN_SQLITE, (last, PAGE)).fetchall():
        yield rows
        last = rows[-1][0]


def _python_pages(cursor: Any, paramstyle: str, last: int = 0) -> Iterator[Page]:
    mark = "?" if paramstyle == "qmark" else "%s"
    sql = _CHAIN.replace(":after", mark).replace(":n", mark)
    while True:
        cursor.execute(sql, (last, PAGE))
        rows = cursor.fetchall()
        if not rows:
            return
        yield [
            (
                row[0],
                canonical([*row[:1], at_text(row[1]), *row[2:7], changes_text(row[7]), row[8]]),
                row[9],
                row[10],
                row[11],
            )
            for row in rows
        ]
        last = rows[-1][0]


def _fields(session: Session, event_id: int) -> Any:
    return session.execute(
        text(
            "SELECT id, at, device_id, officer, entity, entity_id, action, changes, summary"
            " FROM audit_event WHERE id = :id"
        ),
        {"id": event_id},
    ).one()


def _holds(session: Session, event_id: int, prev: str, own: str) -> bool:
    """The event's hash recomputed from its fields in Python (the reference canonical form)."""
    return bool(event_hash(prev, *_fields(session, event_id)) == own)


def _described(session: Session, event_id: int) -> tuple[str, str, str]:
    """When (as stored), the action and the kind of record of an event, for a report."""
    row = _fields(session, event_id)
    return _when(at_text(row.at)), str(row.action), str(row.entity)


def head_hash_at(session: Session, event_id: int) -> str | None:
    """The hash the trail holds now for event `event_id` (None: no such event)."""
    value = session.execute(
        text("SELECT hash FROM audit_event WHERE id = :id"), {"id": event_id}
    ).scalar()
    return None if value is None else str(value)


# -- the audit viewer (desktop) and its CSV export ------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which events to list: a kind of record, a record (its id or the start of it), an
    officer, and days from and to (both included). Empty: any."""

    entity: str = ""
    entity_id: str = ""
    officer: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the viewer shows it."""

    id: int
    at: dt.datetime
    officer: str
    device_id: str
    entity: str
    entity_id: str
    action: str
    changes: list[str]
    summary: str


def _filtered(query: Select[Any], criteria: AuditFilter) -> Select[Any]:
    if criteria.entity:
        query = query.where(AuditEvent.entity == criteria.entity)
    if criteria.entity_id.strip():
        # a prefix, as `ccodesk-cli show` takes one; LIKE's wildcards in it are meant literally
        prefix = criteria.entity_id.strip().lower()
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.entity_id.like(f"{escaped}%", escape="\\"))
    if criteria.officer:
        query = query.where(AuditEvent.officer == criteria.officer)
    if criteria.since is not None:
        query = query.where(AuditEvent.at >= dt.datetime.combine(criteria.since, dt.time()))
    if criteria.until is not None:
        after = dt.datetime.combine(criteria.until + dt.timedelta(days=1), dt.time())
        query = query.where(AuditEvent.at < after)
    return query


def audit_rows(
    session: Session, criteria: AuditFilter, *, offset: int = 0, limit: int = 200
) -> list[AuditRow]:
    """A page of the events `criteria` selects, newest first."""
    query = _filtered(select(AuditEvent), criteria).order_by(AuditEvent.id.desc())
    return [
        AuditRow(
            e.id,
            e.at,
            e.officer,
            e.device_id,
            e.entity,
            e.entity_id,
            e.action,
            list(e.changes or []),
            e.summary,
        )
        for e in session.scalars(query.offset(offset).limit(limit))
    ]


def count_audit(session: Session, criteria: AuditFilter) -> int:
    """How many events `criteria` selects."""
    query = _filtered(select(func.count()).select_from(AuditEvent), criteria)
    return int(session.scalar(query) or 0)


def audit_choices(session: Session) -> tuple[list[str], list[str]]:
    """The kinds of record and the officers the trail names, for the viewer's filters."""
    entities = session.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))
    officers = session.scalars(select(AuditEvent.officer).distinct().order_by(AuditEvent.officer))
    return list(entities), [o for o in officers if o]


CSV_HEADER = ("Event", "When", "Officer", "Device", "Record kind", "Record id", "Action",
              "Fields changed", "Summary")  # fmt: skip
EXPORT_PAGE = 5_000


def audit_csv(session: Session, criteria: AuditFilter) -> str:
    """The events `criteria` selects as CSV (newest first), every cell spreadsheet-safe."""

    def rows() -> Iterator[tuple[CellValue, ...]]:
        yield CSV_HEADER
        offset = 0
        while page := audit_rows(session, criteria, offset=offset, limit=EXPORT_PAGE):
            for r in page:
                yield (
                    r.id,
                    r.at.isoformat(sep=" ", timespec="seconds"),
                    r.officer,
                    r.device_id,
                    r.entity,
                    r.entity_id,
                    r.action,
                    " ".join(r.changes),
                    r.summary,
                )
            offset += len(page)

    return csv_text(rows())


def write_audit_csv(session: Session, criteria: AuditFilter, path: Path) -> Path:
    """Write the events `criteria` selects to `path` as CSV (UTF-8 with a BOM, so
    spreadsheets read names right), atomically; a file that cannot be written is a KnownError."""
    data = ("\ufeff" + audit_csv(session, criteria)).encode()
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise KnownError(
            f"The audit trail could not be written to {path}: {exc.strerror or exc}; "
            "nothing was written."
        ) from exc
    return path
