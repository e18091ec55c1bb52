"""Demo payments: the closed demo project's members chose how to be paid and were paid in
one finance batch; the confirmed project's first meeting, last week, waits for choices and
approval, so the approval queue has work in it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Invitation, Meeting, PaymentClaim, Project, User
from panels.payments import batches, rates, service
from panels.projects import invitations
from panels.uow import Actor, UnitOfWork

CHOICES = ("bank", "bank", "voucher", "bank", "donation", "bank", "decline", "bank")


def _staff(uow: UnitOfWork, email: str) -> Actor | None:
    user = uow.session.scalar(select(User).where(User.email == email))
    return Actor.for_user(user) if user is not None else None


def seed_demo_payments(uow: UnitOfWork) -> list[str]:
    """Seed the rate card, settle the closed project's payments, and leave some waiting."""
    with uow:
        rates.ensure_rate_card(uow)
        manager = _staff(uow, "manager@demo.example")
        admin = _staff(uow, "admin@demo.example")
        closed = uow.session.scalars(select(Project).where(Project.status == "closed")).first()
        running = uow.session.scalars(
            select(Project).where(Project.status == "running").order_by(Project.id)
        ).first()
        if manager is None or admin is None or closed is None:
            return ["Payments: rate card seeded from the NIHR figures (check the current figures)."]
        claims = uow.session.scalars(
            select(PaymentClaim)
            .where(PaymentClaim.project_id == closed.id, PaymentClaim.status == "due")
            .order_by(PaymentClaim.id)
        ).all()
        for n, claim in enumerate(claims):
            choice = CHOICES[n % len(CHOICES)]
            charity = "Carers Trust" if choice == "donation" else ""
            service.choose(uow, claim.member_id, claim.id, choice, charity=charity)
        approved = 0
        with uow.acting_as(manager):
            for claim in claims:
                uow.session.refresh(claim)
                if claim.status == "submitted":
                    service.approve(uow, claim.id, claim.version)
                    approved += 1
        if approved:
            with uow.acting_as(admin):
                batch = batches.create_batch(uow)
                batches.confirm_batch_paid(uow, batch.id)
        waiting = 0
        # Once only: a second `panels demo` leaves the payments as they are.
        met = running is not None and uow.session.scalar(
            select(Meeting.id).where(Meeting.project_id == running.id)
        )
        if running is not None and not met:
            members = uow.session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == running.id, Invitation.status == "accepted"
                )
            ).all()
            if members:
                invitations.record_meeting(
                    uow,
                    running.id,
                    date.today() - timedelta(days=7),
                    "First meeting",
                    {member_id: 120 for member_id in members},
                    preparation_minutes=30,
                )
                due = uow.session.scalars(
                    select(PaymentClaim)
                    .where(PaymentClaim.project_id == running.id)
                    .order_by(PaymentClaim.id)
                ).all()
                for claim in due[: len(due) // 2]:
                    service.choose(uow, claim.member_id, claim.id, "bank")
                waiting = len(due)
    return [
        "Payments: rate card seeded from the NIHR figures (check the current figures); "
        f"{approved} payments for the closed project paid in one finance batch; "
        f"{waiting} for last week's meeting waiting for choices and approval."
    ]
