"""Report pages and downloads: counts only, small numbers hidden, every view and download
audited."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from markupsafe import Markup

from panels.charts import BarChart, bar_chart
from panels.errors import InvalidInput, NotFound
from panels.jobs.service import find_job, start_job
from panels.projects.forms import TargetFileForm
from panels.reports import service
from panels.reports.charts import chart_png, chart_svg
from panels.reports.jobs import workbook_path
from panels.reports.overview import cross_project_overview, overview_report
from panels.reports.population import (
    population_report,
    register_against_population,
    save_uploaded_target,
)
from panels.reports.tables import ReportTable, as_csv, as_xlsx
from panels.security import requires
from panels.web import unit_of_work
from representativeness.target import BUILTIN_TARGETS

bp = Blueprint("reports", __name__, url_prefix="/reports")
SIMPLE = ("familiar-voices", "time-given")
"""Reports shown as their tables alone."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookForm(FlaskForm):
    """The one button that builds the workbook of every report."""


@bp.app_template_global()
def report_chart(chart: BarChart) -> Markup:
    """A report's chart as inline SVG."""
    return bar_chart(chart)


def _attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/")
@requires("view_reports")
def index() -> str:
    uow = unit_of_work()
    return render_template(
        "reports/index.html",
        reports=[(slug, service.REPORTS[slug]) for slug in service.visible_reports(uow.actor)],
        form=WorkbookForm(),
        in_background=service.needs_job(uow),
    )


@bp.route("/projects")
@requires("view_reports")
def projects() -> str:
    uow = unit_of_work()
    overview = cross_project_overview(uow, owner_id=service.scope(uow.actor))
    report = overview_report(overview)
    service.record_use(uow, report)
    return render_template("reports/projects.html", overview=overview, report=report)


@bp.route("/register")
@requires("report_all_projects")
def register() -> ResponseReturnValue:
    uow = unit_of_work()
    if service.needs_job(uow):
        return render_template("reports/register_large.html", form=WorkbookForm())
    return _register_page(_target(), TargetFileForm(prefix="upload"))


def _register_page(target: str, upload: TargetFileForm, status: int = 200) -> ResponseReturnValue:
    uow = unit_of_work()
    found = register_against_population(uow, target)
    report = population_report(found)
    service.record_use(uow, report)
    page = render_template(
        "reports/register.html",
        found=found,
        report=report,
        targets=BUILTIN_TARGETS,
        target=target,
        upload=upload,
        form=upload,
    )
    return page, status


@bp.route("/register/area", methods=["POST"])
@requires("report_all_projects")
def register_area() -> ResponseReturnValue:
    uow = unit_of_work()
    upload = TargetFileForm(prefix="upload")
    if upload.validate_on_submit():
        name = Path(upload.file.data.filename).name
        folder = Path(uow.settings["INSTANCE_PATH"]) / "reports" / "uploads"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / (secrets.token_hex(16) + ".csv")
        try:
            upload.file.data.save(path)
            target = save_uploaded_target(uow, path, upload.kind.data, name, upload.area.data or "")
        except InvalidInput as error:
            upload.file.errors = [str(error)]
        else:
            return redirect(url_for(".register", target=target))
        finally:
            path.unlink(missing_ok=True)
    return _register_page(_target(), upload, 400)


def _target() -> str:
    return request.args.get("target") or service.DEFAULT_TARGET


@bp.route("/<slug>")
@requires("view_reports")
def simple(slug: str) -> str:
    uow = unit_of_work()
    if slug not in SIMPLE:
        raise NotFound(f"there is no report page {slug!r}; try: {', '.join(SIMPLE)}")
    report = service.build_report(uow, slug)
    service.record_use(uow, report)
    return render_template("reports/report.html", report=report)


@bp.route("/<slug>.<fmt>")
@requires("view_reports")
def download(slug: str, fmt: str) -> ResponseReturnValue:
    uow = unit_of_work()
    if fmt not in service.FORMATS:
        raise NotFound(f"reports download as {' or '.join(service.FORMATS)}, not {fmt!r}")
    if slug == "register" and service.needs_job(uow):
        raise InvalidInput(
            "The register is large, so this report is built in the background: build the "
            "reports workbook from the reports page instead."
        )
    report = service.build_report(uow, slug, {"target": _target()})
    service.record_use(uow, report, download=fmt)
    if fmt == "csv":
        return _attachment(as_csv(report), "text/csv", f"report-{slug}.csv")
    return _attachment(as_xlsx(report), XLSX, f"report-{slug}.xlsx")


def _chart(slug: str, key: str) -> BarChart:
    uow = unit_of_work()
    if slug == "projects":
        return (
            cross_project_overview(uow, owner_id=service.scope(uow.actor))
            .characteristic(key)
            .chart()
        )
    service.report_kind(slug, uow.actor)
    if slug == "register" and not service.needs_job(uow):
        return register_against_population(uow, _target()).characteristic(key).chart()
    raise NotFound(f"the report {slug!r} has no chart {key!r} to download")


@bp.route("/<slug>/charts/<key>.<fmt>")
@requires("view_reports")
def chart(slug: str, key: str, fmt: str) -> ResponseReturnValue:
    uow = unit_of_work()
    if fmt not in ("svg", "png"):
        raise NotFound(f"charts download as svg or png, not {fmt!r}")
    found = _chart(slug, key)
    service.record_use(uow, slug, download=fmt, part=f"chart {key}")
    name = f"report-{slug}-{key}.{fmt}"
    if fmt == "svg":
        return _attachment(chart_svg(found), "image/svg+xml", name)
    return _attachment(chart_png(found), "image/png", name)


@bp.route("/workbook", methods=["POST"])
@requires("view_reports")
def workbook() -> ResponseReturnValue:
    uow = unit_of_work()
    if not WorkbookForm().validate_on_submit():
        raise InvalidInput("The form has expired; go back, reload the page and try again.")
    if service.needs_job(uow):
        job = start_job(uow, "reports_workbook", {})
        return redirect(url_for("jobs.show", job_id=job.id))
    tables: list[ReportTable] = []
    for slug in service.visible_reports(uow.actor):
        tables.extend(service.build_report(uow, slug).tables)
    report = service.workbook(tables)
    service.record_use(uow, report, download="xlsx")
    return _attachment(as_xlsx(report), XLSX, "reports.xlsx")


@bp.route("/workbook/<int:job_id>.xlsx")
@requires("view_reports")
def workbook_download(job_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    view = find_job(uow, job_id)
    path = workbook_path(uow.settings, job_id)
    if view.job.kind != "reports_workbook" or view.job.status != "succeeded" or not path.exists():
        abort(404)
    service.record_use(uow, "workbook", download="xlsx", part=f"job {job_id}")
    return _attachment(path.read_bytes(), XLSX, f"reports-{job_id}.xlsx")
