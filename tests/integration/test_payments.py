"""Involvement payments and expenses: payments due from attendance, the member's choice,
benefits, expenses with receipts, approval with dual control, the ledger, finance batches,
and what members and staff see."""

from __future__ import annotations

import csv
import io
import itertools
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DatabaseError

from models import (
    AuditEvent,
    Invitation,
    LedgerEntry,
    Member,
    PaymentClaim,
    PaymentRate,
    PaymentReceipt,
    Project,
    utcnow,
)
from panels.db import open_unit_of_work
from panels.errors import InvalidInput, NotAllowed
from panels.payments import batches, ledger, rates, service
from panels.payments.money import parse_pounds, tax_year_of
from panels.projects import invitations
from panels.projects import service as projects
from panels.uow import Actor

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@contextmanager
def acting_as(app, user):
    """A unit of work acting for ``user`` (a staff account or a member's), like a request."""
    with app.app_context(), open_unit_of_work(Actor.for_user(user), app) as unit:
        yield unit


def confirmed_project(app, make_member, make_user, people: int = 3, title: str = "Day services"):
    """A confirmed panel of ``people`` members (each with an account) and its lead."""
    lead = make_user(role="lead")
    members = []
    for _ in range(people):
        member = make_member()
        account = make_user(role="member")
        members.append((member, account))
    with acting_as(app, lead) as uow:
        project = projects.create_project(
            uow,
            projects.ProjectInput(title=title, purpose="Better day services", level="operational"),
        )
        for member, account in members:
            uow.session.get(Member, member.id).user_id = account.id
            uow.session.add(
                Invitation(project_id=project.id, member_id=member.id, status="accepted")
            )
        uow.session.get(Project, project.id).confirmed_at = utcnow()
        uow.session.commit()
    return project, lead, members


_meetings = itertools.count(1)


def record(
    app, lead, project, attendance, prep=0, activity="panel_meeting", held_on=None, title=None
):
    """Record a meeting as the lead (each one a different meeting unless ``title`` is given)."""
    with acting_as(app, lead) as uow:
        return invitations.record_meeting(
            uow,
            project.id,
            held_on or date.today(),
            title or f"Meeting {next(_meetings)}",
            attendance,
            activity=activity,
            preparation_minutes=prep,
        )


def claims_of(session, member_id=None):
    session.expire_all()
    query = select(PaymentClaim).order_by(PaymentClaim.id)
    if member_id is not None:
        query = query.where(PaymentClaim.member_id == member_id)
    return list(session.scalars(query))


def version(session, claim_id):
    session.expire_all()
    return session.get(PaymentClaim, claim_id).version


@pytest.fixture
def panel(app, make_member, make_user):
    return confirmed_project(app, make_member, make_user)


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "pence"),
    [("12", 1200), ("12.5", 1250), ("£12.50", 1250), ("0.07", 7), ("1,234.56", 123456)],
)
def test_amounts_in_pounds_become_pence(raw, pence):
    assert parse_pounds(raw, "amount", 1_000_000) == pence


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5", "cannot be negative: you entered '-5'"),
        ("12.345", "'12.345' has more than two decimal places"),
        ("twelve", "'twelve' is not"),
        ("99999999", "£99,999,999.00 is more than one claim can be (£10,000.00)"),
        ("", "Enter the amount"),
        ("1e3", "'1e3' is not"),
    ],
)
def test_bad_amounts_are_refused_naming_the_value(raw, message):
    with pytest.raises(ValueError) as caught:
        parse_pounds(raw, "amount", 1_000_000)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 4, 5), 2025), (date(2026, 4, 6), 2026), (date(2027, 1, 1), 2026)],
)
def test_the_uk_tax_year_starts_on_6_april(day, year):
    assert tax_year_of(day) == year


@pytest.mark.parametrize(
    ("minutes", "pence"),
    [
        (0, 0),
        (60, 2750),
        (90, 4125),
        (150, 6875),
        (180, 8250),
        (240, 11000),
        (300, 16500),
        (600, 16500),
    ],
)
def test_time_is_paid_by_the_hour_with_half_day_and_day_rates(minutes, pence):
    rate = PaymentRate(hourly_pence=2750, half_day_pence=8250, day_pence=16500)
    assert rates.fee_pence(rate, minutes) == pence


# --- rates ----------------------------------------------------------------------------------


