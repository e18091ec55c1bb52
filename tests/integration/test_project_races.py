"""Races on a panel, run as real concurrent transactions: exactly one outcome each.

On PostgreSQL the project's row lock (``SELECT ... FOR UPDATE``) queues them; on SQLite the
database has one writer at a time. Each thread has its own session and unit of work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from models import Draw, Invitation, PanelSnapshot
from panels.db import open_unit_of_work
from panels.errors import DomainError
from panels.projects import invitations, service
from panels.uow import Actor


def _race(app, jobs: list[Callable]) -> list[object]:
    """Run each job(uow) at the same moment in its own thread; results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable) -> None:
        with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
            barrier.wait()
            try:
                results[index] = job(uow)
            except DomainError as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _drawn_project(uow, make_member, k: int):
    for n in range(12):
        make_member(sex="Female" if n % 2 else "Male")
    project = service.create_project(
        uow, service.ProjectInput(title="Race", purpose="Races", level="strategic")
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=k, tolerance=k)
    service.draw_panel(uow, service.DrawRequest(project.id, seed=11))
    invitations.send_invitations(uow, project.id, lambda token: f"https://x.example/{token}")
    return project


def test_three_yeses_for_the_last_two_seats_give_two_seats_and_one_reserve(
    app, uow, make_member, session
):
    project = _drawn_project(uow, make_member, k=3)
    ids = session.scalars(select(Invitation.id).order_by(Invitation.id)).all()
    invitations.answer(uow, ids[0], "decline")
    service.draw_panel(
        uow, service.DrawRequest(project.id, kind="replacement", replace_invitation_ids=(ids[0],))
    )
    newcomer = session.scalar(select(Invitation.id).where(Invitation.status == "shortlisted"))
    session.get(Invitation, newcomer).status = "invited"
    session.commit()
    invitations.answer(uow, ids[1], "accept")
    session.expire_all()
    assert session.get(Invitation, ids[0]).status == "replaced"
    # Two seats are left. The person drawn as a replacement, someone still invited, and the
    # one who was replaced (changing their mind) say yes at the same moment.
    outcomes = _race(
        app,
        [
            lambda u: invitations.answer(u, ids[2], "accept"),
            lambda u: invitations.answer(u, newcomer, "accept"),
            lambda u: invitations.answer(u, ids[0], "accept"),
        ],
    )
    assert sorted(str(o) for o in outcomes) == ["accepted", "accepted", "reserve"]
    session.expire_all()
    accepted = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.status == "accepted")
    )
    assert accepted == 3


def test_confirming_while_a_replacement_is_drawn_has_one_outcome(app, uow, make_member, session):
    project = _drawn_project(uow, make_member, k=4)
    ids = session.scalars(select(Invitation.id).order_by(Invitation.id)).all()
    for invitation_id in ids[1:]:
        invitations.answer(uow, invitation_id, "accept")
    invitations.answer(uow, ids[0], "decline")
    outcomes = _race(
        app,
        [
            lambda u: invitations.confirm_panel(u, project.id),
            lambda u: service.draw_panel(
                u,
                service.DrawRequest(
                    project.id, kind="replacement", replace_invitation_ids=(ids[0],)
                ),
            ),
        ],
    )
    failures = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(failures) == 1, outcomes
    session.expire_all()
    confirmed = session.scalar(select(func.count()).select_from(PanelSnapshot))
    replacements = session.scalar(
        select(func.count()).select_from(Draw).where(Draw.kind == "replacement")
    )
    assert confirmed + replacements == 1
    if confirmed:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(Invitation.status == "shortlisted")
            )
            == 0
        )


def test_two_first_draws_at_once_keep_one(app, uow, make_member, session):
    for n in range(10):
        make_member(sex="Female" if n % 2 else "Male")
    project = service.create_project(
        uow, service.ProjectInput(title="Twice", purpose="Double click", level="individual")
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
    outcomes = _race(
        app,
        [
            lambda u: service.draw_panel(u, service.DrawRequest(project.id)),
            lambda u: service.draw_panel(u, service.DrawRequest(project.id)),
        ],
    )
    assert sum(isinstance(o, DomainError) for o in outcomes) == 1, outcomes
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Draw)) == 1
    assert session.scalar(select(func.count()).select_from(Invitation)) == 4
