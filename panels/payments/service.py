"""Involvement payments and expenses: payments due from attendance, the member's choice,
expenses with receipts, approval with dual control, and what the feature holds about a
member (their data, its erasure).

The rate card is in :mod:`panels.payments.rates`, the ledger and row locks in
:mod:`panels.payments.ledger`, finance batches in :mod:`panels.payments.batches`. Every
change of money is a :class:`~models.LedgerEntry` (approval: owed +; payment: owed -,
paid +; a correction reverses). Claims are changed under a row lock, and an approver acts
only on the version of a claim they saw, so that two people acting at once get one outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import (
    CLAIM_STATUSES,
    EXPENSE_TYPES,
    MAX_CLAIM_PENCE,
    PAYMENT_CHOICES,
    Attendance,
    Invitation,
    Meeting,
    Member,
    PaymentClaim,
    PaymentPreference,
    PaymentReceipt,
    Project,
    utcnow,
)
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.features import DataSection, registry
from panels.links import external_url
from panels.mail import queue_message
from panels.payments import ledger, rates
from panels.payments import receipts as receipt_files
from panels.payments.money import format_pence
from panels.text import reject_control_characters
from panels.uow import UnitOfWork

SETTINGS: dict[str, int | str] = {
    "PAYMENTS_SECOND_APPROVAL_ABOVE_PENCE": 10_000,
    "PAYMENTS_PENCE_PER_MILE": 45,
    "PAYMENTS_RECEIPT_MAX_BYTES": 5 * 1024 * 1024,
    "PAYMENTS_RECEIPTS_FOLDER": "",
    "PAYMENTS_QUEUE_PAGE_SIZE": 50,
}
"""Payment settings and their defaults: a second approver above £100; mileage at HMRC's
approved rate for cars, 45p a mile; receipts up to 5 MB, kept in <instance>/receipts;
50 claims a page for approvers."""

OPEN_STATUSES = ("due", "submitted", "declined")
"""A member may change how they are paid while the claim is in one of these."""
RECEIPT_NEEDED = ("taxi", "care", "other")


def setting(uow: UnitOfWork, name: str) -> Any:
    return uow.settings.get(name, SETTINGS[name])


def receipts_folder(uow: UnitOfWork) -> Path:
    return receipt_files.folder(
        str(setting(uow, "PAYMENTS_RECEIPTS_FOLDER")), str(uow.settings.get("INSTANCE_PATH", "."))
    )


# --- payments due ---------------------------------------------------------------------------


def create_payments_due(uow: UnitOfWork, meeting_id: int) -> list[PaymentClaim]:
    """A payment due for each person who came to the meeting (once per attendance record)."""
    created: list[PaymentClaim] = []
    with uow:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"There is no meeting with id {meeting_id}.")
        rate = rates.rate_for(uow, meeting.project_id, meeting.activity)
        already = set(
            uow.session.scalars(
                select(PaymentClaim.attendance_id)
                .join(Attendance, Attendance.id == PaymentClaim.attendance_id)
                .where(Attendance.meeting_id == meeting.id)
            )
        )
        for attendance in uow.session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id, Attendance.attended.is_(True))
            .order_by(Attendance.member_id)
        ):
            if attendance.id in already:
                continue
            minutes = attendance.minutes + meeting.preparation_minutes
            full = rates.fee_pence(rate, minutes)
            if full == 0:
                continue
            claim = PaymentClaim(
                member_id=attendance.member_id,
                project_id=meeting.project_id,
                kind="fee",
                meeting_id=meeting.id,
                attendance_id=attendance.id,
                occurred_on=meeting.held_on,
                activity=meeting.activity,
                minutes=minutes,
                full_pence=full,
                amount_pence=full,
                status="due",
                recorded_by_id=uow.actor.user_id,
                charity="",
                description="",
                rejection_reason="",
            )
            uow.session.add(claim)
            created.append(claim)
        uow.session.flush()
        for claim in created:
            _tell_member_payment_due(uow, claim, meeting)
        if created:
            audit.record(
                uow,
                "payments_due",
                "project",
                meeting.project_id,
                record_count=len(created),
                meeting=meeting.id,
                total_pence=sum(c.full_pence for c in created),
            )
    return created


def _tell_member_payment_due(uow: UnitOfWork, claim: PaymentClaim, meeting: Meeting) -> None:
    """Email a member who has an account: a payment is due, and where to choose how."""
    member = uow.session.get(Member, claim.member_id)
    if member is None or member.user_id is None or not member.email:
        return
    link = external_url(uow.settings, "my_payments.claim", claim_id=claim.id)
    queue_message(
        uow,
        recipient=member.email,
        subject="You have a payment for your time",
        body="\n".join(
            [
                f"Hello {member.display_name},",
                "",
                f"Thank you for coming to {meeting.title} on "
                f"{meeting.held_on.strftime('%-d %B %Y')}.",
                f"We will pay you {format_pence(claim.full_pence)} for your time.",
                "",
                "Please tell us how you would like to be paid:",
                link,
                "",
                "You can choose a bank transfer, a voucher, a donation to a charity, a lower "
                "amount, or no payment. Vouchers count as income, like money.",
            ]
        ),
        member_id=member.id,
    )


# --- the member's side ----------------------------------------------------------------------


def _own_claim(uow: UnitOfWork, member_id: int, claim_id: int) -> PaymentClaim:
    claim = ledger.lock_claim(uow, claim_id)
    if claim.member_id != member_id:
        raise NotFound(f"There is no payment or claim with id {claim_id}.")
    return claim


def choose(
    uow: UnitOfWork,
    member_id: int,
    claim_id: int,
    choice: str,
    *,
    lower_pence: int | None = None,
    charity: str = "",
) -> PaymentClaim:
    """The member says how they want a payment for their time: it can change until approval."""
    if choice not in PAYMENT_CHOICES:
        raise InvalidInput(f"choice {choice!r} is not one of: {', '.join(PAYMENT_CHOICES)}")
    reject_control_characters("charity", charity)
    with uow:
        claim = _own_claim(uow, member_id, claim_id)
        if claim.kind != "fee":
            raise InvalidInput("Expenses are always repaid in full, by bank transfer.")
        if claim.status not in OPEN_STATUSES:
            raise NotAllowed(
                f"This payment is {CLAIM_STATUSES[claim.status].lower()}, so how you receive "
                "it can no longer change. Contact us if something is wrong."
            )
        amount = claim.full_pence
        charity = charity.strip()
        if choice == "donation" and not charity:
            raise InvalidInput("Write the name of the charity you would like us to pay")
        if choice == "lower":
            if lower_pence is None or not 0 < lower_pence < claim.full_pence:
                shown = "nothing" if lower_pence is None else format_pence(lower_pence)
                raise InvalidInput(
                    f"A lower amount must be more than £0.00 and less than "
                    f"{format_pence(claim.full_pence)}; you entered {shown}. To be paid "
                    "nothing, choose not to be paid."
                )
            amount = lower_pence
        if choice == "decline":
            amount = 0
        claim.choice, claim.amount_pence = choice, amount
        claim.charity = charity[:200] if choice == "donation" else ""
        claim.status = "declined" if choice == "decline" else "submitted"
        claim.submitted_by_id = uow.actor.user_id
        # A change starts approval again, and the benefits check with it.
        claim.first_approver_id = None
        claim.benefits_confirmed_at = None
        ledger.changed(claim)
        audit.record(
            uow, "choose_payment", "payment_claim", claim.id, choice=choice, amount_pence=amount
        )
    return claim


def preference(uow: UnitOfWork, member_id: int) -> PaymentPreference:
    found = uow.session.get(PaymentPreference, member_id)
    return found or PaymentPreference(
        member_id=member_id, receives_benefits=False, tell_before_paying=False
    )


def set_preference(
    uow: UnitOfWork, member_id: int, receives_benefits: bool, tell_before_paying: bool
) -> PaymentPreference:
    with uow:
        found = uow.session.get(PaymentPreference, member_id)
        if found is None:
            found = PaymentPreference(member_id=member_id)
            uow.session.add(found)
        found.receives_benefits = receives_benefits
        found.tell_before_paying = tell_before_paying
        audit.record(uow, "set_payment_preference", "member", member_id)
    return found


def needs_benefits_check(uow: UnitOfWork, claim: PaymentClaim) -> bool:
    """Whether the member asked to be told before this is paid and has not yet confirmed."""
    if claim.kind != "fee" or claim.benefits_confirmed_at is not None:
        return False
    return preference(uow, claim.member_id).tell_before_paying


def confirm_benefits(uow: UnitOfWork, member_id: int, claim_id: int) -> PaymentClaim:
    """The member has read the benefits guidance and still wants this payment."""
    with uow:
        claim = _own_claim(uow, member_id, claim_id)
        if claim.status != "submitted":
            raise InvalidInput("Choose how you would like to be paid first.")
        claim.benefits_confirmed_at = utcnow()
        ledger.changed(claim)
        audit.record(uow, "confirm_benefits", "payment_claim", claim.id)
    return claim


def projects_of(uow: UnitOfWork, member_id: int) -> list[Project]:
    """The projects whose panels the member is on (an expense belongs to one of them)."""
    return list(
        uow.session.scalars(
            select(Project)
            .join(Invitation, Invitation.project_id == Project.id)
            .where(Invitation.member_id == member_id, Invitation.status == "accepted")
            .order_by(Project.title)
        )
    )


@dataclass(frozen=True)
class ExpenseInput:
    project_id: int
    expense_type: str
    occurred_on: date
    description: str
    miles: int | None = None
    amount_pence: int | None = None


def expense_pence(uow: UnitOfWork, data: ExpenseInput) -> int:
    if data.expense_type == "mileage":
        if data.miles is None or not 0 < data.miles <= 2000:
            raise InvalidInput(
                f"{data.miles} miles is not a distance we can pay; enter whole miles from 1 "
                "to 2,000"
            )
        return data.miles * int(setting(uow, "PAYMENTS_PENCE_PER_MILE"))
    if data.amount_pence is None or not 0 < data.amount_pence <= MAX_CLAIM_PENCE:
        shown = "nothing" if data.amount_pence is None else format_pence(data.amount_pence)
        raise InvalidInput(
            f"The amount must be more than £0.00 and at most {format_pence(MAX_CLAIM_PENCE)}; "
            f"you entered {shown}"
        )
    return data.amount_pence


def submit_expense(
    uow: UnitOfWork,
    member_id: int,
    data: ExpenseInput,
    uploads: Sequence[receipt_files.Upload] = (),
) -> PaymentClaim:
    """An expenses claim with its receipts; files written are removed if anything fails."""
    if data.expense_type not in EXPENSE_TYPES:
        raise InvalidInput(
            f"expense type {data.expense_type!r} is not one of: {', '.join(EXPENSE_TYPES)}"
        )
    reject_control_characters("description", data.description)
    if data.expense_type in RECEIPT_NEEDED and not uploads:
        raise InvalidInput(
            f"Add a receipt for {EXPENSE_TYPES[data.expense_type].lower()} (a photo or a PDF)"
        )
    if data.occurred_on > date.today():
        raise InvalidInput(
            f"{data.occurred_on.strftime('%-d %B %Y')} is in the future; claim after the journey"
        )
    where = receipts_folder(uow)
    written: list[str] = []
    try:
        with uow:
            if data.project_id not in {p.id for p in projects_of(uow, member_id)}:
                raise InvalidInput(
                    f"project {data.project_id} is not one whose panel you are on, so expenses "
                    "cannot be claimed for it"
                )
            pence = expense_pence(uow, data)
            claim = PaymentClaim(
                member_id=member_id,
                project_id=data.project_id,
                kind="expense",
                occurred_on=data.occurred_on,
                expense_type=data.expense_type,
                miles=data.miles if data.expense_type == "mileage" else None,
                description=data.description.strip()[:2000],
                full_pence=pence,
                amount_pence=pence,
                choice="bank",
                charity="",
                status="submitted",
                rejection_reason="",
                submitted_by_id=uow.actor.user_id,
                activity="",
                minutes=0,
            )
            uow.session.add(claim)
            uow.session.flush()
            for upload in uploads:
                stored = receipt_files.store(where, upload)
                written.append(stored)
                uow.session.add(
                    PaymentReceipt(
                        claim_id=claim.id,
                        stored_name=stored,
                        content_type=upload.content_type,
                        size_bytes=len(upload.data),
                        original_name=upload.name,
                    )
                )
            audit.record(
                uow,
                "submit_expense",
                "payment_claim",
                claim.id,
                expense_type=data.expense_type,
                amount_pence=pence,
                receipts=len(uploads),
            )
    except BaseException:
        receipt_files.remove(where, written)
        raise
    return claim


# --- approval -------------------------------------------------------------------------------


def _approver(uow: UnitOfWork) -> int:
    actor = uow.actor
    if actor.user_id is None or not registry().allows(actor.role, "approve_payments"):
        raise NotAllowed("Only a signed-in approver can approve or reject payments.")
    return actor.user_id


def _check_version(claim: PaymentClaim, seen_version: int) -> None:
    if claim.version != seen_version:
        raise NotAllowed(
            f"This claim changed after you opened it (it is now: "
            f"{CLAIM_STATUSES[claim.status].lower()}). Nothing was changed; look at it again."
        )


def _check_separation(claim: PaymentClaim, user_id: int) -> None:
    if user_id in (claim.submitted_by_id, claim.recorded_by_id):
        raise NotAllowed(
            "You recorded or submitted this claim, so someone else must approve or reject it."
        )


def second_approval_needed(uow: UnitOfWork, claim: PaymentClaim) -> bool:
    return claim.amount_pence > int(setting(uow, "PAYMENTS_SECOND_APPROVAL_ABOVE_PENCE"))


def approve(uow: UnitOfWork, claim_id: int, seen_version: int) -> str:
    """Approve a claim; above the limit the first approval waits for a second, different
    approver. Returns "approved" or "first approval"."""
    user_id = _approver(uow)
    with uow:
        claim = ledger.lock_claim(uow, claim_id)
        _check_version(claim, seen_version)
        if claim.status != "submitted":
            raise InvalidInput(
                f"Only claims waiting for approval can be approved; this one is: "
                f"{CLAIM_STATUSES[claim.status].lower()}"
            )
        _check_separation(claim, user_id)
        if claim.first_approver_id == user_id:
            raise NotAllowed(
                "You have already approved this claim; a second, different approver must "
                "approve it too."
            )
        if needs_benefits_check(uow, claim):
            raise NotAllowed(
                "The member asked to be told before anything is paid (they receive benefits) "
                "and has not confirmed yet."
            )
        ledger.changed(claim)
        if second_approval_needed(uow, claim) and claim.first_approver_id is None:
            claim.first_approver_id = user_id
            audit.record(
                uow,
                "approve_payment",
                "payment_claim",
                claim.id,
                stage="first",
                member=claim.member_id,
            )
            return "first approval"
        if claim.first_approver_id is None:
            claim.first_approver_id = user_id
        else:
            claim.second_approver_id = user_id
        claim.status = "approved"
        claim.approved_at = utcnow()
        ledger.post(uow, claim, "owed", "approval", claim.amount_pence, date.today())
        audit.record(
            uow,
            "approve_payment",
            "payment_claim",
            claim.id,
            stage="final",
            member=claim.member_id,
            amount_pence=claim.amount_pence,
        )
    return "approved"


def reject(uow: UnitOfWork, claim_id: int, seen_version: int, reason: str) -> PaymentClaim:
    """Refuse a claim with a reason the member sees. An approved claim's approval, or a paid
    claim's payment (returned, or paid in error), is reversed in the ledger, never edited."""
    user_id = _approver(uow)
    reject_control_characters("reason", reason)
    if not reason.strip():
        raise InvalidInput("Give the reason, so that the member knows why")
    with uow:
        claim = ledger.lock_claim(uow, claim_id)
        _check_version(claim, seen_version)
        if claim.status not in ("due", "submitted", "approved", "paid"):
            raise InvalidInput(
                f"This claim is {CLAIM_STATUSES[claim.status].lower()}, so it cannot be rejected"
            )
        if claim.status == "approved" and claim.batch_id is not None:
            raise NotAllowed(
                f"This claim is in finance batch {claim.batch_id}, which is not paid yet, so it "
                "cannot be rejected until the batch is paid; then reverse it."
            )
        _check_separation(claim, user_id)
        if claim.status == "approved":
            ledger.post(uow, claim, "owed", "reversal", -claim.amount_pence, date.today())
        if claim.status == "paid":
            ledger.post(uow, claim, "paid", "reversal", -claim.amount_pence, date.today())
        claim.status = "rejected"
        claim.rejection_reason = reason.strip()[:2000]
        ledger.changed(claim)
        audit.record(uow, "reject_payment", "payment_claim", claim.id, member=claim.member_id)
    return claim


