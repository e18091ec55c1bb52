"""Two-factor authentication: set-up, the second sign-in step, recovery codes, replay,
throttling, opting in and out, and an administrator's reset. These tests use the default
setting (two-factor required for leads, managers and administrators)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from models import AuditEvent, RecoveryCode, User
from panels.config import STAFF_ROLES
from tests.conftest import TEST_PASSWORD, TEST_TOTP_SECRET, current_totp


@pytest.fixture(autouse=True)
def _default_two_factor_setting(app):
    """The production default, rather than the test suite's password-only sign-in."""
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = STAFF_ROLES


def _password_step(client, user, password: str = TEST_PASSWORD):
    return client.post("/auth/sign-in", data={"email": user.email, "password": password})


def _forget_last_code(session, user_id: int) -> None:
    session.expire_all()
    session.get(User, user_id).totp_last_step = None
    session.commit()


def _actions(session) -> list[str]:
    session.expire_all()
    return [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_default_requires_two_factor_for_staff_only(tmp_path):
    from panels.config import load

    assert load(str(tmp_path), False, None, environ={})["TWO_FACTOR_REQUIRED_ROLES"] == (
        "lead",
        "manager",
        "admin",
    )
    environ = {"TWO_FACTOR_REQUIRED_ROLES": "admin, lead"}
    assert load(str(tmp_path), False, None, environ=environ)["TWO_FACTOR_REQUIRED_ROLES"] == (
        "admin",
        "lead",
    )


def test_staff_set_up_two_factor_at_their_first_sign_in(client, make_user, session):
    user = make_user("lead")
    response = _password_step(client, user)
    assert response.headers["Location"] == "/auth/sign-in/set-up-two-factor"

    page = client.get("/auth/sign-in/set-up-two-factor").get_data(as_text=True)
    assert "Set up two-factor authentication" in page
    assert 'src="data:image/svg+xml' in page
    grouped = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', page).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", grouped), grouped
    secret = grouped.replace(" ", "")
    # Reloading the page keeps the same secret (the app may have scanned it already).
    assert grouped in client.get("/auth/sign-in/set-up-two-factor").get_data(as_text=True)

    # Half signed in: no other page opens.
    assert client.get("/lead/").headers["Location"].startswith("/auth/sign-in")
    assert client.get("/auth/two-factor").headers["Location"].startswith("/auth/sign-in")

    wrong = client.post("/auth/sign-in/set-up-two-factor", data={"code": "000000"})
    assert "Enter the 6-digit code your authenticator app shows now" in wrong.get_data(as_text=True)
    done = client.post("/auth/sign-in/set-up-two-factor", data={"code": pyotp.TOTP(secret).now()})
    html = done.get_data(as_text=True)
    assert "Two-factor authentication is on" in html
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    assert client.get("/lead/").status_code == 200
    assert "two_factor_enabled" in _actions(session)

    # Stored encrypted, and the recovery codes only as digests.
    stored = session.get(User, user.id)
    assert secret not in stored.totp_secret
    hashes = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & set(hashes)


def test_sign_in_asks_for_the_code_after_the_password(client, make_user, session):
    user = make_user("manager", two_factor=True)
    response = _password_step(client, user)
    assert response.headers["Location"] == "/auth/sign-in/code"
    # The half-signed-in state opens nothing else.
    for url in ("/manager/", "/auth/change-password", "/auth/two-factor"):
        assert client.get(url).headers["Location"].startswith("/auth/sign-in"), url
    assert client.post("/auth/sign-out").headers["Location"].startswith("/auth/sign-in")

    wrong = client.post("/auth/sign-in/code", data={"code": "123456"})
    assert wrong.status_code == 200
    assert "Enter the current code from your authenticator app" in wrong.get_data(as_text=True)
    response = client.post("/auth/sign-in/code", data={"code": current_totp()})
    assert response.headers["Location"] == "/manager/"
    assert client.get("/manager/").status_code == 200


def test_the_second_step_keeps_where_the_user_was_going(client, make_user):
    user = make_user("admin", two_factor=True)
    client.post(
        "/auth/sign-in?next=/admin/users", data={"email": user.email, "password": TEST_PASSWORD}
    )
    response = client.post("/auth/sign-in/code", data={"code": current_totp()})
    assert response.headers["Location"] == "/admin/users"


def test_a_code_cannot_be_used_twice(client, make_user):
    user = make_user("lead", two_factor=True)
    code = current_totp()
    _password_step(client, user)
    assert client.post("/auth/sign-in/code", data={"code": code}).status_code == 302
    client.post("/auth/sign-out")
    _password_step(client, user)
    replay = client.post("/auth/sign-in/code", data={"code": code})
    assert replay.status_code == 200
    assert client.get("/lead/").status_code == 302


def test_a_recovery_code_works_once(client, make_user, session):
    user = make_user("lead", two_factor=True)
    recovery = user.recovery_codes[0]
    _password_step(client, user)
    response = client.post(
        "/auth/sign-in/code", data={"code": " " + recovery.upper().replace("-", " ")}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You used a recovery code" in page and "You have 9 left" in page
    assert "recovery_code_used" in _actions(session)
    client.post("/auth/sign-out")
    _password_step(client, user)
    again = client.post("/auth/sign-in/code", data={"code": recovery})
    assert again.status_code == 200
    assert "an unused recovery code" in again.get_data(as_text=True)


def test_code_attempts_are_throttled(client, make_user, session):
    user = make_user("lead", two_factor=True)
    _password_step(client, user)
    for _ in range(5):
        client.post("/auth/sign-in/code", data={"code": "000000"})
    _forget_last_code(session, user.id)
    response = client.post("/auth/sign-in/code", data={"code": current_totp()})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert client.get("/lead/").status_code == 302


def test_the_second_step_lapses_after_ten_minutes(client, make_user):
    user = make_user("lead", two_factor=True)
    _password_step(client, user)
    with client.session_transaction() as cookie_session:
        pending = cookie_session["two_factor_pending"]
        cookie_session["two_factor_pending"] = {**pending, "at": int(time.time()) - 601}
    response = client.post("/auth/sign-in/code", data={"code": current_totp()})
    assert response.headers["Location"] == "/auth/sign-in"
    assert client.get("/lead/").status_code == 302


def test_members_may_turn_two_factor_on_and_off(client, make_user, sign_in, session):
    user = make_user("member")
    sign_in(user)
    assert "Set up two-factor authentication" in client.get("/auth/two-factor").get_data(
        as_text=True
    )
    page = client.get("/auth/two-factor/set-up").get_data(as_text=True)
    secret = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', page).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    done = client.post("/auth/two-factor/set-up", data={"code": totp.now()})
    assert "Save your recovery codes" in done.get_data(as_text=True)
    client.post("/auth/sign-out")
    assert _password_step(client, user).headers["Location"] == "/auth/sign-in/code"
    _forget_last_code(session, user.id)
    assert client.post("/auth/sign-in/code", data={"code": totp.now()}).status_code == 302

    _forget_last_code(session, user.id)
    off = client.post("/auth/two-factor/turn-off", data={"code": totp.now()})
    assert off.headers["Location"] == "/auth/two-factor"
    assert "two_factor_disabled" in _actions(session)
    client.post("/auth/sign-out")
    assert _password_step(client, user).headers["Location"] == "/my/"


def test_staff_cannot_turn_two_factor_off(client, make_user, sign_in, session):
    user = make_user("lead", two_factor=True)
    sign_in(user)
    assert "cannot be turned off" in client.get("/auth/two-factor").get_data(as_text=True)
    _forget_last_code(session, user.id)
    response = client.post("/auth/two-factor/turn-off", data={"code": current_totp()})
    assert response.headers["Location"] == "/auth/two-factor"
    session.expire_all()
    assert session.get(User, user.id).has_two_factor


def test_new_recovery_codes_replace_the_old_ones(client, make_user, sign_in, session):
    user = make_user("manager", two_factor=True)
    sign_in(user)
    _forget_last_code(session, user.id)
    page = client.post("/auth/two-factor/recovery-codes", data={"code": current_totp()})
    new_codes = re.findall(r"<li><code>([a-z2-9-]{11})</code></li>", page.get_data(as_text=True))
    assert len(new_codes) == 10
    client.post("/auth/sign-out")
    _password_step(client, user)
    assert (
        client.post("/auth/sign-in/code", data={"code": user.recovery_codes[1]}).status_code == 200
    )
    assert client.post("/auth/sign-in/code", data={"code": new_codes[0]}).status_code == 302


def test_an_administrator_resets_two_factor(app, client, make_user, sign_in):
    # No `session` fixture here: its app context would make the two clients share `g`.
    from panels import db

    admin = make_user("admin", two_factor=True)
    lead = make_user("lead", two_factor=True)
    lead_client = app.test_client()
    sign_in(lead, client=lead_client)
    sign_in(admin)
    accounts = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{lead.id}/two-factor/reset" in accounts
    confirm = client.get(f"/admin/users/{lead.id}/two-factor/reset").get_data(as_text=True)
    assert "they are signed out on every device" in confirm
    response = client.post(f"/admin/users/{lead.id}/two-factor/reset")
    assert response.headers["Location"] == "/admin/users"
    with app.app_context():
        session = db.session()
        stored = session.get(User, lead.id)
        assert not stored.has_two_factor and stored.totp_secret is None
        codes = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == lead.id))
        assert codes.all() == []
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "two_factor_reset")
        ).one()
        assert event.subject_id == lead.id and event.actor == admin.email
    assert lead_client.get("/lead/").status_code == 302
    # The lead sets two-factor up again at the next sign-in.
    assert _password_step(lead_client, lead).headers["Location"] == (
        "/auth/sign-in/set-up-two-factor"
    )


def test_only_administrators_reset_two_factor(client, make_user, sign_in):
    lead = make_user("lead", two_factor=True)
    sign_in(make_user("manager", two_factor=True))
    assert client.post(f"/admin/users/{lead.id}/two-factor/reset").status_code == 403


def test_demo_accounts_skip_two_factor_and_say_so(runner, client, session):
    result = runner.invoke(args=["demo", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    assert "skip two-factor authentication" in result.output
    response = client.post(
        "/auth/sign-in", data={"email": "admin@demo.example", "password": "demo-pass-123"}
    )
    assert response.headers["Location"] == "/admin/"
    assert "Off (demo account)" in client.get("/admin/users").get_data(as_text=True)
    exempt = session.scalars(select(User.email).where(User.two_factor_exempt.is_(True))).all()
    assert sorted(exempt) == sorted(
        ["admin@demo.example", "manager@demo.example", "lead@demo.example", "member@demo.example"]
    )


def test_accounts_made_any_other_way_are_never_exempt(runner, session):
    result = runner.invoke(
        args=["create-user", "--email", "new@test.example", "--role", "admin"],
        input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert session.scalars(select(User)).one().two_factor_exempt is False
    assert TEST_TOTP_SECRET  # the fixtures' secret is only ever set by make_user
