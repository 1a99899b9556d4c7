"""What the central unit keeps for itself: its follow-up notes on the boroughs' records.

A `CentralNote` ("raised with Camden's CCO on 3 Dec") sits beside a borough's engagement,
finding or action, never in it: it is no synced model and refers to the record by kind and
id (no foreign key, so the sync code never takes it for a child of the record), so it is
never written into the borough's records nor carried by any bundle (tests/test_central_followup.py
proves it). Both stores have the table (one migration chain); only the central store uses it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ccodesk.models.base import Base


class CentralNote(Base):
    """A central officer's note on a borough's record; `version` rises with each edit, so
    two officers editing the same note at once cannot overwrite each other unseen."""

    __tablename__ = "central_note"
    __table_args__ = (Index("ix_central_note_record", "record_kind", "record_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(20))  # engagement | finding | action_item
    record_id: Mapped[str] = mapped_column(String(36))
    borough_code: Mapped[str | None] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(120))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
