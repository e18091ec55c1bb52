"""Who may use each view, password hashing and the security headers.

Every view states its audience with exactly one of :func:`requires` (a named
permission), :func:`signed_in` or :func:`public`. A request to a view that states neither is
refused (fail closed), and a test walks the URL map to catch such a view before it ships.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import AnonymousUserMixin, current_user, login_user, logout_user
from werkzeug.exceptions import SecurityError

from models import ROLES, User
from panels.config import STAFF_ROLES
from panels.features import registry

F = TypeVar("F", bound=Callable[..., object])
ACCESS_ATTRIBUTE = "panels_access"
PUBLIC = "public"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


SIGNED_IN = "signed_in"


def requires(permission: str) -> Callable[[F], F]:
    """Allow only signed-in users whose role holds ``permission`` (see :mod:`panels.features`)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> object:
            if not current_user.is_authenticated:
                # flask-login ships no types, so Flask does not know the attribute it adds.
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if permission != SIGNED_IN and not registry().allows(current_user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, permission)
        return wrapped  # type: ignore[return-value]

    return decorate


def signed_in(view: F) -> F:
    """Allow any signed-in user, whatever the role."""
    return requires(SIGNED_IN)(view)


def public(view: F) -> F:
    """Allow everyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def permission_of(view: Callable[..., object]) -> str | None:
    """The permission a view declared, ``"public"``, ``"signed_in"``, or None if it forgot."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def access_of(view: Callable[..., object]) -> frozenset[str] | str | None:
    """Who a view lets in: the roles holding its permission, ``"public"``, or None."""
    declared = permission_of(view)
    if declared is None or declared == PUBLIC:
        return declared
    if declared == SIGNED_IN:
        return frozenset(ROLES)
    return registry().roles_for(declared)


def can(user: User | AnonymousUserMixin, permission: str) -> bool:
    """Whether ``user`` (a flask-login user, possibly anonymous) holds ``permission``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return registry().allows(user.role, permission)


SESSION_STARTED = "signed_in_at"
SESSION_SEEN = "last_seen"
SESSION_ENDED = "session_ended"
"""Session keys: when this sign-in began, when it was last used, and why one ended."""


def _new_csrf_token() -> None:
    # Flask-WTF keeps the raw token in the session (and caches it on g); without it,
    # the next form gets a new one and tokens from before stop working.
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def start_session(user: Any) -> None:
    """Sign ``user`` in: a new CSRF token, and the idle and absolute clocks started."""
    session.clear()
    _new_csrf_token()
    login_user(user)
    now = int(time.time())
    session[SESSION_STARTED] = now
    session[SESSION_SEEN] = now


def renew_login(user: Any) -> None:
    """Keep ``user`` signed in under a new session token (after a password change)."""
    _new_csrf_token()
    login_user(user)


def end_session() -> None:
    """Sign out in this browser: the session, its CSRF token and its clocks go."""
    logout_user()
    session.clear()
    _new_csrf_token()


def idle_minutes(user: Any, settings: Any) -> int:
    key = (
        "SESSION_IDLE_MINUTES_STAFF" if user.role in STAFF_ROLES else "SESSION_IDLE_MINUTES_MEMBER"
    )
    return int(settings[key])


def _session_ended_because(user: Any, settings: Any) -> dict[str, Any] | None:
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    now = time.time()
    if started is None or seen is None:
        return {"reason": "unknown"}
    if now - started > int(settings["SESSION_MAX_HOURS"]) * 3600:
        return {"reason": "absolute", "hours": int(settings["SESSION_MAX_HOURS"])}
    if now - seen > idle_minutes(user, settings) * 60:
        return {"reason": "idle", "minutes": idle_minutes(user, settings)}
    return None


PUBLIC_ENDPOINTS = frozenset({"static"})
"""Endpoints registered by Flask itself, which cannot carry a decorator."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["can"] = lambda name: can(current_user, name)

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> Response:
        # The request named a host outside TRUSTED_HOSTS; nothing (not even a page with
        # links) is built from it.
        return Response(
            "This service does not answer to that address.\n",
            status=400,
            mimetype="text/plain",
        )

    @app.before_request
    def _refuse_undeclared_views() -> None:
        endpoint = request.endpoint
        if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
            return None
        if access_of(app.view_functions[endpoint]) is None:
            app.logger.error("view %s declares no access rule; refusing the request", endpoint)
            abort(403)
        return None

    @app.before_request
    def _end_expired_sessions() -> ResponseReturnValue | None:
        """Sign out a session that has been idle, or signed in, for too long."""
        if request.endpoint in PUBLIC_ENDPOINTS or not current_user.is_authenticated:
            return None
        ended = _session_ended_because(current_user, app.config)
        if ended is None:
            session[SESSION_SEEN] = int(time.time())
            return None
        end_session()
        session[SESSION_ENDED] = ended
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and access_of(view) == PUBLIC:
            return None
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=target))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if not app.debug:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static":
            # Pages and downloads may hold personal data: never kept by a browser or proxy.
            # (Set, not setdefault: send_file puts its own Cache-Control on downloads.)
            response.headers["Cache-Control"] = "no-store"
        return response
