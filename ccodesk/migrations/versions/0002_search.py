"""Full-text search: FTS5 indexes over engagements, findings, organisations and contacts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ccodesk.store.search_index import SEARCHABLE, create_sql, drop_sql, rebuild_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of what this revision indexes (later revisions may change SEARCHABLE).
TABLES = ("engagement", "finding", "organisation", "contact")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the central PostgreSQL store searches with its own indexes
    assert set(TABLES) <= set(SEARCHABLE)
    for table in TABLES:
        for statement in create_sql(table):
            op.execute(statement)
        op.execute(rebuild_sql(table))  # index the rows a 0001 store already holds


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        for statement in drop_sql(table):
            op.execute(statement)