# --- staff views and the member's own data --------------------------------------------------


def record_staff_view(
    uow: UnitOfWork, what: str, subject_type: str, subject_id: int | None, count: int = 1
) -> None:
    """Every staff view of a member's payments or receipts goes in the audit log."""
    with uow:
        audit.record(uow, "view_payments", subject_type, subject_id, record_count=count, what=what)


def receipt_for(
    uow: UnitOfWork, receipt_id: int, *, member_id: int | None, staff: bool
) -> tuple[PaymentReceipt, Path]:
    """A receipt and its file, for the member it belongs to or an approver (audited)."""
    with uow:
        receipt = uow.session.get(PaymentReceipt, receipt_id)
        claim = uow.session.get(PaymentClaim, receipt.claim_id) if receipt else None
        if receipt is None or claim is None or not (staff or claim.member_id == member_id):
            raise NotFound(f"There is no receipt with id {receipt_id}.")
        if staff and claim.member_id != member_id:
            audit.record(
                uow,
                "view_receipt",
                "payment_claim",
                claim.id,
                receipt=receipt.id,
                member=claim.member_id,
            )
        path = receipts_folder(uow) / receipt.stored_name
    return receipt, path


def personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """The member's payments, claims, receipts and benefits answer, for "Download my data"."""
    claims = list(
        uow.session.scalars(
            select(PaymentClaim)
            .where(PaymentClaim.member_id == member_id)
            .order_by(PaymentClaim.occurred_on, PaymentClaim.id)
        )
    )
    rows = tuple(
        (
            c.occurred_on.isoformat(),
            "Payment for time" if c.kind == "fee" else EXPENSE_TYPES.get(c.expense_type or "", ""),
            format_pence(c.amount_pence),
            PAYMENT_CHOICES.get(c.choice or "", "Not chosen yet"),
            c.charity,
            CLAIM_STATUSES[c.status],
            c.rejection_reason,
            c.description,
        )
        for c in claims
    )
    receipts = tuple(
        (str(r.claim_id), r.original_name, r.content_type, str(r.size_bytes))
        for r in uow.session.scalars(
            select(PaymentReceipt)
            .join(PaymentClaim, PaymentClaim.id == PaymentReceipt.claim_id)
            .where(PaymentClaim.member_id == member_id)
        )
    )
    pref = preference(uow, member_id)
    return [
        DataSection(
            "Payments and expenses",
            ("Date", "What", "Amount", "How paid", "Charity", "Status", "Reason", "Details"),
            rows,
            "Amounts stay in the payments ledger for as long as the law needs them kept.",
        ),
        DataSection("Receipts", ("Claim", "File name", "Type", "Size in bytes"), receipts),
        DataSection(
            "Benefits",
            ("I receive benefits", "Tell me before anything is paid"),
            (
                (
                    "Yes" if pref.receives_benefits else "No",
                    "Yes" if pref.tell_before_paying else "No",
                ),
            ),
        ),
    ]


