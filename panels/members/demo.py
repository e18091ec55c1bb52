"""Demo data for the member space: the demo member account is linked to a register member
who has an invitation to answer, so that `panels demo` shows a member's own pages in use."""

from __future__ import annotations

from sqlalchemy import select

from models import Invitation, Member, User
from panels.uow import UnitOfWork

DEMO_MEMBER = "member@demo.example"


def link_demo_member(uow: UnitOfWork, seed: int) -> list[str]:
    """Link the demo member account to a member with an open invitation (once)."""
    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.email == DEMO_MEMBER))
        if user is None:
            return []
        linked = session.scalar(select(Member).where(Member.user_id == user.id))
        if linked is None:
            linked = session.scalar(
                select(Member)
                .join(Invitation, Invitation.member_id == Member.id)
                .where(Invitation.status == "invited", Member.user_id.is_(None))
                .order_by(Member.id)
                .limit(1)
            ) or session.scalar(
                select(Member).where(Member.user_id.is_(None)).order_by(Member.id).limit(1)
            )
            if linked is None:
                return []
            linked.user_id = user.id
        return [
            f"The demo member account {DEMO_MEMBER} is {linked.display_name} on the register "
            f"(register number {linked.id})."
        ]