def test_the_rate_card_is_seeded_from_the_nihr_figures_with_its_source(uow):
    card = rates.rate_card(uow)
    assert {r.activity for r in card} >= {"panel_meeting", "workshop", "reading"}
    meeting = next(r for r in card if r.activity == "panel_meeting")
    assert meeting.hourly_pence == 2750
    assert "NIHR" in meeting.source and "Check the current figures" in meeting.source
    assert meeting.source_date == date(2025, 12, 16)
    rates.ensure_rate_card(uow)
    assert len(rates.rate_card(uow)) == len(card)


def test_a_project_with_its_own_rates_pays_them(app, panel, session):
    project, lead, members = panel
    with acting_as(app, lead) as uow:
        rates.set_project_payments(uow, project.id, 50_000, "CC-42", own_rates=True)
        rates.set_rate(
            uow,
            rates.RateInput("panel_meeting", "Meeting", 3000, 9000, 18000, 0, "Our board", None),
            project.id,
        )
    record(app, lead, project, {members[0][0].id: 60})
    (claim,) = claims_of(session)
    assert claim.full_pence == 3000


# --- payments due ---------------------------------------------------------------------------


def test_recording_attendance_makes_one_payment_due_for_each_person_who_came(app, panel, session):
    project, lead, members = panel
    (a, _), (b, _), (c, _) = members
    meeting = record(app, lead, project, {a.id: 120, b.id: 90, c.id: None}, prep=60)
    claims = claims_of(session)
    assert [(x.member_id, x.minutes, x.full_pence, x.status) for x in claims] == [
        (a.id, 180, 8250, "due"),
        (b.id, 150, 6875, "due"),
    ]
    assert all(x.recorded_by_id == lead.id for x in claims)
    with acting_as(app, lead) as uow:
        assert service.create_payments_due(uow, meeting.id) == []
    assert len(claims_of(session)) == 2
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_an_unknown_activity_records_nothing(app, panel, session):
    project, lead, members = panel
    with pytest.raises(InvalidInput, match="'knitting' is not on the rate card"):
        record(app, lead, project, {members[0][0].id: 60}, activity="knitting")
    assert claims_of(session) == []


# --- the member's choice --------------------------------------------------------------------


def test_a_member_chooses_how_to_be_paid_and_can_change_until_approval(
    app, panel, session, make_user
):
    project, lead, members = panel
    (member, account), _, _ = members
    record(app, lead, project, {member.id: 120})
    (claim,) = claims_of(session)
    with acting_as(app, account) as uow:
        with pytest.raises(InvalidInput, match="name of the charity"):
            service.choose(uow, member.id, claim.id, "donation")
        with pytest.raises(InvalidInput, match="you entered £60.00"):
            service.choose(uow, member.id, claim.id, "lower", lower_pence=6000)
        service.choose(uow, member.id, claim.id, "lower", lower_pence=2000)
        service.choose(uow, member.id, claim.id, "decline")
    assert claims_of(session)[0].status == "declined"
    assert claims_of(session)[0].amount_pence == 0
    with acting_as(app, account) as uow:
        service.choose(uow, member.id, claim.id, "voucher")
    stored = claims_of(session)[0]
    assert (stored.status, stored.choice, stored.amount_pence) == ("submitted", "voucher", 5500)
    manager = make_user(role="manager")
    with acting_as(app, manager) as uow:
        assert service.approve(uow, claim.id, stored.version) == "approved"
    with acting_as(app, account) as uow, pytest.raises(NotAllowed, match="can no longer change"):
        service.choose(uow, member.id, claim.id, "bank")


def test_another_members_payment_is_not_found(app, panel, session):
    project, lead, members = panel
    (a, _), (b, b_account), _ = members
    record(app, lead, project, {a.id: 60})
    (claim,) = claims_of(session)
    with acting_as(app, b_account) as uow, pytest.raises(Exception, match="no payment"):
        service.choose(uow, b.id, claim.id, "bank")


# --- approval -------------------------------------------------------------------------------


def _submitted(app, panel, session, minutes=120, member_index=0, choice="bank"):
    project, lead, members = panel
    member, account = members[member_index]
    record(app, lead, project, {member.id: minutes})
    claim = claims_of(session, member.id)[-1]
    with acting_as(app, account) as uow:
        service.choose(uow, member.id, claim.id, choice, charity="Age UK")
    return claim.id


def test_the_person_who_recorded_or_submitted_never_approves(app, panel, session, make_user):
    project, lead, members = panel
    claim_id = _submitted(app, panel, session)
    for who in (lead, members[0][1]):
        with acting_as(app, who) as uow, pytest.raises(NotAllowed):
            service.approve(uow, claim_id, version(session, claim_id))
    # An admin who recorded the meeting cannot approve it either.
    admin = make_user(role="admin")
    with acting_as(app, admin) as uow:
        uow.session.get(PaymentClaim, claim_id).recorded_by_id = admin.id
        uow.session.commit()
        with pytest.raises(NotAllowed, match="someone else must approve"):
            service.approve(uow, claim_id, version(session, claim_id))
    assert claims_of(session)[0].status == "submitted"


