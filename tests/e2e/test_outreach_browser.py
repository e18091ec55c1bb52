"""A manager in a real browser, axe-core on every page: the outreach page shows a group the
register falls short on, the partner who reaches it is suggested, and an outreach action
through that partner is logged in one step, from the keyboard."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.browser
MANAGER = "manager@outreach.example"
CARERS = "Provides 50 or more hours unpaid care a week"


@pytest.fixture
def register(live_server):
    """A manager, a partner that reaches carers doing the heaviest caring, and a register
    with no such carers on it."""
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.outreach.partners import PartnerInput, create_partner
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    _base_url, app = live_server
    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, MANAGER, "manager", PASSWORD, "Morgan Manager")
        for n in range(40):
            create_member(
                uow,
                MemberInput(
                    first_name=f"Person{n}",
                    last_name="Outreach",
                    email=f"person{n}@outreach.example",
                    date_of_birth=date(1940 + n, 5, 1),
                    answers={"unpaid_carer": ["Provides no unpaid care"]},
                    consents=dict(consents),
                ),
            )
        create_partner(
            uow,
            PartnerInput(
                name="Carers Together",
                contact_name="Sam Patel",
                reaches={"unpaid_carer": [CARERS]},
                consent_to_contact=True,
            ),
        )
    return app


def test_a_manager_follows_a_suggestion_and_logs_an_outreach_action(page, live_server, register):
    base_url, _app = live_server
    sign_in(page, base_url, MANAGER)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Outreach").click()
    assert page.get_by_role("heading", name="Outreach", exact=True).is_visible()
    assert "Unpaid carer: Yes, 50 or more hours a week" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Partners who reach Yes, 50 or more hours a week").first.click()
    assert page.get_by_role("heading", name="Partners who reach Yes, 50 or more hours a week")
    assert "1. Carers Together" in page.content()
    assert "Reaches this group" in page.content()
    assert_accessible(page)

    link = page.get_by_role("button", name="Log an outreach action through Carers Together")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Group aimed at: Unpaid carer: Yes, 50 or more hours a week" in page.content()
    assert_accessible(page)
    page.get_by_label("A talk or stall at the organisation's group or event").check()
    page.get_by_label("What was done").fill("A talk at the carers' coffee morning, 15 people")
    page.get_by_role("button", name="Log the outreach action").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "The outreach action through Carers Together has been logged." in page.content()
    table = page.get_by_role("region", name="1 outreach action")
    assert "A talk at the carers' coffee morning, 15 people" in table.inner_text()
    assert "Unpaid carer: Yes, 50 or more hours a week" in table.inner_text()
    assert_accessible(page)

    # The public joining form, as someone reached by the outreach would see it.
    page.goto(f"{base_url}/join/")
    assert page.get_by_role("heading", name="Join our people register").is_visible()
    assert_accessible(page)


@pytest.fixture
def impact_data(demo_server, live_server):
    """A partner with a waiting joining request, and a closed project whose panel includes
    the demo member's own member record."""
    from sqlalchemy import select

    from models import Invitation, Member, Project, User
    from panels.db import open_unit_of_work
    from panels.outreach import joining
    from panels.outreach.partners import PartnerInput, create_partner
    from panels.projects.invitations import close_project
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    _base_url, app = live_server
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        partner = create_partner(uow, PartnerInput(name="Carers Together", consent_to_contact=True))
        joining.submit_join_request(
            uow,
            joining.JoinInput(
                first_name="Ada",
                last_name="Okafor",
                email="ada@people.example",
                preferred_contact="email",
                consents={"contact": True},
            ),
            partner.links[0].token,
            "browser-test",
        )
        with uow:
            member = create_member(
                uow, MemberInput(first_name="Mo", last_name="Member", consents={"contact": True})
            )
            user = uow.session.scalar(select(User).where(User.email == "member@demo.example"))
            uow.session.get(Member, member.id).user_id = user.id
            project = Project(
                title="Carers' short breaks",
                purpose="Design short breaks with carers",
                level="operational",
                status="running",
                eligibility={"filters": {}},
            )
            uow.session.add(project)
            uow.session.flush()
            uow.session.add(
                Invitation(project_id=project.id, member_id=member.id, status="accepted")
            )
        close_project(uow, project.id)
        return project.id


def test_the_joining_review_and_impact_pages_are_accessible(page, demo_server, impact_data):
    base_url = demo_server
    project_id = impact_data
    sign_in(page, base_url, "lead@demo.example")
    for path in (
        "/outreach/partners",
        "/outreach/partners/new",
        "/outreach/requests",
        f"/impact/projects/{project_id}",
        "/impact/",
    ):
        page.goto(base_url + path)
        assert_accessible(page)
    page.goto(f"{base_url}/outreach/requests")
    page.get_by_role("link", name="Ada Okafor").click()
    assert "Partner: Carers Together" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Add them to the register").click()
    assert "Ada Okafor has been added to the register." in page.content()

    page.goto(f"{base_url}/impact/projects/{project_id}")
    page.get_by_label("You said: what the panel said").fill("Book breaks at short notice")
    page.get_by_label("We did: what changed because of it").fill("A same-week booking line")
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("link", name="Publish item 1").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish to the panel").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base_url, "member@demo.example")
    page.goto(f"{base_url}/impact/member/")
    assert "Book breaks at short notice" in page.content()
    assert_accessible(page)
    page.get_by_role(
        "link", name="Tell us how it felt to take part in Carers' short breaks"
    ).click()
    assert_accessible(page)
    page.get_by_label(
        "We worked with staff as equals from start to finish and shared decisions."
    ).check()
    page.get_by_role("button", name="Send").click()
    assert "Thank you. We have your answer." in page.content()
