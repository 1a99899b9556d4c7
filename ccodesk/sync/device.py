"""This device's side of sync that is neither a bundle out nor a bundle in: its keys as the
centre and colleagues see them, the pinned centre key, and where things stand (`ccodesk-cli
key …` and `sync status`, the desktop's Sync page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyrage
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import (
    DeviceState,
    SyncConflict,
    TrustedKey,
)
from ccodesk.store import Store
from ccodesk.sync import sshsig
from ccodesk.sync.keys import age_identity_from_signing_key

Progress = Callable[[int, int, str], None]


class SyncError(KnownError):
    """Sync cannot do what was asked (no centre configured, a file not for this store, …)."""


def _no_progress(_done: int, _total: int, _what: str) -> None:
    """Progress goes nowhere."""


def device_identity(store: Store) -> pyrage.x25519.Identity:
    """This device's age identity (derived from its signing key; see sync.keys)."""
    return age_identity_from_signing_key(store._secrets.signing_key)


def device_recipient(store: Store) -> str:
    return str(device_identity(store).to_public())


@dataclass(frozen=True)
class DeviceKeys:
    """What this device shows the world: its public signing key, fingerprint and age recipient."""

    public_key: str  # the OpenSSH line the centre's trust list takes
    fingerprint: str  # SHA256:…, read back by the centre to check the key arrived intact
    age_recipient: str  # age1…, for colleagues who encrypt a bundle to this device


def device_keys(store: Store) -> DeviceKeys:
    public = store.public_key_openssh()
    return DeviceKeys(public, sshsig.fingerprint(public), device_recipient(store))


def write_public_key(store: Store, path: Path) -> Path:
    """Write this device's public key line to `path` (the file the centre's `trust add` takes)."""
    try:
        atomic_write_bytes(path, (store.public_key_openssh() + "\n").encode())
    except OSError as exc:
        raise SyncError(f"The key could not be saved to {path}: {os_reason(exc)}.") from exc
    return path


def centre_key(session: Session) -> TrustedKey | None:
    """The pinned centre key (the first reference bundle's signer), if any."""
    return session.scalars(
        select(TrustedKey).where(TrustedKey.role == "centre", TrustedKey.revoked_at.is_(None))
    ).first()


# -- status ------------------------------------------------------------------------------------


@dataclass
class SyncStatus:
    last_export_at: dt.datetime | None
    last_export_seq: int
    bundles_exported: int
    last_receipt_at: dt.datetime | None
    acked_seq: int
    change_seq: int
    centre: str | None
    open_conflicts: int

    @property
    def awaiting(self) -> int:
        return self.change_seq - self.acked_seq


def sync_status(store: Store) -> SyncStatus:
    with store.session() as session:
        device = session.scalars(select(DeviceState)).one()
        centre = centre_key(session)
        conflicts = session.scalar(
            select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
        )
        return SyncStatus(
            device.last_export_at,
            device.last_export_seq,
            device.bundle_seq,
            device.last_receipt_at,
            device.acked_seq,
            device.change_seq,
            f"{centre.officer} ({centre.fingerprint})" if centre else None,
            int(conflicts or 0),
        )
