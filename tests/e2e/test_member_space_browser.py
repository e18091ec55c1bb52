"""A member's own space in a real browser, axe-core on every page: setting up the account
from the emailed link (taken from the outbox), changing access needs and availability,
withdrawing a consent after its confirmation, accepting an invitation, their chance of
selection, claiming mileage with a receipt and choosing a voucher for their time, and
downloading their data; and the Easy Read pages."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models import ConsentRecord, Draw, Invitation, Member, OutboxMessage
from tests.e2e.conftest import PASSWORD, assert_accessible

pytestmark = pytest.mark.browser
MEMBER_PASSWORD = "my own long password"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def chosen_member(live_server) -> tuple[str, int]:
    """A drawn, invited panel; (base URL, id) of a member on it who was sent a set-up link."""
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.members.accounts import invite_member_account
    from panels.projects import invitations, service
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    base_url, app = live_server
    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        lead = create_user(uow, "lead@members.example", "lead", PASSWORD, "Lee Lead")
        lead_actor = Actor("user", lead.email, lead.id, "lead")
        for n in range(12):
            create_member(
                uow,
                MemberInput(
                    first_name=f"Person{n}",
                    last_name="Browser",
                    email=f"person{n}@members.example",
                    date_of_birth=date(1950 + n, 5, 1),
                    answers={"sex": ["Male" if n % 2 else "Female"]},
                    consents=dict(consents),
                ),
            )
        project = service.create_project(
            uow,
            service.ProjectInput(
                title="Day centres", purpose="Plan day centres", level="operational"
            ),
        )
        service.set_builtin_target(uow, project.id, "england-and-wales")
        service.choose_dimensions(uow, project.id, ["sex"])
        service.set_eligibility(uow, project.id, {})
        service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
        service.draw_panel(uow, service.DrawRequest(project.id, seed=5))
        invitations.send_invitations(uow, project.id, invitations.answer_link(app.config))
        draw = uow.session.scalars(select(Draw)).one()
        member_id = int(draw.panel[0])
    with app.app_context(), open_unit_of_work(lead_actor, app) as uow:
        invite_member_account(uow, member_id)
    return base_url, member_id


def _set_up_path(app, member_id: int) -> str:
    from panels.db import database

    with database(app).sessionmaker() as session:
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.member_id == member_id, OutboxMessage.subject.like("Set up%"))
            .order_by(OutboxMessage.id.desc())
        ).first()
    found = re.search(r"https?://[^/\s]+(/set-up-account/\S+)", body or "")
    assert found, body
    return found.group(1)


def test_a_member_sets_up_their_account_and_uses_their_space(
    live_server, chosen_member, page, tmp_path
):
    base_url, app = live_server
    _, member_id = chosen_member
    path = _set_up_path(app, member_id)

    # The Easy Read version of the set-up page, and back to the standard one.
    page.goto(base_url + path + "/easy-read")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your account"
    assert page.get_by_role("img", name="A key").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Read the standard version").click()
    assert_accessible(page)

    # Choose a password with the keyboard only.
    page.get_by_label("Choose a password").focus()
    page.keyboard.type(MEMBER_PASSWORD)
    confirm = page.get_by_label("Type the password again")
    for _ in range(3):  # past the password's "Show" button
        page.keyboard.press("Tab")
        if confirm.evaluate("element => element === document.activeElement"):
            break
    page.keyboard.type(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/my/")
    assert "Your account is ready" in page.content()
    assert_accessible(page)

    # Access needs: from the profile's summary list, ticked with the keyboard.
    page.get_by_role("link", name="Your details").click()
    assert_accessible(page)
    page.get_by_role("link", name="Change what helps you").click()
    assert_accessible(page)
    page.get_by_label("Step-free access").focus()
    page.keyboard.press("Space")
    page.get_by_label("Regular breaks").check()
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)
    assert "Step-free access" in page.content() and "Regular breaks" in page.content()

    # Availability and dates away.
    page.get_by_role("link", name="Change the days and times that suit you").click()
    assert_accessible(page)
    page.get_by_role("group", name="Tuesday").get_by_label("Morning").check()
    page.get_by_role("group", name="Friday").get_by_label("Evening").check()
    page.get_by_role("button", name="Save").click()
    assert "The times that suit you are saved" in page.content()
    page.get_by_role("link", name="Add dates you are away").click()
    assert_accessible(page)
    first = page.get_by_role("group", name="First day you are away")
    first.get_by_label("Day").fill("10")
    first.get_by_label("Month").fill("6")
    first.get_by_label("Year").fill("2031")
    last = page.get_by_role("group", name="Last day you are away")
    last.get_by_label("Day").fill("2")
    last.get_by_label("Month").fill("6")
    last.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Add these dates").click()
    assert "The last day must be the same as or after the first day" in page.content()
    assert_accessible(page)
    page.get_by_role("group", name="Last day you are away").get_by_label("Day").fill("20")
    page.get_by_role("button", name="Add these dates").click()
    assert "10 June 2031 to 20 June 2031" in page.content()
    assert_accessible(page)

    # Withdraw a consent: the confirmation says what will happen.
    page.goto(f"{base_url}/my/consent")
    assert_accessible(page)
    page.get_by_test_id("consent-statistics").get_by_role(
        "link", name="Take back your agreement"
    ).click()
    assert (
        "We will leave you out of our counts and charts."
        in page.get_by_test_id("consent-effect").inner_text()
    )
    assert_accessible(page)
    page.get_by_role("button", name="Yes, take it back").click()
    assert "You have taken back your agreement" in page.content()
    card = page.get_by_test_id("consent-statistics")
    assert "You have not agreed" in card.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Read this page in Easy Read").click()
    assert page.get_by_role("img", name="A bar chart").is_visible()
    assert_accessible(page)

    # Accept the invitation (open invitations come first on the start page).
    page.goto(f"{base_url}/my/")
    page.get_by_role("link", name="Answer your invitation: Day centres").click()
    assert_accessible(page)
    page.get_by_role("link", name="Read this invitation in Easy Read").click()
    assert page.get_by_role("img", name="A pound coin").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Read the standard version").click()
    page.get_by_label("Yes, I would like to take part").check()
    page.get_by_role("button", name="Send my answer").click()
    assert "Thank you. You are on the panel." in page.content()
    assert_accessible(page)

    # Their chance of being chosen.
    page.get_by_role("link", name="Your chance of being chosen").click()
    chance = page.get_by_test_id("chance").inner_text()
    assert re.search(r"Your chance was about \d+ in \d+ \(\d+(\.\d)?%\)", chance), chance
    assert "You were chosen." in chance
    assert_accessible(page)

    # Their panels.
    page.goto(f"{base_url}/my/panels")
    assert_accessible(page)
    page.get_by_role("link", name="Day centres").first.click()
    assert page.get_by_test_id("you-said-we-did").is_visible()
    assert_accessible(page)

    # The others answer, the lead confirms the panel, it meets, and the lead records that
    # they came: a payment for their time is due.
    from panels.db import open_unit_of_work
    from panels.projects import invitations
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        project_id = uow.session.scalar(
            select(Invitation.project_id).where(Invitation.member_id == member_id)
        )
        others = uow.session.scalars(
            select(Invitation.id).where(
                Invitation.project_id == project_id, Invitation.status == "invited"
            )
        ).all()
        for invitation_id in others:
            invitations.answer(uow, invitation_id, "accept")
        invitations.confirm_panel(uow, project_id)
        invitations.record_meeting(uow, project_id, date.today(), "First meeting", {member_id: 60})

    # Claim mileage with a photo of the parking receipt.
    page.goto(f"{base_url}/my/")
    page.get_by_role("link", name="Your payments").click()
    assert page.get_by_role("heading", name="Your payments").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Claim expenses").click()
    assert_accessible(page)
    page.get_by_label("Car mileage", exact=True).check()
    page.get_by_label("Day").fill(str(date.today().day))
    page.get_by_label("Month").fill(str(date.today().month))
    page.get_by_label("Year").fill(str(date.today().year))
    page.get_by_label("Miles driven there and back").fill("12.5")
    page.get_by_role("button", name="Send my claim").click()
    assert "Enter the miles as a whole number" in page.content()
    assert_accessible(page)
    page.get_by_label("Miles driven there and back").fill("12")
    receipt = tmp_path / "parking.png"
    receipt.write_bytes(PNG)
    page.get_by_label("Receipts (photos or PDFs)").set_input_files(str(receipt))
    page.get_by_role("button", name="Send my claim").click()
    assert "Your claim for £5.40 is sent for approval" in page.content()
    assert page.get_by_test_id("status").inner_text() == "Waiting for approval"
    assert_accessible(page)

    # The payment for the meeting: a voucher, told that vouchers count as income.
    page.get_by_role("link", name="Back to your payments").click()
    page.get_by_role("link", name="Payment for time").click()
    assert "A voucher counts as income" in page.content()
    assert_accessible(page)
    page.get_by_label("A voucher").check()
    page.get_by_role("button", name="Save my choice").click()
    assert page.get_by_test_id("choice").inner_text() == "A voucher"
    assert_accessible(page)

    # Download their data: the page, then the file.
    page.goto(f"{base_url}/my/")
    page.get_by_role("link", name="Download your data").click()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data as a file (JSON)").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    titles = [s["title"] for s in document["sections"]]
    assert "What you agreed to, and when" in titles and "Dates you are away" in titles
    needs = next(s for s in document["sections"] if s["title"].startswith("Your communication"))
    assert {"Need": "Step-free access"} in needs["rows"]
    payments = next(s for s in document["sections"] if s["title"] == "Payments and expenses")
    assert {r["How paid"] for r in payments["rows"]} >= {"A voucher"}, payments
    assert any(s["title"] == "Receipts" and s["rows"] for s in document["sections"])

    from panels.db import database

    with database(app).sessionmaker() as session:
        member = session.get(Member, member_id)
        assert member.consent_statistics is False and member.user_id is not None
        record = session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.member_id == member_id, ConsentRecord.purpose == "statistics")
            .order_by(ConsentRecord.id.desc())
        ).first()
        assert record.method == "online" and record.given is False
        invitation = session.scalars(
            select(Invitation).where(Invitation.member_id == member_id)
        ).one()
        assert invitation.status == "accepted"


def test_a_lead_acts_on_behalf_of_a_member_with_no_email(live_server, page):
    from panels.auth.service import create_user
    from panels.db import database, open_unit_of_work
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor
    from tests.e2e.conftest import sign_in

    base_url, app = live_server
    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, "lead@behalf.example", "lead", PASSWORD, "Lee Lead")
        member = create_member(
            uow,
            MemberInput(
                first_name="Cyril",
                last_name="Phone",
                phone="0113 496 0000",
                preferred_contact="phone",
                consents=dict(consents),
            ),
        )
        member_id = member.id
    sign_in(page, base_url, "lead@behalf.example")
    page.goto(f"{base_url}/register/members/{member_id}")
    page.get_by_role("link", name="Their own account, or act on their behalf").click()
    assert "They have no email address" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Act on behalf of Cyril Phone").click()
    banner = page.get_by_test_id("acting-banner")
    assert "on behalf of Cyril Phone" in banner.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Your details").click()
    page.get_by_role("link", name="Change the days and times that suit you").click()
    page.get_by_role("group", name="Thursday").get_by_label("Afternoon").check()
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)
    page.goto(f"{base_url}/my/consent/contact")
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Yes, take it back").click()
    assert "Recorded: Cyril Phone no longer agrees" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Stop acting for Cyril Phone").click()
    page.wait_for_url(f"{base_url}/register/members/{member_id}")
    assert_accessible(page)

    from models import AuditEvent

    with database(app).sessionmaker() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == member_id,
                AuditEvent.action.in_(["change_availability", "consent"]),
            )
        ).all()
        assert len(events) == 2
        assert all(e.details["on_behalf_of_member"] == member_id for e in events)
