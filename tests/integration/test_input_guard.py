"""Control characters are refused wherever input enters, with the field named (never a 500)."""

from __future__ import annotations

import pytest


@pytest.fixture
def lead_client(client, make_user, sign_in):
    sign_in(make_user("lead"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/register/?q=Ann%00",
        "/register/?f_sex=Female%00",
        "/register/?%00=x",
    ],
)
def test_a_nul_in_a_query_string_is_refused_by_name(lead_client, url):
    response = lead_client.get(url)
    assert response.status_code == 400
    assert "contains a control character (U+0000); remove it" in response.get_data(as_text=True)


def test_a_control_character_in_a_form_is_refused_and_nothing_is_written(lead_client, session):
    from sqlalchemy import func, select

    from models import Member

    response = lead_client.post(
        "/register/members/new",
        data={"first_name": "Ann\x07", "last_name": "Smith", "consent_method": "paper"},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The field &#39;first_name&#39; contains a control character (U+0007)" in text
    assert session.scalar(select(func.count()).select_from(Member)) == 0


def test_line_breaks_are_allowed_in_forms(lead_client):
    response = lead_client.post(
        "/register/members/new",
        data={"first_name": "Ann", "last_name": "Smith", "address": "1 High St\r\nLeeds"},
    )
    assert response.status_code != 400 or "control character" not in response.get_data(as_text=True)


def test_an_anonymous_request_is_checked_too(client):
    response = client.post("/auth/sign-in", data={"email": "a@b.example\x00", "password": "x"})
    assert response.status_code == 400
    assert "U+0000" in response.get_data(as_text=True)
