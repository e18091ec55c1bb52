"""What projects hold about one member, for their "Download my data"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from models import INVITATION_STATUSES, Attendance, Draw, Invitation, Meeting, Project
from panels.features import DataSection
from panels.uow import UnitOfWork


def _day(day: date | datetime | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def projects_personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """Invitations and answers, meetings attended, and the lotteries they were in."""
    key = str(member_id)
    with uow:
        session = uow.session
        invitations = session.execute(
            select(Invitation, Project.title)
            .join(Project, Project.id == Invitation.project_id)
            .where(Invitation.member_id == member_id)
            .order_by(Invitation.created_at, Invitation.id)
        ).all()
        meetings = session.execute(
            select(Meeting, Attendance, Project.title)
            .join(Attendance, Attendance.meeting_id == Meeting.id)
            .join(Project, Project.id == Meeting.project_id)
            .where(Attendance.member_id == member_id)
            .order_by(Meeting.held_on, Meeting.id)
        ).all()
        draws = session.execute(
            select(Draw, Project.title)
            .join(Project, Project.id == Draw.project_id)
            .where(Draw.status == "done")
            .order_by(Draw.created_at, Draw.id)
        ).all()
    lotteries = []
    for draw, title in draws:
        in_pool = key in draw.probabilities or key in {str(r.get("id")) for r in draw.pool}
        if not in_pool:
            continue
        p = float(draw.probabilities.get(key, 0.0))
        lotteries.append(
            (
                title,
                str(draw.number),
                _day(draw.finished_at or draw.created_at),
                f"{p * 100:.1f}%",
                "Yes" if key in {str(m) for m in draw.panel} else "No",
            )
        )
    return [
        DataSection(
            "Your invitations",
            (
                "Panel",
                "Status",
                "Invited on",
                "Answer by",
                "Answered on",
                "Your reason or question",
            ),
            tuple(
                (
                    title,
                    INVITATION_STATUSES.get(i.status, i.status),
                    _day(i.invited_at),
                    _day(i.deadline),
                    _day(i.responded_at),
                    " ".join(x for x in (i.reason, i.question) if x),
                )
                for i, title in invitations
            ),
        ),
        DataSection(
            "Panel meetings",
            ("Panel", "Meeting", "Date", "You came", "Minutes"),
            tuple(
                (
                    title,
                    m.title,
                    _day(m.held_on),
                    "Yes" if a.attended else "No",
                    str(a.minutes),
                )
                for m, a, title in meetings
            ),
        ),
        DataSection(
            "Lotteries you were in",
            ("Panel", "Draw number", "Date", "Your chance", "Chosen"),
            tuple(lotteries),
        ),
    ]
