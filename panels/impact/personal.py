"""What impact holds about a member (their ladder ratings), for "Download my data" and
erasure."""

from __future__ import annotations

from sqlalchemy import select

from models import LADDER, LadderRating, Project
from panels.features import DataSection
from panels.uow import UnitOfWork


def personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    with uow:
        rows = uow.session.execute(
            select(Project.title, LadderRating.rung, LadderRating.comment)
            .join(Project, Project.id == LadderRating.project_id)
            .where(LadderRating.member_id == member_id)
            .order_by(Project.title)
        ).all()
    if not rows:
        return []
    return [
        DataSection(
            "How you told us taking part felt",
            ("Project", "Your answer", "What you added"),
            tuple((title, LADDER[rung], comment) for title, rung, comment in rows),
        )
    ]


def erase(uow: UnitOfWork, member_id: int) -> None:
    """Keep the rating as an anonymous count; drop the comment and the link to the member."""
    with uow:
        for rating in uow.session.scalars(
            select(LadderRating).where(LadderRating.member_id == member_id)
        ):
            rating.comment = ""
            rating.member_id = None
