"""Erasure: a member's request to be forgotten, approved by an administrator, leaves no
personal detail of theirs in any table, while panels, draws and counts still add up."""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from sqlalchemy import JSON, String, Text, func, select, text

from models import (
    AuditEvent,
    Base,
    ErasureRequest,
    Invitation,
    Member,
    MemberCharacteristic,
    PanelSnapshot,
    PaymentClaim,
    PaymentReceipt,
    User,
)
from panels.db import open_unit_of_work
from panels.erasure import service as erasure
from panels.errors import DomainError, InvalidInput, NotAllowed
from panels.payments import ledger
from panels.payments import service as payments
from panels.payments.receipts import read_upload
from panels.projects import invitations, service
from panels.uow import Actor
from tests.conftest import TEST_PASSWORD

SECRETS = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "email": "zephyrine.q@example.org",
    "phone": "07700 900123",
    "address": "17 Larkspur Mews, Leeds",
    "postcode": "LS1 4DY",
    "referred_by": "Harbour Lights Carers Group",
    "access_needs_notes": "Bring the Quillfeather notes in large print",
    "preferred_times": "Thursdays after the Larkspur club",
}
WRITTEN = {"question": "Is the venue near Larkspur Mews?"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NEEDLES = [
    "Zephyrine",
    "Quillfeather",
    "zephyrine.q@example.org",
    "07700 900123",
    "Larkspur",
    "LS1 4DY",
    "Harbour Lights",
]


@pytest.fixture
def member_on_a_panel(app, uow, make_member, make_user, session, client, sign_in):
    """Zephyrine: on the register with every detail filled in, on a confirmed panel,
    invited by email, with an account she has signed in to, seen by a lead."""
    for n in range(4):
        make_member(sex="Female" if n % 2 else "Male")
    zephyrine = make_member(
        sex="Female", ethnicity="Indian", access_needs=["large_print", "breaks"], **SECRETS
    )
    account = make_user(role="member", email=SECRETS["email"])
    session.get(Member, zephyrine.id).user_id = account.id
    session.commit()
    project = service.create_project(
        uow, service.ProjectInput(title="Day services", purpose="Day services", level="operational")
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=5, tolerance=5)
    service.draw_panel(uow, service.DrawRequest(project.id, seed=5))
    invitations.send_invitations(uow, project.id, lambda token: f"https://x.example/{token}")
    for invitation in session.scalars(select(Invitation)):
        if invitation.member_id == zephyrine.id:
            invitations.answer(uow, invitation.id, "question", question=WRITTEN["question"])
        invitations.answer(uow, invitation.id, "accept")
    invitations.confirm_panel(uow, project.id)
    invitations.record_meeting(uow, project.id, date.today(), "First meeting", {zephyrine.id: 120})
    # Paid for her time (approved) and claiming travel, with a receipt that names her.
    due = session.scalar(select(PaymentClaim).where(PaymentClaim.member_id == zephyrine.id))
    with app.app_context(), open_unit_of_work(Actor.for_user(account), app) as unit:
        chosen = payments.choose(unit, zephyrine.id, due.id, "donation", charity="Larkspur Trust")
        version = chosen.version
    manager = make_user(role="manager")
    with app.app_context(), open_unit_of_work(Actor.for_user(manager), app) as unit:
        payments.approve(unit, due.id, version)
    with app.app_context(), open_unit_of_work(Actor.for_user(account), app) as unit:
        receipt = read_upload(io.BytesIO(PDF), "zephyrine-quillfeather-taxi.pdf", 10**6)
        payments.submit_expense(
            unit,
            zephyrine.id,
            payments.ExpenseInput(
                project.id,
                "public_transport",
                date.today(),
                "Bus from Larkspur Mews",
                amount_pence=340,
            ),
            [receipt],
        )
    lead = make_user(role="lead")
    lead_client = app.test_client()
    sign_in(lead, client=lead_client)
    assert lead_client.get(f"/register/members/{zephyrine.id}").status_code == 200
    sign_in(account)
    return zephyrine.id, project.id


def _admin_client(app, make_user, sign_in):
    admin = make_user(role="admin")
    admin_client = app.test_client()
    sign_in(admin, client=admin_client)
    return admin, admin_client


def _text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def _where_found(session, needle: str) -> list[str]:
    """Every table.column whose text (JSON as text) contains ``needle``, any case."""
    found = []
    for table, column in _text_columns():
        as_text = (
            func.lower(func.cast(column, Text))
            if isinstance(column.type, JSON)
            else (func.lower(column))
        )
        hits = session.scalar(
            select(func.count()).select_from(table).where(as_text.contains(needle.lower()))
        )
        if hits:
            found.append(f"{table.name}.{column.name}")
    return found


def test_after_erasure_no_personal_detail_remains_in_any_text_column(
    app, member_on_a_panel, client, make_user, sign_in, session
):
    member_id, project_id = member_on_a_panel
    before = {needle: _where_found(session, needle) for needle in NEEDLES}
    # The fixture really spread her details around, so the search below can fail.
    assert "members.first_name" in before["Zephyrine"]
    assert "outbox_messages.body" in before["Zephyrine"]
    assert "invitations.question" in before["Larkspur"]
    assert "users.email" in before["zephyrine.q@example.org"]
    assert "login_attempts.email" in before["zephyrine.q@example.org"]
    assert "payment_claims.description" in before["Larkspur"]
    assert "payment_receipts.original_name" in before["Quillfeather"]
    receipt_files = [r.stored_name for r in session.scalars(select(PaymentReceipt))]
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as unit:
        folder = payments.receipts_folder(unit)
        ledger_before = {by: ledger.ledger_totals(unit, by) for by in ("member", "project")}
    assert receipt_files and all((folder / name).exists() for name in receipt_files)
    assert ledger_before["member"]
    served_before = session.get(Member, member_id).panels_served
    token_before = session.get(User, session.get(Member, member_id).user_id).session_token
    snapshot_before = session.scalar(
        select(PanelSnapshot).where(PanelSnapshot.project_id == project_id)
    )
    composition_before = snapshot_before.composition

    page = client.get("/my/delete-my-details")
    assert b"You cannot undo this" in page.data
    assert client.post("/my/delete-my-details", data={}).status_code == 200  # box not ticked
    assert session.scalar(select(func.count()).select_from(ErasureRequest)) == 0
    response = client.post("/my/delete-my-details", data={"sure": "y"})
    assert response.status_code == 302
    request = session.scalar(select(ErasureRequest))
    assert request.status == "requested" and not request.on_behalf

    _admin, admin_client = _admin_client(app, make_user, sign_in)
    listing = admin_client.get("/admin/erasure").get_data(as_text=True)
    assert f"Member {member_id}" in listing and "Quillfeather" not in listing
    confirm = admin_client.get(f"/admin/erasure/{request.id}").get_data(as_text=True)
    assert "This cannot be undone" in confirm
    done = admin_client.post(f"/admin/erasure/{request.id}", data={"approve-submit": "Remove"})
    assert done.status_code == 302

    session.expire_all()
    after = {needle: _where_found(session, needle) for needle in NEEDLES}
    assert {n: f for n, f in after.items() if f} == {}
    member = session.get(Member, member_id)
    assert member.display_name == f"Former member {member_id}"
    assert member.erased_at is not None and member.status == "left"
    assert member.left_on == date.today()  # counted as leaving in the register's report
    assert member.panels_served == served_before
    assert (
        session.scalars(
            select(MemberCharacteristic).where(MemberCharacteristic.member_id == member_id)
        ).all()
        == []
    )
    snapshot = session.scalar(select(PanelSnapshot).where(PanelSnapshot.project_id == project_id))
    assert snapshot.composition == composition_before
    # The ledger is kept exactly, and the receipts are gone from the disk.
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as unit:
        assert {by: ledger.ledger_totals(unit, by) for by in ("member", "project")} == (
            ledger_before
        )
    assert not any((folder / name).exists() for name in receipt_files)
    assert session.scalar(select(ErasureRequest.status)) == "done"
    # Her account no longer works: it is closed, its sessions ended, and sign-in fails.
    account = session.get(User, member.user_id)
    assert not account.is_active and account.session_token != token_before
    again = app.test_client().post(
        "/auth/sign-in", data={"email": SECRETS["email"], "password": TEST_PASSWORD}
    )
    assert again.status_code != 302
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "approve_erasure")
        )
        == 1
    )


