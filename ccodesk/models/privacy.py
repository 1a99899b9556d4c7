"""Data protection (issue 15): consent history, objections, the retention schedule, deletion
records, subject access requests and the audit trail's starting point after a purge.

Only `DeletionRecord` is synced (the centre keeps each borough's deletion records: category,
count, rule, date, officer; never personal data). The rest stays on the device that holds the
people it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ccodesk.models.base import Base, Labelled, Synced, str_enum


class ConsentEventKind(Labelled):
    GIVEN = "given", "Consent given"
    RENEWED = "renewed", "Consent renewed"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    OBJECTED = "objected", "Objects to processing"
    OBJECTION_LIFTED = "objection_lifted", "Objection lifted"


class ConsentMethod(Labelled):
    WRITTEN = "written", "Signed form"
    EMAIL = "email", "E-mail"
    VERBAL = "verbal", "Verbally (noted by the officer)"
    ONLINE = "online", "Online form"
    BEFORE_HISTORY = "before_history", "Recorded before consent history was kept"


class ConsentEvent(Base):
    """One step of a contact's consent history: given, renewed, withdrawn, objected, …

    The contact's own consent columns (`Contact.consent_given`, `consent_date`,
    `consent_scope`, `consent_expires`, `objected_on`) hold the state the latest event left;
    this table holds how it got there, and how each step was recorded.
    """

    __tablename__ = "consent_event"

    # `id` first: a table whose first column refers to a synced table is synced as its child
    # (sync/records._children); consent history stays on the device.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentEventKind] = mapped_column(str_enum(ConsentEventKind))
    on: Mapped[dt.date] = mapped_column(Date)  # the day it was given, withdrawn, …
    scope: Mapped[str] = mapped_column(Text, default="")
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    officer: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class RetentionRule(Base):
    """A borough's change to one rule of the retention schedule (`services.retention.RULES`
    holds each rule's documented default; a row here overrides it)."""

    __tablename__ = "retention_rule"

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    keep_for: Mapped[int] = mapped_column(Integer)  # in the rule's own unit
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    officer: Mapped[str] = mapped_column(String(120), default="")


class DeletionRecord(Synced, Base):
    """What a purge or an erasure removed: category, count, rule, when, who. No personal data.

    Kept for good, printed in the quarterly return and sent to the centre.
    """

    __tablename__ = "deletion_record"

    category: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    officer: Mapped[str] = mapped_column(String(120), default="")


class SubjectAccessRequest(Base):
    """A request from a person for what is held about them (one calendar month to answer,
    UK GDPR article 12(3)); also logs erasure and objection requests."""

    __tablename__ = "subject_access_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), default="access")  # access|erasure|objection
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    requester: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)  # name, e-mail, phone searched
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    items_found: Mapped[int | None] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditAnchor(Base):
    """Where the audit chain starts after old events were purged under the retention schedule:
    the first event kept and the hash it points back to (one row, id 1)."""

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    purged: Mapped[int] = mapped_column(BigInteger, default=0)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
