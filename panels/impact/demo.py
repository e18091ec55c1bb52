"""Demo impact for ``panels demo``: ladder ratings and "you said, we did" on the closed demo
project, and small hand-built projects that raise each box-ticking flag:

- "Home care charges": closed, rated informing and consultation, nothing fed back (the
  close is dated a season ago, so the feedback deadline has passed);
- "Reablement leaflet": its panel confirmed after its decision date;
- "Transport to day centres": three people who were already on the three "Falls
  prevention" panels hold most of its seats (familiar voices);
- "Respite review": its members came to a meeting six weeks ago and are still not paid.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import AuditEvent, Invitation, LadderRating, Member, Project, User, utcnow
from panels.impact import service
from panels.projects import invitations
from panels.projects import service as projects
from panels.projects.shortlist import add_to_shortlist
from panels.register.queries import selectable
from panels.uow import UnitOfWork

CLOSED_DEMO_PROJECT = "Carers' short breaks"
DEMO_STAFF = ("lead@demo.example", "manager@demo.example")


def _hand_built(
    uow: UnitOfWork,
    title: str,
    member_ids: list[int],
    *,
    decision_date: date | None = None,
    close: bool = False,
) -> Project:
    """A small project whose panel is built by hand from ``member_ids``, all of whom accept."""
    project = projects.create_project(
        uow,
        projects.ProjectInput(
            title=title,
            purpose=f"{title}: decide with the people it affects.",
            level="operational",
            service="Adult social care",
            decision_date=decision_date,
        ),
    )
    projects.set_builtin_target(uow, project.id, "england-and-wales")
    projects.choose_dimensions(uow, project.id, ["sex"])
    projects.set_eligibility(uow, project.id, {})
    for member_id in member_ids:
        add_to_shortlist(uow, project.id, member_id)
    invitations.send_invitations(uow, project.id, invitations.answer_link(uow.settings))
    for invitation_id in uow.session.scalars(
        select(Invitation.id).where(Invitation.project_id == project.id)
    ):
        invitations.answer(uow, invitation_id, "accept")
    invitations.confirm_panel(uow, project.id)
    if close:
        invitations.close_project(uow, project.id)
    return project


def _staff(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).where(User.email.in_(DEMO_STAFF))))


def _rate_as_staff(uow: UnitOfWork, project_id: int, rungs: tuple[str, ...]) -> None:
    """The demo lead's and manager's ratings (written directly: the demo acts for no one)."""
    for user, rung in zip(_staff(uow), rungs, strict=False):
        uow.session.add(
            LadderRating(project_id=project_id, rater="staff", user_id=user.id, rung=rung)
        )
    uow.session.flush()


def seed_demo_impact(uow: UnitOfWork, seed: int) -> list[str]:
    """Add the demo ratings, feedback and flagged projects unless they are there."""
    with uow:
        closed = uow.session.scalar(select(Project).where(Project.title == CLOSED_DEMO_PROJECT))
        if closed is None or service.project_feedback(uow, closed.id):
            return []
        panel = [
            m
            for m in uow.session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == closed.id, Invitation.status == "accepted"
                )
            )
        ]
        rungs = ("co_production", "co_design", "co_design", "engagement", "co_production")
        for member_id, rung in zip(panel, rungs, strict=False):
            service.rate_as_member(uow, member_id, closed.id, rung, "")
        _rate_as_staff(uow, closed.id, ("co_design", "co_production"))
        for you_said, we_did, not_done in (
            (
                "Carers need to book a break at short notice, not months ahead.",
                "A same-week booking line opens in May.",
                "",
            ),
            (
                "Breaks should be possible at weekends.",
                "",
                "No provider could staff weekend breaks this year; we will ask again in the "
                "next contract.",
            ),
        ):
            item = service.add_feedback(uow, closed.id, you_said, we_did, not_done)
            service.publish_feedback(uow, closed.id, item.id)

        today = date.today()
        everyone = list(
            uow.session.scalars(selectable(select(Member.id), today).order_by(Member.id))
        )
        taken = set(
            uow.session.scalars(
                select(Invitation.member_id).where(Invitation.status.in_(("invited", "accepted")))
            )
        )
        free = [m for m in everyone if m not in taken]
        if len(free) < 14:
            return ["Not enough demo members for the impact demo projects."]
        charges = _hand_built(uow, "Home care charges", free[0:4], close=True)
        for member_id, rung in zip(
            free[0:4], ("informing", "consultation", "informing"), strict=False
        ):
            service.rate_as_member(uow, member_id, charges.id, rung, "")
        _rate_as_staff(uow, charges.id, ("consultation",))
        # The close is dated a season ago, so that its feedback is overdue in the demo.
        event = next(
            (
                e
                for e in uow.session.scalars(
                    select(AuditEvent)
                    .where(
                        AuditEvent.action == "update_project",
                        AuditEvent.subject_type == "project",
                        AuditEvent.subject_id == charges.id,
                    )
                    .order_by(AuditEvent.id.desc())
                )
                if (e.details or {}).get("status") == "closed"
            ),
            None,
        )
        if event is not None:
            event.at = utcnow() - timedelta(days=90)

        _hand_built(uow, "Reablement leaflet", free[4:7], decision_date=today - timedelta(days=14))
        familiar = free[7:10]
        for n in (1, 2, 3):
            _hand_built(uow, f"Falls prevention, part {n}", familiar, close=True)
        _hand_built(uow, "Transport to day centres", [*familiar, free[10]])
        respite = _hand_built(uow, "Respite review", free[11:14])
        invitations.record_meeting(
            uow,
            respite.id,
            today - timedelta(weeks=6),
            "Workshop",
            {member_id: 150 for member_id in free[11:14]},
        )
    return [
        "Added ladder ratings and two “you said, we did” items to the closed demo project, "
        "and 7 small projects that raise the box-ticking flags (see Impact)."
    ]
