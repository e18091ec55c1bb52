"""Administration pages: accounts, the audit log, and the equality categories."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import func, select
from wtforms import Field, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from models import AuditEvent, OutboxMessage, User
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
def users() -> str:
    accounts = unit_of_work().session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=accounts)


class ResetTwoFactorForm(FlaskForm):
    submit = SubmitField("Reset two-factor authentication", widget=GovSubmitInput())


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@requires("manage_accounts")
def reset_two_factor(user_id: int) -> ResponseReturnValue:
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


def _parse_day(text: str, what: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(
            f"{what} date {text.strip()!r} is not a real date; enter it as YYYY-MM-DD, "
            "like 2026-03-27"
        ) from None


class AuditFilterForm(FlaskForm):
    """The audit log's filter: a GET form, so the filtered address can be bookmarked."""

    class Meta:
        csrf = False  # it only reads

    action = SelectField("What", widget=GovSelect(), default="", validate_choice=False)
    actor = StringField("Who (email)", widget=GovTextInput(), validators=[Length(max=254)])
    since = StringField(
        "From (YYYY-MM-DD)", name="from", widget=GovTextInput(), validators=[Length(max=10)]
    )
    until = StringField(
        "To (YYYY-MM-DD)", name="to", widget=GovTextInput(), validators=[Length(max=10)]
    )

    def validate_action(self, field: Field) -> None:
        if field.data and field.data not in audit.actions():
            raise ValidationError(
                f"What {field.data!r} is not something the audit log records; choose one "
                "from the list"
            )

    def validate_since(self, field: Field) -> None:
        if field.data and _parse_day(field.data, "From") > date.today() + timedelta(days=1):
            raise ValidationError("From date must be today or in the past")

    def validate_until(self, field: Field) -> None:
        if not field.data:
            return
        until = _parse_day(field.data, "To")
        if until > date.today() + timedelta(days=1):
            raise ValidationError(
                f"To date {field.data.strip()!r} is in the future; enter today or an earlier "
                "date, or leave it blank for everything up to now"
            )
        if self.since.data:
            try:
                since = _parse_day(self.since.data, "From")
            except ValidationError:
                return
            if until < since:
                raise ValidationError("To date must be the same as or after the From date")

    def day(self, field: Field) -> date | None:
        return _parse_day(field.data, "") if field.data else None


@bp.route("/audit")
@requires("read_audit_log")
def audit_log() -> ResponseReturnValue:
    actions = audit.actions()
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", "Everything"), *actions.items()]
    if not form.validate():
        return render_template("admin/audit.html", form=form, events=None, actions=actions), 400
    query = select(AuditEvent)
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    actor = (form.actor.data or "").strip().lower()
    if actor:
        query = query.where(func.lower(AuditEvent.actor).like(f"%{actor}%"))
    since, until = form.day(form.since), form.day(form.until)
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(
            AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    requested = requested_page(request.args)
    session = unit_of_work().session
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    window = Window.of(requested, total, AUDIT_PAGE_SIZE)
    events = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset(window.offset)
    ).all()
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        total=total,
        actions=actions,
        window=window,
        filtered=any(f.data for f in (form.action, form.actor, form.since, form.until)),
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
def categories() -> str:
    return render_template("admin/categories.html", taxonomy=load_taxonomy(unit_of_work().session))


@bp.route("/categories/<key>", methods=["GET", "POST"])
@requires("manage_categories")
def dimension(key: str) -> ResponseReturnValue:
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


OUTBOX_PAGE_SIZE = 50


@bp.route("/outbox")
@requires("read_outbox")
def outbox() -> ResponseReturnValue:
    """Messages the service has sent or would send. Bodies are shown only while mail stays in
    the outbox (development): once it is sent for real they may hold live sign-in links."""
    uow = unit_of_work()
    requested = requested_page(request.args)
    total = uow.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    window = Window.of(requested, total, OUTBOX_PAGE_SIZE)
    messages = uow.session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(OUTBOX_PAGE_SIZE)
        .offset(window.offset)
    ).all()
    return render_template(
        "admin/outbox.html",
        messages=messages,
        total=total,
        window=window,
        show_bodies=bool(uow.settings.get("MAIL_OUTBOX_ONLY", True)),
    )
