"""Initial schema: reference data, directory, engagements, outcomes, timetable, audit.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "borough",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("gss_code", sa.String(length=9), nullable=False),
        sa.Column("inner_london", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_borough")),
        sa.UniqueConstraint("name", name=op.f("uq_borough_name")),
    )
    op.create_table(
        "consultation_matrix",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("effectiveness", sa.Text(), nullable=False),
        sa.Column("cost", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_consultation_matrix")),
    )
    op.create_table(
        "consultation_method",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("effectiveness", sa.Text(), nullable=False),
        sa.Column("cost", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_consultation_method")),
    )
    op.create_table(
        "device_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("officer_name", sa.String(length=120), nullable=False),
        sa.Column("officer_role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("hlc_wall", sa.BigInteger(), nullable=False),
        sa.Column("hlc_counter", sa.Integer(), nullable=False),
        sa.Column("reference_version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_state")),
    )
    op.create_table(
        "priority_group",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("seed_wording", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_priority_group")),
        sa.UniqueConstraint("name", name=op.f("uq_priority_group_name")),
    )
    op.create_table(
        "topic",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("sensitive_for", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_topic")),
    )
    op.create_table(
        "engagement",
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("method_code", sa.String(length=40), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("informs", sa.String(length=40), nullable=True),
        sa.Column("informs_detail", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("venue_name", sa.String(length=200), nullable=False),
        sa.Column("venue_address", sa.Text(), nullable=False),
        sa.Column("step_free", sa.Boolean(), nullable=False),
        sa.Column("hearing_loop", sa.Boolean(), nullable=False),
        sa.Column("bsl", sa.Boolean(), nullable=False),
        sa.Column("interpreters", sa.String(length=200), nullable=False),
        sa.Column("childcare", sa.Boolean(), nullable=False),
        sa.Column("daytime", sa.Boolean(), nullable=False),
        sa.Column("cco_name", sa.String(length=120), nullable=False),
        sa.Column("blo_name", sa.String(length=120), nullable=False),
        sa.Column("cso_name", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_engagement_borough_code_borough")
        ),
        sa.ForeignKeyConstraint(
            ["method_code"],
            ["consultation_method.code"],
            name=op.f("fk_engagement_method_code_consultation_method"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index("ix_engagement_kind_starts_at", ["kind", "starts_at"], unique=False)
        batch_op.create_index("ix_engagement_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(
            "ix_engagement_status_starts_at", ["status", "starts_at"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_type", sa.String(length=40), nullable=False),
        sa.Column("borough_code", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_organisation_borough_code_borough")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organisation_name"), ["name"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("prefer_not_to_say", sa.Integer(), nullable=False),
        sa.Column("not_asked", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_attendance_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("engagement_id", name=op.f("uq_attendance_engagement_id")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_change_seq"), ["change_seq"], unique=False)

    op.create_table(
        "contact",
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("preferred_channel", sa.String(length=40), nullable=False),
        sa.Column("accessibility_needs", sa.Text(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("consent_scope", sa.Text(), nullable=False),
        sa.Column("consent_expires", sa.Date(), nullable=True),
        sa.Column("shareable", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contact_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "cost_item",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_cost_item_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_item")),
    )
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_item_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cost_item_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "engagement_partner",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_partner_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_engagement_partner_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "organisation_id", name=op.f("pk_engagement_partner")
        ),
    )
    with op.batch_alter_table("engagement_partner", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_partner_organisation", ["organisation_id", "engagement_id"], unique=False
        )

    op.create_table(
        "engagement_target_group",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_target_group_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_engagement_target_group_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "group_code", name=op.f("pk_engagement_target_group")
        ),
    )
    with op.batch_alter_table("engagement_target_group", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_target_group_group", ["group_code", "engagement_id"], unique=False
        )

    op.create_table(
        "engagement_topic",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_topic_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_code"], ["topic.code"], name=op.f("fk_engagement_topic_topic_code_topic")
        ),
        sa.PrimaryKeyConstraint("engagement_id", "topic_code", name=op.f("pk_engagement_topic")),
    )
    op.create_table(
        "feedback_given",
        sa.Column("engagement_id", sa.String(length=36), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_feedback_given_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_given")),
    )
    with op.batch_alter_table("feedback_given", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_given_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_given_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "finding",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_finding_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_code"], ["topic.code"], name=op.f("fk_finding_topic_code_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_finding_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "officer_time",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("officer_name", sa.String(length=120), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("hourly_rate_pence", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_officer_time_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_time")),
    )
    with op.batch_alter_table("officer_time", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_time_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_officer_time_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "organisation_group",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_organisation_group_group_code_priority_group"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_group_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "group_code", name=op.f("pk_organisation_group")
        ),
    )
    with op.batch_alter_table("organisation_group", schema=None) as batch_op:
        batch_op.create_index(
            "ix_organisation_group_group", ["group_code", "organisation_id"], unique=False
        )

    op.create_table(
        "sensitivity",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("topic_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_sensitivity_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_code"], ["topic.code"], name=op.f("fk_sensitivity_topic_code_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitivity")),
    )
    with op.batch_alter_table("sensitivity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sensitivity_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sensitivity_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "timetable_entry",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("planning_cycle", sa.String(length=80), nullable=False),
        sa.Column("informs", sa.String(length=40), nullable=True),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("engagement_id", sa.String(length=36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_timetable_entry_engagement_id_engagement"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timetable_entry")),
    )
    with op.batch_alter_table("timetable_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timetable_entry_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timetable_entry_starts_on"), ["starts_on"], unique=False
        )

    op.create_table(
        "action_item",
        sa.Column("engagement_id", sa.String(length=36), nullable=True),
        sa.Column("finding_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_action_item_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
            name=op.f("fk_action_item_finding_id_finding"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_item_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index("ix_action_item_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "attendance_count",
        sa.Column("attendance_id", sa.String(length=36), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
            name=op.f("fk_attendance_count_attendance_id_attendance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_attendance_count_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint("attendance_id", "group_code", name=op.f("pk_attendance_count")),
    )
    op.create_table(
        "engagement_attendee",
        sa.Column("engagement_id", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_engagement_attendee_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_attendee_engagement_id_engagement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "contact_id", name=op.f("pk_engagement_attendee")),
    )
    op.create_table(
        "feedback_finding",
        sa.Column("feedback_id", sa.String(length=36), nullable=False),
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback_given.id"],
            name=op.f("fk_feedback_finding_feedback_id_feedback_given"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
            name=op.f("fk_feedback_finding_finding_id_finding"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", "finding_id", name=op.f("pk_feedback_finding")),
    )
    with op.batch_alter_table("feedback_finding", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_finding_finding", ["finding_id"], unique=False)

    op.create_table(
        "finding_group",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
            name=op.f("fk_finding_group_finding_id_finding"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_finding_group_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint("finding_id", "group_code", name=op.f("pk_finding_group")),
    )
    op.create_table(
        "outcome",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=200), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_device", sa.String(length=36), nullable=False),
        sa.Column("version_vector", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
            name=op.f("fk_outcome_finding_id_finding"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_finding_id"), ["finding_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_finding_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_change_seq"))

    op.drop_table("outcome")
    op.drop_table("finding_group")
    with op.batch_alter_table("feedback_finding", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_finding_finding")

    op.drop_table("feedback_finding")
    op.drop_table("engagement_attendee")
    op.drop_table("attendance_count")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_status_due_on")
        batch_op.drop_index(batch_op.f("ix_action_item_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_action_item_change_seq"))

    op.drop_table("action_item")
    with op.batch_alter_table("timetable_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timetable_entry_starts_on"))
        batch_op.drop_index(batch_op.f("ix_timetable_entry_change_seq"))

    op.drop_table("timetable_entry")
    with op.batch_alter_table("sensitivity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sensitivity_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_sensitivity_change_seq"))

    op.drop_table("sensitivity")
    with op.batch_alter_table("organisation_group", schema=None) as batch_op:
        batch_op.drop_index("ix_organisation_group_group")

    op.drop_table("organisation_group")
    with op.batch_alter_table("officer_time", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_time_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_officer_time_change_seq"))

    op.drop_table("officer_time")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_finding_change_seq"))

    op.drop_table("finding")
    with op.batch_alter_table("feedback_given", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_given_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_given_change_seq"))

    op.drop_table("feedback_given")
    op.drop_table("engagement_topic")
    with op.batch_alter_table("engagement_target_group", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_target_group_group")

    op.drop_table("engagement_target_group")
    with op.batch_alter_table("engagement_partner", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_partner_organisation")

    op.drop_table("engagement_partner")
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_item_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_cost_item_change_seq"))

    op.drop_table("cost_item")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_contact_name"))
        batch_op.drop_index(batch_op.f("ix_contact_change_seq"))

    op.drop_table("contact")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_change_seq"))

    op.drop_table("attendance")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_name"))
        batch_op.drop_index(batch_op.f("ix_organisation_change_seq"))

    op.drop_table("organisation")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_status_starts_at")
        batch_op.drop_index("ix_engagement_starts_at")
        batch_op.drop_index("ix_engagement_kind_starts_at")
        batch_op.drop_index(batch_op.f("ix_engagement_change_seq"))

    op.drop_table("engagement")
    op.drop_table("topic")
    op.drop_table("priority_group")
    op.drop_table("device_state")
    op.drop_table("consultation_method")
    op.drop_table("consultation_matrix")
    op.drop_table("borough")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
