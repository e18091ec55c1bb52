"""Members' own space: accounts linked to the register, availability, dates away.

Revision ID: 0009_member_space
Revises: 0008_projects
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_member_space"
down_revision = "0008_projects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_account_invites_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_account_invites_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_invites")),
        sa.UniqueConstraint("nonce", name=op.f("uq_account_invites_nonce")),
    )
    with op.batch_alter_table("account_invites", schema=None) as batch_op:
        batch_op.create_index("ix_account_invites_member_id", ["member_id"], unique=False)

    op.create_table(
        "member_availability",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.String(length=3), nullable=False),
        sa.Column("time_of_day", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "time_of_day IN ('morning', 'afternoon', 'evening')",
            name=op.f("ck_member_availability_time_of_day_valid"),
        ),
        sa.CheckConstraint(
            "weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')",
            name=op.f("ck_member_availability_weekday_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_availability_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "member_id", "weekday", "time_of_day", name=op.f("pk_member_availability")
        ),
    )

    op.create_table(
        "member_away",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_member_away_ends_not_before_start")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_away_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_away")),
    )
    with op.batch_alter_table("member_away", schema=None) as batch_op:
        batch_op.create_index("ix_member_away_member_id", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member_away", schema=None) as batch_op:
        batch_op.drop_index("ix_member_away_member_id")
    op.drop_table("member_away")
    op.drop_table("member_availability")
    with op.batch_alter_table("account_invites", schema=None) as batch_op:
        batch_op.drop_index("ix_account_invites_member_id")
    op.drop_table("account_invites")
