"""Holding a row until the transaction ends, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

T = TypeVar("T")


def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """The row of ``model`` with id ``row_id`` as it is now, held until the transaction ends
    (None when there is none), so that a concurrent change to it queues up behind this one.

    PostgreSQL locks the row with ``SELECT ... FOR UPDATE``. SQLite has no row locks, so a
    no-op ``UPDATE`` first makes this transaction the database's writer; another writer then
    waits for it (``busy_timeout``) instead of deciding on the same old state.
    """
    table: Any = model
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(table.id == row_id).values(id=table.id))
    return session.scalar(
        select(table)
        .where(table.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
