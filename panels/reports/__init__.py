"""Reports for managers: panels across projects, the register against a population,
familiar voices and time given. Counts only, never names; small counts hidden."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint

    from panels.jobs.kinds import JobKind


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.reports.views import bp

    return (bp,)


def _jobs() -> dict[str, JobKind]:
    from panels.jobs.kinds import JobKind
    from panels.reports.jobs import run_workbook_job

    return {"reports_workbook": JobKind("Build the reports workbook", run_workbook_job, True)}


feature = Feature(
    name="reports",
    blueprints=_blueprints,
    navigation=(NavItem("Reports", "reports.index", "view_reports", order=15),),
    permissions=(
        permission(
            "view_reports",
            "See and download reports as counts, with small numbers hidden (leads: their "
            "own projects)",
            "lead",
            "manager",
            "admin",
        ),
        permission(
            "report_all_projects",
            "See reports on every project and the whole register",
            "manager",
            "admin",
        ),
    ),
    audit_actions={
        "view_report": "Looked at a report",
        "download_report": "Downloaded a report",
    },
    jobs=_jobs,
)
