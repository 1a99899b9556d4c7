"""What came of an engagement: findings, outcomes, actions, feedback, costs and officer time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ccodesk.models.base import (
    ActionStatus,
    Base,
    CostCategory,
    FeedbackChannel,
    OfficerRole,
    OutcomeResult,
    Synced,
    str_enum,
)
from ccodesk.models.engagement import Engagement
from ccodesk.models.reference import PriorityGroup, Topic

finding_group = Table(
    "finding_group",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("group_code", ForeignKey("priority_group.code"), primary_key=True),
)

feedback_finding = Table(
    "feedback_finding",
    Base.metadata,
    Column("feedback_id", ForeignKey("feedback_given.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_feedback_finding_finding", "finding_id"),
)


class Finding(Synced, Base):
    """A view raised at an engagement, with its theme and the groups who raised it."""

    __tablename__ = "finding"

    engagement_id: Mapped[str] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(200), default="")
    topic_code: Mapped[str | None] = mapped_column(ForeignKey("topic.code"))

    engagement: Mapped[Engagement] = relationship(back_populates="findings")
    topic: Mapped[Topic | None] = relationship()
    raised_by: Mapped[list[PriorityGroup]] = relationship(
        secondary=finding_group, order_by=PriorityGroup.position
    )
    outcomes: Mapped[list[Outcome]] = relationship(back_populates="finding")


class Outcome(Synced, Base):
    """How a finding was used: the decision it changed or informed, or why it was not used."""

    __tablename__ = "outcome"

    finding_id: Mapped[str] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    result: Mapped[OutcomeResult] = mapped_column(str_enum(OutcomeResult))
    decision: Mapped[str] = mapped_column(String(200), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)

    finding: Mapped[Finding] = relationship(back_populates="outcomes")


class ActionItem(Synced, Base):
    """Something someone promised to do, with an owner and a due date."""

    __tablename__ = "action_item"
    # Covers the open-actions lists (status, live, due date, description): the dashboard's
    # overdue query reads the index alone, not ~40 MB of rows, at 100,000 engagements.
    __table_args__ = (
        Index("ix_action_item_open_due", "status", "deleted", "due_on", "description", "id"),
    )

    engagement_id: Mapped[str | None] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    finding_id: Mapped[str | None] = mapped_column(ForeignKey("finding.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), default=ActionStatus.OPEN)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Why it was done, dropped or reopened; nullable so older bundles without it are read.
    status_note: Mapped[str | None] = mapped_column(Text)

    engagement: Mapped[Engagement | None] = relationship(back_populates="actions")
    finding: Mapped[Finding | None] = relationship()


class FeedbackGiven(Synced, Base):
    """ "You said, we did": feedback given to those consulted, answering some findings."""

    __tablename__ = "feedback_given"

    engagement_id: Mapped[str | None] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    given_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[FeedbackChannel] = mapped_column(str_enum(FeedbackChannel))
    text: Mapped[str] = mapped_column(Text)

    engagement: Mapped[Engagement | None] = relationship(back_populates="feedback")
    answers: Mapped[list[Finding]] = relationship(secondary=feedback_finding)


class CostItem(Synced, Base):
    """A cash cost of an engagement, in pence."""

    __tablename__ = "cost_item"

    engagement_id: Mapped[str] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[CostCategory] = mapped_column(str_enum(CostCategory))
    description: Mapped[str] = mapped_column(String(200), default="")
    amount_pence: Mapped[int] = mapped_column(Integer)

    engagement: Mapped[Engagement] = relationship(back_populates="costs")


class OfficerTime(Synced, Base):
    """Officer time spent: the opportunity cost the strategy asks to record."""

    __tablename__ = "officer_time"

    engagement_id: Mapped[str] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[OfficerRole] = mapped_column(str_enum(OfficerRole))
    officer_name: Mapped[str] = mapped_column(String(120), default="")
    minutes: Mapped[int] = mapped_column(Integer)
    hourly_rate_pence: Mapped[int] = mapped_column(Integer)

    engagement: Mapped[Engagement] = relationship(back_populates="officer_time")

    @property
    def cost_pence(self) -> int:
        """The opportunity cost in pence, rounded to the nearest penny."""
        return round(self.minutes * self.hourly_rate_pence / 60)
