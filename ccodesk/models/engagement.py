"""Engagements (meetings, sessions, focus groups, outreach, …) and their attendance."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ccodesk.models.base import (
    Base,
    DecisionKind,
    EngagementKind,
    EngagementStatus,
    Level,
    Synced,
    SyncedChild,
    str_enum,
)
from ccodesk.models.directory import Contact, Organisation
from ccodesk.models.reference import PriorityGroup, Topic

if TYPE_CHECKING:
    from ccodesk.models.outcomes import ActionItem, CostItem, FeedbackGiven, Finding, OfficerTime

engagement_partner = Table(
    "engagement_partner",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_engagement_partner_organisation", "organisation_id", "engagement_id"),
)

engagement_target_group = Table(
    "engagement_target_group",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), primary_key=True),
    Column("group_code", ForeignKey("priority_group.code"), primary_key=True),
    Index("ix_engagement_target_group_group", "group_code", "engagement_id"),
)

engagement_topic = Table(
    "engagement_topic",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_code", ForeignKey("topic.code"), primary_key=True),
)

# Named attendees: only contacts who gave consent (checked by the services).
engagement_attendee = Table(
    "engagement_attendee",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
    # a person's attendance, for a subject access request or an erasure (migration 0015)
    Index("ix_engagement_attendee_contact", "contact_id"),
)


class Engagement(Synced, Base):
    """One consultation: a PCCG meeting, themed session, focus group, outreach meeting, …"""

    __tablename__ = "engagement"
    __table_args__ = (
        Index("ix_engagement_starts_at", "starts_at"),
        # engagements with notes by date, for the retention schedule's notes due (0015)
        Index(
            "ix_engagement_noted",
            "starts_at",
            sqlite_where=text("notes != ''"),
            postgresql_where=text("notes != ''"),
        ),
        # live engagements by date: the list's order, and a count that reads only the index
        Index("ix_engagement_deleted_starts_at", "deleted", "starts_at"),
        Index("ix_engagement_kind_starts_at", "kind", "starts_at"),
        Index("ix_engagement_status_starts_at", "status", "starts_at"),
        # the list sorted by a column: SQLite walks one of these and stops after a page
        # (services.engagements._order_by), instead of sorting every engagement; the kind and
        # status filters are checked in the index, without reading the rows they leave out
        Index("ix_engagement_list_kind", "deleted", "kind", "starts_at", "id", "status"),
        Index("ix_engagement_list_title", "deleted", "title", "starts_at", "id", "kind", "status"),
        Index("ix_engagement_list_status", "deleted", "status", "starts_at", "id", "kind"),
        Index(
            "ix_engagement_list_venue", "deleted", "venue_name", "starts_at", "id", "kind", "status"
        ),
    )

    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.code"))
    kind: Mapped[EngagementKind] = mapped_column(str_enum(EngagementKind))
    method_code: Mapped[str | None] = mapped_column(ForeignKey("consultation_method.code"))
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    informs: Mapped[DecisionKind | None] = mapped_column(str_enum(DecisionKind))
    informs_detail: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.LOCAL)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[EngagementStatus] = mapped_column(
        str_enum(EngagementStatus), default=EngagementStatus.PLANNED
    )
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    bsl: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreters: Mapped[str] = mapped_column(String(200), default="")
    childcare: Mapped[bool] = mapped_column(Boolean, default=False)
    daytime: Mapped[bool] = mapped_column(Boolean, default=False)
    cco_name: Mapped[str] = mapped_column(String(120), default="")
    blo_name: Mapped[str] = mapped_column(String(120), default="")
    cso_name: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The UID of the iCalendar event this engagement came from (a BLO's invitation), so that
    # importing the same calendar again updates it instead of adding a copy.
    ics_uid: Mapped[str | None] = mapped_column(String(255), index=True)
    # Held in the community's own place (a mosque, a community centre, an estate's room: the
    # strategy's "meeting groups directly in their own environments"); None: not recorded.
    community_venue: Mapped[bool | None] = mapped_column(Boolean)

    partners: Mapped[list[Organisation]] = relationship(secondary=engagement_partner)
    target_groups: Mapped[list[PriorityGroup]] = relationship(
        secondary=engagement_target_group, order_by=PriorityGroup.position
    )
    topics: Mapped[list[Topic]] = relationship(secondary=engagement_topic)
    attendees: Mapped[list[Contact]] = relationship(secondary=engagement_attendee)
    attendance: Mapped[Attendance | None] = relationship(back_populates="engagement", uselist=False)
    findings: Mapped[list[Finding]] = relationship(back_populates="engagement")
    actions: Mapped[list[ActionItem]] = relationship(back_populates="engagement")
    feedback: Mapped[list[FeedbackGiven]] = relationship(back_populates="engagement")
    costs: Mapped[list[CostItem]] = relationship(back_populates="engagement")
    officer_time: Mapped[list[OfficerTime]] = relationship(back_populates="engagement")

    @property
    def access_labels(self) -> list[str]:
        """The venue's access arrangements in words ("step-free", "BSL", …)."""
        labels = [
            label
            for flag, label in (
                (self.step_free, "step-free"),
                (self.hearing_loop, "hearing loop"),
                (self.bsl, "BSL"),
                (self.childcare, "childcare"),
                (self.daytime, "daytime (suits older people)"),
            )
            if flag
        ]
        if self.interpreters:
            labels.append(f"interpreters ({self.interpreters})")
        return labels

    @property
    def is_joint(self) -> bool:
        """A joint meeting of the tripartite model: a BLO or CSO organises with the CCO."""
        return bool(self.blo_name or self.cso_name)


class Attendance(Synced, Base):
    """Who came: a total and equality monitoring as aggregate counts per priority group."""

    __tablename__ = "attendance"
    # the engagement list sorted by attendance reads this index in order
    __table_args__ = (
        Index("ix_attendance_total", "total", "engagement_id"),
        # attendance with notes, for the retention schedule's count of notes due (0015)
        Index(
            "ix_attendance_noted",
            "engagement_id",
            sqlite_where=text("notes != ''"),
            postgresql_where=text("notes != ''"),
        ),
    )

    engagement_id: Mapped[str] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), unique=True
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    prefer_not_to_say: Mapped[int] = mapped_column(Integer, default=0)
    not_asked: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")

    engagement: Mapped[Engagement] = relationship(back_populates="attendance")
    counts: Mapped[list[AttendanceCount]] = relationship(
        back_populates="attendance", cascade="all, delete-orphan"
    )

    def count_for(self, group_code: str) -> int:
        """The monitoring count for one priority group (0 when none was recorded)."""
        return next((c.count for c in self.counts if c.group_code == group_code), 0)


class AttendanceCount(SyncedChild, Base):
    """How many attendees said they belong to one priority group."""

    __tablename__ = "attendance_count"
    __sync_parent__: ClassVar[str] = "attendance"

    attendance_id: Mapped[str] = mapped_column(
        ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(ForeignKey("priority_group.code"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    attendance: Mapped[Attendance] = relationship(back_populates="counts")
