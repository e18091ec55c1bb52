"""Finance batches: approved items exported for the finance system, then paid once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from models import (
    CLAIM_STATUSES,
    PaymentBatch,
    PaymentClaim,
    ProjectPayments,
    utcnow,
)
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.payments import ledger
from panels.uow import UnitOfWork


def create_batch(uow: UnitOfWork) -> PaymentBatch:
    """Put every approved item not yet in a batch into a new finance batch."""
    with uow:
        if ledger.on_sqlite(uow):
            # Become the writer first, so two batches at once cannot take the same items.
            uow.session.execute(
                update(PaymentClaim)
                .where(PaymentClaim.status == "approved", PaymentClaim.batch_id.is_(None))
                .values(id=PaymentClaim.id)
            )
        claims = list(
            uow.session.scalars(
                select(PaymentClaim)
                .where(PaymentClaim.status == "approved", PaymentClaim.batch_id.is_(None))
                .order_by(PaymentClaim.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        claims = [c for c in claims if c.status == "approved" and c.batch_id is None]
        if not claims:
            raise InvalidInput("There are no approved payments waiting for a finance batch.")
        batch = PaymentBatch(
            status="open",
            item_count=len(claims),
            total_pence=sum(c.amount_pence for c in claims),
            created_by=uow.actor.name,
            created_by_id=uow.actor.user_id,
            paid_by="",
        )
        uow.session.add(batch)
        uow.session.flush()
        for claim in claims:
            claim.batch_id = batch.id
            ledger.changed(claim)
        audit.record(
            uow,
            "create_batch",
            "payment_batch",
            batch.id,
            record_count=len(claims),
            total_pence=batch.total_pence,
        )
    return batch


def batch_claims(uow: UnitOfWork, batch_id: int) -> list[PaymentClaim]:
    return list(
        uow.session.scalars(
            select(PaymentClaim).where(PaymentClaim.batch_id == batch_id).order_by(PaymentClaim.id)
        )
    )


def payee_reference(member_id: int) -> str:
    """How the finance system knows the payee (it holds their bank details, we do not)."""
    return f"CPM{member_id:06d}"


CSV_HEADERS = (
    "payee_reference",
    "amount",
    "amount_pence",
    "method",
    "charity",
    "cost_code",
    "date",
    "item",
    "kind",
    "batch",
)


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a member typed the charity's name)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def batch_rows(uow: UnitOfWork, batch_id: int) -> list[tuple[str, ...]]:
    """The batch as rows for the finance system (CSV_HEADERS), audited as an export."""
    with uow:
        batch = uow.session.get(PaymentBatch, batch_id)
        if batch is None:
            raise NotFound(f"There is no finance batch with id {batch_id}.")
        codes = dict(
            uow.session.execute(select(ProjectPayments.project_id, ProjectPayments.cost_code)).all()
        )
        rows: list[tuple[str, ...]] = [
            (
                payee_reference(c.member_id),
                f"{c.amount_pence // 100}.{c.amount_pence % 100:02d}",
                str(c.amount_pence),
                c.choice or "bank",
                _cell(c.charity),
                _cell(codes.get(c.project_id, "") or f"PROJECT-{c.project_id}"),
                c.occurred_on.isoformat(),
                str(c.id),
                c.kind if c.kind == "fee" else f"expense:{c.expense_type}",
                str(batch.id),
            )
            for c in batch_claims(uow, batch_id)
        ]
        audit.record(uow, "export_batch", "payment_batch", batch.id, record_count=len(rows))
    return rows


def confirm_batch_paid(uow: UnitOfWork, batch_id: int) -> PaymentBatch:
    """The finance system has paid the batch: mark its items paid (once, and only once)."""
    with uow:
        batch = ledger.lock_batch(uow, batch_id)
        if batch.status == "paid":
            when = batch.paid_at.strftime("%-d %B %Y") if batch.paid_at else "earlier"
            raise NotAllowed(
                f"Finance batch {batch.id} was already marked paid ({when}, by {batch.paid_by}); "
                "nothing was paid twice."
            )
        today = date.today()
        now = utcnow()
        for claim in batch_claims(uow, batch.id):
            if claim.status != "approved":
                raise InvalidInput(
                    f"Item {claim.id} in batch {batch.id} is {CLAIM_STATUSES[claim.status]}, "
                    "not approved; nothing was marked paid"
                )
            claim.status, claim.paid_at = "paid", now
            ledger.changed(claim)
            ledger.post(uow, claim, "owed", "payment", -claim.amount_pence, today)
            ledger.post(uow, claim, "paid", "payment", claim.amount_pence, today)
        batch.status, batch.paid_at = "paid", now
        batch.paid_by, batch.paid_by_id = uow.actor.name, uow.actor.user_id
        audit.record(
            uow,
            "pay_batch",
            "payment_batch",
            batch.id,
            record_count=batch.item_count,
            total_pence=batch.total_pence,
        )
    return batch
