"""Reports: the day a member left, so that leavers can be counted by quarter.

Revision ID: 0013_reports
Revises: 0012_erasure
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_reports"
down_revision = "0012_erasure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("left_on")
