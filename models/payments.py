"""Involvement payments and expenses: the rate card, payments due and expense claims, their
receipts, approvals, the append-only ledger and finance batches. Money is integer pence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

CLAIM_KINDS = {"fee": "Payment for time", "expense": "Expenses"}
CLAIM_STATUSES = {
    "due": "Waiting for you to choose how to be paid",
    "submitted": "Waiting for approval",
    "approved": "Approved, waiting to be paid",
    "paid": "Paid",
    "rejected": "Not approved",
    "declined": "You chose not to be paid",
}
PAYMENT_CHOICES = {
    "bank": "Bank transfer",
    "voucher": "A voucher",
    "donation": "A donation to a charity",
    "lower": "A lower amount, by bank transfer",
    "decline": "No payment (I do not want to be paid)",
}
EXPENSE_TYPES = {
    "mileage": "Car mileage",
    "public_transport": "Bus, train or tram fares",
    "taxi": "Taxi (agreed as an access need)",
    "care": "Care or support worker costs",
    "other": "Other agreed costs",
}
LEDGER_ACCOUNTS = {"owed": "Approved, owed", "paid": "Paid"}
LEDGER_KINDS = {"approval": "Approved", "payment": "Paid", "reversal": "Reversed"}
BATCH_STATUSES = {"open": "Ready to pay", "paid": "Paid"}
MAX_CLAIM_PENCE = 1_000_000
"""No single payment or claim is above £10,000 (the database refuses it too)."""


def _check_in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PaymentRate(Base):
    """One line of a rate card: what an activity pays, with where the figures came from.

    ``project_id`` is empty for the organisation's card; a project may have its own lines.
    """

    __tablename__ = "payment_rates"
    __table_args__ = (
        UniqueConstraint("project_id", "activity"),
        CheckConstraint(
            f"hourly_pence >= 0 AND hourly_pence <= {MAX_CLAIM_PENCE} "
            f"AND half_day_pence >= 0 AND half_day_pence <= {MAX_CLAIM_PENCE} "
            f"AND day_pence >= 0 AND day_pence <= {MAX_CLAIM_PENCE}",
            name="pence_in_range",
        ),
        CheckConstraint(
            "preparation_minutes >= 0 AND preparation_minutes <= 1440",
            name="preparation_in_a_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    activity: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    hourly_pence: Mapped[int] = mapped_column(Integer)
    half_day_pence: Mapped[int] = mapped_column(Integer)
    day_pence: Mapped[int] = mapped_column(Integer)
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    source_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProjectPayments(Base):
    """A project's payment settings: its budget, cost code, and whether it has its own rates."""

    __tablename__ = "project_payments"
    __table_args__ = (
        CheckConstraint(
            "budget_pence IS NULL OR "
            f"(budget_pence >= 0 AND budget_pence <= {MAX_CLAIM_PENCE * 100})",
            name="budget_in_range",
        ),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    budget_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cost_code: Mapped[str] = mapped_column(String(40), default="")
    own_rates: Mapped[bool] = mapped_column(Boolean, default=False)


class PaymentPreference(Base):
    """What a member told us about benefits: tell them before anything is paid."""

    __tablename__ = "payment_preferences"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    receives_benefits: Mapped[bool] = mapped_column(Boolean, default=False)
    tell_before_paying: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PaymentBatch(Base):
    """Approved items sent to the finance system together; paid once, when confirmed."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        CheckConstraint(_check_in("status", BATCH_STATUSES), name="status_valid"),
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid_when_confirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total_pence: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_by: Mapped[str] = mapped_column(String(254), default="")
    paid_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PaymentClaim(Base):
    """A payment for time (due from attendance) or an expenses claim, from due to paid.

    ``full_pence`` is what the rate card (or the receipts) give; ``amount_pence`` is what will
    be paid after the member's choice (less if they chose a lower amount, none if declined).
    ``version`` goes up with every change, so an approver acts only on what they saw.
    """

    __tablename__ = "payment_claims"
    __table_args__ = (
        CheckConstraint(_check_in("kind", CLAIM_KINDS), name="kind_valid"),
        CheckConstraint(_check_in("status", CLAIM_STATUSES), name="status_valid"),
        CheckConstraint(
            f"choice IS NULL OR {_check_in('choice', PAYMENT_CHOICES)}", name="choice_valid"
        ),
        CheckConstraint(
            f"expense_type IS NULL OR {_check_in('expense_type', EXPENSE_TYPES)}",
            name="expense_type_valid",
        ),
        CheckConstraint(
            f"full_pence >= 0 AND full_pence <= {MAX_CLAIM_PENCE}", name="full_in_range"
        ),
        CheckConstraint(
            "amount_pence >= 0 AND amount_pence <= full_pence", name="amount_within_full"
        ),
        CheckConstraint(
            "second_approver_id IS NULL OR second_approver_id <> first_approver_id",
            name="two_different_approvers",
        ),
        CheckConstraint("status <> 'rejected' OR length(rejection_reason) > 0", name="reason"),
        Index("ix_payment_claims_member", "member_id"),
        Index("ix_payment_claims_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(10))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True
    )
    # A payment due comes from one attendance record, once (recording again adds nothing).
    attendance_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    occurred_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(40), default="")
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    expense_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    miles: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    full_pence: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str | None] = mapped_column(String(20), nullable=True)
    charity: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="due")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    benefits_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    first_approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    second_approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PaymentReceipt(Base):
    """A receipt image or PDF, kept in the instance folder under a random name."""

    __tablename__ = "payment_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("payment_claims.id", ondelete="CASCADE"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    """One movement of money, never changed (the database refuses updates); a correction is a
    reversing entry. Holds no free text, so erasing a member leaves the amounts intact."""

    __tablename__ = "payment_ledger"
    __table_args__ = (
        CheckConstraint(_check_in("account", LEDGER_ACCOUNTS), name="account_valid"),
        CheckConstraint(_check_in("kind", LEDGER_KINDS), name="kind_valid"),
        CheckConstraint(_check_in("category", CLAIM_KINDS), name="category_valid"),
        CheckConstraint(
            f"amount_pence <> 0 AND amount_pence >= -{MAX_CLAIM_PENCE} "
            f"AND amount_pence <= {MAX_CLAIM_PENCE}",
            name="amount_in_range",
        ),
        Index("ix_payment_ledger_member_year", "member_id", "tax_year"),
        Index("ix_payment_ledger_claim", "claim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("payment_claims.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"), nullable=True)
    account: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(10))
    amount_pence: Mapped[int] = mapped_column(Integer)
    tax_year: Mapped[int] = mapped_column(Integer)
    """The UK tax year by the year it starts (6 April): 2025 is 6 April 2025 to 5 April 2026."""
    entry_date: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
