"""The ``panels`` command: the Flask CLI plus database, account and demo commands."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.engine import make_url

from models import ROLES
from panels import create_app
from panels.commands.gap import gap_command
from panels.commands.select import select_command
from panels.config import ConfigurationError
from panels.errors import DomainError


def _create_app():
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
        added = sync_taxonomy()
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


@click.command("create-user")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="The account's role.")
@click.option("--name", "display_name", default=None, help="The name shown in the service.")
@click.password_option(help="The password (asked for if not given).")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account."""
    from panels.auth.service import create_user

    try:
        user = create_user(email, role, password, display_name)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {ROLES[user.role].lower()} account {user.email}.")


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
    from panels.register.taxonomy import sync_taxonomy

    migrate.upgrade("head")
    sync_taxonomy()
    try:
        accounts = seed_demo_accounts(password)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    from panels.demo_register import DEMO_SEED

    seed = DEMO_SEED if seed is None else seed
    added = seed_demo_members(seed=seed)
    if added:
        click.echo(f"Added {added} synthetic members to the register (seed {seed}).")
    url = make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    click.echo(f"Demo data is ready in {url}.")
    click.echo("Start the service with `panels run` and open http://127.0.0.1:5000/")
    click.echo("Sign in with one of these accounts:")
    for account in accounts:
        click.echo(f"  {ROLES[account.role]:<16} {account.email:<24} password: {account.password}")


members_cli = AppGroup("members", help="Import and export the register's members as CSV.")


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--update",
    is_flag=True,
    help="Replace the details, answers and consent of members whose email is in the file "
    "(without it, an email already on the register is an error).",
)
def members_import(file: Path, update: bool) -> None:
    """Import members from a CSV file: all of it, or nothing if any row has a problem."""
    from panels.register.member_csv import ImportRefused, import_members

    try:
        result = import_members(file.read_bytes(), file.name, update=update)
    except ImportRefused as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Imported {result.rows} members from {file.name}: "
        f"{result.created} added, {result.updated} updated."
    )


@members_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def members_export(file: Path | None) -> None:
    """Export every member as CSV to FILE, or to standard output without one."""
    from panels.register.member_csv import export_members

    if file is not None:
        with file.open("w", encoding="utf-8", newline="") as out:
            count = export_members(out, file.name)
        click.echo(f"Exported {count} members to {file}.")
        return
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        count = export_members(out, "standard output")
        out.flush()
    finally:
        out.detach()
    click.echo(f"Exported {count} members.", err=True)


def init_app(app) -> None:
    """Add the commands to the app's CLI group (found by `panels` and by test runners)."""
    for command in (db_cli, members_cli, create_user_command, demo_command, *LIBRARY_COMMANDS):
        app.cli.add_command(command)


def main() -> None:
    cli.main(prog_name="panels")
