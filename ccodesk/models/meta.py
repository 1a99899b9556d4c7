"""Store bookkeeping: this device's identity and clocks, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ccodesk.models.base import Base


class DeviceState(Base):
    """One row: who this store belongs to, and the counters behind the sync metadata."""

    __tablename__ = "device_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    borough_code: Mapped[str | None] = mapped_column(String(40))
    officer_name: Mapped[str] = mapped_column(String(120))
    officer_role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hlc_wall: Mapped[int] = mapped_column(BigInteger, default=0)
    hlc_counter: Mapped[int] = mapped_column(Integer, default=0)
    reference_version: Mapped[str] = mapped_column(String(16), default="")
    # Sync (issue 4): the number of the last bundle exported, and when things last happened.
    bundle_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_export_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_export_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_receipt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who changed what, when. Written by the store layer on every flush."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    officer: Mapped[str] = mapped_column(String(120))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    # The hash chain (issue 15, ccodesk/store/audit_chain.py): the previous event's hash and
    # this one's.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    # Set when the summary was blanked because it named an erased person (issue 15): the
    # event's hash then stands on its own (the chain is checked by its links there).
    redacted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditHead(Base):
    """The centre's record of the audit-trail head each device last sent (issue 15).

    A device's later bundle must carry a chain that extends this one; when it does not (an
    event the device sent before now has another hash, or is gone), `rewritten_at` says when
    that was first seen and `rewritten` what was found. Kept until the device is looked at."""

    __tablename__ = "audit_head"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    borough_code: Mapped[str | None] = mapped_column(String(40))
    bundle_seq: Mapped[int] = mapped_column(BigInteger)  # the bundle that carried the head
    head_id: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rewritten_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rewritten: Mapped[str] = mapped_column(Text, default="")


class Draft(Base):
    """Unsaved work of an editor, kept (encrypted, in the store) until saved or discarded."""

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class CalendarLink(Base):
    """Where an engagement imported from a calendar file came from (this device only): the
    calendar, the event's UID and occurrence, its organiser (written back on export) and the
    values last imported, so a re-import changes only what changed in the calendar
    (ccodesk/services/calendar_import.py)."""

    __tablename__ = "calendar_link"
    __table_args__ = (
        Index("ix_calendar_link_event", "calendar", "uid", "occurrence", unique=True),
    )

    engagement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    calendar: Mapped[str] = mapped_column(String(255))
    uid: Mapped[str] = mapped_column(String(255))
    occurrence: Mapped[str] = mapped_column(String(32), default="")  # "" for a single event
    organiser_name: Mapped[str] = mapped_column(String(120), default="")
    organiser_uri: Mapped[str] = mapped_column(String(255), default="")
    imported: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DashboardSnapshot(Base):
    """The dashboard's lines as last shown, for the next start's first paint (issue 11).

    Read with the DB-API before SQLAlchemy is imported (`ccodesk.store.snapshot`), and shown only on
    the day it was taken and while the store is as it was then (`stamp`); the live figures
    replace it a moment later. A local cache: never synced, never printed."""

    __tablename__ = "dashboard_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    day: Mapped[str] = mapped_column(String(10))  # ISO date the lines are for
    stamp: Mapped[str] = mapped_column(String(200))  # `snapshot.STAMP_SQL` when taken
    body: Mapped[str] = mapped_column(Text)  # `BoardLines.to_json()`