def test_below_the_limit_one_approver_is_enough(app, panel, session, make_user):
    claim_id = _submitted(app, panel, session)
    manager = make_user(role="manager")
    with acting_as(app, manager) as uow:
        assert service.approve(uow, claim_id, version(session, claim_id)) == "approved"
    session.expire_all()
    entries = session.scalars(select(LedgerEntry)).all()
    assert [(e.account, e.kind, e.amount_pence) for e in entries] == [("owed", "approval", 5500)]


def test_above_the_limit_a_second_different_approver_is_needed(app, panel, session, make_user):
    app.config["PAYMENTS_SECOND_APPROVAL_ABOVE_PENCE"] = 5000
    claim_id = _submitted(app, panel, session)
    first, second = make_user(role="manager"), make_user(role="admin")
    with acting_as(app, first) as uow:
        assert service.approve(uow, claim_id, version(session, claim_id)) == "first approval"
    assert claims_of(session)[0].status == "submitted"
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    with acting_as(app, first) as uow, pytest.raises(NotAllowed, match="already approved"):
        service.approve(uow, claim_id, version(session, claim_id))
    with acting_as(app, second) as uow:
        assert service.approve(uow, claim_id, version(session, claim_id)) == "approved"
    stored = claims_of(session)[0]
    assert (stored.first_approver_id, stored.second_approver_id) == (first.id, second.id)


def test_an_approver_acts_only_on_the_version_they_saw(app, panel, session, make_user):
    claim_id = _submitted(app, panel, session)
    seen = version(session, claim_id)
    member, account = panel[2][0]
    with acting_as(app, account) as uow:
        service.choose(uow, member.id, claim_id, "voucher")
    with (
        acting_as(app, make_user(role="manager")) as uow,
        pytest.raises(NotAllowed, match="changed after you opened it"),
    ):
        service.approve(uow, claim_id, seen)


def test_a_rejection_gives_the_member_a_reason_and_reverses_an_approval(
    app, panel, session, make_user, client, sign_in
):
    claim_id = _submitted(app, panel, session)
    manager = make_user(role="manager")
    with acting_as(app, manager) as uow:
        with pytest.raises(InvalidInput, match="Give the reason"):
            service.reject(uow, claim_id, version(session, claim_id), "  ")
        service.approve(uow, claim_id, version(session, claim_id))
        service.reject(uow, claim_id, version(session, claim_id), "This meeting was cancelled")
    session.expire_all()
    assert sorted(e.amount_pence for e in session.scalars(select(LedgerEntry))) == [-5500, 5500]
    sign_in(panel[2][0][1])
    page = client.get(f"/my/payments/{claim_id}").get_data(as_text=True)
    assert "Not approved" in page and "This meeting was cancelled" in page


def test_a_member_who_receives_benefits_confirms_before_approval(app, panel, session, make_user):
    project, lead, members = panel
    member, account = members[0]
    with acting_as(app, account) as uow:
        service.set_preference(uow, member.id, receives_benefits=True, tell_before_paying=True)
    claim_id = _submitted(app, panel, session)
    manager = make_user(role="manager")
    with acting_as(app, manager) as uow, pytest.raises(NotAllowed, match="receive benefits"):
        service.approve(uow, claim_id, version(session, claim_id))
    with acting_as(app, account) as uow:
        service.confirm_benefits(uow, member.id, claim_id)
    with acting_as(app, manager) as uow:
        assert service.approve(uow, claim_id, version(session, claim_id)) == "approved"


# --- batches and the ledger -----------------------------------------------------------------


def _approved(app, panel, session, manager, **kwargs):
    claim_id = _submitted(app, panel, session, **kwargs)
    with acting_as(app, manager) as uow:
        service.approve(uow, claim_id, version(session, claim_id))
    return claim_id


