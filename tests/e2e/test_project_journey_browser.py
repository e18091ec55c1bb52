"""The lead's whole journey in a real browser, with a real worker and axe-core on every page:
a project, its target from the built-in figures and from an ONS file, who is eligible,
quotas that cannot be met relaxed in one step, the draw with its progress bar, invitations,
a yes through the emailed link, a no replaced by a new draw, and confirmation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Invitation, OutboxMessage
from tests.e2e.conftest import AXE_SOURCE, PASSWORD, assert_accessible, sign_in
from tests.worker import running_worker

pytestmark = pytest.mark.browser
LEAD = "lead@journey.example"
ONS_FILE = (
    "Lower tier local authorities Code,Lower tier local authorities,"
    "Sex (2 categories) Code,Sex (2 categories),Observation\n"
    "E08000035,Leeds,1,Female,417000\n"
    "E08000035,Leeds,2,Male,395000\n"
)


@pytest.fixture
def register(live_server):
    """A lead, and 24 members: 22 women and 2 men, so that a panel of 6 cannot be half men."""
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    _base_url, app = live_server
    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, LEAD, "lead", PASSWORD, "Lee Lead")
        for n in range(24):
            create_member(
                uow,
                MemberInput(
                    first_name=f"Person{n}",
                    last_name="Journey",
                    email=f"person{n}@journey.example",
                    date_of_birth=date(1950 + n, 5, 1),
                    answers={"sex": ["Male" if n < 2 else "Female"]},
                    consents=dict(consents),
                ),
            )
    return app


def _answer_links(app) -> dict[str, str]:
    """The newest invitation link in the outbox for each recipient."""
    from panels.db import database

    links: dict[str, str] = {}
    with database(app).sessionmaker() as session:
        for recipient, body in session.execute(
            select(OutboxMessage.recipient, OutboxMessage.body).order_by(OutboxMessage.id)
        ):
            found = re.search(r"https?://\S+/invitation/\S+", body)
            if found:
                links[recipient] = found.group(0)
    return links


def _path(link: str) -> str:
    return "/invitation/" + link.rsplit("/invitation/", 1)[1]


def _wait_for_job(page) -> None:
    """On a job's page: the progress bar is shown, then the outcome banner with its link."""
    assert page.get_by_test_id("job-status").get_attribute("aria-live") == "polite"
    page.get_by_test_id("job-succeeded").wait_for(timeout=60_000)
    assert_accessible(page)


