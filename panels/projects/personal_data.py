"""What projects hold about one member, for their "Download my data"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import INVITATION_STATUSES, Attendance, Draw, Invitation, Meeting, Project
from panels.features import DataSection
from panels.uow import UnitOfWork


@dataclass(frozen=True)
class DrawChance:
    """One finished draw whose pool held the member, and their chance in it."""

    project: Project
    draw_id: int
    number: int
    drawn_at: datetime
    probability: float
    chosen: bool
    pool_size: int


def draws_of_member(session: Session, member_id: int) -> list[DrawChance]:
    """Finished draws whose pool held the member (every pool member has a probability),
    newest first; found in SQL, so that no draw's pool is loaded."""
    probability = Draw.probabilities[str(member_id)].as_float()
    rows = session.execute(
        select(
            Project,
            Draw.id,
            Draw.number,
            func.coalesce(Draw.finished_at, Draw.created_at),
            probability,
            Draw.panel,
            func.json_array_length(Draw.pool),
        )
        .join(Project, Project.id == Draw.project_id)
        .where(Draw.status == "done", probability.is_not(None))
        .order_by(Draw.created_at.desc(), Draw.id.desc())
    ).all()
    key = str(member_id)
    return [
        DrawChance(
            project=project,
            draw_id=draw_id,
            number=number,
            drawn_at=drawn_at,
            probability=float(p),
            chosen=key in {str(m) for m in panel},
            pool_size=int(pool_size or 0),
        )
        for project, draw_id, number, drawn_at, p, panel, pool_size in rows
    ]


def _day(day: date | datetime | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def projects_personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """Invitations and answers, meetings attended, and the lotteries they were in."""
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
        lotteries = [
            (
                chance.project.title,
                str(chance.number),
                _day(chance.drawn_at),
                f"{chance.probability * 100:.1f}%",
                "Yes" if chance.chosen else "No",
            )
            for chance in reversed(draws_of_member(session, member_id))
        ]
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
