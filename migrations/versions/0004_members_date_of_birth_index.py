"""index members by date of birth: age-band filters are ranges of it

Revision ID: 0004_members_date_of_birth
Revises: 0003_characteristics_dimension
Create Date: 2026-11-26 01:15:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004_members_date_of_birth"
down_revision = "0003_characteristics_dimension"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("ix_members_date_of_birth", ["date_of_birth"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_date_of_birth")
