"""Reference data shipped in resources/reference: boroughs, priority groups, methods, topics."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ccodesk.models.base import Base


class Borough(Base):
    """One of the 32 London boroughs or the City of London."""

    __tablename__ = "borough"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    gss_code: Mapped[str] = mapped_column(String(9))
    inner_london: Mapped[bool] = mapped_column(Boolean)


class PriorityGroup(Base):
    """One of the eight GLA priority groups every consultation should reach."""

    __tablename__ = "priority_group"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    seed_wording: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class ConsultationMethod(Base):
    """A method of the strategy's toolkit (Annex C) with its purpose, effectiveness and cost."""

    __tablename__ = "consultation_method"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    effectiveness: Mapped[str] = mapped_column(Text)
    cost: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class MatrixEntry(Base):
    """A row of the strategy's consultation matrix (businesses, councillors, … YOT teams)."""

    __tablename__ = "consultation_matrix"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    effectiveness: Mapped[str] = mapped_column(Text)
    cost: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class Topic(Base):
    """A consultation topic; organisations may be flagged as sensitive to one."""

    __tablename__ = "topic"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    sensitive_for: Mapped[list[str]] = mapped_column(JSON, default=list)
