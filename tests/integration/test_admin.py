"""Administration: the audit log and organisation-defined categories."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEvent


def test_audit_log_lists_and_filters_events(app, client, make_user, sign_in, make_member):
    lead = make_user("lead")
    member = make_member(ethnicity="Indian")
    lead_client = app.test_client()
    lead_client.post(
        "/auth/sign-in", data={"email": lead.email, "password": "correct horse battery"}
    )
    lead_client.get(f"/register/members/{member.id}")

    sign_in(make_user("admin"))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert re.search(r'data-testid="audit-count">2 events', html)
    assert "Viewed equality information" in html and lead.email in html
    html = client.get("/admin/audit?action=view_characteristics").get_data(as_text=True)
    assert re.search(r'data-testid="audit-count">1 event<', html)
    html = client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert re.search(r'data-testid="audit-count">0 events', html)
    response = client.get("/admin/audit?from=yesterday")
    assert response.status_code == 400
    assert "From date &#39;yesterday&#39; is not a real date; enter it as YYYY-MM-DD" in (
        response.get_data(as_text=True)
    )


def test_every_audit_event_can_be_read_page_by_page(app, client, make_user, sign_in, session):
    with app.app_context():
        for i in range(230):
            session.add(
                AuditEvent(
                    actor="command line",
                    action="export",
                    subject_type="member",
                    subject_id=None,
                    record_count=i,
                    details={},
                )
            )
        session.commit()
    sign_in(make_user("admin"))
    html = client.get("/admin/audit?action=export").get_data(as_text=True)
    assert re.search(r'data-testid="audit-count">230 events, newest first: 1 to 100<', html)
    href = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "action=export" in href and "page=2" in href
    last = client.get(href.replace("page=2", "page=3")).get_data(as_text=True)
    assert re.search(r'data-testid="audit-count">230 events, newest first: 201 to 230<', last)
    counts = re.findall(r'govuk-table__cell--numeric">(\d+)<', last)
    assert sorted(map(int, counts)) == list(range(30)), "the oldest 30 events are on the last page"
    assert client.get("/admin/audit?page=two").status_code == 400


def test_admin_adds_a_local_area_that_the_register_then_offers(
    app, client, make_user, sign_in, session
):
    sign_in(make_user("admin"))
    response = client.post(
        "/admin/categories/local_area", data={"code": "North Ward", "label": "North Ward"}
    )
    assert response.status_code == 302
    again = client.post(
        "/admin/categories/local_area", data={"code": "north ward", "label": "Again"}
    )
    assert "already has a category &#39;North Ward&#39;" in again.get_data(as_text=True)
    derived = client.get("/admin/categories/ethnicity_5").get_data(as_text=True)
    assert "cannot be added here" in derived
    assert session.scalars(select(AuditEvent.action)).all() == ["taxonomy"]

    client.post("/auth/sign-out")
    sign_in(make_user("lead"))
    form = client.get("/register/members/new").get_data(as_text=True)
    assert 'value="North Ward"' in form
    assert client.get("/register/?f_local_area=north%20ward").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("to=9999-12-31", "to", "To date &#39;9999-12-31&#39; is in the future"),
        ("from=2026-02-30", "from", "From date &#39;2026-02-30&#39; is not a real date"),
        ("from=2025-05-02&to=2025-05-01", "to", "To date must be the same as or after the From"),
        ("action=explode", "action", "What &#39;explode&#39; is not something the audit log"),
    ],
)
def test_a_bad_audit_filter_is_a_form_error_on_its_field(
    app, client, make_user, sign_in, query, field, message
):
    sign_in(make_user("admin"))
    response = client.get(f"/admin/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Audit log" in html
    assert re.search(rf'<a href="#{field}">{message}', html), html
    assert f'id="{field}-error"' in html  # the message is beside the field too
    assert f'id="{field}" name="{field}"' in html


def test_the_audit_filter_keeps_its_values_and_the_to_day_is_included(
    app, client, make_user, sign_in, make_member
):
    from datetime import date

    make_member()
    sign_in(make_user("admin"))
    today = date.today().isoformat()
    html = client.get(f"/admin/audit?action=create_member&from={today}&to={today}").get_data(
        as_text=True
    )
    assert re.search(r'data-testid="audit-count">1 event<', html)
    assert f'value="{today}"' in html
    assert '<option value="create_member" selected' in html


def test_admins_read_the_outbox_and_its_bodies_only_while_mail_stays_there(
    app, client, make_user, sign_in, migrated_database, tmp_path
):
    from models import OutboxMessage
    from panels.db import database
    from tests.conftest import TEST_PASSWORD, make_test_app

    # No `session` fixture: its app context would share the signed-in user between clients.
    with database(app).sessionmaker() as writer:
        writer.add(
            OutboxMessage(recipient="sam@example.org", subject="You are invited", body="A link")
        )
        writer.commit()
    admin = make_user("admin")
    sign_in(admin)
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "You are invited" in html and "sam@example.org" in html and "A link" in html
    sending = make_test_app(migrated_database, str(tmp_path / "send"), MAIL_OUTBOX_ONLY=False)
    other = sending.test_client()
    other.post("/auth/sign-in", data={"email": admin.email, "password": TEST_PASSWORD})
    html = other.get("/admin/outbox").get_data(as_text=True)
    assert "You are invited" in html and "A link" not in html
    assert "bodies are not shown" in html.lower()
    lead, lead_client = make_user("lead"), app.test_client()
    lead_client.post("/auth/sign-in", data={"email": lead.email, "password": TEST_PASSWORD})
    assert lead_client.get("/admin/outbox").status_code == 403
    database(sending).dispose()
