"""Sign in (with a second step for two-factor), sign out, passwords and two-factor set-up."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from models import User
from panels.auth import service, two_factor
from panels.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmEnrolmentForm,
    ConfirmWithCodeForm,
    RequestResetForm,
    ResetPasswordForm,
    SignInForm,
)
from panels.errors import InvalidInput
from panels.home.views import start_page_for
from panels.security import (
    SESSION_ENDED,
    end_session,
    public,
    renew_login,
    signed_in,
    start_session,
)
from panels.web import unit_of_work

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING = "two_factor_pending"
PENDING_SECONDS = 10 * 60
"""After the password, the code must follow within this time."""


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _begin_second_step(user: User, next_url: str | None) -> None:
    """Half signed in: the password was right, the code is still to come. Nothing but the
    second-step pages reads this; every other page still sees an anonymous visitor."""
    session.clear()
    session[PENDING] = {
        "uid": user.id,
        "token": user.session_token,
        "at": int(time.time()),
        "next": next_url,
    }


def _pending_user() -> User | None:
    pending: dict[str, Any] | None = session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending["at"] > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = unit_of_work().session.get(User, pending["uid"])
    if user is None or not user.is_active or user.session_token != pending["token"]:
        session.pop(PENDING, None)
        return None
    return user


def _status_for(error: InvalidInput) -> int:
    """Too many attempts answer 429; any other mistake shows the form again (200)."""
    return 429 if error.status_code == 429 else 200


def _finish_sign_in(user: User, next_url: str | None) -> ResponseReturnValue:
    start_session(user)
    return redirect(_safe_next(next_url) or start_page_for(user))


def _restart_sign_in() -> ResponseReturnValue:
    flash("Sign in again to carry on: it took more than 10 minutes, or you signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(start_page_for(current_user))
    ended = session.pop(SESSION_ENDED, None)
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        uow = unit_of_work()
        try:
            user = service.authenticate(
                uow, form.email.data, form.password.data, request.remote_addr or "-"
            )
        except InvalidInput as error:
            form.email.errors = [str(error)]
            status = _status_for(error)
        else:
            next_url = _safe_next(request.args.get("next"))
            if two_factor.asks_for_code(user, uow.settings):
                _begin_second_step(user, next_url)
                if user.has_two_factor:
                    return redirect(url_for("auth.two_factor_code"))
                return redirect(url_for("auth.sign_in_set_up_two_factor"))
            return _finish_sign_in(user, next_url)
    return render_template("auth/sign_in.html", form=form, ended=ended), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public  # the second step: it acts only for the half-signed-in account in this session
def two_factor_code() -> ResponseReturnValue:
    user = _pending_user()
    if user is None:
        return _restart_sign_in()
    if not user.has_two_factor:
        return redirect(url_for("auth.sign_in_set_up_two_factor"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        uow = unit_of_work()
        try:
            used_recovery = two_factor.check_code(uow, user.id, form.code.data)
        except InvalidInput as error:
            form.code.errors = [str(error)]
            status = _status_for(error)
        else:
            response = _finish_sign_in(user, session[PENDING].get("next"))
            if used_recovery:
                left = two_factor.recovery_codes_left(uow, user.id)
                flash(
                    f"You used a recovery code; it will not work again. You have {left} left. "
                    "You can make new ones under Two-factor authentication."
                )
            return response
    return render_template("auth/two_factor_code.html", form=form), status


def _set_up(user: User, during_sign_in: bool) -> ResponseReturnValue:
    uow = unit_of_work()
    enrolment = two_factor.begin_enrolment(uow, user.id)
    form = ConfirmEnrolmentForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(uow, user.id, form.code.data)
        except InvalidInput as error:
            form.code.errors = [str(error)]
            status = _status_for(error)
        else:
            next_url = None
            if during_sign_in:
                next_url = session[PENDING].get("next")
                start_session(user)
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                continue_url=_safe_next(next_url) or start_page_for(user),
                new=True,
            )
    return render_template(
        "auth/two_factor_set_up.html",
        form=form,
        enrolment=enrolment,
        required=two_factor.required(user, uow.settings),
        during_sign_in=during_sign_in,
    ), status


@bp.route("/sign-in/set-up-two-factor", methods=["GET", "POST"])
@public  # the second step for an account that must set two-factor up before it signs in
def sign_in_set_up_two_factor() -> ResponseReturnValue:
    user = _pending_user()
    if user is None:
        return _restart_sign_in()
    if user.has_two_factor:
        return redirect(url_for("auth.two_factor_code"))
    return _set_up(user, during_sign_in=True)


@bp.route("/two-factor")
@signed_in
def two_factor_settings() -> str:
    uow = unit_of_work()
    return render_template(
        "auth/two_factor_settings.html",
        required=two_factor.required(current_user, uow.settings),
        codes_left=two_factor.recovery_codes_left(uow, current_user.id),
    )


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@signed_in
def set_up_two_factor() -> ResponseReturnValue:
    if current_user.has_two_factor:
        return redirect(url_for("auth.two_factor_settings"))
    user = unit_of_work().session.get(User, current_user.id)
    # current_user was loaded from this table for this request, so the row is there.
    assert user is not None
    return _set_up(user, during_sign_in=False)


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@signed_in
def renew_recovery_codes() -> ResponseReturnValue:
    if not current_user.has_two_factor:
        return redirect(url_for("auth.two_factor_settings"))
    form = ConfirmWithCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_factor.renew_recovery_codes(unit_of_work(), current_user.id, form.code.data)
        except InvalidInput as error:
            form.code.errors = [str(error)]
            status = _status_for(error)
        else:
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                continue_url=url_for("auth.two_factor_settings"),
                new=False,
            )
    return render_template(
        "auth/two_factor_confirm.html",
        form=form,
        title="Make new recovery codes",
        explanation="Your old recovery codes will stop working. Enter a code to carry on.",
    ), status


@bp.route("/two-factor/turn-off", methods=["GET", "POST"])
@signed_in
def turn_off_two_factor() -> ResponseReturnValue:
    uow = unit_of_work()
    if not current_user.has_two_factor or two_factor.required(current_user, uow.settings):
        return redirect(url_for("auth.two_factor_settings"))
    form = ConfirmWithCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            two_factor.turn_off(uow, current_user.id, form.code.data)
        except InvalidInput as error:
            form.code.errors = [str(error)]
            status = _status_for(error)
        else:
            flash("Two-factor authentication is off. You will sign in with your password only.")
            return redirect(url_for("auth.two_factor_settings"))
    return render_template(
        "auth/two_factor_confirm.html",
        form=form,
        title="Turn off two-factor authentication",
        explanation=(
            "You will sign in with your password only, and your recovery codes will stop "
            "working. Enter a code to carry on."
        ),
    ), status


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> ResponseReturnValue:
    service.sign_out_everywhere(unit_of_work(), current_user.id)
    end_session()
    flash("You have signed out. Any other device signed in to your account is signed out too.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/change-password", methods=["GET", "POST"])
@signed_in
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.change_password(
                unit_of_work(), current_user.id, form.current_password.data, form.new_password.data
            )
        except InvalidInput as error:
            form.current_password.errors = [str(error)]
            status = _status_for(error)
        else:
            renew_login(user)
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(start_page_for(user))
    return render_template("auth/change_password.html", form=form), status


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def request_reset() -> ResponseReturnValue:
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
def reset_password(token: str) -> ResponseReturnValue:
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
