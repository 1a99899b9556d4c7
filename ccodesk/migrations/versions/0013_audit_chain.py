"""A tamper-evident audit trail (issue 15): every audit event carries the previous event's hash
and its own (ccodesk/store/audit_chain.py), the events already held are chained in id order; each
export records the audit head it carried; the centre keeps the head each device last sent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
BATCH = 5000


def _hash(prev: str, row: Any) -> str:
    # A copy of ccodesk.store.audit_chain.event_hash as it was at this revision (a migration
    # must not change when the program's code does).
    at = row.at if isinstance(row.at, str) else row.at.isoformat(sep=" ", timespec="microseconds")
    changes = row.changes if isinstance(row.changes, str) else json.dumps(row.changes)
    fields = [
        int(row.id),
        at,
        row.device_id,
        row.officer,
        row.entity,
        row.entity_id,
        row.action,
        changes,
        row.summary,
    ]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_head_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("bundle_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_id", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("rewritten_at", sa.DateTime(), nullable=True),
        sa.Column("rewritten", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_audit_head")),
    )
    _chain_existing()


def _chain_existing() -> None:
    """Chain the events already held, oldest id first, a batch at a time."""
    bind = op.get_bind()
    select = sa.text(
        "SELECT id, at, device_id, officer, entity, entity_id, action, changes, summary"
        " FROM audit_event WHERE id > :after ORDER BY id LIMIT :n"
    )
    update = sa.text("UPDATE audit_event SET prev_hash = :prev, hash = :hash WHERE id = :id")
    prev, after = GENESIS, 0
    while True:
        rows = bind.execute(select, {"after": after, "n": BATCH}).all()
        if not rows:
            break
        params = []
        for row in rows:
            digest = _hash(prev, row)
            params.append({"prev": prev, "hash": digest, "id": row.id})
            prev, after = digest, int(row.id)
        bind.execute(update, params)


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.drop_column("audit_head_id")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
