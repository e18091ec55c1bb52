"""Members' own space: accounts linked to the register, availability, dates away.

Revision ID: 0009_member_space
Revises: 0008_projects
"""

from __future__ import annotations

revision = "0009_member_space"
down_revision = "0008_projects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
