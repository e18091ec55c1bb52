"""Erasure requests: a member's request to be forgotten and its approval.

Revision ID: 0012_erasure
Revises: 0011_outreach
"""

from __future__ import annotations

revision = "0012_erasure"
down_revision = "0011_outreach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
