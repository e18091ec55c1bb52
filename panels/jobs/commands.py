"""``panels worker`` (a Huey consumer running jobs) and ``panels jobs check``."""

from __future__ import annotations

import logging
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from panels import db
from panels.jobs import queue as job_queue
from panels.jobs.check import CHECK_KIND, MAX_SECONDS
from panels.jobs.runner import reap_stale_jobs
from panels.jobs.service import find_job, start_job
from panels.uow import Actor


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
    for name in ("huey", "panels"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)


@click.command("worker")
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="How many jobs this worker runs at once, each in a process of its own "
    "(the solvers are CPU-bound, so one per CPU core at most).",
)
@with_appcontext
def worker_command(processes: int) -> None:
    """Run background jobs from the queue (JOBS_URL) until stopped with Ctrl-C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _log_to_stderr()
    queue = job_queue.queue_for(app.config)
    queue.attach(app)
    reaped = reap_stale_jobs(app)
    if reaped.failed or reaped.requeued:
        click.echo(
            f"Jobs whose worker had stopped: {len(reaped.failed)} marked failed, "
            f"{len(reaped.requeued)} queued again.",
            err=True,
        )
    db.database(app).engine.dispose()
    click.echo(
        f"Worker running jobs from the {job_queue.describe(app.config)} queue "
        f"with {processes} {'process' if processes == 1 else 'processes'}.",
        err=True,
    )
    consumer = queue.huey.create_consumer(
        workers=processes,
        worker_type="process",
        periodic=True,
        initial_delay=0.1,
        max_delay=1.0,
        health_check_interval=5,
    )
    consumer.run()


jobs_cli = AppGroup("jobs", help="Check on the background jobs.")


@jobs_cli.command("check")
@click.option(
    "--seconds",
    default=1,
    show_default=True,
    type=click.IntRange(0, MAX_SECONDS),
    help="How long the check job runs.",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait for a worker to finish it (fails if none does within --timeout).",
)
@click.option("--timeout", default=60, show_default=True, type=int, help="Seconds to wait.")
@with_appcontext
def check_command(seconds: int, wait: bool, timeout: int) -> None:
    """Queue a job that only waits, and see whether a worker runs it."""
    with db.open_unit_of_work(Actor.command_line()) as uow:
        job_id = start_job(uow, CHECK_KIND, {"seconds": seconds}).id
    click.echo(f"Queued check job {job_id}.")
    if not wait:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.open_unit_of_work(Actor.command_line()) as uow:
            view = find_job(uow, job_id, anyone_s=True)
            status, line = view.status, view.status_line
        if view.finished:
            click.echo(line)
            if status != "succeeded":
                raise SystemExit(1)
            return
        time.sleep(0.5)
    raise click.ClickException(
        f"No worker finished check job {job_id} within {timeout} seconds; is `panels worker` "
        "running, with the same DATABASE_URL and JOBS_URL?"
    )
