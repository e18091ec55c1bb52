"""Importing a CSV of members in a real browser, with CSRF on: upload, preview, confirm,
and the list of problems; axe-core on every page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Member
from tests.e2e.conftest import assert_accessible
from tests.worker import running_worker

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-password"
HEADER = (
    "email,first_name,last_name,date_of_birth,postcode,ethnicity,"
    "consent_contact,consent_selection,consent_statistics,consent_access_needs"
)


@pytest.fixture
def lead_server(live_server):
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.uow import Actor

    base_url, app = live_server
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, "lead@browser.example", "lead", PASSWORD)
    return base_url, app


def members_in(app) -> int:
    from panels import db

    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Member))


def test_upload_preview_and_confirm(page, lead_server, tmp_path):
    base_url, app = lead_server
    good = tmp_path / "good.csv"
    good.write_text(
        f"{HEADER}\nann@example.org,Ann,Smith,1970-01-31,SW1A 1AA,British,yes,yes,yes,no\n"
        "bob@example.org,Bob,Jones,1985-06-15,M1 1AE,indian,yes,no,no,no\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\ncat@example.org,Cat,Brown,2023-02-30,B33 8TH,Martian,yes,yes,yes,no\n",
        encoding="utf-8",
    )
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill("lead@browser.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Import members"
    ).click()
    assert_accessible(page)
    page.get_by_role("button", name="Check the file").click()
    assert (
        page.locator(".govuk-error-summary").get_by_role("link", name="Select a CSV file").count()
        == 1
    )
    assert_accessible(page)

    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("h1").inner_text() == "bad.csv cannot be imported"
    rows = page.get_by_test_id("problems").locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").all_inner_texts()[:3] == ["2", "date_of_birth", "2023-02-30"]
    assert rows.nth(1).locator("td").all_inner_texts()[:3] == ["2", "ethnicity", "Martian"]
    assert_accessible(page)

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("h1").inner_text() == "Check the file good.csv"
    assert_accessible(page)
    assert members_in(app) == 0
    page.get_by_role("button", name="Import 2 members").click()
    with running_worker(app, tmp_path / "logs"):  # the import runs as a background job
        page.get_by_test_id("job-succeeded").wait_for(timeout=30_000)
    assert (
        "Imported 2 members from good.csv: 2 added, 0 updated."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert members_in(app) == 2
    assert_accessible(page)
