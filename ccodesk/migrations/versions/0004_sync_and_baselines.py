"""Sync bookkeeping (trusted keys, bundles taken in, conflicts; the device's bundle counters)
and the representation baselines the indicators compare attendance with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bundle_log",
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("signer", sa.String(length=80), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("already", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("up_to_seq", sa.BigInteger(), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_bundle_log")),
    )
    with op.batch_alter_table("bundle_log", schema=None) as batch_op:
        batch_op.create_index("ix_bundle_log_device_seq", ["device_id", "seq"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("local", sa.JSON(), nullable=False),
        sa.Column("incoming", sa.JSON(), nullable=False),
        sa.Column("winner", sa.String(length=10), nullable=False),
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflict_record", ["entity", "record_id"], unique=False)

    op.create_table(
        "sync_tombstone",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id", name=op.f("pk_sync_tombstone")),
    )
    op.create_table(
        "trusted_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("age_recipient", sa.String(length=100), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_key")),
    )
    with op.batch_alter_table("trusted_key", schema=None) as batch_op:
        batch_op.create_index("ix_trusted_key_fingerprint", ["fingerprint"], unique=True)

    op.create_table(
        "representation_baseline",
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.Column("share_percent", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_representation_baseline_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representation_baseline")),
    )
    with op.batch_alter_table("representation_baseline", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_representation_baseline_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_representation_baseline_group_code"), ["group_code"], unique=False
        )

    with op.batch_alter_table("device_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bundle_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("last_export_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("last_export_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("last_receipt_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_state", schema=None) as batch_op:
        batch_op.drop_column("last_receipt_at")
        batch_op.drop_column("last_export_seq")
        batch_op.drop_column("last_export_at")
        batch_op.drop_column("bundle_seq")

    with op.batch_alter_table("representation_baseline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_representation_baseline_group_code"))
        batch_op.drop_index(batch_op.f("ix_representation_baseline_change_seq"))

    op.drop_table("representation_baseline")
    with op.batch_alter_table("trusted_key", schema=None) as batch_op:
        batch_op.drop_index("ix_trusted_key_fingerprint")

    op.drop_table("trusted_key")
    op.drop_table("sync_tombstone")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_conflict_record")

    op.drop_table("sync_conflict")
    with op.batch_alter_table("bundle_log", schema=None) as batch_op:
        batch_op.drop_index("ix_bundle_log_device_seq")

    op.drop_table("bundle_log")
