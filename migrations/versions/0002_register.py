"""people register

Revision ID: 0002_register
Revises: 0001_accounts
Create Date: 2026-11-25 19:07:05.293096
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_register"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_wordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('contact', 'selection', 'statistics', 'access_needs')",
            name=op.f("ck_consent_wordings_purpose_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_wordings")),
        sa.UniqueConstraint("purpose", "version", name="uq_consent_wordings_purpose_version"),
    )
    op.create_table(
        "dimensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("why_asked", sa.Text(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("special_category", sa.Boolean(), nullable=False),
        sa.Column("derived_from", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("taxonomy_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dimensions")),
        sa.UniqueConstraint("key", name=op.f("uq_dimensions_key")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_events_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("prefer_not_to_say", sa.Boolean(), nullable=False),
        sa.Column("rolls_up_to_id", sa.Integer(), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["dimensions.id"],
            name=op.f("fk_categories_dimension_id_dimensions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rolls_up_to_id"],
            ["categories.id"],
            name=op.f("fk_categories_rolls_up_to_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("dimension_id", "code", name="uq_categories_dimension_code"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("preferred_contact", sa.String(length=10), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("joined_via", sa.String(length=10), nullable=False),
        sa.Column("referred_by", sa.String(length=200), nullable=True),
        sa.Column("access_needs_notes", sa.Text(), nullable=True),
        sa.Column("preferred_times", sa.Text(), nullable=True),
        sa.Column("panels_served", sa.Integer(), nullable=False),
        sa.Column("consent_contact", sa.Boolean(), nullable=False),
        sa.Column("consent_selection", sa.Boolean(), nullable=False),
        sa.Column("consent_statistics", sa.Boolean(), nullable=False),
        sa.Column("consent_access_needs", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "joined_via IN ('self', 'staff', 'partner')", name=op.f("ck_members_joined_via_valid")
        ),
        sa.CheckConstraint(
            "preferred_contact IS NULL OR preferred_contact IN ('email', 'phone', 'text', 'post')",
            name=op.f("ck_members_preferred_contact_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'left')", name=op.f("ck_members_status_valid")
        ),
        sa.CheckConstraint(
            "email IS NULL OR email = lower(email)", name=op.f("ck_members_email_lowercase")
        ),
        sa.CheckConstraint(
            "panels_served >= 0", name=op.f("ck_members_panels_served_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_members_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("email", name=op.f("uq_members_email")),
        sa.UniqueConstraint("user_id", name=op.f("uq_members_user_id")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("ix_members_last_first", ["last_name", "first_name"], unique=False)
        batch_op.create_index("ix_members_status", ["status"], unique=False)

    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("wording_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('online', 'paper', 'phone', 'import')",
            name=op.f("ck_consent_records_method_valid"),
        ),
        sa.CheckConstraint(
            "purpose IN ('contact', 'selection', 'statistics', 'access_needs')",
            name=op.f("ck_consent_records_purpose_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_consent_records_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consent_records_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["wording_id"],
            ["consent_wordings.id"],
            name=op.f("fk_consent_records_wording_id_consent_wordings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_records_member_purpose",
            ["member_id", "purpose", "recorded_at"],
            unique=False,
        )

    op.create_table(
        "member_access_needs",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("need", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "need IN ('easy_read', 'large_print', 'braille', 'audio', 'bsl', 'lipspeaker', "
            "'hearing_loop', 'step_free', 'accessible_toilet', 'companion', 'breaks', "
            "'quiet_space', 'online_only', 'translation')",
            name=op.f("ck_member_access_needs_need_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_access_needs_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "need", name=op.f("pk_member_access_needs")),
    )
    op.create_table(
        "member_characteristics",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_member_characteristics_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["dimensions.id"],
            name=op.f("fk_member_characteristics_dimension_id_dimensions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_characteristics_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "category_id", name=op.f("pk_member_characteristics")),
    )
    with op.batch_alter_table("member_characteristics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_characteristics_category_member", ["category_id", "member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_characteristics", schema=None) as batch_op:
        batch_op.drop_index("ix_member_characteristics_category_member")

    op.drop_table("member_characteristics")
    op.drop_table("member_access_needs")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_records_member_purpose")

    op.drop_table("consent_records")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_status")
        batch_op.drop_index("ix_members_last_first")

    op.drop_table("members")
    op.drop_table("categories")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject")
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    op.drop_table("dimensions")
    op.drop_table("consent_wordings")
