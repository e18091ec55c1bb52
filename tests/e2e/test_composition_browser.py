"""Representativeness and building a panel by hand in a real browser: axe-clean pages, a
chart with an accessible name, and adding someone to the shortlist with the keyboard only."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.browser


def _seed(app) -> int:
    """A project with target shares for sex and ethnic group, and eight eligible members."""
    from panels.db import open_unit_of_work
    from panels.projects import service
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    people = [
        ("Sam", "Okafor", "Male", "African"),
        ("Priya", "Shah", "Female", "Indian"),
        ("Grace", "Hill", "Female", "British"),
        ("Tom", "Reid", "Male", "British"),
        ("Ana", "Silva", "Female", "Other White"),
        ("Joe", "Bloggs", "Male", "British"),
        ("Mary", "Jones", "Female", "Caribbean"),
        ("Li", "Chen", "Female", "Chinese"),
    ]
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for first, last, sex, ethnicity in people:
            create_member(
                uow,
                MemberInput(
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}@members.example",
                    date_of_birth=date(1970, 5, 5),
                    answers={"sex": [sex], "ethnicity": [ethnicity]},
                    consents={p: True for p in ("contact", "selection", "statistics")},
                ),
            )
        project = service.create_project(
            uow,
            service.ProjectInput(
                title="Direct payments support",
                purpose="Make direct payments easier to manage",
                level="individual",
            ),
        )
        service.set_builtin_target(uow, project.id, "england-and-wales")
        service.choose_dimensions(uow, project.id, ["sex", "ethnicity_5"])
        service.set_eligibility(uow, project.id, {})
        service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
        return project.id


def _tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text (or label) contains ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.textContent || document.activeElement.value || '')"
            ".replace(/\\s+/g, ' ').trim()"
        )
        if name in focused:
            return
    raise AssertionError(f"no element with {name!r} was reached with the Tab key")


def test_lead_builds_a_panel_by_hand_with_the_keyboard(page, live_server, demo_server):
    _, app = live_server
    project_id = _seed(app)
    sign_in(page, demo_server, "lead@demo.example")
    page.goto(f"{demo_server}/projects/{project_id}/shortlist")
    assert page.get_by_role("heading", name="Build the panel by hand").is_visible()
    assert_accessible(page)

    # Keyboard only: Tab to the search box, type, Enter; Tab to an Add button, Enter.
    _tab_to(page, "Search")  # the search button comes after the box: step back to the box
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") == "q"
    page.keyboard.type("okafor")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=okafor**")
    assert page.get_by_role("heading", name="1 person matches “okafor”").is_visible()
    assert_accessible(page)
    _tab_to(page, "Add Sam Okafor to the shortlist")
    page.keyboard.press("Enter")
    page.wait_for_url("**added=**")
    assert "Sam Okafor is on the shortlist." in page.content()
    assert page.locator("#shortlist-count").inner_text().startswith("1 person of the 4 seats")
    chart = page.get_by_role("img", name="Sex: the panel's share of each group against the target")
    assert chart.is_visible()
    assert_accessible(page)


def test_representativeness_page_is_accessible_with_a_named_chart(page, live_server, demo_server):
    _, app = live_server
    project_id = _seed(app)
    from sqlalchemy import select

    from models import Member
    from panels.db import open_unit_of_work
    from panels.projects import shortlist
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for member_id in uow.session.scalars(select(Member.id).order_by(Member.id).limit(3)):
            shortlist.add_to_shortlist(uow, project_id, member_id)
    sign_in(page, demo_server, "manager@demo.example")
    page.goto(f"{demo_server}/projects/{project_id}/representativeness")
    assert page.get_by_role("heading", name="How well the panel reflects the population")
    chart = page.get_by_role(
        "img", name="Ethnic group (5 groups): the panel's share of each group against the target"
    )
    assert chart.is_visible()
    assert "fewer than 5" in page.locator("main").inner_text()  # a manager: small counts hidden
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 320
    assert_accessible(page)
