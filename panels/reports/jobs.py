"""Large reports in the background: the job builds the workbook of every report the starter
may see, reporting each report as a phase, and keeps it in the instance folder for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from panels.jobs.kinds import JobContext, JobOutcome
from panels.reports import service
from panels.reports.tables import ReportTable, as_xlsx


def workbook_path(settings: Any, job_id: int) -> Path:
    """Where job ``job_id``'s workbook is kept (``<instance>/reports/``)."""
    folder = Path(settings["INSTANCE_PATH"]) / "reports"
    return folder / f"reports-{int(job_id)}.xlsx"


def run_workbook_job(context: JobContext) -> JobOutcome:
    uow = context.uow
    slugs = service.visible_reports(uow.actor)
    tables: list[ReportTable] = []
    for done, slug in enumerate(slugs):
        context.progress(done, len(slugs) + 1, f"Building “{service.REPORTS[slug].title}”")
        report = service.build_report(uow, slug)
        tables.extend(report.tables)
    context.progress(len(slugs), len(slugs) + 1, "Writing the workbook")
    workbook = service.workbook(tables)
    path = workbook_path(uow.settings, context.job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(as_xlsx(workbook))
    return JobOutcome(
        summary=f"The workbook holds {len(tables)} tables from {len(slugs)} reports.",
        endpoint="reports.workbook_download",
        link_text="Download the reports workbook (XLSX)",
        values={"job_id": context.job_id},
    )
