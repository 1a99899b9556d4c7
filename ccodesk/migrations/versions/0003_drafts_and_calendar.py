"""Drafts (editors keep unsaved work in the encrypted store); engagements remember the UID
of the iCalendar event they were imported from; an index for listing live engagements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_draft")),
    )
    with op.batch_alter_table("engagement") as batch:
        batch.add_column(sa.Column("ics_uid", sa.String(length=255), nullable=True))
        batch.create_index(batch.f("ix_engagement_ics_uid"), ["ics_uid"], unique=False)
        batch.create_index("ix_engagement_deleted_starts_at", ["deleted", "starts_at"])


def downgrade() -> None:
    with op.batch_alter_table("engagement") as batch:
        batch.drop_index("ix_engagement_deleted_starts_at")
        batch.drop_index(batch.f("ix_engagement_ics_uid"))
        batch.drop_column("ics_uid")
    op.drop_table("draft")
