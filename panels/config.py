"""Configuration: defaults in code, then the environment, then a test mapping; checked at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from panels.features import FEATURES

ENVIRONMENT_SETTINGS: dict[str, type] = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "SUPPRESSION_THRESHOLD": int,
    "REPORTS_JOB_MEMBERS": int,
    "SESSION_COOKIE_SECURE": bool,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_WINDOW_MINUTES": int,
    "PASSWORD_RESET_MAX_AGE_MINUTES": int,
    "MAIL_OUTBOX_ONLY": bool,
    "MAIL_FROM": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_STARTTLS": bool,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    "JOBS_URL": str,
    "JOBS_STALE_SECONDS": int,
    "PANELS_BASE_URL": str,
    "PANELS_TRUSTED_HOSTS": tuple,
    "PANELS_PROXY_HOPS": int,
    "SESSION_IDLE_MINUTES_STAFF": int,
    "SESSION_IDLE_MINUTES_MEMBER": int,
    "SESSION_MAX_HOURS": int,
    "PASSWORD_RESET_MAX_PER_EMAIL": int,
    "PASSWORD_RESET_MAX_PER_ADDRESS": int,
    "TWO_FACTOR_REQUIRED_ROLES": tuple,
    "JOIN_REQUESTS_PER_HOUR": int,
    "IMPACT_FEEDBACK_DAYS": int,
    "IMPACT_UNPAID_DAYS": int,
}
"""Settings that may come from environment variables, with their types."""

SUPPORTED_DATABASES = ("sqlite", "postgresql")
JOBS_URL_SCHEMES = ("redis://", "rediss://", "unix://", "sqlite:///")
STAFF_ROLES = ("lead", "manager", "admin")
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
TESTING_BASE_URL = "http://localhost"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_NONE = {"none", "-"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigurationError(RuntimeError):
    """A setting is missing or has a value the application cannot use."""


def defaults(instance_path: str, debug: bool) -> dict[str, Any]:
    """The built-in defaults; nothing secret lives here."""
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'panels.sqlite'}",
        "SECRET_KEY": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not debug,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not debug,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_MINUTES": 15,
        "PASSWORD_RESET_MAX_AGE_MINUTES": 60,
        "MAIL_OUTBOX_ONLY": True,
        "MAIL_FROM": "Co-production Panels <co-production@localhost>",
        "SMTP_HOST": "localhost",
        "SMTP_PORT": 25,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "PANELS_BASE_URL": None,
        "PANELS_TRUSTED_HOSTS": (),
        "PANELS_PROXY_HOPS": 0,
        "SESSION_IDLE_MINUTES_STAFF": 30,
        "SESSION_IDLE_MINUTES_MEMBER": 60,
        "SESSION_MAX_HOURS": 12,
        "PASSWORD_RESET_MAX_PER_EMAIL": 3,
        "PASSWORD_RESET_MAX_PER_ADDRESS": 10,
        "TWO_FACTOR_REQUIRED_ROLES": STAFF_ROLES,
        "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
        "FEATURES": FEATURES,
        "INSTANCE_PATH": instance_path,
        # Background jobs: "" is the embedded queue, <instance>/jobs.sqlite3 (panels.jobs.queue).
        "JOBS_URL": "",
        "JOBS_STALE_SECONDS": 60,
        # Requests to join the register one address may send in an hour (panels.outreach).
        "JOIN_REQUESTS_PER_HOUR": 5,
        # Days after a project closes by which its members should hear what changed; later
        # is flagged as box-ticking (panels.impact.flags).
        "IMPACT_FEEDBACK_DAYS": 28,
        # Days after which a member's payment still not paid is flagged as box-ticking.
        "IMPACT_UNPAID_DAYS": 30,
        # Reports: counts from 1 to SUPPRESSION_THRESHOLD - 1 are shown as "fewer than N";
        # a register of REPORTS_JOB_MEMBERS or more is reported on by a background job.
        "SUPPRESSION_THRESHOLD": 5,
        "REPORTS_JOB_MEMBERS": 20_000,
    }


def _coerce(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigurationError(
            f"{name}={raw!r} is not a yes/no value; use one of: {', '.join(sorted(_TRUE | _FALSE))}"
        )
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if kind is tuple:
        if raw.strip().lower() in _NONE:
            return ()
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the settings listed in ENVIRONMENT_SETTINGS from environment variables."""
    found: dict[str, Any] = {}
    for name, kind in ENVIRONMENT_SETTINGS.items():
        if name in environ and environ[name] != "":
            found[name] = _coerce(name, environ[name], kind)
    return found


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def validate(config: Mapping[str, Any]) -> None:
    """Fail at start-up, with a sentence naming the setting, if the configuration is unusable."""
    secret = config.get("SECRET_KEY")
    if not secret:
        raise ConfigurationError(
            "SECRET_KEY is not set; set the SECRET_KEY environment variable to a long random "
            "string (for example the output of: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    if not config.get("TESTING") and not config.get("DEBUG") and len(str(secret)) < 32:
        raise ConfigurationError("SECRET_KEY is too short; use at least 32 random characters")
    try:
        url = make_url(config["DATABASE_URL"])
    except ArgumentError:
        raise ConfigurationError(
            f"DATABASE_URL={config['DATABASE_URL']!r} is not a database URL; use for example "
            "sqlite:///path/to/panels.sqlite or postgresql+psycopg://user@host/dbname"
        ) from None
    if url.get_backend_name() not in SUPPORTED_DATABASES:
        raise ConfigurationError(
            f"DATABASE_URL uses {url.get_backend_name()!r}; supported databases are: "
            f"{', '.join(SUPPORTED_DATABASES)}"
        )
    for name in (
        "LOGIN_MAX_FAILURES",
        "LOGIN_WINDOW_MINUTES",
        "PASSWORD_RESET_MAX_AGE_MINUTES",
        "JOBS_STALE_SECONDS",
        "SESSION_IDLE_MINUTES_STAFF",
        "SESSION_IDLE_MINUTES_MEMBER",
        "SESSION_MAX_HOURS",
        "PASSWORD_RESET_MAX_PER_EMAIL",
        "PASSWORD_RESET_MAX_PER_ADDRESS",
        "JOIN_REQUESTS_PER_HOUR",
        "IMPACT_FEEDBACK_DAYS",
        "IMPACT_UNPAID_DAYS",
    ):
        if int(config[name]) < 1:
            raise ConfigurationError(f"{name}={config[name]!r} must be at least 1")
    if int(config["PANELS_PROXY_HOPS"]) < 0:
        raise ConfigurationError(
            f"PANELS_PROXY_HOPS={config['PANELS_PROXY_HOPS']!r} must be 0 (no proxy in front) "
            "or the number of proxies in front of the app"
        )
    from models import ROLES

    unknown = [role for role in config["TWO_FACTOR_REQUIRED_ROLES"] if role not in ROLES]
    if unknown:
        raise ConfigurationError(
            f"TWO_FACTOR_REQUIRED_ROLES names {', '.join(map(repr, unknown))}, which is not a "
            f"role; valid roles are: {', '.join(ROLES)} (or 'none')"
        )
    jobs_url = str(config.get("JOBS_URL") or "")
    if jobs_url and not jobs_url.startswith(JOBS_URL_SCHEMES):
        raise ConfigurationError(
            f"JOBS_URL={jobs_url!r} is not a queue this service can use; leave it unset for "
            "the embedded queue in the instance folder, or use redis://host:6379/0 (rediss:// "
            "for TLS) or sqlite:////path/to/jobs.sqlite3"
        )
    from panels.suppression import threshold_of

    try:
        threshold_of(config)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    if int(config.get("REPORTS_JOB_MEMBERS", 1)) < 0:
        raise ConfigurationError(
            f"REPORTS_JOB_MEMBERS={config['REPORTS_JOB_MEMBERS']!r} must be 0 (always use a "
            "background job) or more"
        )
    _validate_base_url(config)


def relaxed(config: Mapping[str, Any]) -> bool:
    """Debug or testing: plain http and loopback hosts are allowed."""
    return bool(config.get("DEBUG") or config.get("TESTING"))


def _validate_base_url(config: Mapping[str, Any]) -> None:
    base_url = config.get("PANELS_BASE_URL")
    if not base_url:
        raise ConfigurationError(
            "PANELS_BASE_URL is not set; set it to the address people use to reach the "
            "service, for example https://panels.example.org, so that links in messages "
            "point there"
        )
    parts = urlsplit(str(base_url))
    allowed = ("http", "https") if relaxed(config) else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ConfigurationError(
            f"PANELS_BASE_URL={base_url!r} is not a usable address; use an absolute "
            f"{' or '.join(allowed)} address such as https://panels.example.org"
            + ("" if relaxed(config) else " (https is required outside debug mode)")
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"PANELS_BASE_URL={base_url!r} has a query or fragment; give only the scheme, "
            "host and (optionally) a path"
        )


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host names requests may use: the base URL's, PANELS_TRUSTED_HOSTS, and loopback
    names in debug or testing."""
    hosts = [urlsplit(str(config["PANELS_BASE_URL"])).hostname or ""]
    hosts.extend(config.get("PANELS_TRUSTED_HOSTS") or ())
    if relaxed(config):
        hosts.extend(LOOPBACK_HOSTS)
    return list(dict.fromkeys(host for host in hosts if host))


def load(
    instance_path: str,
    debug: bool,
    test_config: Mapping[str, Any] | None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, Any]:
    """Defaults, then environment, then the test mapping; normalised and validated."""
    config = defaults(instance_path, debug)
    config.update(from_environment(environ))
    if test_config:
        config.update(test_config)
    config["DATABASE_URL"] = normalise_database_url(str(config["DATABASE_URL"]))
    if not config.get("PANELS_BASE_URL"):
        if config.get("TESTING"):
            config["PANELS_BASE_URL"] = TESTING_BASE_URL
        elif debug:
            config["PANELS_BASE_URL"] = DEVELOPMENT_BASE_URL
    config["PANELS_BASE_URL"] = (
        str(config["PANELS_BASE_URL"]).rstrip("/") if config["PANELS_BASE_URL"] else None
    )
    config["TWO_FACTOR_REQUIRED_ROLES"] = tuple(config["TWO_FACTOR_REQUIRED_ROLES"])
    return config
