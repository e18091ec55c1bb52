"""`panels create-user`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models import ROLES
from panels import db
from panels.errors import DomainError
from panels.uow import Actor


@click.command("create-user")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="The account's role.")
@click.option("--name", "display_name", default=None, help="The name shown in the service.")
@click.password_option(help="The password (asked for if not given).")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account."""
    from panels.auth.service import create_user

    with db.open_unit_of_work(Actor.command_line()) as uow:
        try:
            user = create_user(uow, email, role, password, display_name)
        except DomainError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Created {ROLES[user.role].lower()} account {user.email}.")