def _press(page, name: str) -> None:
    """Use a button from the keyboard: focus it, then Enter."""
    page.get_by_role("button", name=name).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_lead_builds_draws_invites_and_confirms_a_panel(
    page, browser, live_server, register, tmp_path
):
    base_url, app = live_server
    sign_in(page, base_url, LEAD)
    with running_worker(app, tmp_path / "worker") as worker:
        # 1. The project.
        page.get_by_role("navigation", name="Main menu").get_by_role(
            "link", name="Projects"
        ).click()
        assert_accessible(page)
        page.get_by_role("button", name="Start a project").click()
        assert_accessible(page)
        page.get_by_label("Project title").fill("Day centres")
        page.get_by_label("What the project is for").fill(
            "Decide with people how day centres change"
        )
        page.get_by_label("Operational: how a service is designed and run").check()
        _press(page, "Save and continue")
        assert page.get_by_role("heading", name="Day centres").is_visible()
        assert "You have done 0 of 6 steps" in page.content()
        assert_accessible(page)

        # 2. The target population: built-in figures, then an ONS download for an area.
        page.get_by_role("link", name="Choose the population the project affects").click()
        assert_accessible(page)
        page.get_by_role("button", name="Use these figures").click()
        assert "England and Wales, Census 2021" in page.content()
        ons = tmp_path / "leeds.csv"
        ons.write_text(ONS_FILE, encoding="utf-8")
        page.get_by_label("A download from the ONS").check()
        page.get_by_label("Upload the file").set_input_files(str(ons))
        page.get_by_role("button", name="Use this file").click()
        assert "Leeds" in page.content()
        assert_accessible(page)
        page.get_by_role("checkbox", name="Sex").check()
        page.get_by_role("button", name="Save and continue").click()

        # 3. Who is eligible.
        page.get_by_role("link", name="Say who is eligible").click()
        assert "24" in page.locator("#pool-size").inner_text()
        assert_accessible(page)
        page.get_by_role("button", name="Save who is eligible").click()

        # 4. Panel size and quotas: 6 seats, exact shares; only 2 men for 2 or 3 seats.
        page.get_by_role("link", name="Back to the project's steps").click()
        page.get_by_role("link", name="Set the panel size and quotas").click()
        page.get_by_label("How many people should be on the panel?").fill("6")
        page.get_by_label("Tolerance", exact=False).fill("0")
        page.get_by_role("button", name="Propose quotas").click()
        assert_accessible(page)
        content = page.content()
        if "No panel from the eligible pool can meet these quotas" not in content:
            # Make it infeasible on purpose: at least 3 men.
            page.get_by_label("At least, Male").fill("3")
            page.get_by_role("button", name="Save quotas").click()
        assert "No panel from the eligible pool can meet these quotas" in page.content()
        assert_accessible(page)
        _press(page, "Make this change")
        assert "Yes: at least one panel from the eligible pool meets every quota" in page.content()
        assert_accessible(page)

        # 5. The draw, as a job with a progress bar.
        page.get_by_role("link", name="Continue to the draw").click()
        assert_accessible(page)
        _press(page, "Draw the panel")
        _wait_for_job(page)
        page.get_by_test_id("job-succeeded").get_by_role("link").click()
        assert page.get_by_role("heading", name=re.compile("Draw 1 of 1")).is_visible()
        assert "Lowest chance in the pool" in page.content()
        assert_accessible(page)

        # 6. Invitations.
        page.get_by_role("link", name="See who is on the panel").click()
        assert_accessible(page)
        _press(page, "Send invitations")
        assert "Invitations sent: 6 by email" in page.content()
        assert_accessible(page)
        links = _answer_links(app)
        assert len(links) == 6 and all(link.startswith("http") for link in links.values())
        first, second, *others = sorted(links)

        # One yes and one no through the emailed links, by people with no account.
        member_context = browser.new_context()
        member_context.add_init_script(script=AXE_SOURCE.read_text())
        member = member_context.new_page()
        member.goto(base_url + _path(links[first]))
        assert_accessible(member)
        member.get_by_label("Yes, I would like to take part").check()
        member.get_by_role("button", name="Send my answer").click()
        assert "Thank you for saying yes" in member.content()
        assert_accessible(member)
        member.goto(base_url + _path(links[second]))
        member.get_by_label("No, thank you").check()
        member.get_by_label("If you are saying no").fill("I am away that month")
        member.get_by_role("button", name="Send my answer").click()
        assert "Thank you for letting us know" in member.content()
        member.goto(base_url + _path(links[first]))
        assert "already been used" in member.content()
        member_context.close()

        # 7. The no is replaced by a new draw that keeps everyone else's seat.
        page.reload()
        assert "Draw replacements" in page.content()
        assert_accessible(page)
        page.get_by_role("button", name="Draw replacements").click()
        _wait_for_job(page)
        page.get_by_test_id("job-succeeded").get_by_role("link").click()
        assert page.get_by_role("heading", name=re.compile("Draw 2 of 2: replacement")).is_visible()
        page.get_by_role("link", name="See who is on the panel").click()
        _press(page, "Send invitations")
        assert "Invitations sent: 1 by email" in page.content()

        # Everyone else says yes (recorded by the lead from the panel page, by phone).
        from panels.db import database

        with database(app).sessionmaker() as session:
            waiting = session.scalars(
                select(Invitation.id).where(Invitation.status == "invited")
            ).all()
        assert len(waiting) == 5
        for _ in waiting:
            page.get_by_role("button", name=re.compile("^Record yes")).first.click()
        assert_accessible(page)

        # 8. Confirmation.
        page.get_by_role("link", name="Confirm the panel").click()
        assert "6 of 6 places are accepted" in page.content()
        assert_accessible(page)
        _press(page, "Confirm the panel")
        assert "The panel is confirmed" in page.content()
        assert_accessible(page)
        assert "running" in page.locator(".govuk-caption-l").inner_text().lower()
        assert worker.process.poll() is None, worker.output()
