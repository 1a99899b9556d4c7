"""Data protection (issue 15): consent history (each contact's consent so far becomes its first
event), objection to processing, the retention schedule's local changes, deletion records
(synced), the subject access request log, and the audit chain's starting point after a purge.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("objected_on", sa.Date(), nullable=True))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(), nullable=True))
    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "given",
                "renewed",
                "withdrawn",
                "objected",
                "objection_lifted",
                name="consenteventkind",
                native_enum=False,
                create_constraint=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "written",
                "email",
                "verbal",
                "online",
                "before_history",
                name="consentmethod",
                native_enum=False,
                create_constraint=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_consent_event_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_event")),
    )
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_event_contact_id"), ["contact_id"])
    op.create_table(
        "retention_rule",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("keep_for", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_retention_rule")),
    )
    op.create_table(
        "deletion_record",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_record")),
    )
    with op.batch_alter_table("deletion_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deletion_record_change_seq"), ["change_seq"])
        batch_op.create_index(batch_op.f("ix_deletion_record_done_at"), ["done_at"])
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("items_found", sa.Integer(), nullable=True),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_request")),
    )
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_access_request_due_on"), ["due_on"])
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("purged", sa.BigInteger(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    # Each contact's consent so far becomes the first event of its history.
    op.execute(
        sa.text(
            'INSERT INTO consent_event (contact_id, kind, "on", scope, expires_on, method, '
            "recorded_at, officer, note) "
            "SELECT id, 'given', COALESCE(consent_date, :today), consent_scope, "
            "consent_expires, 'before_history', :now, '', '' FROM contact "
            "WHERE consent_given AND NOT deleted"
        ).bindparams(
            sa.bindparam("today", dt.date.today(), type_=sa.Date()),
            sa.bindparam("now", dt.datetime.now(), type_=sa.DateTime()),
        )
    )


def downgrade() -> None:
    op.drop_table("audit_anchor")
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_access_request_due_on"))
    op.drop_table("subject_access_request")
    with op.batch_alter_table("deletion_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deletion_record_done_at"))
        batch_op.drop_index(batch_op.f("ix_deletion_record_change_seq"))
    op.drop_table("deletion_record")
    op.drop_table("retention_rule")
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_event_contact_id"))
    op.drop_table("consent_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("objected_on")
