"""The reports by name, who may see which projects, and the audit of every view and download."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from models import Member
from panels import audit
from panels.errors import NotFound
from panels.features import registry
from panels.reports.overview import cross_project_overview, overview_report
from panels.reports.participation import familiar_voices_report, time_given_report
from panels.reports.tables import Report, ReportTable
from panels.uow import Actor, UnitOfWork

FORMATS = ("csv", "xlsx")
DEFAULT_TARGET = "england-and-wales"


@dataclass(frozen=True)
class ReportKind:
    title: str
    build: Callable[[UnitOfWork, int | None, Mapping[str, str]], Report]
    whole_register: bool = False
    """Reports on the whole register, so only for readers who may see every project."""


def _projects(uow: UnitOfWork, owner_id: int | None, options: Mapping[str, str]) -> Report:
    return overview_report(cross_project_overview(uow, owner_id=owner_id))


def _familiar(uow: UnitOfWork, owner_id: int | None, options: Mapping[str, str]) -> Report:
    return familiar_voices_report(uow, owner_id=owner_id)


def _population(uow: UnitOfWork, owner_id: int | None, options: Mapping[str, str]) -> Report:
    from panels.reports.population import population_report, register_against_population

    return population_report(
        register_against_population(uow, options.get("target") or DEFAULT_TARGET)
    )


def _time(uow: UnitOfWork, owner_id: int | None, options: Mapping[str, str]) -> Report:
    return time_given_report(uow, owner_id)


REPORTS: dict[str, ReportKind] = {
    "projects": ReportKind("Panels across projects", _projects),
    "register": ReportKind("The register against the population", _population, True),
    "familiar-voices": ReportKind("Familiar voices", _familiar),
    "time-given": ReportKind("Resourcing: time and money", _time),
}


def scope(actor: Actor) -> int | None:
    """Whose projects the actor's reports cover: everyone's (None) or their own (their id)."""
    return None if registry().allows(actor.role, "report_all_projects") else actor.user_id


def report_kind(slug: str, actor: Actor) -> ReportKind:
    kind = REPORTS.get(slug)
    if kind is None or (kind.whole_register and scope(actor) is not None):
        valid = ", ".join(s for s, k in REPORTS.items() if not k.whole_register or not scope(actor))
        raise NotFound(f"there is no report {slug!r}; the reports you may see are: {valid}")
    return kind


def build_report(uow: UnitOfWork, slug: str, options: Mapping[str, str] | None = None) -> Report:
    """The report ``slug`` for the unit's actor (leads: their own projects only); ``options``
    such as the register report's ``target`` (a built-in population)."""
    kind = report_kind(slug, uow.actor)
    return kind.build(uow, scope(uow.actor), options or {})


def record_use(
    uow: UnitOfWork, report: Report | str, *, download: str | None = None, part: str = ""
) -> None:
    """Audit a view of a report (or its slug) or, with ``download`` (the format), a download
    of it or of its ``part`` (a chart)."""
    slug = report if isinstance(report, str) else report.slug
    rows = 0 if isinstance(report, str) else sum(len(t.rows) for t in report.tables)
    details = {"report": slug}
    if download:
        details["format"] = download
    if part:
        details["part"] = part
    with uow:
        audit.record(
            uow, "download_report" if download else "view_report", "report", None, rows, **details
        )


def register_size(uow: UnitOfWork) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(Member)) or 0)


def needs_job(uow: UnitOfWork) -> bool:
    """Whether the register has REPORTS_JOB_MEMBERS or more members (0: always), so that its
    reports are built in the background."""
    return register_size(uow) >= int(uow.settings.get("REPORTS_JOB_MEMBERS", 20_000))


def visible_reports(actor: Actor) -> list[str]:
    """The reports the actor may see, in order."""
    everything = scope(actor) is None
    return [slug for slug, kind in REPORTS.items() if everything or not kind.whole_register]


def workbook(tables: Sequence[ReportTable]) -> Report:
    """Every report's tables as one report, for the workbook download."""
    return Report(
        slug="workbook",
        title="Co-production Panels reports",
        summary="Every report's tables; counts only, small numbers hidden.",
        tables=tuple(tables),
    )
