"""The central unit's follow-up (issue 16): its own notes on the boroughs' findings, actions
and engagements (kept centrally, never synced; both stores have the table, only the centre
uses it), and on PostgreSQL the full-text indexes London-wide search uses (GIN indexes on
`to_tsvector` expressions; a SQLite store searches its FTS5 indexes of 0002 and 0015).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the expressions services/central_followup.py queries with (PG_DOCUMENT):
# a query uses an index only when it repeats the index's expression exactly.
PG_INDEXES = {
    "engagement": "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || "
    "coalesce(theme, '') || ' ' || coalesce(venue_name, '') || ' ' || "
    "coalesce(informs_detail, '') || ' ' || coalesce(notes, ''))",
    "finding": "to_tsvector('english'::regconfig, coalesce(text, '') || ' ' || "
    "coalesce(theme, ''))",
    "action_item": "to_tsvector('english'::regconfig, coalesce(description, '') || ' ' || "
    "coalesce(owner, '') || ' ' || coalesce(status_note, ''))",
}


def upgrade() -> None:
    op.create_table(
        "central_note",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_central_note")),
    )
    with op.batch_alter_table("central_note", schema=None) as batch_op:
        batch_op.create_index("ix_central_note_record", ["record_kind", "record_id"])
        batch_op.create_index(batch_op.f("ix_central_note_borough_code"), ["borough_code"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, document in PG_INDEXES.items():
        op.execute(f"CREATE INDEX ix_{table}_fts_pg ON {table} USING gin (({document}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_fts_pg")
    with op.batch_alter_table("central_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_central_note_borough_code"))
        batch_op.drop_index("ix_central_note_record")
    op.drop_table("central_note")
