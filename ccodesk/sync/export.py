"""A borough device's bundles out: every change since the last acknowledged one, signed,
encrypted to the centre (and any colleague named), recorded before the file is in place
(`ccodesk-cli sync export`, the desktop's Sync page)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ccodesk.failures import os_reason, stop_if_cancelled
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import (
    DeviceState,
    ExportLog,
    new_id,
)
from ccodesk.store import Store
from ccodesk.sync import audit_heads, bundle, consent
from ccodesk.sync.device import Progress, SyncError, _no_progress, centre_key, device_recipient
from ccodesk.sync.keys import parse_recipient
from ccodesk.sync.ownership import relayed_for_export
from ccodesk.sync.records import ENTITIES, Record, as_tombstone, collector_paused, read_records

log = logging.getLogger(__name__)

NOT_EXPORTED = "Export cancelled; nothing was written."


@dataclass
class ExportResult:
    path: Path
    bundle_id: str
    seq: int
    records: int
    through_seq: int
    encrypted_to: list[str]


@collector_paused()  # a borough-year is tens of thousands of new objects
def export_bundle(
    store: Store,
    path: Path,
    *,
    full: bool = False,
    recipients: list[str] | None = None,
    unencrypted: bool = False,
    progress: Progress = _no_progress,
    cancelled: Callable[[], bool] = lambda: False,
) -> ExportResult:
    """Write every change since the last acknowledged one (all, with `full`) to `path`."""
    extra = [parse_recipient(r) for r in recipients or []]
    if unencrypted and extra:
        raise SyncError(
            "A bundle cannot be both unencrypted and encrypted to extra recipients: choose one."
        )
    day = consent.today()
    with store.transaction() as session:
        consent.refresh_consent(session, day)  # lapsed consent: a version whose tombstone goes
    with store.session() as session:
        centre = centre_key(session)
        device = session.scalars(select(DeviceState)).one()
        since = 0 if full else device.acked_seq
        through = device.change_seq
        seq = device.bundle_seq + 1
        # Never before this device's clock stamps: a laptop whose clock is behind still
        # writes stamps after what it merged, and a reader bounds stamps by `created`.
        created = max(
            dt.datetime.now(dt.UTC),
            dt.datetime.fromtimestamp(device.hlc_wall / 1000, dt.UTC),
        )
        if centre is None and not unencrypted:
            raise SyncError(
                "No central unit is known yet, so there is no one to encrypt the bundle to: "
                "import the central unit's reference bundle first."
            )
        targets = extra[:]
        if centre is not None and centre.age_recipient:
            targets.insert(0, parse_recipient(centre.age_recipient))
        records = _changed_records(session, since, progress, cancelled, day)
        if centre is not None and centre.device_id:  # the centre's own records stay its own
            records = [r for r in records if r.origin != centre.device_id]
        relayed = relayed_for_export(session, store.device_id, store.borough_code or "")
        audit = audit_heads.manifest_field(session)
    bundle_id = new_id()
    manifest = {
        "format": bundle.FORMAT,
        "kind": "changes",
        "bundle_id": bundle_id,
        "device_id": store.device_id,
        "borough_code": store.borough_code,
        "officer": store.officer_name,
        "seq": seq,
        "since_seq": since,
        "through_seq": through,
        "full": full,
        "created": created.isoformat(timespec="seconds"),
        "public_key": store.public_key_openssh(),
        "age_recipient": device_recipient(store),
        "counts": _counts(records),
        "relayed": relayed,
        "audit": audit,
    }
    progress(len(records), len(records), "Signing and encrypting…")
    data, content_hash = bundle.build_hashed(
        manifest,
        {"changes.jsonl": bundle.changes_member(records)},
        store.signing_key(),
        None if unencrypted else targets,
    )
    stop_if_cancelled(cancelled, NOT_EXPORTED)
    _record_export(store, bundle_id, seq, since, through, path.name, content_hash, audit["head_id"])
    try:
        atomic_write_bytes(path, data, mode=0o600)
    except OSError as exc:
        raise SyncError(
            f"The bundle could not be written to {path}: {os_reason(exc)}. Its number "
            f"({seq}) is used up; export again for the next one."
        ) from exc
    with store.transaction() as session:
        device = session.scalars(select(DeviceState)).one()
        device.last_export_at = dt.datetime.now()
        device.last_export_seq = through
        entry = session.get(ExportLog, bundle_id)
        assert entry is not None
        entry.written_at = device.last_export_at
    return ExportResult(
        path,
        bundle_id,
        seq,
        len(records),
        through,
        [] if unencrypted else [str(t) for t in targets],
    )


def _record_export(
    store: Store,
    bundle_id: str,
    seq: int,
    since: int,
    through: int,
    file_name: str,
    content_hash: str,
    audit_head_id: int,
) -> None:
    """Take bundle number `seq` and log the export, in one transaction, before the file exists.

    A crash after this (the file half-written, or written and never renamed into place)
    leaves the number used up and the bundle listed, so the next export takes `seq + 1` and a
    receipt for either is matched to the right one.
    """
    with store.transaction() as session:
        taken = session.execute(
            update(DeviceState)
            .where(DeviceState.id == 1, DeviceState.bundle_seq == seq - 1)
            .values(bundle_seq=seq)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise SyncError(
                f"Another export took bundle number {seq} meanwhile; nothing was written. "
                "Export again."
            )
        session.add(
            ExportLog(
                bundle_id=bundle_id,
                seq=seq,
                since_seq=since,
                through_seq=through,
                file_name=file_name[:255],
                content_hash=content_hash,
                created_at=dt.datetime.now(),
                audit_head_id=audit_head_id,
            )
        )


def _changed_records(
    session: Session,
    since: int,
    progress: Progress,
    cancelled: Callable[[], bool],
    day: dt.date,
) -> list[Record]:
    shared = consent.sendable_contacts(session, day)  # shareable and consent valid on `day`
    records: list[Record] = []
    entities = list(ENTITIES)
    for done, entity in enumerate(entities):
        stop_if_cancelled(cancelled, NOT_EXPORTED)
        progress(done, len(entities), f"Collecting {entity.replace('_', ' ')} changes…")
        for record in read_records(session, entity, since_seq=since):
            if entity == "contact" and record.id not in shared:
                record = as_tombstone(record)  # personal details stay on this device
            if entity == "engagement" and "engagement_attendee" in record.children:
                record.children["engagement_attendee"] = [
                    a for a in record.children["engagement_attendee"] if a["contact_id"] in shared
                ]
            records.append(record)
    return records


def _counts(records: list[Record]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        counts[r.entity] = counts.get(r.entity, 0) + 1
    return counts
