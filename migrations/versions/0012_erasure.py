"""Erasure requests: a member's request to be forgotten and its approval.

Revision ID: 0012_erasure
Revises: 0011_outreach
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_erasure"
down_revision = "0011_outreach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'done', 'refused')",
            name=op.f("ck_erasure_requests_status_valid"),
        ),
        sa.CheckConstraint(
            "status <> 'refused' OR length(refusal_reason) > 0",
            name=op.f("ck_erasure_requests_reason_for_refusal"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_erasure_requests_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(
        "uq_erasure_requests_open_per_member",
        "erasure_requests",
        ["member_id"],
        unique=True,
        sqlite_where=sa.text("status = 'requested'"),
        postgresql_where=sa.text("status = 'requested'"),
    )


def downgrade() -> None:
    op.drop_index("uq_erasure_requests_open_per_member", table_name="erasure_requests")
    op.drop_table("erasure_requests")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("erased_at")
