"""The schema comes only from migrations, and migrations match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from models import Base
from panels import migrate
from tests.conftest import drop_everything, make_test_app, prepare_database


@pytest.fixture
def scratch_app(database_url, tmp_path, migrated_database):
    """An app on the test database, left migrated to head afterwards for other tests."""
    app = make_test_app(database_url, str(tmp_path / "instance"))
    yield app
    from panels.db import database

    database(app).dispose()
    prepare_database(database_url, str(tmp_path / "again"))


def _differences(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_upgrade_from_empty_gives_exactly_the_models(scratch_app, database_url):
    drop_everything(database_url)
    migrate.upgrade("head", app=scratch_app)
    assert _differences(database_url) == []


def test_downgrade_to_base_then_upgrade_again(scratch_app, database_url):
    drop_everything(database_url)
    migrate.upgrade("head", app=scratch_app)
    migrate.downgrade("base", app=scratch_app)
    engine = create_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade("head", app=scratch_app)
    assert _differences(database_url) == []
    head = ScriptDirectory.from_config(migrate.alembic_config(scratch_app)).get_current_head()
    assert migrate.current_revision(app=scratch_app) == head


def test_each_revision_steps_down_and_up(scratch_app, database_url):
    drop_everything(database_url)
    script = ScriptDirectory.from_config(migrate.alembic_config(scratch_app))
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        migrate.upgrade(revision.revision, app=scratch_app)
        migrate.downgrade(revision.down_revision or "base", app=scratch_app)
        migrate.upgrade(revision.revision, app=scratch_app)
    assert _differences(database_url) == []
