"""Sign in, sign out, change and reset passwords."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from panels.auth import service
from panels.auth.forms import ChangePasswordForm, RequestResetForm, ResetPasswordForm, SignInForm
from panels.errors import InvalidInput
from panels.home.views import start_page_for
from panels.security import public, signed_in
from panels.web import unit_of_work

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(start_page_for(current_user))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                unit_of_work(), form.email.data, form.password.data, request.remote_addr or "-"
            )
        except InvalidInput as error:
            form.email.errors = [str(error)]
            status = error.status_code
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or start_page_for(user))
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/change-password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.change_password(
                unit_of_work(), current_user.id, form.current_password.data, form.new_password.data
            )
        except InvalidInput as error:
            form.current_password.errors = [str(error)]
            status = error.status_code
        else:
            login_user(user)
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(start_page_for(user))
    return render_template("auth/change_password.html", form=form), status


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        try:
            service.request_password_reset(
                unit_of_work(), form.email.data, request.remote_addr or "-"
            )
        except service.Throttled as error:
            form.email.errors = [str(error)]
            return render_template("auth/request_reset.html", form=form), 429
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/request_reset.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        service.user_for_reset_token(unit_of_work(), token)
    except InvalidInput as error:
        return render_template("auth/reset_invalid.html", message=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(unit_of_work(), token, form.new_password.data)
        except InvalidInput as error:
            return render_template("auth/reset_invalid.html", message=str(error)), 400
        flash("Your password has been reset. Sign in with your new password.")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
