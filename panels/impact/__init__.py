"""Impact: ladder-of-co-production ratings, "you said, we did" and box-ticking flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint, Flask

    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.impact.views import bp

    return (bp,)


def _init_app(app: Flask) -> None:
    from models import LADDER
    from panels.impact.views import impact_summary

    # The project page (a projects template) shows the ladder ratings beside a link here.
    app.add_template_global(impact_summary, "impact_summary")
    app.jinja_env.globals["impact_ladder"] = LADDER


def _demo(uow: UnitOfWork, seed: int) -> list[str]:
    from panels.impact.demo import seed_demo_impact

    return seed_demo_impact(uow, seed)


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.impact.personal import personal_data

    return personal_data(uow, member_id)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.impact.personal import erase

    erase(uow, member_id)


feature = Feature(
    name="impact",
    blueprints=_blueprints,
    navigation=(
        NavItem("Impact", "impact.index", "see_impact", order=35),
        NavItem("What changed", "impact.member", "member_space", order=5),
    ),
    permissions=(
        permission(
            "see_impact",
            "See ladder ratings, “you said, we did” and box-ticking flags for every project",
            "lead",
            "manager",
        ),
        permission(
            "rate_coproduction",
            "Rate where a project sat on the ladder of co-production, as staff",
            "lead",
            "manager",
        ),
        permission("write_feedback", "Write and publish “you said, we did” for a project", "lead"),
    ),
    audit_actions={
        "rate_ladder": "Rated a project on the ladder of co-production",
        "write_feedback": "Wrote a “you said, we did” item",
        "publish_feedback": "Published a “you said, we did” item to the panel",
    },
    demo=_demo,
    personal_data=_personal_data,
    erase=_erase,
    init_app=_init_app,
)
