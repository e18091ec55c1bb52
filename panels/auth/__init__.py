"""Accounts and sign-in."""

from panels.features import Feature, NavItem


def _blueprints():
    from panels.auth.views import bp

    return (bp,)


def _commands():
    from panels.auth.commands import create_user_command

    return (create_user_command,)


feature = Feature(
    name="auth",
    blueprints=_blueprints,
    navigation=(NavItem("Change password", "auth.change_password", None, order=90),),
    commands=_commands,
)
