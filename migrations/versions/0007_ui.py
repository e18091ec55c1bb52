"""consent recorded in person; pages administrators edit (accessibility, privacy, contact)

Revision ID: 0007_ui
Revises: 0006_import
Create Date: 2026-12-01 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_ui"
down_revision = "0006_import"
branch_labels = None
depends_on = None

METHODS_BEFORE = "method IN ('online', 'paper', 'phone', 'import')"
METHODS_AFTER = "method IN ('online', 'paper', 'phone', 'in_person', 'import')"


def upgrade() -> None:
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consent_records_method_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_consent_records_method_valid"), METHODS_AFTER)
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_pages_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("slug", name=op.f("uq_pages_slug")),
    )


def downgrade() -> None:
    op.drop_table("pages")
    # Consent records are evidence: refuse rather than rewrite how consent was given.
    in_person = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM consent_records WHERE method = 'in_person'")
    )
    if in_person:
        raise RuntimeError(
            f"{in_person} consent records say consent was given in person, which the earlier "
            "schema cannot hold; downgrading would rewrite that evidence, so it is refused"
        )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consent_records_method_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_consent_records_method_valid"), METHODS_BEFORE)
