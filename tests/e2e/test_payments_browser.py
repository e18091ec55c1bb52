"""Payments in a real browser, with axe-core on every page: staff record attendance, see the
payments due, approve (two approvers above the limit), reject with a reason, export a
finance batch and mark it paid. A member's claim and choice are in their own journey
(tests/e2e/test_member_space_browser.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from models import Invitation, LedgerEntry, Member, PaymentClaim, Project, utcnow
from tests.e2e.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def panel(live_server):
    """A confirmed panel of three members (each with an account), a lead, two approvers and
    an admin who sends batches to finance."""
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work
    from panels.projects import service as projects
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    _base_url, app = live_server
    app.config["PAYMENTS_SECOND_APPROVAL_ABOVE_PENCE"] = 5000
    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        create_user(uow, "lead@pay.example", "lead", PASSWORD, "Lee Lead")
        create_user(uow, "manager@pay.example", "manager", PASSWORD, "Mo Manager")
        create_user(uow, "admin@pay.example", "admin", PASSWORD, "Ade Admin")
        project = projects.create_project(
            uow,
            projects.ProjectInput(
                title="Day centres", purpose="Change day centres", level="operational"
            ),
        )
        members = []
        for n, name in enumerate(("Asha", "Ben", "Cara")):
            member = create_member(
                uow,
                MemberInput(
                    first_name=name,
                    last_name="Payee",
                    email=f"{name.lower()}@pay.example",
                    date_of_birth=date(1960 + n, 1, 1),
                    consents=dict(consents),
                ),
            )
            account = create_user(uow, f"{name.lower()}@pay.example", "member", PASSWORD, name)
            uow.session.get(Member, member.id).user_id = account.id
            uow.session.add(
                Invitation(project_id=project.id, member_id=member.id, status="accepted")
            )
            members.append((member.id, account.id))
        uow.session.get(Project, project.id).confirmed_at = utcnow()
        uow.session.commit()
    return app, project.id, members


def _choose_for(app, member_id: int, account_id: int, choice: str = "bank") -> None:
    """The member's own choice, made as that member (their browser is not part of this test)."""
    from models import User
    from panels.db import open_unit_of_work
    from panels.payments import service
    from panels.uow import Actor

    with app.app_context():
        with open_unit_of_work(Actor.command_line(), app) as uow:
            user = uow.session.get(User, account_id)
            actor = Actor.for_user(user)
        with open_unit_of_work(actor, app) as uow:
            claim_id = uow.session.scalar(
                select(PaymentClaim.id).where(PaymentClaim.member_id == member_id)
            )
            service.choose(uow, member_id, claim_id, choice)


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def _claim_link(page, name: str):
    row = page.get_by_role("row").filter(has_text=name)
    return row.get_by_role("link")


def test_staff_record_attendance_approve_reject_and_pay_a_finance_batch(page, live_server, panel):
    base_url, _ = live_server
    app, project_id, members = panel
    (asha, asha_account), (ben, ben_account), (cara, cara_account) = members

    # The lead records the meeting: who came and for how long.
    sign_in(page, base_url, "lead@pay.example")
    page.goto(f"{base_url}/projects/{project_id}/meetings")
    assert_accessible(page)
    today = date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("What the meeting was").fill("First meeting")
    page.get_by_label("Panel or committee meeting").check()
    page.get_by_label("Preparation time paid to everyone who came").fill("0")
    page.locator(f"#minutes_{asha}").fill("120")
    page.locator(f"#minutes_{ben}").fill("120")
    page.locator(f"#minutes_{cara}").fill("60")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the meeting").click()
    assert "A payment is due to each person who came" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="See the payments due").click()
    assert page.get_by_role("heading", name="Payments due").is_visible()
    assert page.content().count("£55.00") == 2 and "£27.50" in page.content()
    assert_accessible(page)
    _sign_out(page)

    for member_id, account_id in members:
        _choose_for(app, member_id, account_id)

    # The first approver: Asha's £55.00 is above the £50.00 limit, so it needs a second.
    sign_in(page, base_url, "manager@pay.example")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main menu").get_by_role(
            "link", name="Payments"
        ).click()
    assert page.get_by_role("heading", name="Payments to approve").is_visible()
    assert_accessible(page)
    with page.expect_navigation():
        _claim_link(page, "Asha Payee").click()
    assert "Two approvers needed" in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    assert "A second, different approver must approve it too" in page.content()
    with page.expect_navigation():
        _claim_link(page, "Asha Payee").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    assert "already approved" in page.content()
    assert_accessible(page)

    # Ben's is rejected, with a reason he will see.
    with page.expect_navigation():
        page.get_by_role("link", name="Back to payments to approve").click()
    with page.expect_navigation():
        _claim_link(page, "Ben Payee").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Reject").click()
    assert "Give the reason" in page.content()
    assert_accessible(page)
    page.get_by_label("Reason (the member sees this)").fill("Ben sent his apologies")
    with page.expect_navigation():
        page.get_by_role("button", name="Reject").click()
    assert "The member can see the reason" in page.content()
    with page.expect_navigation():
        _claim_link(page, "Cara Payee").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    assert "Approved. It is ready for the next finance batch" in page.content()
    _sign_out(page)

    # The second approver, who is also the admin who sends the batch to finance.
    sign_in(page, base_url, "admin@pay.example")
    page.goto(f"{base_url}/payments/")
    with page.expect_navigation():
        _claim_link(page, "Asha Payee").click()
    assert "First approval by Mo Manager" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve (second approval)").click()
    assert "Approved. It is ready" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Finance batches").click()
    assert "2 approved items are waiting" in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Make a finance batch of the approved payments").click()
    assert "ready: download it for the finance system" in page.content()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the batch for the finance system").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text())))
    assert rows[0][:3] == ["payee_reference", "amount", "amount_pence"]
    assert sorted(r[1] for r in rows[1:]) == ["27.50", "55.00"]
    with page.expect_navigation():
        page.get_by_role("button", name="Mark the batch paid").click()
    assert "This cannot be undone" in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, mark the batch paid").click()
    assert "is marked paid" in page.content()
    assert "Paid on" in page.get_by_test_id("batch-status").inner_text()
    assert_accessible(page)

    from panels.db import database

    with database(app).sessionmaker() as session:
        statuses = dict(session.execute(select(PaymentClaim.member_id, PaymentClaim.status)).all())
        paid = session.scalars(
            select(LedgerEntry.amount_pence).where(LedgerEntry.account == "paid")
        )
        assert statuses == {asha: "paid", ben: "rejected", cara: "paid"}
        assert sorted(paid) == [2750, 5500]
