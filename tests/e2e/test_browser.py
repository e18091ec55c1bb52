"""The pages people use, in a real browser: sign-in for each role, navigation,
error summaries, keyboard-only use, and axe-core on every page visited."""

from __future__ import annotations

import pytest

from panels.demo import DEMO_ACCOUNTS
from tests.e2e.conftest import PASSWORD, assert_accessible, axe_violations

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(
    ("email", "role", "name"), DEMO_ACCOUNTS, ids=[a[1] for a in DEMO_ACCOUNTS]
)
def test_each_demo_role_signs_in_and_follows_the_navigation(page, demo_server, email, role, name):
    page.goto(demo_server)
    assert_accessible(page)
    sign_in(page, demo_server, email)
    assert page.get_by_test_id("signed-in-as").inner_text().startswith(f"Signed in as {name}")
    assert_accessible(page)

    navigation = page.get_by_role("navigation", name="Main menu")
    links = [
        (link.inner_text().strip(), link.get_attribute("href"))
        for link in navigation.get_by_role("link").all()
    ]
    assert len(links) >= 2
    for text, href in links:
        page.goto(f"{demo_server}{href}")
        assert page.locator("h1").count() == 1, f"{text} has no single heading"
        current = navigation.locator("[aria-current=page]")
        assert current.inner_text().strip() == text
        assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    assert "You have signed out." in page.content()
    page.goto(f"{demo_server}{links[0][1]}")
    assert "/auth/sign-in" in page.url


def test_a_failed_form_shows_an_error_summary_that_links_to_the_field(page, demo_server):
    page.goto(f"{demo_server}/auth/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert summary.get_by_role("link", name="Enter your email address").is_visible()
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter your email address").click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert_accessible(page)

    page.get_by_label("Email address").fill("lead@demo.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "Enter a correct email address and password" in summary.inner_text()
    assert_accessible(page)


def test_sign_in_with_the_keyboard_only(page, demo_server):
    page.goto(f"{demo_server}/auth/sign-in")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("manager@demo.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{demo_server}/manager/")
    assert "Signed in as Morgan Manager" in page.get_by_test_id("signed-in-as").inner_text()


def test_skip_link_moves_to_main_content(page, demo_server):
    page.goto(f"{demo_server}/auth/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_password_reset_pages_are_accessible(page, demo_server):
    page.goto(f"{demo_server}/auth/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("member@demo.example")
    page.get_by_role("button", name="Send reset link").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(page)


def test_the_accessibility_check_can_fail(page):
    """Guard against a vacuous check: axe must report a page with known problems."""
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    ids = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "html-has-lang", "label"} <= ids