def test_a_finance_batch_is_exported_and_paid_once(app, panel, session, make_user):
    project, lead, members = panel
    manager, admin = make_user(role="manager"), make_user(role="admin")
    with acting_as(app, lead) as uow:
        rates.set_project_payments(uow, project.id, None, "CC-DAY-1", own_rates=False)
    first = _approved(app, panel, session, manager, member_index=0, choice="voucher")
    second = _approved(app, panel, session, manager, member_index=1, choice="donation")
    with acting_as(app, admin) as uow:
        batch = batches.create_batch(uow)
        with pytest.raises(InvalidInput, match="no approved payments"):
            batches.create_batch(uow)
        rows = batches.batch_rows(uow, batch.id)
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows] == [
        (batches.payee_reference(members[0][0].id), "55.00", "voucher", "", "CC-DAY-1"),
        (batches.payee_reference(members[1][0].id), "55.00", "donation", "Age UK", "CC-DAY-1"),
    ]
    with acting_as(app, admin) as uow:
        batches.confirm_batch_paid(uow, batch.id)
        with pytest.raises(NotAllowed, match="already marked paid"):
            batches.confirm_batch_paid(uow, batch.id)
    assert {c.id: c.status for c in claims_of(session)} == {first: "paid", second: "paid"}
    with acting_as(app, admin) as uow:
        totals = ledger.member_totals(uow, members[0][0].id)
    assert totals.paid_fees_pence == 5500 and totals.owed_fees_pence == 0
    assert_ledger_reconciles(session)


def test_the_csv_download_has_a_header_and_is_audited(
    app, panel, session, make_user, client, sign_in
):
    manager, admin = make_user(role="manager"), make_user(role="admin")
    _approved(app, panel, session, manager)
    with acting_as(app, admin) as uow:
        batch = batches.create_batch(uow)
    sign_in(admin)
    response = client.get(f"/payments/batches/{batch.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == list(batches.CSV_HEADERS) and len(table) == 2
    assert table[1][5] == f"PROJECT-{panel[0].id}"
    session.expire_all()
    assert session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export_batch")
    )
    page = client.post(f"/payments/batches/{batch.id}/paid", follow_redirects=True)
    assert "marked paid" in page.get_data(as_text=True)
    again = client.post(f"/payments/batches/{batch.id}/paid")
    assert "already marked paid" in again.get_data(as_text=True)


def test_a_ledger_entry_cannot_be_edited(app, panel, session, make_user):
    _approved(app, panel, session, make_user(role="manager"))
    with pytest.raises(DatabaseError, match="cannot be changed"):
        session.execute(update(LedgerEntry).values(amount_pence=1))
        session.flush()
    session.rollback()
    assert [e.amount_pence for e in session.scalars(select(LedgerEntry))] == [5500]


def assert_ledger_reconciles(session):
    """Totals per member, project and tax year from the ledger equal those of the claims."""
    session.expire_all()
    claims = list(session.scalars(select(PaymentClaim)))
    entries = list(session.scalars(select(LedgerEntry)))
    for claim in claims:
        mine = [e for e in entries if e.claim_id == claim.id]
        owed = sum(e.amount_pence for e in mine if e.account == "owed")
        paid = sum(e.amount_pence for e in mine if e.account == "paid")
        assert owed == (claim.amount_pence if claim.status == "approved" else 0), claim.id
        assert paid == (claim.amount_pence if claim.status == "paid" else 0), claim.id
    for by, key in (("member", "member_id"), ("project", "project_id")):
        expected: dict = {}
        for claim in claims:
            account = {"approved": "owed", "paid": "paid"}.get(claim.status)
            if account:
                k = (getattr(claim, key), account)
                expected[k] = expected.get(k, 0) + claim.amount_pence
        with_zero = {k: v for k, v in _ledger_totals(session, by).items() if v}
        assert with_zero == expected
    by_year: dict = {}
    for claim in claims:
        if claim.status == "paid":
            k = (tax_year_of(claim.paid_at.date()), "paid")
            by_year[k] = by_year.get(k, 0) + claim.amount_pence
    assert {
        k: v for k, v in _ledger_totals(session, "tax_year").items() if k[1] == "paid"
    } == by_year


def _ledger_totals(session, by):
    from panels.uow import UnitOfWork

    return ledger.ledger_totals(UnitOfWork(session, Actor.command_line()), by)


