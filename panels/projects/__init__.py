"""Projects and panels: the engagement lead's journey from a project to a confirmed panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, NavItem, permission

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from panels.jobs.kinds import JobKind
    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.projects.answer_views import bp as answer_bp
    from panels.projects.composition_views import bp as composition
    from panels.projects.views import bp

    return (bp, composition, answer_bp)


def _commands() -> tuple[click.Command, ...]:
    from panels.projects.commands import draw_cli, invitations_cli

    return (draw_cli, invitations_cli)


def _jobs() -> dict[str, JobKind]:
    from panels.jobs.kinds import JobKind
    from panels.projects.jobs import run_draw_job

    # A draw is never repeated by the reaper: a lottery drawn twice is not the same lottery.
    return {"draw_panel": JobKind("Draw the panel", run_draw_job, repeatable=False)}


def _demo(uow: UnitOfWork, seed: int) -> list[str]:
    from panels.projects.demo import seed_demo_projects

    return seed_demo_projects(uow, seed)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.projects.invitations import erase_member_answers

    erase_member_answers(uow, member_id)


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.projects.personal_data import projects_personal_data

    return projects_personal_data(uow, member_id)


feature = Feature(
    name="projects",
    personal_data=_personal_data,
    blueprints=_blueprints,
    navigation=(NavItem("Projects", "projects.index", "view_projects", order=5),),
    permissions=(
        permission("view_projects", "See projects and their panels", "lead", "manager"),
        permission("manage_projects", "Create projects and build their panels", "lead"),
        permission("draw_panels", "Draw panels by lottery and draw replacements", "lead"),
        permission(
            "see_panel_members",
            "See who is on a panel and the draw records (managers see composition as counts)",
            "lead",
        ),
    ),
    audit_actions={
        "create_project": "Started a project",
        "update_project": "Changed a project",
        "set_target": "Set a project's target population",
        "set_eligibility": "Changed who is eligible for a project",
        "set_quotas": "Set a project's panel size and quotas",
        "draw": "Drew a panel",
        "verify_draw": "Replayed a draw to check it",
        "invite": "Invited people to a panel",
        "answer_invitation": "Recorded an answer to an invitation",
        "confirm_panel": "Confirmed a panel",
        "record_attendance": "Recorded who came to a panel meeting",
        "shortlist_add": "Added someone to a panel built by hand",
        "shortlist_remove": "Took someone off a panel built by hand",
        "shortlist_clear": "Cleared a panel built by hand",
    },
    commands=_commands,
    jobs=_jobs,
    demo=_demo,
    erase=_erase,
)
