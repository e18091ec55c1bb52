"""Sessions: sign-out ends them everywhere, they expire, and their tokens and headers."""

from __future__ import annotations

import re

import pytest

from panels.security import SESSION_SEEN, SESSION_STARTED
from tests.conftest import TEST_PASSWORD, make_test_app


def _copy_of_cookie(client, other) -> None:
    other.set_cookie("session", client.get_cookie("session").value)


def test_a_copied_cookie_stops_working_after_sign_out(app, client, make_user, sign_in):
    user = make_user("member")
    sign_in(user)
    thief = app.test_client()
    _copy_of_cookie(client, thief)
    assert thief.get("/my/").status_code == 200
    client.post("/auth/sign-out")
    response = thief.get("/my/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_sign_out_ends_the_session_on_every_device(app, client, make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    laptop = app.test_client()
    sign_in(user, client=laptop)
    assert laptop.get("/lead/").status_code == 200
    response = client.post("/auth/sign-out", follow_redirects=True)
    assert (
        "You have signed out. Any other device signed in to your account is signed out too"
        in response.get_data(as_text=True)
    )
    assert laptop.get("/lead/").status_code == 302


def test_a_cookie_from_before_a_password_change_stops_working(app, client, make_user, sign_in):
    user = make_user("member")
    sign_in(user)
    copy = app.test_client()
    _copy_of_cookie(client, copy)
    client.post(
        "/auth/change-password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "another password 2",
            "confirm_password": "another password 2",
        },
    )
    assert client.get("/my/").status_code == 200
    assert copy.get("/my/").status_code == 302


def _age_session(client, **seconds_ago: int) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] -= ago


@pytest.mark.parametrize(
    ("role", "start", "minutes"), [("lead", "/lead/", 30), ("member", "/my/", 60)]
)
def test_an_idle_session_ends_with_a_plain_message(
    client, make_user, sign_in, role, start, minutes
):
    user = make_user(role)
    sign_in(user)
    _age_session(client, **{SESSION_SEEN: (minutes - 1) * 60})
    assert client.get(start).status_code == 200  # still in time, and the clock restarts
    _age_session(client, **{SESSION_SEEN: minutes * 60 + 1})
    response = client.get(start)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"You were signed out because you had not used the service for {minutes} minutes" in html
    assert client.get(start).status_code == 302  # and it stays signed out


def test_a_session_ends_after_twelve_hours_however_busy(client, make_user, sign_in):
    sign_in(make_user("manager"))
    _age_session(client, **{SESSION_STARTED: 12 * 3600 + 1})
    response = client.get("/manager/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You were signed out because you had been signed in for 12 hours" in html
    assert "Sign in" in html


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_csrf_token_is_renewed_at_sign_in_and_sign_out(migrated_database, tmp_path, make_user):
    from panels.db import database

    user = make_user("member")
    app = make_test_app(migrated_database, str(tmp_path / "csrf"), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    before = _csrf_token(client.get("/auth/sign-in").get_data(as_text=True))
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    # A token from before signing in (which someone else may have planted) no longer works.
    assert client.post("/auth/sign-out", data={"csrf_token": before}).status_code == 400
    during = _csrf_token(client.get("/auth/change-password").get_data(as_text=True))
    assert during != before
    assert client.post("/auth/sign-out", data={"csrf_token": during}).status_code == 302
    after = _csrf_token(client.get("/auth/sign-in").get_data(as_text=True))
    assert after != during
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": during}
    )
    assert response.status_code == 400
    database(app).dispose()


def test_strict_transport_security_outside_debug_only(client, migrated_database, tmp_path):
    from panels.db import database

    assert "max-age=31536000" in client.get("/auth/sign-in").headers["Strict-Transport-Security"]
    debug_app = make_test_app(migrated_database, str(tmp_path / "debug"), DEBUG=True)
    assert "Strict-Transport-Security" not in debug_app.test_client().get("/auth/sign-in").headers
    database(debug_app).dispose()


def test_every_page_and_download_says_no_store(client, make_user, make_member, sign_in):
    make_member()
    sign_in(make_user("lead"))
    assert client.get("/lead/").headers["Cache-Control"] == "no-store"
    export = client.post("/register/export")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert export.headers["Cache-Control"] == "no-store"
    assert client.get("/auth/sign-in").headers["Cache-Control"] == "no-store"
