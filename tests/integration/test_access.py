"""Every route states who may use it, and the rule holds: a walk over the URL map."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from models import ROLES
from panels.security import PUBLIC, PUBLIC_ENDPOINTS, access_of

# The short, explicit list of routes anyone may use.
ALLOWED_PUBLIC = {
    "static",
    "home.index",
    "home.health",
    "auth.sign_in",
    "auth.request_reset",
    "auth.reset_password",
    # A member answers an invitation through a signed, single-use link, without an account.
    "invitation.answer",
    # A member sets up their account through a signed, expiring, single-use link (and its
    # Easy Read version).
    "account_setup.join",
    "account_setup.join_easy_read",
    # The second step of signing in: the visitor is not signed in yet. Each acts only for
    # the account whose password was just given in this session (for 10 minutes), and
    # every other page still treats that visitor as signed out
    # (tests/integration/test_auth_two_factor.py).
    "auth.two_factor_code",
    "auth.sign_in_set_up_two_factor",
    # The accessibility statement, privacy notice and contact page: a public service must
    # let anyone read them, signed in or not.
    "pages.show",
    # The joining form (with or without a partner's or campaign's link) and its thank-you:
    # people ask to join before they have an account; staff check every request.
    "join.form",
    "join.form_without_link",
    "join.thanks",
}


def _example_url(rule) -> str:
    """A URL for the rule, with a plausible value in each variable part."""
    url = rule.rule
    for name, converter in rule._converters.items():
        value = "1" if type(converter).__name__ in {"IntegerConverter", "NumberConverter"} else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
    return url


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_view_declares_its_access(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and access_of(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == [], f"views without @requires_role or @public: {undeclared}"


def test_public_views_are_exactly_the_allow_list(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint in PUBLIC_ENDPOINTS
        or access_of(app.view_functions[rule.endpoint]) == PUBLIC
    }
    assert public == ALLOWED_PUBLIC


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    checked = 0
    for rule in _rules(app):
        if rule.endpoint in ALLOWED_PUBLIC:
            continue
        url = _example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} gave {response.status_code}"
            assert response.headers["Location"].startswith("/auth/sign-in"), f"{method} {url}"
            checked += 1
    assert checked >= 8


def test_signed_in_users_without_the_role_are_refused(app, make_user):
    users = {role: make_user(role) for role in ROLES}
    clients = {}
    for role, user in users.items():
        clients[role] = app.test_client()
        clients[role].post(
            "/auth/sign-in", data={"email": user.email, "password": "correct horse battery"}
        )
    refused = 0
    for rule in _rules(app):
        access = access_of(app.view_functions[rule.endpoint])
        if access == PUBLIC:
            continue
        url = _example_url(rule)
        for role in ROLES:
            if role in access:
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = clients[role].open(url, method=method)
                assert response.status_code == 403, (
                    f"{role} {method} {url} gave {response.status_code}"
                )
                refused += 1
    assert refused >= 12


def test_a_route_that_forgets_its_role_is_caught(app):
    blueprint = Blueprint("forgetful", __name__)

    @blueprint.route("/forgetful")
    def forgetful():
        return "secret"

    app.register_blueprint(blueprint)
    assert "forgetful.forgetful" not in ALLOWED_PUBLIC
    with pytest.raises(AssertionError, match="forgetful.forgetful"):
        test_every_view_declares_its_access(app)
    # And at run time it fails closed.
    assert app.test_client().get("/forgetful").status_code == 403


def test_post_without_csrf_token_is_refused(migrated_database, tmp_path, make_user):
    from tests.conftest import make_test_app

    user = make_user("lead")
    app = make_test_app(migrated_database, str(tmp_path / "csrf"), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)

    # With the token from the form, the same request works.
    page = client.get("/auth/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302
    # Every POST route refuses a signed-in user's request that carries no token.
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            assert client.post(_example_url(rule)).status_code == 400, rule.rule
    from panels.db import database

    database(app).dispose()
