"""Quick-time consultations: the five stages, consultees with their advice and feedback, the
contact log, and the priority groups an event affects.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quick_time_consultation",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("scale", sa.Text(), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=True),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "planned",
                "reviewed",
                "cancelled",
                name="quicktimestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("event_profile", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("local", "pan_london", name="level", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("communities", sa.Text(), nullable=False),
        sa.Column("police", sa.Text(), nullable=False),
        sa.Column("other_agencies", sa.Text(), nullable=False),
        sa.Column("impact_assessment", sa.Text(), nullable=False),
        sa.Column("media_strategy", sa.Text(), nullable=False),
        sa.Column("cost_benefit", sa.Text(), nullable=False),
        sa.Column("officer_hours", sa.Integer(), nullable=False),
        sa.Column("adviser_compensation_pence", sa.Integer(), nullable=False),
        sa.Column("technology", sa.Text(), nullable=False),
        sa.Column("departmental_assessment", sa.Text(), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "survey", "meetings", "contacts", name="delivery", native_enum=False, length=40
            ),
            nullable=True,
        ),
        sa.Column("terms_of_reference", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"],
            ["borough.code"],
            name=op.f("fk_quick_time_consultation_borough_code_borough"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_code"], ["topic.code"], name=op.f("fk_quick_time_consultation_topic_code_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_time_consultation")),
    )
    with op.batch_alter_table("quick_time_consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quick_time_consultation_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            "ix_quick_time_consultation_deadline", ["deleted", "deadline"], unique=False
        )

    op.create_table(
        "quick_time_consultee",
        sa.Column("consultation_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "community",
                "police",
                "agency",
                "adviser",
                name="consulteerole",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("picked_at", sa.DateTime(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("advice_used", sa.Boolean(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("feedback_given_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["quick_time_consultation.id"],
            name=op.f("fk_quick_time_consultee_consultation_id_quick_time_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_quick_time_consultee_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_time_consultee")),
    )
    with op.batch_alter_table("quick_time_consultee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quick_time_consultee_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quick_time_consultee_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quick_time_consultee_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "quick_time_group",
        sa.Column("consultation_id", sa.String(length=36), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["quick_time_consultation.id"],
            name=op.f("fk_quick_time_group_consultation_id_quick_time_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_quick_time_group_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint("consultation_id", "group_code", name=op.f("pk_quick_time_group")),
    )
    op.create_table(
        "quick_time_contact",
        sa.Column("consultee_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "phone",
                "meeting",
                "visit",
                name="contactchannel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["consultee_id"],
            ["quick_time_consultee.id"],
            name=op.f("fk_quick_time_contact_consultee_id_quick_time_consultee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_time_contact")),
    )
    with op.batch_alter_table("quick_time_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quick_time_contact_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quick_time_contact_consultee_id"), ["consultee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quick_time_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quick_time_contact_consultee_id"))
        batch_op.drop_index(batch_op.f("ix_quick_time_contact_change_seq"))

    op.drop_table("quick_time_contact")
    op.drop_table("quick_time_group")
    with op.batch_alter_table("quick_time_consultee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quick_time_consultee_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_quick_time_consultee_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_quick_time_consultee_change_seq"))

    op.drop_table("quick_time_consultee")
    with op.batch_alter_table("quick_time_consultation", schema=None) as batch_op:
        batch_op.drop_index("ix_quick_time_consultation_deadline")
        batch_op.drop_index(batch_op.f("ix_quick_time_consultation_change_seq"))

    op.drop_table("quick_time_consultation")
