"""The members' own space: their account, profile, consent, invitations, panels, chances of
selection and "Download my data"; and staff who set up accounts or act for a member."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, permission

if TYPE_CHECKING:
    from flask import Blueprint

    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.members.views import bp, join_bp, staff_bp

    return (bp, join_bp, staff_bp)


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.members.data import members_personal_data

    return members_personal_data(uow, member_id)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.members.data import erase_member_space

    erase_member_space(uow, member_id)


def _demo(uow: UnitOfWork, seed: int) -> list[str]:
    from panels.members.demo import link_demo_member

    return link_demo_member(uow, seed)


feature = Feature(
    name="members",
    blueprints=_blueprints,
    permissions=(
        permission(
            "use_member_pages",
            "Use the member pages: a member their own, staff for a member they act for",
            "member",
            "lead",
        ),
        permission(
            "invite_member_accounts",
            "Send a member a link to set up their own account",
            "lead",
            "admin",
        ),
        permission(
            "act_for_members",
            "Use the member pages on behalf of a member (for example one with no email)",
            "lead",
        ),
    ),
    audit_actions={
        "invite_member_account": "Sent a member a link to set up their account",
        "set_up_member_account": "A member set up their account",
        "act_for_member": "Started acting on behalf of a member",
        "change_availability": "Changed when a member is free",
        "download_my_data": "Downloaded a member's data",
    },
    personal_data=_personal_data,
    demo=_demo,
    erase=_erase,
)
