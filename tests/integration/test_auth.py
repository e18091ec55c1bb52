"""Signing in, throttling, changing and resetting passwords."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import OutboxMessage, ThrottleCounter, User
from tests.conftest import TEST_PASSWORD


def test_passwords_are_stored_as_argon2id_hashes(make_user, session):
    user = make_user("member")
    stored = session.get(User, user.id)
    assert stored.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored.password_hash


def test_sign_in_goes_to_the_role_start_page_and_shows_who_is_signed_in(client, make_user):
    user = make_user("manager")
    response = client.post(
        "/auth/sign-in", data={"email": user.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/manager/"
    page = client.get("/manager/").get_data(as_text=True)
    assert "Signed in as" in page and "(Manager)" in page


def test_sign_in_follows_next_only_on_this_site(client, make_user):
    user = make_user("admin")
    data = {"email": user.email, "password": TEST_PASSWORD}
    response = client.post("/auth/sign-in?next=/admin/users", data=data)
    assert response.headers["Location"] == "/admin/users"
    client.post("/auth/sign-out")
    response = client.post("/auth/sign-in?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/admin/"


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user):
    user = make_user("lead")
    wrong = client.post("/auth/sign-in", data={"email": user.email, "password": "not the password"})
    unknown = client.post(
        "/auth/sign-in", data={"email": "nobody@test.example", "password": "whatever"}
    )
    message = "Enter a correct email address and password"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert "Error: Sign in" in wrong.get_data(as_text=True)


def test_empty_sign_in_form_shows_error_summary(client):
    html = client.post("/auth/sign-in", data={}).get_data(as_text=True)
    assert "There is a problem" in html
    assert 'href="#email"' in html and "Enter your email address" in html
    assert 'href="#password"' in html


def test_five_failures_lock_the_account_for_the_window(app, client, make_user, session):
    user = make_user("lead")
    for _ in range(5):
        client.post("/auth/sign-in", data={"email": user.email, "password": "bad password"})
    response = client.post("/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts to sign in. Wait 15 minutes" in response.get_data(as_text=True)
    assert client.get("/lead/").status_code == 302  # still signed out

    # Once the window is over, the right password works again.
    for counter in session.scalars(select(ThrottleCounter)):
        counter.window_started_at -= timedelta(minutes=16)
    session.commit()
    response = client.post("/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_failures_from_one_address_are_throttled_across_accounts(client, make_user):
    users = [make_user("member") for _ in range(2)]
    for i in range(5):
        client.post("/auth/sign-in", data={"email": f"guess{i}@test.example", "password": "x"})
    response = client.post(
        "/auth/sign-in", data={"email": users[0].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    other_address = client.post(
        "/auth/sign-in",
        data={"email": users[1].email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other_address.status_code == 302


def test_sign_out_ends_the_session(client, make_user, sign_in):
    sign_in(make_user("member"))
    assert client.get("/my/").status_code == 200
    client.post("/auth/sign-out")
    assert client.get("/my/").status_code == 302


def test_change_password_signs_out_other_sessions(app, client, make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    other = app.test_client()
    other.post("/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert other.get("/lead/").status_code == 200

    bad = client.post(
        "/auth/change-password",
        data={
            "current_password": "wrong",
            "new_password": "a new password 1",
            "confirm_password": "a new password 1",
        },
    )
    assert "Your current password is not correct" in bad.get_data(as_text=True)

    response = client.post(
        "/auth/change-password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a new password 1",
            "confirm_password": "a new password 1",
        },
    )
    assert response.status_code == 302
    assert client.get("/lead/").status_code == 200
    assert other.get("/lead/").status_code == 302
    client.post("/auth/sign-out")
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": "a new password 1"}
    )
    assert response.status_code == 302


def test_new_password_rules_are_explained(client, make_user, sign_in):
    sign_in(make_user("lead"))
    html = client.post(
        "/auth/change-password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "short",
            "confirm_password": "other",
        },
    ).get_data(as_text=True)
    assert "Password must be at least 10 characters long" in html
    assert "The passwords do not match" in html


def _reset_link(session, email: str) -> str:
    message = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, "no reset message in the outbox"
    return re.search(r"http://localhost(/auth/reset-password/\S+)", message.body).group(1)


def test_password_reset_works_once(client, make_user, session):
    user = make_user("member")
    response = client.post("/auth/reset-password", data={"email": user.email})
    assert "Check your email" in response.get_data(as_text=True)
    link = _reset_link(session, user.email)

    form = {"new_password": "brand new password", "confirm_password": "brand new password"}
    assert client.post(link, data=form).status_code == 302
    assert (
        client.post(
            "/auth/sign-in", data={"email": user.email, "password": "brand new password"}
        ).status_code
        == 302
    )
    client.post("/auth/sign-out")

    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_password_reset_link_expires(app, client, make_user, session, monkeypatch):
    user = make_user("member")
    client.post("/auth/reset-password", data={"email": user.email})
    link = _reset_link(session, user.email)
    import itsdangerous.timed

    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real_now(self) + 61 * 60
    )
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, session):
    response = client.post("/auth/reset-password", data={"email": "nobody@test.example"})
    assert "Check your email" in response.get_data(as_text=True)
    assert session.scalars(select(OutboxMessage)).all() == []


def test_tampered_reset_token_is_refused(client):
    response = client.get("/auth/reset-password/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["member", "lead", "manager", "admin"])
def test_each_role_has_a_start_page_that_says_what_it_is_for(client, make_user, sign_in, role):
    user = make_user(role)
    location = sign_in(user).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">' in html
    assert "<li>" in html  # each start page lists what it offers or will offer


def test_reset_requests_are_throttled_per_email_and_per_address(client, make_user):
    user = make_user("member")
    for _ in range(3):
        assert client.post("/auth/reset-password", data={"email": user.email}).status_code == 200
    response = client.post("/auth/reset-password", data={"email": user.email})
    assert response.status_code == 429
    assert "Too many requests to reset a password" in response.get_data(as_text=True)
    for i in range(7):  # ten from this address in all
        client.post("/auth/reset-password", data={"email": f"someone{i}@test.example"})
    response = client.post("/auth/reset-password", data={"email": "another@test.example"})
    assert response.status_code == 429
    elsewhere = client.post(
        "/auth/reset-password",
        data={"email": "another@test.example"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert elsewhere.status_code == 200


def test_current_password_check_is_throttled(client, make_user, sign_in):
    sign_in(make_user("member"))
    form = {"new_password": "a new password 1", "confirm_password": "a new password 1"}
    for _ in range(5):
        response = client.post("/auth/change-password", data={"current_password": "wrong", **form})
        assert "Your current password is not correct" in response.get_data(as_text=True)
    response = client.post(
        "/auth/change-password", data={"current_password": TEST_PASSWORD, **form}
    )
    assert response.status_code == 429
    assert "Too many wrong current passwords" in response.get_data(as_text=True)
