"""Quick-time consultation: the five-stage model of the MPS Diversity Directorate (2003).

When a short-notice, high-impact operation or initiative is coming, the borough consults within
a couple of days. A `QuickTimeConsultation` keeps what each stage decided (causal event,
scanning, assessment, strategy, plan), the consultees picked with their advice and the
feedback each was given, a contact log, and the post-event review whose lessons later
consultations of a similar kind are shown.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ccodesk.models.base import Base, Labelled, Level, Synced, str_enum
from ccodesk.models.directory import Organisation
from ccodesk.models.reference import PriorityGroup


class QuickTimeStatus(Labelled):
    OPEN = "open", "In progress"
    PLANNED = "planned", "Plan agreed"
    REVIEWED = "reviewed", "Reviewed after the event"
    CANCELLED = "cancelled", "Cancelled"


class ConsulteeRole(Labelled):
    COMMUNITY = "community", "Community"
    POLICE = "police", "Police department"
    AGENCY = "agency", "Other agency"
    ADVISER = "adviser", "Independent adviser"


class Delivery(Labelled):
    SURVEY = "survey", "Long term: survey"
    MEETINGS = "meetings", "Long term: meetings"
    CONTACTS = "contacts", "Short term: e-mail and phone contacts"


class ContactChannel(Labelled):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Visit"


quick_time_group = Table(
    "quick_time_group",
    Base.metadata,
    Column(
        "consultation_id",
        ForeignKey("quick_time_consultation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("group_code", ForeignKey("priority_group.code"), primary_key=True),
)


class QuickTimeConsultation(Synced, Base):
    """One quick-time consultation, stage by stage."""

    __tablename__ = "quick_time_consultation"
    __table_args__ = (Index("ix_quick_time_consultation_deadline", "deleted", "deadline"),)

    # 1. Causal event
    title: Mapped[str] = mapped_column(String(200))  # what
    location: Mapped[str] = mapped_column(String(200), default="")  # where
    event_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when
    scale: Mapped[str] = mapped_column(Text, default="")
    topic_code: Mapped[str | None] = mapped_column(ForeignKey("topic.code"))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)  # responses needed by
    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.code"))
    stage: Mapped[int] = mapped_column(Integer, default=1)  # the furthest stage reached (1–5)
    status: Mapped[QuickTimeStatus] = mapped_column(
        str_enum(QuickTimeStatus), default=QuickTimeStatus.OPEN
    )
    # 3. Assessment: the five areas of potential impact
    event_profile: Mapped[str] = mapped_column(Text, default="")  # incl. historical context
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.LOCAL)
    communities: Mapped[str] = mapped_column(Text, default="")
    police: Mapped[str] = mapped_column(Text, default="")
    other_agencies: Mapped[str] = mapped_column(Text, default="")
    # 4. Strategy of consultation
    impact_assessment: Mapped[str] = mapped_column(Text, default="")
    media_strategy: Mapped[str] = mapped_column(Text, default="")
    cost_benefit: Mapped[str] = mapped_column(Text, default="")
    officer_hours: Mapped[int] = mapped_column(Integer, default=0)
    adviser_compensation_pence: Mapped[int] = mapped_column(Integer, default=0)
    technology: Mapped[str] = mapped_column(Text, default="")
    departmental_assessment: Mapped[str] = mapped_column(Text, default="")
    # 5. Consultation plan
    delivery: Mapped[Delivery | None] = mapped_column(str_enum(Delivery))
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    # Post event
    review: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)

    affected_groups: Mapped[list[PriorityGroup]] = relationship(secondary=quick_time_group)
    consultees: Mapped[list[QuickTimeConsultee]] = relationship(
        back_populates="consultation", order_by="QuickTimeConsultee.picked_at"
    )


class QuickTimeConsultee(Synced, Base):
    """A stakeholder picked at the scanning stage, their advice, and the feedback they got."""

    __tablename__ = "quick_time_consultee"

    consultation_id: Mapped[str] = mapped_column(
        ForeignKey("quick_time_consultation.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # the organisation's name, or a department's
    role: Mapped[ConsulteeRole] = mapped_column(str_enum(ConsulteeRole))
    reason: Mapped[str] = mapped_column(Text, default="")
    picked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    advice: Mapped[str] = mapped_column(Text, default="")
    advice_used: Mapped[bool | None] = mapped_column(Boolean)  # had impact / did NOT have
    impact: Mapped[str] = mapped_column(
        Text, default=""
    )  # the feedback: what it changed, or why not
    feedback_given_on: Mapped[dt.date | None] = mapped_column(Date)

    consultation: Mapped[QuickTimeConsultation] = relationship(back_populates="consultees")
    organisation: Mapped[Organisation | None] = relationship()
    contacts: Mapped[list[QuickTimeContact]] = relationship(
        back_populates="consultee", order_by="QuickTimeContact.at"
    )


class QuickTimeContact(Synced, Base):
    """One entry of the short-term contact log: an e-mail, a call, a meeting."""

    __tablename__ = "quick_time_contact"

    consultee_id: Mapped[str] = mapped_column(
        ForeignKey("quick_time_consultee.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    channel: Mapped[ContactChannel] = mapped_column(str_enum(ContactChannel))
    note: Mapped[str] = mapped_column(Text, default="")

    consultee: Mapped[QuickTimeConsultee] = relationship(back_populates="contacts")
