"""The landing page, each role's start page, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from models import PROJECT_STATUSES, User
from panels.security import public, requires
from panels.web import unit_of_work

bp = Blueprint("home", __name__)

START_PAGES = {
    "member": "members.start",
    "lead": "home.lead",
    "manager": "home.manager",
    "admin": "home.admin",
}


def start_page_for(user: User) -> str:
    return url_for(START_PAGES[user.role])


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(start_page_for(current_user))
    return render_template("home/index.html")


@bp.route("/health")
@public
def health() -> ResponseReturnValue:
    unit_of_work().session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/member/")
@requires("member_space")
def member() -> ResponseReturnValue:
    return redirect(url_for("members.start"))


@bp.route("/lead/")
@requires("lead_workspace")
def lead() -> str:
    from panels.projects.service import list_projects

    return render_template(
        "home/lead.html", projects=list_projects(unit_of_work()), statuses=PROJECT_STATUSES
    )


@bp.route("/manager/")
@requires("manager_workspace")
def manager() -> str:
    from panels.projects.service import list_projects

    return render_template(
        "home/manager.html", projects=list_projects(unit_of_work()), statuses=PROJECT_STATUSES
    )


@bp.route("/admin/")
@requires("admin_workspace")
def admin() -> str:
    return render_template("home/admin.html")
