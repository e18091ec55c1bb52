"""extensible dimensions: imports may add new answers to them (local areas)

A dimension marked extensible (in taxonomy.json, and here for local_area) takes new answers
from a member import when the person importing asks for them to be added.

Revision ID: 0006_import
Revises: 0005_security
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_import"
down_revision = "0005_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dimensions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extensible", sa.Boolean(), nullable=True))
    dimensions = sa.table("dimensions", sa.column("key", sa.String), sa.column("extensible"))
    op.execute(dimensions.update().values(extensible=dimensions.c.key == "local_area"))
    with op.batch_alter_table("dimensions", schema=None) as batch_op:
        batch_op.alter_column("extensible", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("dimensions", schema=None) as batch_op:
        batch_op.drop_column("extensible")
