"""Counting attempts per key (an account, an address) atomically, in the database.

:func:`take` counts one attempt with a single conditional UPDATE (``attempts < limit``),
which PostgreSQL runs under the row's lock and SQLite under its write lock, so parallel
requests cannot all read "4 failures" and all go ahead: at most ``limit`` attempts are
counted in a window, however many arrive at once. An attempt is counted *before* the
password (or code) is checked; a success hands it back. Helpers flush, never commit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import ThrottleCounter, utcnow
from panels.uow import UnitOfWork


def _insert_if_missing(uow: UnitOfWork, key: str, now: datetime) -> None:
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    uow.session.execute(
        insert(ThrottleCounter)
        .values(key=key, attempts=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def take(uow: UnitOfWork, key: str, limit: int, window: timedelta) -> bool:
    """Count one attempt for ``key``; False, counting nothing, if ``limit`` are counted already."""
    now = utcnow()
    _insert_if_missing(uow, key, now)
    uow.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key, ThrottleCounter.window_started_at <= now - window)
        .values(attempts=0, window_started_at=now)
        .execution_options(synchronize_session=False)
    )
    counted = uow.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key, ThrottleCounter.attempts < limit)
        .values(attempts=ThrottleCounter.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return counted.rowcount == 1  # type: ignore[attr-defined]


def give_back(uow: UnitOfWork, key: str) -> None:
    """Uncount one attempt (it succeeded, so it should not count towards a wait)."""
    uow.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key, ThrottleCounter.attempts > 0)
        .values(attempts=ThrottleCounter.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def clear(uow: UnitOfWork, key: str) -> None:
    """Forget every attempt for ``key``."""
    uow.session.execute(
        delete(ThrottleCounter)
        .where(ThrottleCounter.key == key)
        .execution_options(synchronize_session=False)
    )


def minutes_to_wait(uow: UnitOfWork, keys: list[str], window: timedelta) -> int:
    """Whole minutes (at least 1) until the latest of these keys' windows ends."""
    started = uow.session.scalars(
        select(ThrottleCounter.window_started_at).where(ThrottleCounter.key.in_(keys))
    ).all()
    if not started:
        return 1
    remaining = max(started) + window - utcnow()
    return max(1, math.ceil(remaining.total_seconds() / 60))
