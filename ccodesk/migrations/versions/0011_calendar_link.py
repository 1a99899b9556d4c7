"""Calendar links (issue 13): where an imported engagement came from (calendar, UID,
occurrence of a series), its organiser and the values last imported, on this device only,
so a re-import changes only what changed and a UID is matched only within its calendar.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_link",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("calendar", sa.String(length=255), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("occurrence", sa.String(length=32), nullable=False),
        sa.Column("organiser_name", sa.String(length=120), nullable=False),
        sa.Column("organiser_uri", sa.String(length=255), nullable=False),
        sa.Column("imported", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("engagement_id", name=op.f("pk_calendar_link")),
    )
    with op.batch_alter_table("calendar_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calendar_link_event", ["calendar", "uid", "occurrence"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_link", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_link_event")
    op.drop_table("calendar_link")
