"""Schema migrations with Alembic; the schema comes only from migrations/."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from panels import MIGRATIONS_DIR
from panels.db import database


def alembic_config(app: Flask | None = None) -> Config:
    app = app or current_app
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    return config


def upgrade(revision: str = "head", app: Flask | None = None) -> None:
    config = alembic_config(app)
    with database(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(revision: str, app: Flask | None = None) -> None:
    config = alembic_config(app)
    with database(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def revision(message: str, autogenerate: bool = True, app: Flask | None = None) -> None:
    config = alembic_config(app)
    with database(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=autogenerate)


def current_revision(app: Flask | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database(app).engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
