"""`panels draw verify`: replay a recorded draw and confirm it gives the same panel."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from panels import db
from panels.errors import DomainError
from panels.uow import Actor

draw_cli = AppGroup("draw", help="Check recorded panel draws.")


@draw_cli.command("verify")
@click.argument("draw_id", type=int)
def verify_command(draw_id: int) -> None:
    """Replay draw DRAW_ID from its record; exit 1 if the inputs or the panel differ."""
    from panels.projects.service import verify_draw

    with db.open_unit_of_work(Actor.command_line()) as uow:
        try:
            check = verify_draw(uow, draw_id)
        except DomainError as error:
            raise click.ClickException(str(error)) from None
    draw = check.draw
    click.echo(
        f"Draw {draw.number} of project {draw.project_id} ({draw.kind}, {draw.algorithm}, "
        f"seed {draw.seed}, {len(draw.pool)} people in the pool, {draw.k} seats)."
    )
    click.echo(f"Inputs hash: {'matches' if check.hash_matches else 'DOES NOT MATCH'} the record.")
    click.echo(
        "Replayed panel: "
        + ("the same people as recorded." if check.panel_matches else "DIFFERENT from the record.")
    )
    if not check.confirmed:
        raise SystemExit(1)


invitations_cli = AppGroup("invitations", help="Reminders and deadlines for invitations.")


@invitations_cli.command("tick")
def tick_command() -> None:
    """Send the reminders that are due and record missed deadlines (run it daily)."""
    from panels.projects.invitations import answer_link, remind_and_expire

    with db.open_unit_of_work(Actor.command_line()) as uow:
        tick = remind_and_expire(uow, answer_link(uow.settings))
    click.echo(f"Sent {tick.reminded} reminders; {tick.expired} invitations passed their deadline.")
