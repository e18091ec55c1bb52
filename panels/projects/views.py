"""Project pages for engagement leads (and, read-only, managers)."""

from __future__ import annotations

from flask import Blueprint, render_template

from panels.projects import service
from panels.security import requires
from panels.web import unit_of_work

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.route("/")
@requires("view_projects")
def index():
    return render_template("projects/index.html", projects=service.list_projects(unit_of_work()))
