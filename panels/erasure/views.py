"""Pages for erasure: the member's own request, staff recording one, the admin's decision."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from models import ERASURE_STATUSES, Member
from panels.erasure import service
from panels.errors import NotFound
from panels.register.queries import member_for_user
from panels.security import requires
from panels.web import unit_of_work

bp = Blueprint("erasure", __name__)


class RequestForm(FlaskForm):
    sure = BooleanField(
        "I understand that my details will be deleted and I will not be asked to take part again",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Tick the box to say you understand what happens")],
    )
    submit = SubmitField("Ask us to delete my details", widget=GovSubmitInput())


class StaffRequestForm(FlaskForm):
    sure = BooleanField(
        "The member asked for this themselves, and I have checked who they are",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Tick the box to confirm the member asked for this")],
    )
    submit = SubmitField("Record the request", widget=GovSubmitInput())


class ApproveForm(FlaskForm):
    submit = SubmitField("Remove this member's details", widget=GovSubmitInput())


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        "Why is the request refused?",
        description="The member will be told this reason.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say why the request is refused"),
            Length(max=2000, message="Keep the reason under 2,000 characters"),
        ],
    )
    submit = SubmitField("Refuse the request", widget=GovSubmitInput())


@bp.route("/my/delete-my-details", methods=["GET", "POST"])
@requires("member_space")
def own_request() -> ResponseReturnValue:
    uow = unit_of_work()
    member = member_for_user(uow, current_user.id)
    pending = service.open_request(uow, member.id)
    form = RequestForm()
    if pending is None and form.validate_on_submit():
        service.request_erasure(uow, member.id, on_behalf=False)
        flash("We have your request. We will delete your details and tell you when it is done.")
        return redirect(url_for("erasure.own_request"))
    return render_template("erasure/own_request.html", form=form, pending=pending)


@bp.route("/register/members/<int:member_id>/erasure", methods=["GET", "POST"])
@requires("record_erasure_requests")
def staff_request(member_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    member = uow.session.get(Member, member_id)
    if member is None:
        raise NotFound(f"there is no member with id {member_id}")
    pending = service.open_request(uow, member_id)
    form = StaffRequestForm()
    if pending is None and member.erased_at is None and form.validate_on_submit():
        service.request_erasure(uow, member_id, on_behalf=True)
        flash("The request is recorded. An administrator will check it and remove the details.")
        return redirect(url_for("erasure.staff_request", member_id=member_id))
    return render_template("erasure/staff_request.html", form=form, member=member, pending=pending)


@bp.route("/admin/erasure")
@requires("approve_erasure")
def requests() -> str:
    uow = unit_of_work()
    return render_template(
        "erasure/requests.html",
        pending=service.pending_requests(uow),
        decided=service.decided_requests(uow),
        statuses=ERASURE_STATUSES,
    )


@bp.route("/admin/erasure/<int:request_id>", methods=["GET", "POST"])
@requires("approve_erasure")
def decide(request_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    request = service.get_request(uow, request_id)
    member = uow.session.get(Member, request.member_id)
    approve, refuse = ApproveForm(prefix="approve"), RefuseForm(prefix="refuse")
    if request.status == "requested":
        if approve.submit.data and approve.validate_on_submit():
            service.approve_erasure(uow, request_id)
            flash(f"The details of former member {request.member_id} have been removed.")
            return redirect(url_for("erasure.requests"))
        if refuse.submit.data and refuse.validate_on_submit():
            service.refuse_erasure(uow, request_id, refuse.reason.data or "")
            flash("The request is refused. Tell the member why.")
            return redirect(url_for("erasure.requests"))
    return render_template(
        "erasure/decide.html",
        request=request,
        member=member,
        approve=approve,
        refuse=refuse,
        statuses=ERASURE_STATUSES,
        own_request=request.requested_by_id == current_user.id,
    )
