"""Two-factor set-up and sign-in in a real browser, with axe-core on each page."""

from __future__ import annotations

import re

import pyotp
import pytest

from panels.config import STAFF_ROLES
from tests.e2e.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_a_lead_sets_up_two_factor_then_signs_in_with_a_recovery_code(page, live_server):
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.uow import Actor

    base_url, app = live_server
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = STAFF_ROLES
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, "lead@browser.example", "lead", PASSWORD)

    sign_in(page, base_url, "lead@browser.example")
    assert page.url == f"{base_url}/auth/sign-in/set-up-two-factor"
    assert_accessible(page)
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert page.get_by_role("heading", name="Save your recovery codes").is_visible()
    assert_accessible(page)
    codes = page.get_by_role("list", name="Recovery codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name=re.compile("I have saved my codes")).click()
    page.wait_for_url(f"{base_url}/lead/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill("lead@browser.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/auth/sign-in/code")
    assert_accessible(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/lead/")
    assert "You have 9 left" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"{base_url}/auth/two-factor")
    assert_accessible(page)
