"""Erasure: a member's request to be forgotten, checked and carried out by an administrator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.erasure.views import bp

    return (bp,)


feature = Feature(
    name="erasure",
    blueprints=_blueprints,
    navigation=(NavItem("Erasure requests", "erasure.requests", "approve_erasure", order=34),),
    permissions=(
        permission(
            "record_erasure_requests",
            "Record a member's request to be forgotten, made by phone, letter or in person",
            "lead",
            "admin",
        ),
        permission(
            "approve_erasure",
            "Approve or refuse requests to be forgotten, which removes a member's details",
            "admin",
        ),
    ),
    audit_actions={
        "request_erasure": "Asked for a member's details to be removed",
        "approve_erasure": "Removed a member's details at their request",
        "refuse_erasure": "Refused a request to remove a member's details",
    },
)
