"""Demo projects for ``panels demo``: one at each level of co-production, in different states.

- planning (strategic): the target is chosen, nothing drawn yet;
- invitations out (operational): drawn, invited, some yeses, one no replaced by a new draw;
- confirmed (individual): a small panel, confirmed;
- closed (operational): confirmed, two meetings with attendance, closed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from models import Invitation, Project, User
from panels.projects import invitations, service
from panels.uow import UnitOfWork

DEMO_LEAD = "lead@demo.example"


def _setup(
    uow: UnitOfWork,
    title: str,
    purpose: str,
    level: str,
    dimensions: list[str],
    k: int,
    filters: dict[str, list[str]] | None = None,
    first_meeting: date | None = None,
) -> Project:
    project = service.create_project(
        uow,
        service.ProjectInput(
            title=title,
            purpose=purpose,
            level=level,
            service="Adult social care",
            first_meeting=first_meeting,
            decision_date=first_meeting + timedelta(days=90) if first_meeting else None,
        ),
    )
    owner = uow.session.scalar(select(User.id).where(User.email == DEMO_LEAD))
    project.owner_id = owner
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, dimensions)
    service.set_eligibility(uow, project.id, filters or {})
    if k:
        service.propose_quotas(uow, project.id, panel_size=k, tolerance=1)
    return project


def _seats(uow: UnitOfWork, project_id: int) -> list[int]:
    return list(
        uow.session.scalars(
            select(Invitation.id).where(Invitation.project_id == project_id).order_by(Invitation.id)
        )
    )


def _everyone_accepts(uow: UnitOfWork, project_id: int) -> None:
    for invitation_id in _seats(uow, project_id):
        invitation = uow.session.get(Invitation, invitation_id)
        if invitation is not None and invitation.status == "invited":
            invitations.answer(uow, invitation_id, "accept")


def seed_demo_projects(uow: UnitOfWork, seed: int) -> list[str]:
    """Add the demo projects unless they are there; returns what was done, for printing."""
    if uow.session.scalar(select(Project.id).limit(1)) is not None:
        return []
    rng = np.random.default_rng(seed + 7)
    link = invitations.answer_link(uow.settings)
    today = date.today()
    with uow:
        _setup(
            uow,
            "Adult social care strategy 2027 to 2030",
            "Decide with people who use care and support what the council's priorities "
            "should be for the next three years.",
            "strategic",
            ["age_band", "ethnicity_5", "sex"],
            0,
        )

        out = _setup(
            uow,
            "Day services review",
            "Work out with people who use day services, and their carers, how the day "
            "centres should change.",
            "operational",
            ["age_band", "sex"],
            10,
            first_meeting=today + timedelta(days=21),
        )
        service.draw_panel(uow, service.DrawRequest(out.id), rng=rng)
        invitations.send_invitations(uow, out.id, link)
        ids = _seats(uow, out.id)
        for invitation_id in ids[:5]:
            invitations.answer(uow, invitation_id, "accept")
        invitations.answer(uow, ids[5], "decline", reason="I am moving away in the spring")
        service.draw_panel(
            uow,
            service.DrawRequest(out.id, kind="replacement", replace_invitation_ids=(ids[5],)),
            rng=rng,
        )
        invitations.send_invitations(uow, out.id, link)

        confirmed = _setup(
            uow,
            "My support plan, in my words",
            "Redesign the support planning form with people who have a support plan.",
            "individual",
            ["sex"],
            5,
            first_meeting=today + timedelta(days=7),
        )
        service.draw_panel(uow, service.DrawRequest(confirmed.id), rng=rng)
        invitations.send_invitations(uow, confirmed.id, link)
        _everyone_accepts(uow, confirmed.id)
        invitations.confirm_panel(uow, confirmed.id)

        closed = _setup(
            uow,
            "Carers' short breaks",
            "Design short breaks with unpaid carers, so that carers get the breaks they need.",
            "operational",
            ["age_band", "sex"],
            8,
            first_meeting=today - timedelta(days=120),
        )
        service.draw_panel(uow, service.DrawRequest(closed.id), rng=rng)
        invitations.send_invitations(uow, closed.id, link)
        _everyone_accepts(uow, closed.id)
        invitations.confirm_panel(uow, closed.id)
        members = list(
            uow.session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == closed.id, Invitation.status == "accepted"
                )
            )
        )
        for weeks_ago, absent in ((16, 0), (8, 2)):
            attendance = {m: (None if i < absent else 150) for i, m in enumerate(members)}
            invitations.record_meeting(
                uow, closed.id, today - timedelta(weeks=weeks_ago), "Panel meeting", attendance
            )
        invitations.close_project(uow, closed.id)
    return [
        "Added 4 demo projects: one planning, one with invitations out, one confirmed, "
        "one closed with attendance."
    ]
