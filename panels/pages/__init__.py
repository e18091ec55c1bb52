"""Service pages every public service needs: the accessibility statement, the privacy notice
and the contact page, linked from every page's footer and edited by administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.pages.views import bp

    return (bp,)


feature = Feature(
    name="pages",
    blueprints=_blueprints,
    navigation=(NavItem("Service pages", "pages.manage", "edit_pages", order=33),),
    permissions=(
        permission(
            "edit_pages",
            "Change the accessibility statement, privacy notice and contact page",
            "admin",
        ),
    ),
    audit_actions={"edit_page": "Changed a service page"},
)
