"""A job's page and its JSON, polled by frontend/app.mjs; both only for whoever started it."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.routing import BuildError

from panels.jobs.service import JobView, find_job
from panels.security import can, requires
from panels.web import unit_of_work

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _view(job_id: int) -> JobView:
    return find_job(unit_of_work(), job_id, anyone_s=can(current_user, "see_all_jobs"))


def _result_url(view: JobView) -> str | None:
    result = view.job.result
    if not result or not result.get("endpoint"):
        return None
    try:
        return url_for(result["endpoint"], **result.get("values", {}))
    except BuildError:
        return None


@bp.route("/<int:job_id>")
@requires("see_own_jobs")
def show(job_id: int) -> str:
    view = _view(job_id)
    return render_template("jobs/show.html", view=view, job=view.job, result_url=_result_url(view))


@bp.route("/<int:job_id>.json")
@requires("see_own_jobs")
def status(job_id: int) -> ResponseReturnValue:
    view = _view(job_id)
    return jsonify(view.as_json(_result_url(view)))
