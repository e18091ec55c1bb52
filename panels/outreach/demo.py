"""Demo outreach: partner organisations, an outreach action and a joining request."""

from __future__ import annotations

from panels.uow import UnitOfWork


def seed_demo_outreach(uow: UnitOfWork, seed: int) -> list[str]:
    return []
