"""The ledger and row locks: every change of money is an entry, never changed (a trigger
refuses updates); claims and batches change under a lock on their row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from models import (
    LedgerEntry,
    PaymentBatch,
    PaymentClaim,
)
from panels.errors import NotFound
from panels.locks import lock_row
from panels.payments.money import tax_year_of
from panels.uow import UnitOfWork


def on_sqlite(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "sqlite"


def lock_claim(uow: UnitOfWork, claim_id: int) -> PaymentClaim:
    """The claim as it is now, held until the unit of work ends."""
    claim = lock_row(uow.session, PaymentClaim, claim_id)
    if claim is None:
        raise NotFound(f"There is no payment or claim with id {claim_id}.")
    return claim


def lock_batch(uow: UnitOfWork, batch_id: int) -> PaymentBatch:
    """The finance batch as it is now, held until the unit of work ends."""
    batch = lock_row(uow.session, PaymentBatch, batch_id)
    if batch is None:
        raise NotFound(f"There is no finance batch with id {batch_id}.")
    return batch


def post(
    uow: UnitOfWork, claim: PaymentClaim, account: str, kind: str, pence: int, day: date
) -> None:
    uow.session.add(
        LedgerEntry(
            claim_id=claim.id,
            member_id=claim.member_id,
            project_id=claim.project_id,
            batch_id=claim.batch_id,
            account=account,
            kind=kind,
            category=claim.kind,
            amount_pence=pence,
            tax_year=tax_year_of(day),
            entry_date=day,
            actor=uow.actor.name,
        )
    )


def changed(claim: PaymentClaim) -> None:
    claim.version += 1


@dataclass(frozen=True)
class MemberTotals:
    tax_year: int
    paid_fees_pence: int
    """Payments for time paid this tax year (vouchers and donations included): income."""
    owed_fees_pence: int
    """Payments for time approved and not yet paid."""
    expenses_repaid_pence: int
    """Expenses repaid this tax year (not income)."""


def member_totals(uow: UnitOfWork, member_id: int, today: date | None = None) -> MemberTotals:
    year = tax_year_of(today or date.today())

    def total(*conditions: Any) -> int:
        return int(
            uow.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
                    LedgerEntry.member_id == member_id, *conditions
                )
            )
            or 0
        )

    return MemberTotals(
        year,
        total(
            LedgerEntry.account == "paid",
            LedgerEntry.category == "fee",
            LedgerEntry.tax_year == year,
        ),
        total(LedgerEntry.account == "owed", LedgerEntry.category == "fee"),
        total(
            LedgerEntry.account == "paid",
            LedgerEntry.category == "expense",
            LedgerEntry.tax_year == year,
        ),
    )


def ledger_totals(uow: UnitOfWork, by: str) -> dict[tuple[Any, str], int]:
    """Sums of the ledger per member, project or tax year, and account."""
    column = {
        "member": LedgerEntry.member_id,
        "project": LedgerEntry.project_id,
        "tax_year": LedgerEntry.tax_year,
    }[by]
    return {
        (key, account): int(total)
        for key, account, total in uow.session.execute(
            select(column, LedgerEntry.account, func.sum(LedgerEntry.amount_pence)).group_by(
                column, LedgerEntry.account
            )
        )
    }


def project_spend(uow: UnitOfWork, project_id: int) -> Mapping[str, int]:
    """A project's payments: due (waiting for choices or approval), approved, paid (pence)."""
    rows = uow.session.execute(
        select(PaymentClaim.status, func.sum(PaymentClaim.amount_pence))
        .where(PaymentClaim.project_id == project_id)
        .group_by(PaymentClaim.status)
    ).all()
    found = {status: int(total or 0) for status, total in rows}
    return {
        "waiting": found.get("due", 0) + found.get("submitted", 0),
        "approved": found.get("approved", 0),
        "paid": found.get("paid", 0),
    }
