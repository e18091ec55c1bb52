"""Accounts and sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.auth.views import bp

    return (bp,)


def _commands() -> tuple[click.Command, ...]:
    from panels.auth.commands import create_user_command

    return (create_user_command,)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.auth.erasure import close_member_account

    close_member_account(uow, member_id)


feature = Feature(
    name="auth",
    blueprints=_blueprints,
    navigation=(
        NavItem("Change password", "auth.change_password", None, order=90),
        NavItem("Two-factor authentication", "auth.two_factor_settings", None, order=91),
    ),
    audit_actions={
        "two_factor_enabled": "Turned on two-factor authentication",
        "two_factor_disabled": "Turned off two-factor authentication",
        "two_factor_reset": "Reset an account's two-factor authentication",
        "recovery_code_used": "Signed in with a two-factor recovery code",
        "recovery_codes_renewed": "Made new two-factor recovery codes",
    },
    commands=_commands,
    erase=_erase,
)
