"""The application factory and its configuration."""

import pytest

from panels import create_app
from panels.config import ConfigurationError, load
from tests.conftest import TEST_SECRET


def test_testing_flag_and_database_from_test_config(app, migrated_database):
    assert app.testing
    assert app.config["DATABASE_URL"] == migrated_database


def test_environment_overrides_defaults_and_test_config_overrides_environment(tmp_path):
    environ = {"DATABASE_URL": "postgres://u@db/x", "LOGIN_MAX_FAILURES": "7"}
    config = load(str(tmp_path), False, None, environ=environ)
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@db/x"
    assert config["LOGIN_MAX_FAILURES"] == 7
    config = load(str(tmp_path), False, {"LOGIN_MAX_FAILURES": 3}, environ=environ)
    assert config["LOGIN_MAX_FAILURES"] == 3


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    config = load(str(tmp_path), False, None, environ={})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'panels.sqlite'}"


def test_missing_secret_key_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "supported databases are: sqlite, postgresql"),
        ("DATABASE_URL", "not a url", "is not a database URL"),
        ("LOGIN_MAX_FAILURES", 0, "LOGIN_MAX_FAILURES=0 must be at least 1"),
        ("SESSION_IDLE_MINUTES_STAFF", 0, "SESSION_IDLE_MINUTES_STAFF=0 must be at least 1"),
        (
            "TWO_FACTOR_REQUIRED_ROLES",
            ("lead", "boss"),
            "TWO_FACTOR_REQUIRED_ROLES names 'boss', which is not a role; valid roles are: "
            "member, lead, manager, admin",
        ),
        (
            "PANELS_BASE_URL",
            "ftp://panels.example.org",
            "PANELS_BASE_URL='ftp://panels.example.org'",
        ),
    ],
)
def test_bad_settings_are_named(tmp_path, setting, value, message):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": "sqlite://",
        "PANELS_BASE_URL": "https://panels.example.org",
    }
    config[setting] = value
    with pytest.raises(ConfigurationError, match=message):
        create_app(config)


def test_bad_boolean_in_environment_names_the_variable(tmp_path):
    with pytest.raises(ConfigurationError, match="SESSION_COOKIE_SECURE='maybe'"):
        load(str(tmp_path), False, None, environ={"SESSION_COOKIE_SECURE": "maybe"})


def test_cookies_are_httponly_samesite_and_secure_outside_debug(tmp_path):
    config = load(str(tmp_path), False, None, environ={})
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert load(str(tmp_path), True, None, environ={})["SESSION_COOKIE_SECURE"] is False


def test_health_check_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Cache-Control"] == "no-store"


def test_environment_lists_of_roles_and_hosts(tmp_path):
    environ = {"TWO_FACTOR_REQUIRED_ROLES": "none", "PANELS_TRUSTED_HOSTS": "a.example, b.example"}
    config = load(str(tmp_path), False, None, environ=environ)
    assert config["TWO_FACTOR_REQUIRED_ROLES"] == ()
    assert config["PANELS_TRUSTED_HOSTS"] == ("a.example", "b.example")


def test_pages_carry_no_inline_script_and_no_crown(client):
    html = client.get("/auth/sign-in").get_data(as_text=True)
    assert "<script>" not in html and "<script nonce" not in html
    assert "govuk-header__logotype" not in html and "Crown copyright" not in html
    assert "Co-production Panels" in html


def test_unknown_page_is_a_plain_language_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_plain_language_500_page(app):
    from panels.security import public

    @public
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.testing = False  # let the error handler run instead of re-raising
    response = app.test_client().get("/broken-for-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "boom" not in html and "Traceback" not in html