def test_staff_record_a_request_for_a_member_and_another_person_decides(
    app, uow, make_member, make_user, sign_in, session
):
    member = make_member(first_name="Ottoline", last_name="Brack", sex="Male")
    admin = make_user(role="admin")
    admin_client = app.test_client()
    sign_in(admin, client=admin_client)
    page = admin_client.get(f"/register/members/{member.id}/erasure")
    assert b"Record a request to be forgotten" in page.data
    admin_client.post(f"/register/members/{member.id}/erasure", data={"sure": "y"})
    request = session.scalar(select(ErasureRequest))
    assert request.on_behalf and request.requested_by == admin.email
    # The administrator who recorded it cannot also approve it.
    own = admin_client.get(f"/admin/erasure/{request.id}").get_data(as_text=True)
    assert "another administrator must decide" in own
    admin_client.post(f"/admin/erasure/{request.id}", data={"approve-submit": "Remove"})
    session.expire_all()
    assert session.get(ErasureRequest, request.id).status == "requested"
    with (
        app.app_context(),
        open_unit_of_work(Actor.for_user(admin), app) as unit,
        pytest.raises(NotAllowed, match="someone else must decide"),
    ):
        erasure.approve_erasure(unit, request.id)
    _second, second_client = _admin_client(app, make_user, sign_in)
    refused = second_client.post(
        f"/admin/erasure/{request.id}", data={"refuse-reason": "", "refuse-submit": "Refuse"}
    )
    assert "Say why the request is refused" in refused.get_data(as_text=True)
    second_client.post(
        f"/admin/erasure/{request.id}",
        data={"refuse-reason": "We could not check who called", "refuse-submit": "Refuse"},
    )
    session.expire_all()
    decided = session.get(ErasureRequest, request.id)
    assert decided.status == "refused" and decided.refusal_reason.startswith("We could not")
    assert session.get(Member, member.id).first_name == "Ottoline"


