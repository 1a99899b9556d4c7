"""The published consultation timetable and planning-cycle milestones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ccodesk.models.base import Base, DecisionKind, Level, Synced, TimetableKind, str_enum
from ccodesk.models.engagement import Engagement


class TimetableEntry(Synced, Base):
    """An entry of the consultation timetable: a window, milestone, deadline or meeting."""

    __tablename__ = "timetable_entry"

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TimetableKind] = mapped_column(str_enum(TimetableKind))
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    planning_cycle: Mapped[str] = mapped_column(String(80), default="")
    informs: Mapped[DecisionKind | None] = mapped_column(str_enum(DecisionKind))
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.LOCAL)
    engagement_id: Mapped[str | None] = mapped_column(
        ForeignKey("engagement.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")

    engagement: Mapped[Engagement | None] = relationship()


class RepresentationBaseline(Synced, Base):
    """A priority group's share of the borough's population (e.g. from the census), in %.

    The representation indicator compares each group's share of monitored attendance with
    this; the newest `as_of` for a group is the one used.
    """

    __tablename__ = "representation_baseline"

    borough_code: Mapped[str | None] = mapped_column(String(40))
    group_code: Mapped[str] = mapped_column(ForeignKey("priority_group.code"), index=True)
    share_percent: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    as_of: Mapped[dt.date] = mapped_column(Date)
