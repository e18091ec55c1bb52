"""Layout in a real browser at 320 CSS px wide (WCAG 1.4.10 reflow): the page never scrolls
sideways, every table scrolls in its own labelled, focusable region, and focus goes where an
error link says."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.browser

LONG_EMAIL = "margaret.featherstonehaugh-cholmondeley@a-very-long-council-domain.example.org"
HEADER = (
    "email,first_name,last_name,date_of_birth,postcode,ethnicity,"
    "consent_contact,consent_selection,consent_statistics,consent_access_needs"
)


@pytest.fixture
def narrow(browser):
    """A page 320 CSS px wide, with axe-core loaded."""
    from tests.e2e.conftest import AXE_SOURCE

    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.add_init_script(script=AXE_SOURCE.read_text())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def register_server(demo_server, live_server):
    """The demo accounts and a few members, one with a very long email address."""
    from panels.db import open_unit_of_work
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    _, app = live_server
    everything = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context():
        for i, email in enumerate([LONG_EMAIL, "ann@example.org", "bob@example.org"]):
            with open_unit_of_work(Actor.command_line(), app) as uow:
                member = create_member(
                    uow,
                    MemberInput(
                        first_name=["Margaret", "Ann", "Bob"][i],
                        last_name="Featherstonehaugh-Cholmondeley" if i == 0 else "Smith",
                        email=email,
                        phone="+44 20 7946 0000",
                        date_of_birth=date(1950 + i, 1, 31),
                        access_needs=["bsl", "step_free"],
                        access_needs_notes="Needs-a-long-unbroken-note-" * 3,
                        answers={"ethnicity": ["Caribbean"]},
                        consents=everything,
                    ),
                )
    return demo_server, member.id


def assert_reflows(page) -> None:
    """No sideways scrolling of the page; each table inside a labelled, focusable region."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        too_wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 320).slice(-3)
                .map(e => e.tagName + '.' + e.className)"""
        )
        pytest.fail(f"{page.url} is {width} px wide at a 320 px viewport; widest: {too_wide}")
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(table => {
            const region = table.closest('.app-table-scroll');
            if (!region) return {ok: false, why: 'not in a scrolling region'};
            const ids = (region.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
            const name = ids.map(id => document.getElementById(id)?.textContent.trim() || '')
                .join(' ') || region.getAttribute('aria-label') || '';
            return {
                ok: region.getAttribute('role') === 'region' && region.tabIndex === 0 && !!name,
                why: `role=${region.getAttribute('role')} tabindex=${region.tabIndex} name=${name}`,
                overflow: getComputedStyle(region).overflowX,
            };
        })"""
    )
    for table in tables:
        assert table["ok"], f"{page.url}: {table['why']}"
        assert table["overflow"] == "auto"
    assert_accessible(page)


def test_no_page_scrolls_sideways_at_320_px(narrow, register_server, tmp_path):
    base_url, member_id = register_server
    page = narrow
    sign_in(page, base_url, "lead@demo.example")
    for path in (
        "/lead/",
        "/register/",
        f"/register/members/{member_id}",
        f"/register/members/{member_id}/consent?purpose=access_needs",
        "/register/summary",
        "/register/members/new",
        "/accessibility",
        "/privacy",
        "/contact",
    ):
        page.goto(f"{base_url}{path}")
        assert_reflows(page)
    # The region can be reached and scrolled with the keyboard.
    page.goto(f"{base_url}/register/members/{member_id}")
    region = page.locator(".app-table-scroll").first
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('app-table-scroll')")

    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\n{LONG_EMAIL.replace('margaret', 'm2')},Cat,Brown,2023-02-30,B33 8TH,"
        "Martian-with-a-very-long-unbroken-name,yes,yes,yes,no\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"{HEADER}\n{LONG_EMAIL.replace('margaret', 'm3')},Cat,Brown,1970-01-31,B33 8TH,Indian,"
        "yes,yes,yes,no\n",
        encoding="utf-8",
    )
    for upload in (bad, good):
        page.goto(f"{base_url}/register/import")
        page.get_by_label("Upload a CSV file").set_input_files(str(upload))
        page.get_by_role("button", name="Check the file").click()
        page.get_by_role("heading", name=upload.name).wait_for()
        page.wait_for_load_state("load")
        assert_reflows(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/auth/sign-in")
    sign_in(page, base_url, "admin@demo.example")
    for path in ("/admin/", "/admin/users", "/admin/audit", "/admin/categories", "/admin/pages/"):
        page.goto(f"{base_url}{path}")
        assert_reflows(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/auth/sign-in")
    sign_in(page, base_url, "manager@demo.example")
    for path in ("/manager/", "/register/summary"):
        page.goto(f"{base_url}{path}")
        assert_reflows(page)


def test_the_date_error_link_moves_focus_to_the_date(page, register_server):
    base_url, _ = register_server
    sign_in(page, base_url, "lead@demo.example")
    page.goto(f"{base_url}/register/members/new")
    page.get_by_label("First name").fill("Dora")
    page.get_by_label("Last name").fill("Date")
    dob = page.get_by_role("group", name="Date of birth (optional)")
    dob.get_by_label("Day").fill("12")
    dob.get_by_label("Year").fill("1990")
    page.get_by_role("button", name="Save member").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Date of birth must include a month").click()
    assert page.evaluate("document.activeElement.id") == "date_of_birth-month"
    assert_accessible(page)


def test_the_audit_filter_error_moves_focus_to_its_field(page, register_server):
    base_url, _ = register_server
    sign_in(page, base_url, "admin@demo.example")
    page.goto(f"{base_url}/admin/audit?to=9999-12-31")
    assert page.title().startswith("Error: Audit log")
    page.locator(".govuk-error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "to"
    assert_accessible(page)
