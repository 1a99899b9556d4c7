"""Organisations, their sensitivities, and contacts (people, with consent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ccodesk.models.base import (
    Base,
    OrganisationType,
    SensitivityLevel,
    Synced,
    str_enum,
)
from ccodesk.models.reference import PriorityGroup, Topic

organisation_group = Table(
    "organisation_group",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("group_code", ForeignKey("priority_group.code"), primary_key=True),
    Index("ix_organisation_group_group", "group_code", "organisation_id"),
)


class Organisation(Synced, Base):
    """A group the CCO consults: faith group, residents' association, voluntary body, …"""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), index=True)
    org_type: Mapped[OrganisationType] = mapped_column(str_enum(OrganisationType))
    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.code"))
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    groups_served: Mapped[list[PriorityGroup]] = relationship(
        secondary=organisation_group, order_by=PriorityGroup.position
    )
    sensitivities: Mapped[list[Sensitivity]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[Contact]] = relationship(back_populates="organisation")


class Sensitivity(Synced, Base):
    """A topic an organisation must not be consulted on, or only with care."""

    __tablename__ = "sensitivity"

    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    topic_code: Mapped[str] = mapped_column(ForeignKey("topic.code"))
    level: Mapped[SensitivityLevel] = mapped_column(str_enum(SensitivityLevel))
    note: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(back_populates="sensitivities")
    topic: Mapped[Topic] = relationship()


class Contact(Synced, Base):
    """A named person. Personal details stay on this device unless `shareable` is set."""

    __tablename__ = "contact"
    # consents running out, for the dashboard (0015)
    __table_args__ = (Index("ix_contact_consent_expires", "consent_expires"),)

    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    preferred_channel: Mapped[str] = mapped_column(String(40), default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_date: Mapped[dt.date | None] = mapped_column(Date)
    consent_scope: Mapped[str] = mapped_column(Text, default="")
    consent_expires: Mapped[dt.date | None] = mapped_column(Date)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The day the person objected to processing (issue 15): their details are kept for the
    # legal minimum but not used or sent while this is set.
    objected_on: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation | None] = relationship(back_populates="contacts")

    def consent_valid_on(self, day: dt.date) -> bool:
        """True when consent was given, on or before `day`, has not expired, and the person has
        not objected to processing."""
        if not self.consent_given or self.objected_on is not None:
            return False
        if self.consent_date is not None and self.consent_date > day:
            return False
        return self.consent_expires is None or self.consent_expires >= day
