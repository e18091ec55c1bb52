"""Outreach and impact: partner organisations, outreach actions, joining requests,
ladder ratings and "you said, we did".

Revision ID: 0011_outreach
Revises: 0010_payments
"""

from __future__ import annotations

revision = "0011_outreach"
down_revision = "0010_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
