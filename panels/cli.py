"""The ``panels`` command: the Flask CLI plus database, account and demo commands."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.engine import make_url

from models import ROLES
from panels import create_app, db
from panels.commands.gap import gap_command
from panels.commands.select import select_command
from panels.config import ConfigurationError
from panels.errors import DomainError
from panels.features import Registry, registry
from panels.uow import Actor


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


cli = FlaskGroup(
    create_app=_create_app,
    help="Co-production Panels. Run `panels demo` then `panels run` to try it.",
)
db_cli = AppGroup("db", help="Create, upgrade and downgrade the database schema.")

# Commands over the statistics library: they need no app, database or SECRET_KEY.
LIBRARY_COMMANDS = (gap_command, select_command)
for _command in LIBRARY_COMMANDS:
    cli.add_command(_command)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database schema (to the latest version by default)."""
    from panels import migrate
    from panels.register.taxonomy import sync_taxonomy

    migrate.upgrade(revision)
    click.echo(f"Database is at revision {migrate.current_revision()}.")
    if revision == "head":
        with db.open_unit_of_work(Actor.command_line()) as uow:
            added = sync_taxonomy(uow)
        click.echo(
            f"Equality categories and consent wording: {added} added from the taxonomy file."
        )


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Downgrade the database schema (one step by default; 'base' removes everything)."""
    from panels import migrate

    migrate.downgrade(revision)
    click.echo(f"Database is at revision {migrate.current_revision() or 'base (empty)'}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's schema revision."""
    from panels import migrate

    click.echo(migrate.current_revision() or "base (empty)")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
def db_revision(message: str) -> None:
    """Autogenerate a new migration from the models (read and fix it before committing)."""
    from panels import migrate

    migrate.revision(message)


@click.command("demo")
@click.option(
    "--password",
    default=None,
    help="One password for every demo account (at least 10 characters). "
    "Without it each account gets a random password, printed once.",
)
@click.option(
    "--seed",
    default=None,
    type=int,
    help="Seed for the synthetic members (the same seed gives the same register).",
)
@with_appcontext
def demo_command(password: str | None, seed: int | None) -> None:
    """Create and migrate the database if needed, and seed demo accounts and data."""
    from panels import migrate
    from panels.demo import seed_demo_accounts, seed_demo_members
    from panels.demo_register import DEMO_SEED
    from panels.register.taxonomy import sync_taxonomy

    migrate.upgrade("head")
    seed = DEMO_SEED if seed is None else seed
    with db.open_unit_of_work(Actor.command_line()) as uow:
        sync_taxonomy(uow)
        try:
            accounts = seed_demo_accounts(uow, password)
        except DomainError as error:
            raise click.ClickException(str(error)) from None
        added = seed_demo_members(uow, seed=seed)
        feature_lines = [
            line
            for feature in registry().features
            if feature.demo is not None
            for line in feature.demo(uow, seed)
        ]
    if added:
        click.echo(f"Added {added} synthetic members to the register (seed {seed}).")
    for line in feature_lines:
        click.echo(line)
    url = make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    click.echo(f"Demo data is ready in {url}.")
    click.echo("Start the service with `panels run` and open http://127.0.0.1:5000/")
    click.echo(
        "Sign in with one of these accounts (demo accounts only: they skip two-factor "
        "authentication, which every other staff account must set up):"
    )
    for account in accounts:
        click.echo(f"  {ROLES[account.role]:<16} {account.email:<24} password: {account.password}")


def init_app(app: Flask, registry: Registry) -> None:
    """Add the core commands and each feature's to the app's CLI group."""
    feature_commands = [c for feature in registry.features for c in feature.commands()]
    from panels.mail import mail_cli

    for command in (db_cli, demo_command, mail_cli, *LIBRARY_COMMANDS, *feature_commands):
        app.cli.add_command(command)


def main() -> None:
    cli.main(prog_name="panels")
