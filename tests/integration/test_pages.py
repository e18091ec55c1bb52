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
    assert 'href="/projects/new"' in done
    assert "register" not in coming.split("</ul>")[0].lower()
    assert "projects" not in coming.split("</ul>")[0].lower()
    assert "Coming next" not in html


# --- service pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "title", "says"),
    [
        ("/accessibility", "Accessibility statement", "WCAG 2.2 A and AA rules"),
        ("/privacy", "Privacy notice", "special category information"),
        ("/contact", "Contact us", "Contact the co-production team"),
    ],
)
def test_service_pages_are_public_and_linked_from_every_footer(client, url, title, says):
    html = client.get(url).get_data(as_text=True)
    assert title_of(html) == f"{title} – Co-production Panels"
    assert says in html
    sign_in_page = client.get("/auth/sign-in").get_data(as_text=True)
    footer = sign_in_page[sign_in_page.index("<footer") :]
    assert f'href="{url}"' in footer


def test_default_pages_say_what_a_council_must(client):
    accessibility = client.get("/accessibility").get_data(as_text=True)
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "How we tested this website",
    ):
        assert heading in accessibility
    assert "axe-core" in accessibility and "keyboard" in accessibility
    privacy = client.get("/privacy").get_data(as_text=True)
    for words in (
        "your ethnic group",
        "your religion or belief",
        "your sexual orientation",
        "your health, including disability",
        "Our lawful bases are to be confirmed",
        "How long we keep it",
        "Your rights",
        "Information Commissioner",
    ):
        assert words in privacy


def test_an_admin_changes_a_page_safely_and_it_is_audited(app, client, make_user, sign_in, session):
    admin = make_user("admin")
    sign_in(admin)
    form = client.get("/admin/pages/contact").get_data(as_text=True)
    assert "Contact the co-production team" in form  # starts from the current wording
    body = (
        "## Email\n\nWrite to [the team](mailto:team@council.example).\n\n"
        "- Monday to Friday\n- 9am to 5pm\n\nPlain <script> text"
    )
    refused = client.post("/admin/pages/contact", data={"title": "Contact us", "body": body})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "<title>Error: Change Contact us" in html
    assert '<a href="#body">Page text cannot contain HTML such as &#39;&lt;script&gt;&#39;' in html

    bad_link = body.replace("<script>", "").replace("mailto:team@council.example", "javascript:x")
    html = client.post(
        "/admin/pages/contact", data={"title": "Contact us", "body": bad_link}
    ).get_data(as_text=True)
    assert "The link address &#39;javascript:x&#39; is not allowed" in html

    body = body.replace(" <script>", "")
    done = client.post("/admin/pages/contact", data={"title": "Contact the team", "body": body})
    assert done.status_code == 302 and done.headers["Location"] == "/contact"
    page = client.get("/contact").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">Email</h2>' in page
    assert '<a class="govuk-link" href="mailto:team@council.example">the team</a>' in page
    assert "<li>Monday to Friday</li><li>9am to 5pm</li>" in page
    assert "Last updated" in page and title_of(page).startswith("Contact the team")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit_page")).one()
    assert event.user_id == admin.id
    assert event.details == {"slug": "contact", "changed": ["title", "body"]}
    # Saving the same words again changes nothing and writes no event.
    client.post("/admin/pages/contact", data={"title": "Contact the team", "body": body})
    assert len(session.scalars(select(AuditEvent)).all()) == 1


def test_only_admins_change_pages(app, client, make_user, sign_in):
    sign_in(make_user("lead"))
    assert client.get("/admin/pages/").status_code == 403
    assert client.post("/admin/pages/privacy", data={"title": "x", "body": "y"}).status_code == 403
    assert client.get("/accessibility").status_code == 200
    assert client.get("/nonsense-page").status_code == 404


def test_page_text_never_becomes_html():
    from panels.pages.text import render

    html = str(
        render('<img src=x onerror="alert(1)">\n\n[x](javascript:alert)\n\n[y](//evil.example)')
    )
    assert "<img" not in html and "&lt;img" in html
    assert 'href="javascript' not in html and 'href="//evil' not in html
