"""Engine, the per-request session, and units of work for commands and jobs.

Services commit through the unit of work they are given (:mod:`panels.uow`); views,
models and helpers never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from panels.uow import Actor, UnitOfWork

_EXTENSION = "panels.db"


class Database:
    """The application's engine and session factory, kept on ``app.extensions``."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    """An engine with foreign keys enforced on SQLite too."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # pragma: no cover
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[_EXTENSION]


def session() -> Session:
    """The session for this request (or app context); created on first use, closed at teardown.

    Only the web layer (:mod:`panels.web`) and tests use it; services get a unit of work.
    """
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


@contextmanager
def open_unit_of_work(actor: Actor, app: Flask | None = None) -> Iterator[UnitOfWork]:
    """A unit of work on a session of its own (for CLI commands and jobs); closed afterwards.

    The services it is handed to commit; whatever is left uncommitted is rolled back.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    db_session = database(app).sessionmaker()
    try:
        yield UnitOfWork(db_session, actor, app.config)
    finally:
        db_session.rollback()
        db_session.close()
