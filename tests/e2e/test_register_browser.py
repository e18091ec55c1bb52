"""The register in a real browser: a lead adds a member by hand, with axe on every page."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_lead_adds_a_member_by_hand(page, demo_server):
    sign_in(page, demo_server, "lead@demo.example")
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="People register"
    ).click()
    assert page.get_by_role("heading", name="People register").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add a member").click()
    assert page.get_by_role("heading", name="Add a member").is_visible()
    assert_accessible(page)

    # Submit with mistakes first: the error summary lists them and links to the fields.
    page.get_by_label("Postcode (optional)").fill("NOT A POSTCODE")
    page.get_by_role("button", name="Save member").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a first name" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Preferred name (optional)").fill("Gracie")
    page.get_by_role("group", name="Date of birth (optional)").get_by_label("Day").fill("9")
    page.get_by_role("group", name="Date of birth (optional)").get_by_label("Month").fill("12")
    page.get_by_role("group", name="Date of birth (optional)").get_by_label("Year").fill("1956")
    page.get_by_label("Email address (optional)").fill("grace.hopper@example.org")
    page.get_by_label("Postcode (optional)").fill("ls1 4ap")
    page.get_by_label("Contact me about opportunities to take part").check()
    page.get_by_label("Use my equality information to select people for panels").check()
    page.get_by_label("Keep a record of my communication and access needs").check()
    page.get_by_label("Paper form").check()
    page.get_by_label("Large print").check()
    page.get_by_label("Hearing loop").check()
    page.get_by_role("group", name="What is your ethnic group?").get_by_label(
        "White: Irish"
    ).check()
    page.get_by_role("group", name="What is your sex?").get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Save member").click()

    assert page.get_by_role("heading", name="Gracie Hopper").is_visible()
    assert "Gracie Hopper has been added to the register." in page.content()
    content = page.locator("main").inner_text()
    assert "LS1 4AP" in content and "Large print" in content and "Hearing loop" in content
    assert "White: Irish" in content  # their answer
    assert_accessible(page)

    # Withdrawing consent asks first, says what will happen and how they told us.
    page.get_by_role("link", name=re.compile(r"^Withdraw\W+Contact me about opportunities")).click()
    assert page.get_by_role("heading", name=re.compile("^Withdraw consent to contact")).is_visible()
    assert "must not be contacted" in page.get_by_test_id("consent-effect").inner_text()
    assert_accessible(page)
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Withdraw consent").click()
    assert page.get_by_test_id("consent-contact").inner_text().strip() == "Not given"
    assert_accessible(page)

    page.get_by_role("link", name="Back to the register").click()
    page.get_by_label("Name or email").fill("hopper")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_test_id("result-count").inner_text().strip() == "1 person"
    assert_accessible(page)
