"""Administration: accounts, the audit log and the equality categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.admin.views import bp

    return (bp,)


feature = Feature(
    name="admin",
    blueprints=_blueprints,
    navigation=(
        NavItem("Accounts", "admin.users", "manage_accounts", order=30),
        NavItem("Equality categories", "admin.categories", "manage_categories", order=31),
        NavItem("Audit log", "admin.audit_log", "read_audit_log", order=32),
        NavItem("Outbox", "admin.outbox", "read_outbox", order=33),
    ),
    permissions=(
        permission("manage_accounts", "See and manage accounts", "admin"),
        permission("manage_categories", "Add categories to the equality questions", "admin"),
        permission("read_audit_log", "Read the audit log", "admin"),
        permission("read_outbox", "See the messages the service sends, and their bodies", "admin"),
    ),
    audit_actions={"taxonomy": "Changed the equality categories"},
)
