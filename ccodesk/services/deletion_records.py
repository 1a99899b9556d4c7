"""The deletion records the retention schedule leaves (`services.retention` makes them): as
the Data protection page and the quarterly return list them, and, at the centre, per borough
(`ccodesk-central status --period`). A record says what was deleted, never whom."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import BundleLog, DeletionRecord, DeviceState
from ccodesk.services.retention import label_of


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@dataclass(frozen=True)
class DeletionRow:
    """A deletion record as lists and documents show it."""

    id: str
    done_at: dt.datetime
    category: str
    label: str
    count: int
    rule: str
    officer: str


def deletion_records(
    session: Session,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    limit: int | None = None,
) -> list[DeletionRow]:
    """The deletion records kept, newest first; `since`/`until` (both included) narrow them."""
    query = select(DeletionRecord).where(DeletionRecord.deleted.is_(False))
    if since is not None:
        query = query.where(DeletionRecord.done_at >= _midnight(since))
    if until is not None:
        query = query.where(DeletionRecord.done_at < _midnight(until + dt.timedelta(days=1)))
    query = query.order_by(DeletionRecord.done_at.desc(), DeletionRecord.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        DeletionRow(r.id, r.done_at, r.category, label_of(r.category), r.count, r.rule, r.officer)
        for r in session.scalars(query)
    ]


def _devices_of(session: Session) -> dict[str, str | None]:
    """Device id -> borough, for every device whose records this store holds: itself, and
    those whose bundles it merged (the centre, a colleague's device)."""
    found: dict[str, str | None] = {}
    for device, borough in session.execute(
        select(BundleLog.device_id, BundleLog.borough_code).where(BundleLog.kind == "changes")
    ):
        found[str(device)] = borough
    for device, borough in session.execute(select(DeviceState.device_id, DeviceState.borough_code)):
        found[str(device)] = borough
    return found


def deletions_in(
    session: Session, since: dt.date, until: dt.date, borough_code: str | None = None
) -> list[DeletionRow]:
    """The deletion records made from `since` to `until` (both included), oldest first; with
    `borough_code`, only those of that borough's devices."""
    rows = deletion_records(session, since, until)
    if borough_code is not None:
        devices = {d for d, b in _devices_of(session).items() if b == borough_code}
        origins = dict(
            session.execute(
                select(DeletionRecord.id, DeletionRecord.origin_device).where(
                    DeletionRecord.done_at >= _midnight(since),
                    DeletionRecord.done_at < _midnight(until + dt.timedelta(days=1)),
                )
            ).all()
        )
        rows = [r for r in rows if origins.get(r.id) in devices]
    return sorted(rows, key=lambda r: (r.done_at, r.category))


@dataclass(frozen=True)
class BoroughDeletions:
    """A borough's deletions of one category in a period (the centre's view)."""

    borough: str | None
    category: str
    label: str
    count: int
    records: int
    last: dt.datetime


def deletions_by_borough(
    session: Session, since: dt.date, until: dt.date
) -> list[BoroughDeletions]:
    """Per borough and category: what the deletion records made from `since` to `until` (both
    included) deleted, and how many records say so."""
    devices = _devices_of(session)
    totals: dict[tuple[str | None, str], tuple[int, int, dt.datetime]] = {}
    for origin, category, count, done_at in session.execute(
        select(
            DeletionRecord.origin_device,
            DeletionRecord.category,
            DeletionRecord.count,
            DeletionRecord.done_at,
        ).where(
            DeletionRecord.deleted.is_(False),
            DeletionRecord.done_at >= _midnight(since),
            DeletionRecord.done_at < _midnight(until + dt.timedelta(days=1)),
        )
    ):
        key = (devices.get(str(origin)), str(category))
        n, records, last = totals.get(key, (0, 0, done_at))
        totals[key] = (n + int(count), records + 1, max(last, done_at))
    return [
        BoroughDeletions(borough, category, label_of(category), n, records, last)
        for (borough, category), (n, records, last) in sorted(
            totals.items(), key=lambda item: (item[0][0] or "", item[0][1])
        )
    ]
