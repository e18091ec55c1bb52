"""Background jobs: long work (imports, lottery draws, reports) run by ``panels worker``.

A feature declares its kinds of job (``Feature(jobs=lambda: {...})``, see
:mod:`panels.jobs.kinds`) and starts one with :func:`panels.jobs.service.start_job`; the
job's page (``/jobs/<id>``) shows its progress and outcome to whoever started it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, permission

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from panels.jobs.kinds import JobKind


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.jobs.views import bp

    return (bp,)


def _commands() -> tuple[click.Command, ...]:
    from panels.jobs.commands import jobs_cli, worker_command

    return (worker_command, jobs_cli)


def _jobs() -> dict[str, JobKind]:
    from panels.jobs.check import CHECK_KIND, check_workers
    from panels.jobs.kinds import JobKind

    return {CHECK_KIND: JobKind("Check the background workers", check_workers, repeatable=True)}


feature = Feature(
    name="jobs",
    blueprints=_blueprints,
    commands=_commands,
    jobs=_jobs,
    permissions=(
        permission(
            "see_own_jobs",
            "Follow the progress of the background jobs they started",
            "member",
            "lead",
            "manager",
            "admin",
        ),
        permission("see_all_jobs", "Follow anyone's background jobs", "admin"),
    ),
)
