"""The landing page, each role's start page, and the health check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.home.views import bp

    return (bp,)


feature = Feature(
    name="home",
    blueprints=_blueprints,
    navigation=(
        NavItem("Your involvement", "members.start", "member_space", order=0),
        NavItem("Home", "home.lead", "lead_workspace", order=0),
        NavItem("Home", "home.manager", "manager_workspace", order=0),
        NavItem("Home", "home.admin", "admin_workspace", order=0),
    ),
    permissions=(
        permission("member_space", "Use the member's own pages", "member"),
        permission("lead_workspace", "Use the engagement lead's start page", "lead"),
        permission("manager_workspace", "Use the manager's start page", "manager"),
        permission("admin_workspace", "Use the administrator's start page", "admin"),
    ),
)
