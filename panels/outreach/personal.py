"""What outreach holds about a member (their request to join), for "Download my data" and
erasure."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import JOIN_REQUEST_STATUSES, JoinLink, JoinRequest
from panels.features import DataSection
from panels.uow import UnitOfWork


def personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    with uow:
        requests = uow.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.member_id == member_id)
            .options(selectinload(JoinRequest.link).selectinload(JoinLink.partner))
            .order_by(JoinRequest.id)
        ).all()
    if not requests:
        return []
    rows = []
    for request in requests:
        link = request.link
        source = (
            link.partner.name if link and link.partner else (link.campaign if link else "")
        ) or "The joining form"
        rows.append(
            (
                request.created_at.strftime("%-d %B %Y"),
                f"{request.first_name} {request.last_name}",
                request.email or "",
                request.phone or "",
                source,
                JOIN_REQUEST_STATUSES[request.status],
            )
        )
    return [
        DataSection(
            "Your request to join the register",
            ("Sent", "Name", "Email", "Phone", "Came through", "What happened"),
            tuple(rows),
        )
    ]


def erase(uow: UnitOfWork, member_id: int) -> None:
    """Blank the person's details on their joining requests; what the request came through
    stays, so that the partner's yield is still counted."""
    with uow:
        for request in uow.session.scalars(
            select(JoinRequest).where(JoinRequest.member_id == member_id)
        ):
            request.first_name = request.last_name = ""
            request.email = request.phone = request.address = request.postcode = None
            request.preferred_contact = None
            request.help_needed = ""
            request.reason = ""
