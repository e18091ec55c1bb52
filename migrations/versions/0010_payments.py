"""Involvement payments and expenses: rates, payments due, claims, receipts, approvals,
ledger and finance batches.

The ledger is append-only: a trigger refuses any UPDATE of its rows, on PostgreSQL and
SQLite alike (corrections are reversing entries).

Revision ID: 0010_payments
Revises: 0009_member_space
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_payments"
down_revision = "0009_member_space"
branch_labels = None
depends_on = None

MAX = 1_000_000
REFUSE = "payment ledger entries cannot be changed; add a reversing entry instead"


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "activity", sa.String(length=40), server_default="panel_meeting", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("preparation_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            "preparation_in_a_day", "preparation_minutes >= 0 AND preparation_minutes <= 1440"
        )
    op.create_table(
        "payment_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("hourly_pence", sa.Integer(), nullable=False),
        sa.Column("half_day_pence", sa.Integer(), nullable=False),
        sa.Column("day_pence", sa.Integer(), nullable=False),
        sa.Column("preparation_minutes", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"hourly_pence >= 0 AND hourly_pence <= {MAX} "
            f"AND half_day_pence >= 0 AND half_day_pence <= {MAX} "
            f"AND day_pence >= 0 AND day_pence <= {MAX}",
            name=op.f("ck_payment_rates_pence_in_range"),
        ),
        sa.CheckConstraint(
            "preparation_minutes >= 0 AND preparation_minutes <= 1440",
            name=op.f("ck_payment_rates_preparation_in_a_day"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_payment_rates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_rates")),
        sa.UniqueConstraint("project_id", "activity", name=op.f("uq_payment_rates_project_id")),
    )
    op.create_table(
        "project_payments",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("budget_pence", sa.Integer(), nullable=True),
        sa.Column("cost_code", sa.String(length=40), nullable=False),
        sa.Column("own_rates", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            f"budget_pence IS NULL OR (budget_pence >= 0 AND budget_pence <= {MAX * 100})",
            name=op.f("ck_project_payments_budget_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_payments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_payments")),
    )
    op.create_table(
        "payment_preferences",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("receives_benefits", sa.Boolean(), nullable=False),
        sa.Column("tell_before_paying", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_payment_preferences_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_payment_preferences")),
    )
    op.create_table(
        "payment_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_by", sa.String(length=254), nullable=False),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'paid') = (paid_at IS NOT NULL)",
            name=op.f("ck_payment_batches_paid_when_confirmed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'paid')", name=op.f("ck_payment_batches_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_payment_batches_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"],
            ["users.id"],
            name=op.f("fk_payment_batches_paid_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batches")),
    )
    op.create_table(
        "payment_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("expense_type", sa.String(length=20), nullable=True),
        sa.Column("miles", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("full_pence", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=20), nullable=True),
        sa.Column("charity", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("benefits_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("first_approver_id", sa.Integer(), nullable=True),
        sa.Column("second_approver_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_pence >= 0 AND amount_pence <= full_pence",
            name=op.f("ck_payment_claims_amount_within_full"),
        ),
        sa.CheckConstraint(
            "choice IS NULL OR choice IN ('bank', 'voucher', 'donation', 'lower', 'decline')",
            name=op.f("ck_payment_claims_choice_valid"),
        ),
        sa.CheckConstraint(
            "expense_type IS NULL OR expense_type IN ('mileage', 'public_transport', 'taxi', "
            "'care', 'other')",
            name=op.f("ck_payment_claims_expense_type_valid"),
        ),
        sa.CheckConstraint(
            f"full_pence >= 0 AND full_pence <= {MAX}", name=op.f("ck_payment_claims_full_in_range")
        ),
        sa.CheckConstraint("kind IN ('fee', 'expense')", name=op.f("ck_payment_claims_kind_valid")),
        sa.CheckConstraint(
            "status <> 'rejected' OR length(rejection_reason) > 0",
            name=op.f("ck_payment_claims_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('due', 'submitted', 'approved', 'paid', 'rejected', 'declined')",
            name=op.f("ck_payment_claims_status_valid"),
        ),
        sa.CheckConstraint(
            "second_approver_id IS NULL OR second_approver_id <> first_approver_id",
            name=op.f("ck_payment_claims_two_different_approvers"),
        ),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
            name=op.f("fk_payment_claims_attendance_id_attendance"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.id"],
            name=op.f("fk_payment_claims_batch_id_payment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["first_approver_id"],
            ["users.id"],
            name=op.f("fk_payment_claims_first_approver_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_payment_claims_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_payment_claims_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_payment_claims_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_payment_claims_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["second_approver_id"],
            ["users.id"],
            name=op.f("fk_payment_claims_second_approver_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_payment_claims_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_claims")),
        sa.UniqueConstraint("attendance_id", name=op.f("uq_payment_claims_attendance_id")),
    )
    with op.batch_alter_table("payment_claims", schema=None) as batch_op:
        batch_op.create_index("ix_payment_claims_member", ["member_id"], unique=False)
        batch_op.create_index("ix_payment_claims_status", ["status"], unique=False)
    op.create_table(
        "payment_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["payment_claims.id"],
            name=op.f("fk_payment_receipts_claim_id_payment_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_receipts")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_payment_receipts_stored_name")),
    )
    op.create_table(
        "payment_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("tax_year", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "account IN ('owed', 'paid')", name=op.f("ck_payment_ledger_account_valid")
        ),
        sa.CheckConstraint(
            f"amount_pence <> 0 AND amount_pence >= -{MAX} AND amount_pence <= {MAX}",
            name=op.f("ck_payment_ledger_amount_in_range"),
        ),
        sa.CheckConstraint(
            "category IN ('fee', 'expense')", name=op.f("ck_payment_ledger_category_valid")
        ),
        sa.CheckConstraint(
            "kind IN ('approval', 'payment', 'reversal')",
            name=op.f("ck_payment_ledger_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.id"],
            name=op.f("fk_payment_ledger_batch_id_payment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["payment_claims.id"],
            name=op.f("fk_payment_ledger_claim_id_payment_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_payment_ledger_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_payment_ledger_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_ledger")),
    )
    with op.batch_alter_table("payment_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_payment_ledger_claim", ["claim_id"], unique=False)
        batch_op.create_index(
            "ix_payment_ledger_member_year", ["member_id", "tax_year"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION payment_ledger_refuse_update() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER payment_ledger_append_only BEFORE UPDATE ON payment_ledger "
            "FOR EACH ROW EXECUTE FUNCTION payment_ledger_refuse_update()"
        )
    else:
        op.execute(
            "CREATE TRIGGER payment_ledger_append_only BEFORE UPDATE ON payment_ledger "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS payment_ledger_append_only ON payment_ledger")
        op.execute("DROP FUNCTION IF EXISTS payment_ledger_refuse_update()")
    else:
        op.execute("DROP TRIGGER IF EXISTS payment_ledger_append_only")
    with op.batch_alter_table("payment_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_ledger_member_year")
        batch_op.drop_index("ix_payment_ledger_claim")
    op.drop_table("payment_ledger")
    op.drop_table("payment_receipts")
    with op.batch_alter_table("payment_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_claims_status")
        batch_op.drop_index("ix_payment_claims_member")
    op.drop_table("payment_claims")
    op.drop_table("payment_batches")
    op.drop_table("payment_preferences")
    op.drop_table("project_payments")
    op.drop_table("payment_rates")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint("preparation_in_a_day", type_="check")
        batch_op.drop_column("preparation_minutes")
        batch_op.drop_column("activity")
