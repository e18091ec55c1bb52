"""Administration pages: accounts, the audit log, and the equality categories."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from sqlalchemy import func, select
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from models import AuditEvent, User
from panels import audit
from panels.auth import two_factor
from panels.errors import InvalidInput, NotFound
from panels.pagination import Window, requested_page
from panels.register.taxonomy import add_category, load_taxonomy
from panels.security import requires
from panels.web import unit_of_work

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE_SIZE = 100


@bp.route("/users")
@requires("manage_accounts")
def users():
    accounts = unit_of_work().session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=accounts)


class ResetTwoFactorForm(FlaskForm):
    submit = SubmitField("Reset two-factor authentication", widget=GovSubmitInput())


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@requires("manage_accounts")
def reset_two_factor(user_id: int):
    uow = unit_of_work()
    account = uow.session.get(User, user_id)
    if account is None:
        raise NotFound(f"there is no account with id {user_id}")
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        two_factor.reset_two_factor(uow, user_id)
        flash(
            f"Two-factor authentication for {account.email} has been reset and the account "
            "signed out. It will be set up again at the next sign-in."
        )
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/reset_two_factor.html",
        account=account,
        form=form,
        required_after=account.role in uow.settings["TWO_FACTOR_REQUIRED_ROLES"],
    )


def _day(value: str | None, name: str):
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not a date; use the form YYYY-MM-DD") from None


@bp.route("/audit")
@requires("read_audit_log")
def audit_log():
    actions = audit.actions()
    action = request.args.get("action") or None
    if action and action not in actions:
        raise InvalidInput(f"action {action!r} is not valid; use one of: {', '.join(actions)}")
    actor = (request.args.get("actor") or "").strip().lower()
    since = _day(request.args.get("from"), "from")
    until = _day(request.args.get("to"), "to")
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(func.lower(AuditEvent.actor).like(f"%{actor}%"))
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(
            AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    requested = requested_page(request.args)
    session = unit_of_work().session
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    window = Window.of(requested, total, AUDIT_PAGE_SIZE)
    events = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset(window.offset)
    ).all()
    return render_template(
        "admin/audit.html",
        events=events,
        total=total,
        actions=actions,
        args=request.args,
        window=window,
    )


class CategoryForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Short and stable, used in files. For example, North Ward.",
        validators=[InputRequired(message="Enter a code"), Length(max=64)],
    )
    label = StringField(
        "Label",
        widget=GovTextInput(),
        description="What people see when they answer.",
        validators=[InputRequired(message="Enter a label"), Length(max=200)],
    )
    submit = SubmitField("Add category", widget=GovSubmitInput())


@bp.route("/categories")
@requires("manage_categories")
def categories():
    return render_template("admin/categories.html", taxonomy=load_taxonomy(unit_of_work().session))


@bp.route("/categories/<key>", methods=["GET", "POST"])
@requires("manage_categories")
def dimension(key: str):
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    info = taxonomy[key]
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            add_category(uow, key, form.code.data, form.label.data)
        except InvalidInput as error:
            form.code.errors = [str(error)]
        else:
            flash(f"Added {form.label.data} to {info.label}.")
            return redirect(url_for("admin.dimension", key=key))
    return render_template("admin/dimension.html", dimension=info, form=form)
