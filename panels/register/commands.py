"""`panels members import` and `panels members export`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from panels import db
from panels.uow import Actor

members_cli = AppGroup("members", help="Import and export the register's members as CSV.")


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--update",
    is_flag=True,
    help="Replace the details, answers and consent of members whose email is in the file "
    "(without it, an email already on the register is an error).",
)
@click.option(
    "--add-categories",
    is_flag=True,
    help="Add answers the register does not have yet to the questions that take new ones "
    "(local area), instead of refusing them. Other unknown answers are still problems.",
)
def members_import(file: Path, update: bool, add_categories: bool) -> None:
    """Import members from a CSV file: all of it, or nothing if any row has a problem."""
    from panels.register.member_csv import ImportRefused, import_members

    with db.open_unit_of_work(Actor.command_line()) as uow:
        try:
            result = import_members(
                uow, file, file.name, update=update, add_categories=add_categories
            )
        except ImportRefused as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            if error.more_problems_text:
                click.echo(f"... and {error.more_problems_text}, not listed", err=True)
            raise click.ClickException(str(error)) from None
    for plural, codes in result.new_categories:
        click.echo(f"These {plural} are new and were added: {', '.join(codes)}.")
    click.echo(
        f"Imported {result.rows} members from {file.name}: "
        f"{result.created} added, {result.updated} updated."
    )


@members_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def members_export(file: Path | None) -> None:
    """Export every member as CSV to FILE, or to standard output without one."""
    from panels.register.member_csv import export_members

    with db.open_unit_of_work(Actor.command_line()) as uow:
        if file is not None:
            with file.open("w", encoding="utf-8", newline="") as out:
                count = export_members(uow, out, file.name)
            click.echo(f"Exported {count} members to {file}.")
            return
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            count = export_members(uow, out, "standard output")
            out.flush()
        finally:
            out.detach()
    click.echo(f"Exported {count} members.", err=True)
