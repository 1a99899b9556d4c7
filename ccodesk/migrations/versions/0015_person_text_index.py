"""A person found quickly (issue 15): FTS5 indexes over the free text that may name someone
(actions, feedback, attendance notes, audit summaries, quick-time consultees and contact logs)
and named attendance by contact, so a subject access request or an erasure reads only the rows
that name the person; and partial indexes of the engagements and attendance with notes, for
the retention schedule's count of notes due; and contacts by consent expiry, for the
dashboard's consents running out.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ccodesk.store.search_index import PERSON_TEXT, create_sql, drop_sql, rebuild_sql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of what this revision indexes (later revisions may change PERSON_TEXT).
TABLES = (
    "action_item",
    "feedback_given",
    "attendance",
    "audit_event",
    "quick_time_consultee",
    "quick_time_contact",
)


def upgrade() -> None:
    with op.batch_alter_table("engagement_attendee", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_attendee_contact", ["contact_id"])
    # the rows with notes, for the retention schedule's count of notes due
    noted = sa.text("notes != ''")
    op.create_index(
        "ix_engagement_noted", "engagement", ["starts_at"], sqlite_where=noted,
        postgresql_where=noted,
    )  # fmt: skip
    op.create_index(
        "ix_attendance_noted", "attendance", ["engagement_id"], sqlite_where=noted,
        postgresql_where=noted,
    )  # fmt: skip
    op.create_index("ix_contact_consent_expires", "contact", ["consent_expires"])
    if op.get_bind().dialect.name != "sqlite":
        return  # the central PostgreSQL store searches with its own indexes
    assert set(TABLES) <= set(PERSON_TEXT)
    for table in TABLES:
        for statement in create_sql(table):
            op.execute(statement)
        op.execute(rebuild_sql(table))  # index the rows the store already holds


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for statement in drop_sql(table):
                op.execute(statement)
    op.drop_index("ix_contact_consent_expires", table_name="contact")
    op.drop_index("ix_attendance_noted", table_name="attendance")
    op.drop_index("ix_engagement_noted", table_name="engagement")
    with op.batch_alter_table("engagement_attendee", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_attendee_contact")