def erase(uow: UnitOfWork, member_id: int) -> None:
    """Remove what identifies the member in their claims; the ledger's amounts stay."""
    with uow:
        claims = list(
            uow.session.scalars(select(PaymentClaim).where(PaymentClaim.member_id == member_id))
        )
        stored: list[str] = []
        for claim in claims:
            claim.description = ""
            claim.charity = ""
            if claim.rejection_reason:
                claim.rejection_reason = "Removed when the member's data was erased."
            for receipt in uow.session.scalars(
                select(PaymentReceipt).where(PaymentReceipt.claim_id == claim.id)
            ):
                stored.append(receipt.stored_name)
                uow.session.delete(receipt)
        found = uow.session.get(PaymentPreference, member_id)
        if found is not None:
            uow.session.delete(found)
        where = receipts_folder(uow)
        uow.after_commit(lambda: receipt_files.remove(where, stored))
        audit.record(
            uow,
            "erase_payments",
            "member",
            member_id,
            record_count=len(claims),
            receipts=len(stored),
        )


def claim_with_people(uow: UnitOfWork, claim_id: int) -> tuple[PaymentClaim, Member, Project]:
    claim = uow.session.get(PaymentClaim, claim_id)
    if claim is None:
        raise NotFound(f"There is no payment or claim with id {claim_id}.")
    member = uow.session.get(Member, claim.member_id)
    project = uow.session.get(Project, claim.project_id)
    assert member is not None and project is not None
    return claim, member, project
