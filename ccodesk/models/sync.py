"""Sync bookkeeping shared by borough devices and the central units (issue 4).

The same tables serve both sides, because one merge engine does: the keys a store trusts,
the bundles it has taken in (and the receipt it gave or got for each), and the conflicts a
merge found for a person to review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ccodesk.models.base import Base


class TrustedKey(Base):
    """A signing key this store accepts bundles from (a borough device, a colleague, the centre).

    `role` is "device" for a borough's laptop, "centre" for a central unit. A revoked key is
    kept (with `revoked_at`) so old receipts can still be explained, but signs nothing new.
    """

    __tablename__ = "trusted_key"
    __table_args__ = (Index("ix_trusted_key_fingerprint", "fingerprint", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(80))  # SHA256:… as ssh-keygen -l prints
    public_key: Mapped[str] = mapped_column(Text)  # "ssh-ed25519 AAAA… comment"
    role: Mapped[str] = mapped_column(String(10))  # device | centre
    borough_code: Mapped[str | None] = mapped_column(String(40))
    officer: Mapped[str] = mapped_column(String(120), default="")
    device_id: Mapped[str | None] = mapped_column(String(36))
    age_recipient: Mapped[str | None] = mapped_column(String(100))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class BundleLog(Base):
    """A bundle this store took in (or refused), with the receipt it answered with."""

    __tablename__ = "bundle_log"
    __table_args__ = (Index("ix_bundle_log_device_seq", "device_id", "seq"),)

    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of SHA256SUMS
    kind: Mapped[str] = mapped_column(String(20))  # changes | reference | receipt
    device_id: Mapped[str] = mapped_column(String(36))
    borough_code: Mapped[str | None] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(BigInteger)  # the sender's bundle sequence number
    signer: Mapped[str] = mapped_column(String(80))  # fingerprint
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    already: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    up_to_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # sender's change_seq covered
    receipt: Mapped[str | None] = mapped_column(Text)  # the signed receipt, armoured text


class SyncConflict(Base):
    """Two concurrent versions of one record; the provisional winner is applied meanwhile."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_record", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    local: Mapped[dict[str, Any]] = mapped_column(JSON)
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON)
    winner: Mapped[str] = mapped_column(String(10))  # local | incoming (provisional)
    bundle_id: Mapped[str] = mapped_column(String(36))
    found_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(10))  # local | incoming
    resolved_by: Mapped[str] = mapped_column(String(120), default="")


class SyncTombstone(Base):
    """A deletion received for a record this store never had: it keeps an older copy out."""

    __tablename__ = "sync_tombstone"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    origin_device: Mapped[str] = mapped_column(String(36))
    version_vector: Mapped[dict[str, int]] = mapped_column(JSON)
    hlc: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ExportLog(Base):
    """A bundle this device wrote: recorded with its number before the file is in place.

    The row is committed in the same transaction that takes the bundle number, so an export
    that dies before (or after) its file is renamed into place can never have its number
    reused; a receipt is accepted only for a bundle listed here, with the same number.
    """

    __tablename__ = "export_log"
    __table_args__ = (Index("ix_export_log_seq", "seq", unique=True),)

    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)  # this device's bundle sequence number
    since_seq: Mapped[int] = mapped_column(BigInteger)  # change_seq range covered: (since,
    through_seq: Mapped[int] = mapped_column(BigInteger)  # … through]
    file_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of SHA256SUMS
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    written_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # file renamed into place
    receipt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # first receipt taken
    # The audit trail's head when the bundle was written (issue 15): a later bundle sends the
    # hash its trail now holds at this id, so the centre can check the history still extends.
    audit_head_id: Mapped[int | None] = mapped_column(BigInteger)
