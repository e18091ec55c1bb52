"""member characteristics without their dimension: the category determines it

Every import checked a third foreign key on each answer row (838,000 rows for 100,000
members) for a column nothing reads. Downgrading fills the column in from the categories.

Revision ID: 0003_characteristics_dimension
Revises: 0002_register
Create Date: 2026-11-26 01:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_characteristics_dimension"
down_revision = "0002_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member_characteristics", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_member_characteristics_dimension_id_dimensions"), type_="foreignkey"
        )
        batch_op.drop_column("dimension_id")


def downgrade() -> None:
    with op.batch_alter_table("member_characteristics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dimension_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE member_characteristics SET dimension_id = (SELECT categories.dimension_id "
        "FROM categories WHERE categories.id = member_characteristics.category_id)"
    )
    with op.batch_alter_table("member_characteristics", schema=None) as batch_op:
        batch_op.alter_column("dimension_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_member_characteristics_dimension_id_dimensions"),
            "dimensions",
            ["dimension_id"],
            ["id"],
            ondelete="CASCADE",
        )
