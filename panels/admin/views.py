"""Administration pages: the list of accounts."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from models import User
from panels import db
from panels.security import requires_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@requires_role("admin")
def users():
    accounts = db.session().scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=accounts)
