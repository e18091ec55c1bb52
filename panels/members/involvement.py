"""A member's invitations, the panels they are on, the meetings they came to, and their
chance of being chosen in each lottery they were in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from models import Attendance, Invitation, Meeting, Project
from panels.errors import NotFound
from panels.projects import invitations
from panels.projects.personal_data import draws_of_member
from panels.uow import UnitOfWork

OPEN_STATUSES = ("invited", "no_answer")
"""Invitations a member can still answer (the same as the link in their email accepts)."""


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    project: Project

    @property
    def is_open(self) -> bool:
        return self.invitation.status in OPEN_STATUSES and self.project.confirmed_at is None


def my_invitations(uow: UnitOfWork, member_id: int) -> list[InvitationView]:
    """Every invitation sent to the member, open ones first, newest first."""
    with uow:
        rows = uow.session.execute(
            select(Invitation, Project)
            .join(Project, Project.id == Invitation.project_id)
            .where(Invitation.member_id == member_id, Invitation.status != "shortlisted")
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        ).all()
    views = [InvitationView(i, p) for i, p in rows]
    return sorted(views, key=lambda v: not v.is_open)


def my_invitation(uow: UnitOfWork, member_id: int, invitation_id: int) -> InvitationView:
    """One of the member's invitations; another member's is not found."""
    with uow:
        invitation = uow.session.get(Invitation, invitation_id)
        if (
            invitation is None
            or invitation.member_id != member_id
            or invitation.status == "shortlisted"
        ):
            raise NotFound("We could not find that invitation.")
        project = uow.session.get(Project, invitation.project_id)
        assert project is not None
        return InvitationView(invitation, project)


def answer_my_invitation(
    uow: UnitOfWork,
    member_id: int,
    invitation_id: int,
    choice: str,
    *,
    reason: str = "",
    question: str = "",
) -> str:
    """Answer as the link would (deadline, seats, reserve list): the projects' ``answer``."""
    with uow:
        my_invitation(uow, member_id, invitation_id)
        return invitations.answer(uow, invitation_id, choice, reason=reason, question=question)


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    attended: bool
    minutes: int


@dataclass(frozen=True)
class PanelView:
    project: Project
    invitation: Invitation
    meetings: tuple[MeetingView, ...]


def _meetings(uow: UnitOfWork, member_id: int, project_id: int) -> tuple[MeetingView, ...]:
    rows = uow.session.execute(
        select(Meeting, Attendance)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Meeting.project_id == project_id, Attendance.member_id == member_id)
        .order_by(Meeting.held_on, Meeting.id)
    ).all()
    return tuple(MeetingView(m, a.attended, a.minutes) for m, a in rows)


def my_panels(uow: UnitOfWork, member_id: int) -> list[PanelView]:
    """The panels the member is on (they said yes)."""
    with uow:
        rows = uow.session.execute(
            select(Invitation, Project)
            .join(Project, Project.id == Invitation.project_id)
            .where(Invitation.member_id == member_id, Invitation.status == "accepted")
            .order_by(Project.first_meeting.desc(), Project.id.desc())
        ).all()
        return [PanelView(p, i, _meetings(uow, member_id, p.id)) for i, p in rows]


def my_panel(uow: UnitOfWork, member_id: int, project_id: int) -> PanelView:
    """One panel the member is on; a panel they are not on is not found."""
    for panel in my_panels(uow, member_id):
        if panel.project.id == project_id:
            return panel
    raise NotFound("We could not find that panel in your panels.")


@dataclass(frozen=True)
class Chance:
    """The member's chance of being chosen in one lottery (draw) they were in the pool of."""

    project: Project
    draw_id: int
    drawn_at: datetime
    probability: float
    chosen: bool
    pool_size: int

    @property
    def in_words(self) -> str:
        """The chance as people say it: "about 1 in 7", or "about 8 in 10" when it is high."""
        p = self.probability
        if p <= 0:
            return "no chance"
        if p >= 0.995:
            return "certain"
        if p > 0.5:
            return f"about {round(p * 10)} in 10"
        return f"about 1 in {round(1 / p)}"

    @property
    def percent(self) -> str:
        value = self.probability * 100
        if value >= 10:
            return f"{value:.0f}%"
        return f"{value:.1f}%"


def my_chances(uow: UnitOfWork, member_id: int) -> list[Chance]:
    """Each finished lottery whose pool the member was in, with their chance."""
    with uow:
        return [
            Chance(c.project, c.draw_id, c.drawn_at, c.probability, c.chosen, c.pool_size)
            for c in draws_of_member(uow.session, member_id)
        ]


def when(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else "Not set"
