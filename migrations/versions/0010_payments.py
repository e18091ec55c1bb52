"""Involvement payments and expenses: rates, payments due, claims, receipts, approvals,
ledger and finance batches.

Revision ID: 0010_payments
Revises: 0009_member_space
"""

from __future__ import annotations

revision = "0010_payments"
down_revision = "0009_member_space"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