def test_totals_reconcile_with_the_ledger_through_approvals_reversals_and_payment(
    app, make_member, make_user, session
):
    first = confirmed_project(app, make_member, make_user, people=3, title="One")
    second = confirmed_project(app, make_member, make_user, people=2, title="Two")
    manager, admin = make_user(role="manager"), make_user(role="admin")
    ids = [_approved(app, first, session, manager, member_index=i) for i in range(3)]
    ids += [_approved(app, second, session, manager, member_index=i, minutes=300) for i in range(2)]
    with acting_as(app, manager) as uow:
        service.reject(uow, ids[1], version(session, ids[1]), "Counted twice")
    with acting_as(app, admin) as uow:
        batch = batches.create_batch(uow)
    _submitted(app, first, session, member_index=0)
    with acting_as(app, admin) as uow:
        batches.confirm_batch_paid(uow, batch.id)
    _approved(app, second, session, manager, member_index=0)
    with acting_as(app, manager) as uow:
        service.reject(uow, ids[3], version(session, ids[3]), "Paid twice by mistake; returned")
    assert claims_of(session)[3].status == "rejected"
    assert_ledger_reconciles(session)
    session.expire_all()
    assert sum(e.amount_pence for e in session.scalars(select(LedgerEntry))) == sum(
        c.amount_pence for c in claims_of(session) if c.status in ("approved", "paid")
    )


# --- expenses and receipts ------------------------------------------------------------------


def _expense_form(project_id, **overrides):
    today = date.today() - timedelta(days=1)
    data = {
        "project": str(project_id),
        "expense_type": "mileage",
        "occurred_on": [str(today.day), str(today.month), str(today.year)],
        "miles": "12",
        "amount": "",
        "description": "To the town hall and back",
    }
    data.update(overrides)
    return data


def _receipt_files(app):
    folder = service.receipt_files.folder("", app.config["INSTANCE_PATH"])
    return sorted(p.name for p in folder.iterdir())


