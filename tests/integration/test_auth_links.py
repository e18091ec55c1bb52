"""Links in messages come from PANELS_BASE_URL; unknown hosts are refused; proxies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import LoginAttempt, OutboxMessage
from panels.config import ConfigurationError, load, validate
from tests.conftest import TEST_SECRET, make_test_app


@pytest.fixture
def make_app(migrated_database, tmp_path):
    """Factory: an app on the test database with some settings changed."""
    from panels.db import database

    made = []

    def factory(**overrides):
        application = make_test_app(
            migrated_database, str(tmp_path / f"instance{len(made)}"), **overrides
        )
        made.append(application)
        return application

    yield factory
    for application in made:
        database(application).dispose()


def _outbox_link(session) -> str:
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message is not None, "no message in the outbox"
    return re.search(r"(\S+/auth/reset-password/\S+)", message.body).group(1)


def test_a_forged_host_header_is_refused_and_puts_nothing_in_the_outbox(client, make_user, session):
    user = make_user("member")
    response = client.post(
        "/auth/reset-password", data={"email": user.email}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert session.scalars(select(OutboxMessage)).all() == []
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_reset_links_use_the_base_url_whatever_host_the_request_came_to(
    make_app, make_user, session
):
    app = make_app(
        PANELS_BASE_URL="https://panels.example.org/base",
        PANELS_TRUSTED_HOSTS=("panels.internal",),
    )
    user = make_user("member")
    client = app.test_client()
    response = client.post(
        "/auth/reset-password", data={"email": user.email}, headers={"Host": "panels.internal"}
    )
    assert response.status_code == 200
    link = _outbox_link(session)
    assert link.startswith("https://panels.example.org/base/auth/reset-password/")
    assert "panels.internal" not in link and "localhost" not in link


def test_trusted_hosts_come_from_the_base_url_and_the_extra_setting(make_app):
    app = make_app(
        PANELS_BASE_URL="https://panels.example.org", PANELS_TRUSTED_HOSTS=("panels.internal",)
    )
    client = app.test_client()
    assert client.get("/health", headers={"Host": "panels.example.org"}).status_code == 200
    assert client.get("/health", headers={"Host": "panels.internal"}).status_code == 200
    assert client.get("/health", headers={"Host": "panels.example.org.evil"}).status_code == 400


def test_external_url_needs_no_request(app):
    from panels.links import external_url

    app.config["PANELS_BASE_URL"] = "https://panels.example.org/sub"
    with app.app_context():
        url = external_url(app.config, "auth.reset_password", token="abc")
    assert url == "https://panels.example.org/sub/auth/reset-password/abc"


def test_without_a_proxy_forwarded_headers_choose_neither_address_nor_host(
    client, make_user, session
):
    user = make_user("member")
    client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": "wrong password"},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"},
    )
    assert [a.address for a in session.scalars(select(LoginAttempt))] == ["127.0.0.1"]
    client.post(
        "/auth/reset-password",
        data={"email": user.email},
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert _outbox_link(session).startswith("http://localhost/auth/reset-password/")


def test_behind_one_proxy_the_forwarded_address_and_scheme_are_used(make_app, make_user, session):
    app = make_app(PANELS_PROXY_HOPS=1)
    user = make_user("member")
    client = app.test_client()
    client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": "wrong password"},
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert [a.address for a in session.scalars(select(LoginAttempt))] == ["203.0.113.9"]


def _production(**settings):
    config = load("/tmp", False, None, environ={})
    config.update({"SECRET_KEY": TEST_SECRET, "DEBUG": False, "TESTING": False}, **settings)
    return config


def test_production_needs_an_https_base_url_named_in_the_error():
    with pytest.raises(ConfigurationError, match="PANELS_BASE_URL is not set"):
        validate(_production())
    with pytest.raises(ConfigurationError, match="PANELS_BASE_URL='http://panels.example.org'"):
        validate(_production(PANELS_BASE_URL="http://panels.example.org"))
    with pytest.raises(ConfigurationError, match="PANELS_BASE_URL='panels.example.org'"):
        validate(_production(PANELS_BASE_URL="panels.example.org"))
    validate(_production(PANELS_BASE_URL="https://panels.example.org"))


def test_debug_mode_defaults_to_the_local_address(tmp_path):
    config = load(str(tmp_path), True, None, environ={})
    assert config["PANELS_BASE_URL"] == "http://127.0.0.1:5000"
    environ = {"PANELS_BASE_URL": "https://panels.example.org/", "PANELS_PROXY_HOPS": "2"}
    config = load(str(tmp_path), False, None, environ=environ)
    assert config["PANELS_BASE_URL"] == "https://panels.example.org"
    assert config["PANELS_PROXY_HOPS"] == 2


def test_a_negative_proxy_hop_count_is_named():
    with pytest.raises(ConfigurationError, match="PANELS_PROXY_HOPS=-1"):
        validate(_production(PANELS_BASE_URL="https://panels.example.org", PANELS_PROXY_HOPS=-1))
