"""Outreach: under-reached groups, partner organisations, outreach actions and their yield,
and the public joining form whose requests staff check before they enter the register."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint

    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.outreach.views import bp, join_bp

    return (bp, join_bp)


def _demo(uow: UnitOfWork, seed: int) -> list[str]:
    from panels.outreach.demo import seed_demo_outreach

    return seed_demo_outreach(uow, seed)


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.outreach.personal import personal_data

    return personal_data(uow, member_id)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.outreach.personal import erase

    erase(uow, member_id)


feature = Feature(
    name="outreach",
    blueprints=_blueprints,
    navigation=(NavItem("Outreach", "outreach.index", "manage_outreach", order=30),),
    permissions=(
        permission(
            "manage_outreach",
            "See under-reached groups, keep partner organisations and log outreach "
            "(managers see counts, small counts protected)",
            "lead",
            "manager",
        ),
        permission(
            "review_join_requests",
            "Check requests to join the register and add or turn them down",
            "lead",
        ),
    ),
    audit_actions={
        "create_partner": "Added a partner organisation",
        "update_partner": "Changed a partner organisation",
        "create_join_link": "Made a joining link for a campaign",
        "log_outreach": "Logged an outreach action",
        "receive_join_request": "Received a request to join the register",
        "accept_join_request": "Added someone who asked to join",
        "reject_join_request": "Turned down a request to join",
    },
    demo=_demo,
    personal_data=_personal_data,
    erase=_erase,
)