def test_a_member_claims_mileage_with_a_receipt(app, panel, session, client, sign_in):
    project, lead, members = panel
    member, account = members[0]
    sign_in(account)
    response = client.post(
        "/my/payments/expenses/new",
        data={**_expense_form(project.id), "receipts": [(io.BytesIO(PNG), "ticket.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (claim,) = claims_of(session)
    assert (claim.kind, claim.expense_type, claim.miles, claim.amount_pence) == (
        "expense",
        "mileage",
        12,
        12 * 45,
    )
    assert claim.status == "submitted" and claim.submitted_by_id == account.id
    (receipt,) = session.scalars(select(PaymentReceipt)).all()
    assert receipt.content_type == "image/png" and receipt.original_name == "ticket.png"
    assert _receipt_files(app) == [receipt.stored_name]
    folder = service.receipt_files.folder("", app.config["INSTANCE_PATH"])
    assert folder.is_relative_to(app.config["INSTANCE_PATH"]) and "static" not in folder.parts
    download = client.get(f"/payments/receipts/{receipt.id}")
    assert download.status_code == 200 and download.data == PNG


@pytest.mark.parametrize(
    ("upload", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "receipt.pdf", "is not a photo or a PDF"),
        (b"just some text, not a receipt", "receipt.jpg", "is not a photo or a PDF"),
        (b"", "empty.png", "is empty"),
    ],
)
def test_a_receipt_is_checked_by_its_content_not_its_name(
    app, panel, session, client, sign_in, upload, name, message
):
    project, _lead, members = panel
    sign_in(members[0][1])
    response = client.post(
        "/my/payments/expenses/new",
        data={
            **_expense_form(project.id, expense_type="taxi", amount="14.20"),
            "receipts": [(io.BytesIO(upload), name)],
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and name in page
    assert claims_of(session) == [] and _receipt_files(app) == []


def test_an_oversized_receipt_is_refused_and_nothing_is_written(
    app, panel, session, client, sign_in
):
    app.config["PAYMENTS_RECEIPT_MAX_BYTES"] = 200 * 1024
    project, _lead, members = panel
    sign_in(members[0][1])
    big = PDF + b"0" * (300 * 1024)
    response = client.post(
        "/my/payments/expenses/new",
        data={
            **_expense_form(project.id, expense_type="care", amount="30"),
            "receipts": [(io.BytesIO(big), "big.pdf")],
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "bigger than" in page and "204,800 bytes" in page
    assert claims_of(session) == [] and _receipt_files(app) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"expense_type": "public_transport", "amount": "-3"}, "cannot be negative"),
        ({"expense_type": "public_transport", "amount": "3.999"}, "more than two decimal places"),
        ({"expense_type": "public_transport", "amount": "250000"}, "more than one claim can be"),
        ({"miles": "0"}, "from 1 to 2,000"),
        ({"miles": "12.5"}, "&#39;12.5&#39; is not"),
        ({"expense_type": "taxi", "amount": "12"}, "Add a receipt for taxi"),
    ],
)
def test_bad_expense_input_is_refused_with_a_clear_error(
    app, panel, session, client, sign_in, overrides, message
):
    project, _lead, members = panel
    sign_in(members[0][1])
    response = client.post("/my/payments/expenses/new", data=_expense_form(project.id, **overrides))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert claims_of(session) == []


def test_a_failed_claim_leaves_no_receipt_file(app, panel, session):
    project, _lead, members = panel
    member, account = members[0]
    upload = service.receipt_files.Upload("t.png", "image/png", PNG)
    data = service.ExpenseInput(project.id, "other", date.today(), "x", amount_pence=0)
    with acting_as(app, account) as uow, pytest.raises(InvalidInput, match="more than £0.00"):
        service.submit_expense(uow, member.id, data, [upload])
    assert _receipt_files(app) == [] and claims_of(session) == []


def test_receipts_are_served_only_to_their_member_and_approvers_and_staff_views_are_audited(
    app, panel, session, make_user, sign_in
):
    project, lead, members = panel
    member, account = members[0]
    with acting_as(app, account) as uow:
        claim = service.submit_expense(
            uow,
            member.id,
            service.ExpenseInput(
                project.id, "care", date.today(), "Support worker", amount_pence=3000
            ),
            [service.receipt_files.Upload("r.pdf", "application/pdf", PDF)],
        )
    receipt_id = session.scalar(select(PaymentReceipt.id))
    url = f"/payments/receipts/{receipt_id}"
    for who, status in ((members[1][1], 404), (lead, 404), (make_user(role="manager"), 200)):
        other = app.test_client()
        sign_in(who, client=other)
        assert other.get(url).status_code == status, who.role
        if who.role == "manager":
            assert other.get(f"/payments/claims/{claim.id}").status_code == 200
    session.expire_all()
    actions = [a for (a,) in session.execute(select(AuditEvent.action)).all()]
    assert "view_receipt" in actions and "view_payments" in actions


def test_staff_pages_show_no_equality_data(app, make_member, make_user, session, client, sign_in):
    lead = make_user(role="lead")
    member = make_member(ethnicity="Indian", sex="Female")
    account = make_user(role="member")
    with acting_as(app, lead) as uow:
        project = projects.create_project(
            uow, projects.ProjectInput(title="Care", purpose="Care", level="operational")
        )
        uow.session.get(Member, member.id).user_id = account.id
        uow.session.add(Invitation(project_id=project.id, member_id=member.id, status="accepted"))
        uow.session.get(Project, project.id).confirmed_at = utcnow()
        uow.session.commit()
    claim_id = _submitted(app, (project, lead, [(member, account)]), session)
    sign_in(make_user(role="manager"))
    page = client.get(f"/payments/claims/{claim_id}").get_data(as_text=True)
    assert member.last_name in page and "£55.00" in page
    assert "Indian" not in page and "Female" not in page


# --- pages ----------------------------------------------------------------------------------


def test_the_member_chooses_a_voucher_on_their_page_and_sees_their_tax_year_total(
    app, panel, session, client, sign_in
):
    project, lead, members = panel
    member, account = members[0]
    record(app, lead, project, {member.id: 60})
    (claim,) = claims_of(session)
    sign_in(account)
    page = client.get("/my/payments/").get_data(as_text=True)
    assert "6 April" in page and "£27.50" in page and "Waiting for you to choose" in page
    response = client.post(
        f"/my/payments/{claim.id}", data={"action": "choose", "choice-choice": "voucher"}
    )
    assert response.status_code == 302
    assert claims_of(session)[0].choice == "voucher"
    easy = client.get("/my/payments/easy-read").get_data(as_text=True)
    assert 'role="img"' in easy and "<title" in easy and "Vouchers count too" in easy


def test_a_member_without_a_linked_record_is_told_so(app, client, sign_in, make_user):
    sign_in(make_user(role="member"))
    response = client.get("/my/payments/")
    assert response.status_code == 200 and "not linked" in response.get_data(as_text=True)
    assert client.get("/my/payments/easy-read").status_code == 404


def test_staff_record_a_meeting_through_the_page_and_see_payments_due(
    app, panel, session, client, sign_in
):
    project, lead, members = panel
    sign_in(lead)
    today = date.today()
    form = {
        "action": "meeting",
        "meeting-held_on": [str(today.day), str(today.month), str(today.year)],
        "meeting-title": "Second meeting",
        "meeting-activity": "workshop",
        "meeting-preparation_minutes": "30",
    }
    for member, _account in members:
        form[f"came_{member.id}"] = "yes"
        form[f"minutes_{member.id}"] = "90"
    response = client.post(f"/projects/{project.id}/meetings", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/payments/projects/{project.id}").get_data(as_text=True)
    assert page.count("£55.00") >= 3 and "Waiting for you to choose" in page


# --- the member's data ----------------------------------------------------------------------


def test_personal_data_lists_payments_and_erasure_keeps_the_amounts(app, panel, session, make_user):
    project, lead, members = panel
    member, account = members[0]
    _approved(app, panel, session, make_user(role="manager"), choice="donation")
    with acting_as(app, account) as uow:
        service.submit_expense(
            uow,
            member.id,
            service.ExpenseInput(
                project.id, "other", date.today(), "Childcare for my son", amount_pence=900
            ),
            [service.receipt_files.Upload("r.png", "image/png", PNG)],
        )
        sections = service.personal_data(uow, member.id)
    rows = sections[0].rows
    assert any("Age UK" in row for row in rows) and any(
        "Childcare for my son" in row for row in rows
    )
    assert len(sections[1].rows) == 1
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        service.erase(uow, member.id)
    session.expire_all()
    claims = claims_of(session, member.id)
    assert all(c.description == "" and c.charity == "" for c in claims)
    assert session.scalar(select(func.count()).select_from(PaymentReceipt)) == 0
    assert _receipt_files(app) == []
    assert [e.amount_pence for e in session.scalars(select(LedgerEntry))] == [5500]


def test_an_admin_changes_the_rate_card_and_bad_figures_are_refused(
    app, make_user, client, sign_in, session
):
    sign_in(make_user(role="admin"))
    page = client.get("/payments/rates").get_data(as_text=True)
    assert "Check the current figures" in page and "NIHR" in page and "£27.50" in page
    form = {
        "label": "Panel or committee meeting",
        "hourly": "30.00",
        "half_day": "90",
        "day": "180",
        "preparation": "60",
        "source": "Our own board, 2026",
        "source_date": ["1", "4", "2026"],
    }
    bad = client.post("/payments/rates/panel_meeting", data={**form, "hourly": "30.001"})
    assert "has more than two decimal places" in bad.get_data(as_text=True)
    assert client.post("/payments/rates/panel_meeting", data=form).status_code == 302
    session.expire_all()
    rate = session.scalar(select(PaymentRate).where(PaymentRate.activity == "panel_meeting"))
    assert (rate.hourly_pence, rate.day_pence, rate.source) == (3000, 18000, "Our own board, 2026")


def test_a_lead_sets_the_project_budget_and_cost_code(app, panel, session, client, sign_in):
    project, lead, members = panel
    sign_in(lead)
    response = client.post(
        f"/payments/projects/{project.id}",
        data={"budget": "100", "cost_code": "CC-7", "own_rates": "y"},
    )
    assert response.status_code == 302
    record(app, lead, project, {m.id: 180 for m, _ in members})
    page = client.get(f"/payments/projects/{project.id}").get_data(as_text=True)
    assert "CC-7" in page and "£100.00" in page and "more than the budget" in page
    assert "-£147.50" in page


def test_a_charity_name_cannot_become_a_spreadsheet_formula(app, panel, session, make_user):
    project, lead, members = panel
    member, account = members[0]
    record(app, lead, project, {member.id: 60})
    (claim,) = claims_of(session)
    with acting_as(app, account) as uow:
        service.choose(uow, member.id, claim.id, "donation", charity="=HYPERLINK(1)")
    with acting_as(app, make_user(role="manager")) as uow:
        service.approve(uow, claim.id, version(session, claim.id))
    with acting_as(app, make_user(role="admin")) as uow:
        batch = batches.create_batch(uow)
        (row,) = batches.batch_rows(uow, batch.id)
    assert row[4] == "'=HYPERLINK(1)"


def test_a_payment_due_recorded_by_mistake_can_be_rejected_by_someone_else(
    app, panel, session, make_user
):
    project, lead, members = panel
    record(app, lead, project, {members[0][0].id: 60})
    (claim,) = claims_of(session)
    with acting_as(app, make_user(role="manager")) as uow:
        service.reject(uow, claim.id, claim.version, "Recorded for the wrong meeting")
    assert claims_of(session)[0].status == "rejected"
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_members_see_my_payments_in_the_header_and_staff_see_payments(
    app, panel, client, sign_in, make_user
):
    sign_in(panel[2][0][1])
    assert "My payments" in client.get("/my/payments/").get_data(as_text=True)
    other = app.test_client()
    sign_in(make_user(role="manager"), client=other)
    page = other.get("/payments/").get_data(as_text=True)
    assert ">Payments<" in page and "My payments" not in page


def test_a_member_with_an_account_is_emailed_when_a_payment_is_due(app, panel, session):
    from models import OutboxMessage

    project, lead, members = panel
    member = members[0][0]
    record(app, lead, project, {member.id: 60})
    (claim,) = claims_of(session)
    (message,) = session.scalars(select(OutboxMessage)).all()
    assert message.recipient == member.email and message.member_id == member.id
    assert f"http://localhost/my/payments/{claim.id}" in message.body
    assert "£27.50" in message.body and "Vouchers count as income" in message.body


def test_the_benefits_guidance_is_shown_before_the_member_confirms_on_their_page(
    app, panel, session, client, sign_in
):
    from panels.payments import feature

    project, lead, members = panel
    member, account = members[0]
    sign_in(account)
    response = client.post(
        "/my/payments/benefits", data={"receives_benefits": "y", "tell_before_paying": "y"}
    )
    assert response.status_code == 302
    record(app, lead, project, {member.id: 60})
    (claim,) = claims_of(session)
    page = client.get(f"/my/payments/{claim.id}").get_data(as_text=True)
    assert "Before we pay you" not in page
    client.post(f"/my/payments/{claim.id}", data={"action": "choose", "choice-choice": "bank"})
    page = client.get(f"/my/payments/{claim.id}").get_data(as_text=True)
    assert "Before we pay you" in page and "Citizens Advice" in page
    assert "Vouchers count as income too" in page
    client.post(f"/my/payments/{claim.id}", data={"action": "confirm"})
    assert claims_of(session)[0].benefits_confirmed_at is not None
    with acting_as(app, account) as uow:
        titles = [section.title for section in feature.personal_data(uow, member.id)]
    assert titles == ["Payments and expenses", "Receipts", "Benefits"]


def test_recording_the_same_meeting_again_pays_no_one_twice(app, panel, session):
    project, lead, members = panel
    attendance = {members[0][0].id: 60, members[1][0].id: 60}
    record(app, lead, project, attendance, title="Meeting")
    with pytest.raises(InvalidInput, match="is already recorded"):
        record(app, lead, project, attendance, title="Meeting")
    assert len(claims_of(session)) == 2
    with acting_as(app, lead) as uow:
        invitations.record_meeting(uow, project.id, date.today(), "Afternoon session", attendance)
    assert len(claims_of(session)) == 4


def test_staff_record_a_members_choice_told_by_phone_and_someone_else_approves(
    app, make_member, make_user, session, client, sign_in
):
    lead = make_user(role="lead")
    member = make_member()
    with acting_as(app, lead) as uow:
        project = projects.create_project(
            uow, projects.ProjectInput(title="Phone", purpose="No account", level="operational")
        )
        uow.session.add(Invitation(project_id=project.id, member_id=member.id, status="accepted"))
        uow.session.get(Project, project.id).confirmed_at = utcnow()
        uow.session.commit()
    record(app, lead, project, {member.id: 60})
    (claim,) = claims_of(session)
    sign_in(lead)
    page = client.get(f"/payments/projects/{project.id}").get_data(as_text=True)
    assert "Record their choice" in page
    form = client.get(f"/payments/claims/{claim.id}/choice").get_data(as_text=True)
    assert "a voucher counts as income" in form
    response = client.post(
        f"/payments/claims/{claim.id}/choice", data={"choice-choice": "donation"}
    )
    assert "Write the name of the charity" in response.get_data(as_text=True)
    response = client.post(
        f"/payments/claims/{claim.id}/choice",
        data={"choice-choice": "donation", "choice-charity": "Mind"},
    )
    assert response.status_code == 302
    stored = claims_of(session)[0]
    assert (stored.status, stored.charity, stored.submitted_by_id) == ("submitted", "Mind", lead.id)
    with acting_as(app, make_user(role="manager")) as uow:
        assert service.approve(uow, claim.id, stored.version) == "approved"


def test_the_approval_queue_is_shown_a_page_at_a_time(
    app, make_member, make_user, session, client, sign_in
):
    app.config["PAYMENTS_QUEUE_PAGE_SIZE"] = 2
    first = confirmed_project(app, make_member, make_user, people=3)
    for index in range(3):
        _submitted(app, first, session, member_index=index)
    sign_in(make_user(role="manager"))
    one = client.get("/payments/").get_data(as_text=True)
    two = client.get("/payments/?page=2").get_data(as_text=True)
    assert "Waiting for approval (3)" in one and one.count("Item ") == 2
    assert two.count("Item ") == 1 and "Pages of claims waiting for approval" in one