def test_members_and_leads_cannot_approve_erasure(app, make_member, make_user, sign_in, uow):
    member = make_member(sex="Male")
    request = erasure.request_erasure(uow, member.id, on_behalf=True)
    for role in ("member", "lead", "manager"):
        other = app.test_client()
        sign_in(make_user(role=role), client=other)
        assert other.get("/admin/erasure").status_code == 403
        assert (
            other.post(f"/admin/erasure/{request.id}", data={"approve-submit": "x"}).status_code
            == 403
        )


def test_a_request_is_carried_out_once_when_two_administrators_approve_together(
    app, make_member, make_user, uow, session
):
    member = make_member(first_name="Peregrine", last_name="Tollemache", sex="Male")
    request = erasure.request_erasure(uow, member.id, on_behalf=True)
    admins = [make_user(role="admin"), make_user(role="admin")]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def approve(index: int) -> None:
        with app.app_context(), open_unit_of_work(Actor.for_user(admins[index]), app) as unit:
            barrier.wait()
            try:
                erasure.approve_erasure(unit, request.id)
                outcomes[index] = "approved"
            except DomainError as error:
                outcomes[index] = error

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("approved") == 1
    assert any(isinstance(o, NotAllowed) for o in outcomes)
    session.expire_all()
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "approve_erasure")
        )
        == 1
    )
    assert session.get(Member, member.id).last_name == f"member {member.id}"


def test_a_member_cannot_be_erased_twice_or_asked_for_twice(make_member, uow, session):
    member = make_member(sex="Male")
    first = erasure.request_erasure(uow, member.id, on_behalf=True)
    assert erasure.request_erasure(uow, member.id, on_behalf=True).id == first.id
    erasure.erase_member(uow, member.id)
    with pytest.raises(InvalidInput, match="already removed"):
        erasure.erase_member(uow, member.id)
    with pytest.raises(InvalidInput, match="already removed"):
        erasure.request_erasure(uow, member.id, on_behalf=True)
    assert session.execute(text("SELECT count(*) FROM erasure_requests")).scalar() == 1
    assert session.scalar(select(User).where(User.email.contains("example"))) is None
