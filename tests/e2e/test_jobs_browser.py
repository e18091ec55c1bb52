"""A job's page in a real browser with a real worker: the progress bar and its status line
update in place, the outcome appears without a reload, and axe-core finds nothing."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import assert_accessible
from tests.worker import running_worker

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-password"
HEADER = (
    "email,first_name,last_name,date_of_birth,postcode,ethnicity,"
    "consent_contact,consent_selection,consent_statistics,consent_access_needs"
)


@pytest.fixture
def lead(live_server):
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.uow import Actor

    _base_url, app = live_server
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        return create_user(uow, "lead@browser.example", "lead", PASSWORD)


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill("lead@browser.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_progress_bar_moves_and_the_outcome_appears(page, live_server, lead, tmp_path):
    from panels.db import open_unit_of_work
    from panels.jobs.check import CHECK_KIND
    from panels.jobs.service import start_job
    from panels.uow import Actor

    base_url, app = live_server
    with app.app_context(), open_unit_of_work(Actor.for_user(lead), app) as uow:
        job_id = start_job(uow, CHECK_KIND, {"seconds": 4}).id
    sign_in(page, base_url)
    with running_worker(app, tmp_path / "logs") as worker:
        page.goto(f"{base_url}/jobs/{job_id}")
        status = page.get_by_test_id("job-status")
        assert status.get_attribute("aria-live") == "polite"
        bar = page.get_by_role("progressbar", name="Progress")
        # Polled by frontend/app.mjs: the bar and the "N of M" line change with no reload.
        page.wait_for_function(
            "() => /Waiting: [1-3] of 4\\./"
            ".test(document.querySelector('#job-status').textContent)",
            timeout=20_000,
        )
        assert bar.get_attribute("max") == "4"
        assert int(bar.evaluate("bar => bar.value")) in (1, 2, 3)
        assert page.get_by_role("button", name="Check progress").is_visible()
        assert_accessible(page)
        banner = page.get_by_test_id("job-succeeded")
        banner.wait_for(timeout=20_000)
        assert "ran this check for 4 seconds" in banner.inner_text(), worker.output()
        assert status.inner_text().startswith("Finished.")
        assert not page.get_by_role("button", name="Check progress").is_visible()
        assert not bar.is_visible()
        assert_accessible(page)


def test_an_import_through_the_upload_page_runs_as_a_job(page, live_server, lead, tmp_path):
    base_url, app = live_server
    good = tmp_path / "good.csv"
    good.write_text(
        f"{HEADER}\nann@example.org,Ann,Smith,1970-01-31,SW1A 1AA,British,yes,yes,yes,no\n",
        encoding="utf-8",
    )
    sign_in(page, base_url)
    page.goto(f"{base_url}/register/import")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 1 member").click()
    assert re.search(r"/jobs/\d+$", page.url)
    assert page.locator("h1").inner_text() == "Import members"
    assert page.get_by_test_id("job-status").inner_text() == (
        "Waiting for a background worker to start this job."
    )
    assert_accessible(page)
    with running_worker(app, tmp_path / "logs"):
        banner = page.get_by_test_id("job-succeeded")
        banner.wait_for(timeout=30_000)
    assert "Imported 1 member from good.csv: 1 added, 0 updated." in banner.inner_text()
    banner.get_by_role("link", name="Go to the people register").click()
    assert page.locator("h1").inner_text() == "People register"
