"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a fresh set of tables per test (the seeded taxonomy kept), the app, its client and CLI
runner, a real background worker, and factories."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, delete, func, inspect, select, text

from models import Base

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TEST_PASSWORD = "correct horse battery"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""The two-factor secret of accounts made with make_user(..., two_factor=True)."""


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {url or 'SQLite (temporary file)'}"


def drop_everything(url: str) -> None:
    """Remove every table (and Alembic's version table) so migrations start from empty."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from panels.config import normalise_database_url

        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'panels-test.sqlite'}"


def make_test_app(database_url: str, instance_path: str, **overrides):
    from panels import create_app

    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "INSTANCE_PATH": instance_path,
        # Most tests sign in with a password alone; the tests of two-factor sign-in
        # (tests/integration/test_auth_two_factor.py) use the default, which requires it
        # for staff, and accounts made with make_user(..., two_factor=True) use it anyway.
        "TWO_FACTOR_REQUIRED_ROLES": (),
    }
    config.update(overrides)
    return create_app(config)


def prepare_database(url: str, instance_path: str) -> None:
    """Empty the database, migrate it to head and seed the taxonomy."""
    from panels import migrate
    from panels.db import database, open_unit_of_work
    from panels.register.taxonomy import sync_taxonomy
    from panels.uow import Actor

    drop_everything(url)
    app = make_test_app(url, instance_path)
    migrate.upgrade("head", app=app)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        sync_taxonomy(uow)
    database(app).dispose()
    _remember_reference_rows(url)


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory) -> str:
    """The test database, emptied, migrated to head and seeded once per test session."""
    prepare_database(database_url, str(tmp_path_factory.mktemp("instance")))
    return database_url


REFERENCE_TABLES = ("dimensions", "categories", "consent_wordings")
_reference_max_ids: dict[str, int] = {}


def _remember_reference_rows(url: str) -> None:
    """Note the seeded taxonomy's rows, which every test keeps (rows added later go)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        for name in REFERENCE_TABLES:
            table = Base.metadata.tables[name]
            _reference_max_ids[name] = connection.scalar(select(func.max(table.c.id))) or 0
    engine.dispose()


def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in REFERENCE_TABLES:
                connection.execute(
                    delete(table).where(table.c.id > _reference_max_ids.get(table.name, 0))
                )
            else:
                connection.execute(delete(table))
    engine.dispose()


@pytest.fixture
def app(migrated_database, tmp_path):
    """The application on a migrated database whose tables are emptied after each test."""
    application = make_test_app(migrated_database, str(tmp_path / "instance"))
    yield application
    from panels.db import database

    database(application).dispose()
    _empty_tables(migrated_database)


@pytest.fixture
def worker(app, tmp_path):
    """A real `panels worker` process running the test app's jobs (see tests/worker.py)."""
    from tests.worker import running_worker

    with running_worker(app, tmp_path / "worker") as running:
        yield running


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., object]:
    """Factory: make_user(role="lead", email=None, password=TEST_PASSWORD, two_factor=False).

    With two_factor=True the account has two-factor on with TEST_TOTP_SECRET (and the
    user object carries its recovery codes as ``recovery_codes``).
    """
    from panels.auth import two_factor as tfa
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.uow import Actor

    counter = iter(range(1, 10_000))

    def factory(
        role: str = "lead",
        email: str | None = None,
        password: str = TEST_PASSWORD,
        two_factor: bool = False,
    ):
        with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
            user = create_user(uow, email or f"{role}{next(counter)}@test.example", role, password)
            if two_factor:
                tfa.begin_enrolment(uow, user.id, TEST_TOTP_SECRET)
                user.recovery_codes = tfa.confirm_enrolment(uow, user.id, current_totp())
                uow.session.refresh(user)
                _forget_last_code(uow.session, user.id)
            return user

    return factory


def current_totp() -> str:
    """The code an authenticator app with TEST_TOTP_SECRET shows now."""
    import pyotp

    return pyotp.TOTP(TEST_TOTP_SECRET).now()


def _forget_last_code(session, user_id: int) -> None:
    """Let the current code be used again (tests sign in more often than every 30 seconds)."""
    from models import User

    session.get(User, user_id).totp_last_step = None
    session.commit()


@pytest.fixture
def sign_in(app, client) -> Callable[..., object]:
    """sign_in(user, password=TEST_PASSWORD, client=client): sign a test client in, giving
    the current two-factor code (of TEST_TOTP_SECRET) when asked for one."""
    from panels import db

    def do(user, password: str = TEST_PASSWORD, client=client):
        response = client.post("/auth/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data
        if response.headers["Location"].startswith("/auth/sign-in/code"):
            with app.app_context():
                _forget_last_code(db.session(), user.id)
            response = client.post("/auth/sign-in/code", data={"code": current_totp()})
            assert response.status_code == 302, response.data
        return response

    return do


@pytest.fixture
def session(app) -> Iterator:
    """A database session inside an app context, for checking what services wrote."""
    from panels import db

    with app.app_context():
        yield db.session()


@pytest.fixture
def uow(app) -> Iterator:
    """A unit of work acting as the command line, inside an app context."""
    from panels.db import open_unit_of_work
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as unit:
        yield unit


@pytest.fixture
def make_member(app) -> Callable[..., object]:
    """Factory: make_member(ethnicity="Indian", consents=("contact", "selection"), ...) -> Member.

    Keyword arguments named after a dimension key set that answer (a list for several);
    other keywords go to MemberInput. Consent defaults to all four purposes given.
    """
    from datetime import date

    from panels.db import open_unit_of_work
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    counter = iter(range(1, 100_000))

    def factory(consents=("contact", "selection", "statistics", "access_needs"), **kwargs):
        from panels.register.taxonomy import load_taxonomy

        n = next(counter)
        with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
            dimension_keys = {d.key for d in load_taxonomy(uow.session).answerable}
            answers = {}
            for key in list(kwargs):
                if key in dimension_keys:
                    value = kwargs.pop(key)
                    answers[key] = list(value) if isinstance(value, (list, tuple)) else [value]
            data = MemberInput(
                first_name=kwargs.pop("first_name", f"Person{n}"),
                last_name=kwargs.pop("last_name", "Tester"),
                email=kwargs.pop("email", f"person{n}@members.example"),
                date_of_birth=kwargs.pop("date_of_birth", date(1970, 6, 15)),
                answers=answers,
                consents={
                    p: p in consents for p in ("contact", "selection", "statistics", "access_needs")
                },
                **kwargs,
            )
            return create_member(uow, data)

    return factory
