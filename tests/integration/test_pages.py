"""Pages that say where the user is, and the service pages every council service needs:
the accessibility statement, the privacy notice and the contact page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEvent


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --- titles --------------------------------------------------------------------------------


def test_each_page_title_says_where_the_user_is(app, make_user, make_member):
    for i in range(60):
        make_member(first_name=f"P{i:02}", sex="Female" if i < 12 else "Male")
    seen: dict[str, str] = {}

    def visit(client, url: str, expected: str) -> None:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        title = title_of(response.get_data(as_text=True))
        assert title == f"{expected} – Co-production Panels", url
        assert title not in seen, f"{url} has the same title as {seen.get(title)}"
        seen[title] = url

    clients = {}
    for role in ("lead", "manager", "admin"):
        user = make_user(role)
        clients[role] = app.test_client()
        clients[role].post(
            "/auth/sign-in", data={"email": user.email, "password": "correct horse battery"}
        )
    lead = clients["lead"]
    visit(lead, "/lead/", "Your start page – Engagement lead")
    visit(clients["manager"], "/manager/", "Your start page – Manager")
    visit(clients["admin"], "/admin/", "Your start page – Administrator")
    visit(lead, "/register/", "People register (60 people, page 1 of 2)")
    visit(lead, "/register/?page=2", "People register (60 people, page 2 of 2)")
    visit(lead, "/register/?f_sex=Female", "People register (filtered: 12 people)")
    visit(lead, "/register/?q=P01", "People register (filtered: 1 person)")
    visit(lead, "/register/summary", "Register in numbers")
    visit(lead, "/register/members/new", "Add a member – People register")
    visit(lead, "/register/members/999999", "Error: Page not found")


def test_start_pages_lead_into_what_exists_and_say_what_is_coming(app, client, make_user, sign_in):
    sign_in(make_user("lead"))
    html = client.get("/lead/").get_data(as_text=True)
    done, coming = html.split("Not available yet")
    assert 'href="/register/"' in done and 'href="/register/summary"' in done
    assert "register" not in coming.split("</ul>")[0].lower()
    assert "Coming next" not in html
